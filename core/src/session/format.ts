import type { GraphError } from '../graph/dependency-graph';
import type { Cell } from '../model/types';

/** Hides the password of a connection string: `postgresql://user:****@host/db`. */
export function maskConnectionString(value: string | null): string | null {
  if (!value) return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:****@').replace(/(password=)[^\s&;]*/gi, '$1****');
}

const CYCLE_TEXT = 'This cell is part of a cycle';
const MULTIPLE_DEFINITIONS_PATTERN = /^`[^`]+` is defined in cells? /;

export interface GraphErrorTextOptions {
  /** How messages name a cell: `cell 3`. */
  label(cellId: string): string;
  /** The cell the message is shown on. */
  cellId: string;
  /**
   * The prefix that makes a name private to its cell in the languages of every
   * cell defining `name` (python: `_`), or undefined when there is none.
   */
  privatePrefix?(name: string): string | undefined;
}

export function graphErrorText(error: GraphError, options: GraphErrorTextOptions): string {
  const { label } = options;
  if (error.kind === 'cycle') {
    const path = [...error.cycle, error.cycle[0]!].map(label).join(' → ');
    return `${CYCLE_TEXT}: ${path}. Break the cycle so that no cell depends on itself.`;
  }
  const where = error.names.map(({ name, otherCells }) => `\`${name}\` is defined in ${cellList([options.cellId, ...otherCells].map(label))}`);
  const privateForms = error.names.map(({ name }) => {
    const prefix = name.startsWith('_') ? undefined : options.privatePrefix?.(name);
    return prefix === undefined ? undefined : `\`${prefix}${name}\``;
  });
  const one = error.names.length === 1;
  if (privateForms.every((form) => form !== undefined)) {
    const prefix = options.privatePrefix!(error.names[0]!.name)!;
    const advice = one
      ? `Rename one, or make it private to its cell as ${privateForms[0]}`
      : `Rename one of each, or make them private to their cell as ${privateForms.join(', ')}`;
    return `${where.join('; ')}. ${advice} (names starting with ${prefix} are local to a cell).`;
  }
  return `${where.join('; ')}. ${one ? 'Rename one' : 'Rename one of each'} so that each name is defined in one cell only.`;
}

/** `cells 2 and 5`, `cells 1, 4 and 7`; labels that are not `cell N` are listed as they are. */
function cellList(labels: string[]): string {
  const numbers = labels.map((l) => /^cell (\d+)$/.exec(l)?.[1]);
  const items = numbers.every((n) => n !== undefined) ? [...new Set(numbers.map(Number))].sort((a, b) => a - b).map(String) : labels;
  const joined = items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return numbers.every((n) => n !== undefined) ? `${items.length === 1 ? 'cell' : 'cells'} ${joined}` : joined;
}

/**
 * Which graph error a stored error text is, if it is one: only for notebooks
 * stored before a cell's error kind was kept beside its text (cell-error.ts),
 * which learn the kind from the text that {@link graphErrorText} made
 * (format.test.ts holds the two together).
 */
export function legacyGraphErrorKind(text: string | null): GraphError['kind'] | undefined {
  if (text === null) return undefined;
  if (text.startsWith(`${CYCLE_TEXT}:`)) return 'cycle';
  if (MULTIPLE_DEFINITIONS_PATTERN.test(text)) return 'multiple-definitions';
  return undefined;
}

/** Why a cell did not run: a cell it reads failed or cannot run (one text for the planner, the kernel's reports and a lost kernel). */
export function upstreamErrorText(upstreamLabel: string): string {
  return `Not run: upstream ${upstreamLabel} did not succeed.`;
}

/** A status that only means something while this process runs the notebook. */
export function settledStatus(status: Cell['status']): Cell['status'] {
  return status === 'queued' || status === 'running' ? 'stale' : status;
}
