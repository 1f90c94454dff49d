import type { GraphError } from '../graph/dependency-graph';
import type { Analysis } from '../language/language';
import type { CellStatus } from '../model/types';
import type { CellErrorDetail, CellErrorKind } from '../wire';
import { graphErrorText, legacyGraphErrorKind, upstreamErrorText, type GraphErrorTextOptions } from './format';

/** Why a cell has an error: decides its status. Storage keeps the whole error beside its text. */
export type { CellErrorKind } from '../wire';

/** A cell's error. Views and events carry it with its text ({@link cellErrorText}). */
export type CellError = CellErrorDetail;

const CELL_ERROR_KINDS: ReadonlySet<string> = new Set<CellErrorKind>(['analysis', 'cycle', 'multiple-definitions', 'upstream', 'runtime', 'kernel-lost', 'time-limit']);

export function isCellErrorKind(value: unknown): value is CellErrorKind {
  return typeof value === 'string' && CELL_ERROR_KINDS.has(value);
}

/**
 * The one text of a cell error: what `cell_error` events, views and storage carry. A runtime's traceback
 * already ends with its message (Python's does), so it is shown alone; otherwise the message comes first.
 */
export function cellErrorText(error: CellError): string {
  if (!error.traceback) return error.message;
  const firstLine = error.message.split('\n', 1)[0]!;
  return error.traceback.includes(firstLine) ? error.traceback : `${error.message}\n\n${error.traceback}`;
}

/**
 * The status an error gives its cell: `error` for the cell's own failure,
 * `blocked` when something else stopped it (HELPERS.md, status words).
 */
export function statusOfError(kind: CellErrorKind): Extract<CellStatus, 'error' | 'blocked'> {
  return kind === 'cycle' || kind === 'multiple-definitions' || kind === 'upstream' ? 'blocked' : 'error';
}

export function analysisCellError(error: NonNullable<Analysis['error']>): CellError {
  const where = error.line !== undefined ? ` (line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''})` : '';
  return { kind: 'analysis', message: `${error.message}${where}` };
}

export function graphCellError(error: GraphError, options: GraphErrorTextOptions): CellError {
  const cells = error.kind === 'cycle' ? error.cycle : [...new Set(error.names.flatMap((n) => n.otherCells))];
  return { kind: error.kind, message: graphErrorText(error, options), cells };
}

/** `upstreamLabel` names the cell for the user (`cell 3`); `upstreamId` is its id, when known. */
export function upstreamCellError(upstreamLabel: string, upstreamId?: string): CellError {
  const error: CellError = { kind: 'upstream', message: upstreamErrorText(upstreamLabel) };
  if (upstreamId !== undefined) error.cells = [upstreamId];
  return error;
}

/** The kernel went away while the cell ran (crash, memory, eviction), or could not be started for it. */
export function kernelLostCellError(message: string): CellError {
  return { kind: 'kernel-lost', message };
}

/**
 * The error of a stored cell: the structure storage kept beside the text, or, for notebooks stored
 * before it was kept, the text alone (its kind read from it).
 */
export function storedCellError(text: string | null, detail: CellError | undefined): CellError | null {
  if (text === null) return null;
  // A text changed outside the server (a file edited by hand) wins over the structure saved with the old one.
  if (detail && cellErrorText(detail) === text) return detail;
  return { kind: legacyGraphErrorKind(text) ?? 'runtime', message: text };
}
