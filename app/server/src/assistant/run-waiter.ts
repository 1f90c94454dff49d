import type { Cell, CellStatus } from '@rnb/core';
import type { CommandRouter } from '../commands/command-router';
import type { HostEvent, NotebookEventBus } from '../events/event-bus';

export interface RunOutcome {
  /** False when the time limit came first: the cells may still be running. */
  settled: boolean;
  cell: Cell;
  /** Other cells this run touched (its cascade), with how they ended. */
  cascade: { id: string; status: CellStatus; error: string | null }[];
}

const ACTIVE: ReadonlySet<CellStatus> = new Set(['queued', 'running']);
/** A cell with an analysis error (or a blocked one) is asked to run without a status change: no event comes. */
const QUIET_GRACE_MS = 400;

/**
 * Runs a cell as a user would and waits for THIS run's result: listening
 * starts before the request, and a cell counts as done only once it went
 * through queued/running and out again, so an earlier run's status never
 * passes for this one. The events are the host's bus, so this holds in
 * cluster mode too, where the run happens on another instance.
 */
export async function runAndWait(
  deps: { commands: CommandRouter; events: NotebookEventBus },
  owner: string,
  notebookId: string,
  cellId: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<RunOutcome> {
  const active = new Set<string>();
  const touched = new Set<string>();
  let targetStarted = false;
  let targetDone = false;
  let deleted = false;
  let wake: () => void = () => undefined;

  const unsubscribe = deps.events.subscribe((id: string, event: HostEvent) => {
    if (id !== notebookId) return;
    if (event.type === 'notebook_deleted') deleted = true;
    else if (event.type === 'cell_status') {
      touched.add(event.cellId);
      if (ACTIVE.has(event.status)) {
        active.add(event.cellId);
        if (event.cellId === cellId) {
          targetStarted = true;
          targetDone = false;
        }
      } else {
        active.delete(event.cellId);
        if (event.cellId === cellId && targetStarted) targetDone = true;
      }
    } else if (event.type === 'cell_deleted') active.delete(event.cellId);
    else return;
    wake();
  });
  try {
    await deps.commands.dispatch(owner, notebookId, { type: 'run_cell', cellId });
    const started = Date.now();
    const deadline = started + options.timeoutMs;
    let settled = false;
    for (;;) {
      if (options.signal.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
      if (deleted) throw new Error('The notebook was deleted while the cell ran.');
      if (targetDone && active.size === 0) {
        settled = true;
        break;
      }
      if (!targetStarted && Date.now() - started >= QUIET_GRACE_MS) {
        const view = await deps.commands.dispatch(owner, notebookId, { type: 'get_notebook' });
        const cell = view.cells.find((c) => c.id === cellId);
        const busy = view.cells.some((c) => ACTIVE.has(c.status));
        if (!cell) throw new Error(`Cell ${cellId} was deleted while it ran.`);
        if (!targetStarted && !busy && (cell.status === 'blocked' || cell.status === 'error')) {
          settled = true;
          break;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', done);
          wake = () => undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(remaining, targetStarted ? 1000 : QUIET_GRACE_MS));
        options.signal.addEventListener('abort', done, { once: true });
        wake = done;
      });
    }
    const view = await deps.commands.dispatch(owner, notebookId, { type: 'get_notebook' });
    const cell = view.cells.find((c) => c.id === cellId);
    if (!cell) throw new Error(`Cell ${cellId} was deleted while it ran.`);
    const cascade = view.cells
      .filter((c) => c.id !== cellId && touched.has(c.id))
      .map((c) => ({ id: c.id, status: c.status, error: c.error }));
    return { settled, cell, cascade };
  } finally {
    unsubscribe();
  }
}
