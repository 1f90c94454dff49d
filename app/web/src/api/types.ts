/**
 * The wire shapes the browser sees (docs/protocol.md at the repository's root).
 * They mirror core's model types; the web bundle keeps its own copy so that it never pulls
 * server code into the browser build.
 */
export type CellStatus = 'idle' | 'queued' | 'running' | 'success' | 'error' | 'blocked' | 'stale';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Output {
  mime_type: string;
  data: JsonValue;
  metadata?: { [key: string]: JsonValue };
}

export const TABLE_MIME = 'application/vnd.notebook.table+json';

export interface TableData {
  type: 'table';
  columns: string[];
  rows: (string | number | boolean | null)[][];
  truncated?: string;
}

export interface Cell {
  id: string;
  type: string;
  code: string;
  status: CellStatus;
  stdout: string;
  /** Warnings and `print(..., file=sys.stderr)`, kept apart from stdout. */
  stderr: string;
  outputs: Output[];
  error: string | null;
  reads: string[];
  writes: string[];
}

export interface Notebook {
  id: string;
  name: string;
  /** Masked by the host once saved, e.g. `postgresql://user:****@host/db`. */
  db_conn_string?: string | null;
  cells: Cell[];
  revision: number;
  lazy?: boolean;
}

export interface NotebookSummary {
  id: string;
  name: string;
}

export interface AppConfig {
  auth: 'none' | 'clerk' | string;
  clerk_publishable_key?: string;
  /** Whether the notebook assistant can answer here, and if not why (no API key, no plugin). */
  assistant?: { available: boolean; reason?: string };
  /** The languages the host loaded (missing from hosts older than it: Python and SQL). */
  languages?: LanguageInfo[];
}

/** One loaded language, as `GET /api/config` lists it. */
export interface LanguageInfo {
  id: string;
  display_name: string;
  /** With its dot (".py"), or null. */
  file_extension: string | null;
  /** `mode`: a CodeMirror mode the page has built in ("python", "sql"), or null. */
  editor: { mode: string | null };
  /** The plugin's browser module, relative to the app's base, or null. */
  browser_module: string | null;
}

/** Server → client socket events, keyed by event name. */
export interface ServerEvents {
  authenticated: Record<string, never>;
  auth_refreshed: Record<string, never>;
  cell_status: { cellId: string; status: CellStatus };
  /** `stream` is missing from hosts older than stderr: that text is stdout. */
  cell_stdout: { cellId: string; data: string; stream?: 'stdout' | 'stderr' };
  cell_output: { cellId: string; output: Output };
  /** `error: null`: the cell's shown error no longer holds (a syntax error fixed, a double definition resolved). */
  cell_error: { cellId: string; error: string | null };
  cell_created: { cell: Cell; index: number; revision?: number };
  cell_updated: { cellId: string; code: string; reads: string[]; writes: string[]; revision?: number };
  cell_deleted: { cellId: string; revision?: number };
  cell_moved: { cellId: string; index: number; revision?: number };
  notebook_updated: { name: string; lazy: boolean; has_db_connection: boolean; revision?: number };
  kernel_restarted: { reason: string };
  /** Every cell's stdout and outputs were emptied (errors and statuses stay). */
  outputs_cleared: Record<never, never>;
  /** Folder storage: the notebook's file changed on disk and does not parse; the notebook keeps its last good state. */
  external_edit_error: { message: string };
  error: { message: string };
}

export type ServerEventName = keyof ServerEvents;

/** One server event as a tagged value, the form the store consumes. */
export type NotebookEvent = { [K in ServerEventName]: { type: K } & ServerEvents[K] }[ServerEventName];

export const NOTEBOOK_EVENT_NAMES: readonly ServerEventName[] = [
  'cell_status', 'cell_stdout', 'cell_output', 'cell_error', 'cell_created', 'cell_updated',
  'cell_deleted', 'cell_moved', 'notebook_updated', 'kernel_restarted', 'outputs_cleared', 'external_edit_error',
];
