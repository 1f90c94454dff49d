import type { GraphError } from '../graph/dependency-graph';
import type { Analysis } from '../language/language';
import type { CellStatus } from '../model/types';
import { graphErrorText, legacyGraphErrorKind, upstreamErrorText, type GraphErrorTextOptions } from './format';

/** Why a cell has an error: decides its status, and is stored beside the text (old notebooks have text only). */
export type CellErrorKind = 'analysis' | 'cycle' | 'multiple-definitions' | 'upstream' | 'runtime' | 'kernel-lost' | 'time-limit';

/** A cell's error. The wire carries its text ({@link cellErrorText}); storage keeps the text and the kind. */
export interface CellError {
  kind: CellErrorKind;
  message: string;
  /** The other cells involved: the cycle, the other definers, the upstream cell that failed. */
  cells?: string[];
  /** Where a runtime error happened, when the runtime reports it apart from the message. */
  traceback?: string;
}

const CELL_ERROR_KINDS: ReadonlySet<string> = new Set<CellErrorKind>(['analysis', 'cycle', 'multiple-definitions', 'upstream', 'runtime', 'kernel-lost', 'time-limit']);

export function isCellErrorKind(value: unknown): value is CellErrorKind {
  return typeof value === 'string' && CELL_ERROR_KINDS.has(value);
}

/** The one text of a cell error: what `cell_error` events, views and storage carry. */
export function cellErrorText(error: CellError): string {
  return error.traceback ? `${error.message}\n\n${error.traceback}` : error.message;
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

/** The text that storage holds, with the kind it stored; notebooks stored before kinds were kept have text only. */
export function storedCellError(text: string | null, kind: CellErrorKind | undefined): CellError | null {
  if (text === null) return null;
  return { kind: kind ?? legacyGraphErrorKind(text) ?? 'runtime', message: text };
}
