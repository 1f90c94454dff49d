import type { NotebookSettings } from '../settings/plugin-settings';
/** The data shapes of the wire contract (docs/protocol.md), shared by every package. */

export type CellStatus = 'idle' | 'queued' | 'running' | 'success' | 'error' | 'blocked' | 'stale';

/** A JSON value: what crosses process boundaries and goes into storage. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Output {
  mime_type: string;
  data: JsonValue;
  metadata?: { [key: string]: JsonValue };
}

/** The table output, under mime type {@link TABLE_MIME}. */
export interface TableData {
  type: 'table';
  columns: string[];
  rows: (string | number | boolean | null)[][];
  truncated?: string;
}

export const TABLE_MIME = 'application/vnd.notebook.table+json';

/** Where a cell's printed text went. */
export type OutputStream = 'stdout' | 'stderr';

export interface Cell {
  id: string;
  /** A language id: "python", "sql", or a plugin's. */
  type: string;
  code: string;
  status: CellStatus;
  stdout: string;
  /** What the cell wrote to stderr (warnings, `print(..., file=sys.stderr)`), kept apart from stdout. */
  stderr: string;
  outputs: Output[];
  error: string | null;
  reads: string[];
  writes: string[];
}

export interface Notebook {
  id: string;
  name: string;
  /** Per-plugin settings, secret fields masked (`settings.sql.connection_string`). */
  settings?: NotebookSettings;
  cells: Cell[];
  revision: number;
}
