import type { GraphError } from '../graph/dependency-graph';
import type { Cell } from '../model/types';
import type { StoredCell } from '../storage/storage';

/** Hides the password of a connection string: `postgresql://user:****@host/db`. */
export function maskConnectionString(value: string | null): string | null {
  if (!value) return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:****@').replace(/(password=)[^\s&;]*/gi, '$1****');
}

export function graphErrorText(error: GraphError, label: (cellId: string) => string): string {
  if (error.kind === 'cycle') {
    const path = [...error.cycle, error.cycle[0]!].map(label).join(' → ');
    return `This cell is part of a cycle: ${path}. Break the cycle so that no cell depends on itself.`;
  }
  const parts = error.names.map(({ name, otherCells }) => `"${name}" is also defined by ${otherCells.map(label).join(', ')}`);
  return `Defined in more than one cell: ${parts.join('; ')}. Define each name in one cell only.`;
}

export function toCell(stored: StoredCell): Cell {
  return {
    id: stored.id,
    type: stored.type,
    code: stored.code,
    status: stored.status,
    stdout: stored.stdout,
    stderr: stored.stderr,
    outputs: stored.outputs,
    error: stored.error,
    reads: stored.reads,
    writes: stored.writes,
  };
}

/** A status that only means something while this process runs the notebook. */
export function settledStatus(status: Cell['status']): Cell['status'] {
  return status === 'queued' || status === 'running' ? 'stale' : status;
}
