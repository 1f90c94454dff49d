import type { NotebookSettings } from '../settings/plugin-settings';
import type { Cell, CellStatus, Output, OutputStream } from '../model/types';

/**
 * Everything that happens to a notebook, named as in the wire contract
 * (docs/protocol.md). Core emits these; a host broadcasts them.
 */
export type NotebookEvent =
  | { type: 'cell_status'; cellId: string; status: CellStatus }
  /** Text a running cell wrote; `stream` says whether to stdout or stderr. */
  | { type: 'cell_stdout'; cellId: string; data: string; stream: OutputStream }
  | { type: 'cell_output'; cellId: string; output: Output }
  /** `error: null` (extension): the cell's shown error no longer holds (a syntax error fixed, a double definition resolved). */
  | { type: 'cell_error'; cellId: string; error: string | null }
  | { type: 'cell_created'; cell: Cell; index: number; revision: number }
  /** `cell_type` (extension): the cell's language, which an update may change. */
  | { type: 'cell_updated'; cellId: string; code: string; cell_type: string; reads: string[]; writes: string[]; revision: number }
  | { type: 'cell_deleted'; cellId: string; revision: number }
  /** Extension: a cell moved to a new position. */
  | { type: 'cell_moved'; cellId: string; index: number; revision: number }
  /** Extension: name, lazy mode or plugin settings changed; secret settings are masked. */
  | { type: 'notebook_updated'; name: string; lazy: boolean; settings: NotebookSettings; revision: number }
  | { type: 'kernel_restarted'; reason: string }
  /** Extension: every cell's stdout and outputs were emptied (errors and statuses stay). */
  | { type: 'outputs_cleared' };

export type NotebookEventListener = (notebookId: string, event: NotebookEvent) => void;
