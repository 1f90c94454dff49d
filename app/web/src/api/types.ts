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
  /** Per-plugin settings, secret fields masked by the host (`settings.sql.connection_string`). */
  settings?: NotebookSettings;
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
  /** The notebook settings the language declares: the settings dialog shows a form generated from them. */
  settings?: SettingFieldInfo[];
}

/** A setting's value; the host masks secret ones. */
export type SettingValue = string | number | boolean;

/** A notebook's settings: plugin id → field → value (secret values masked). */
export interface NotebookSettings {
  [plugin: string]: { [field: string]: SettingValue };
}

/** One field a language declares, as `GET /api/config` lists it. */
export interface SettingFieldInfo {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'enum';
  label: string;
  description?: string;
  /** Write-only in the page: the host shows it masked and never sends it back in clear. */
  secret: boolean;
  options?: string[];
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
  /** `settings`: every plugin's settings, secret fields masked (absent from hosts older than plugin settings). */
  notebook_updated: { name: string; lazy: boolean; settings?: NotebookSettings; revision?: number };
  kernel_restarted: { reason: string };
  /** Every cell's stdout and outputs were emptied (errors and statuses stay). */
  outputs_cleared: Record<never, never>;
  error: { message: string };
}

export type ServerEventName = keyof ServerEvents;

/** One server event as a tagged value, the form the store consumes. */
export type NotebookEvent = { [K in ServerEventName]: { type: K } & ServerEvents[K] }[ServerEventName];

export const NOTEBOOK_EVENT_NAMES: readonly ServerEventName[] = [
  'cell_status', 'cell_stdout', 'cell_output', 'cell_error', 'cell_created', 'cell_updated',
  'cell_deleted', 'cell_moved', 'notebook_updated', 'kernel_restarted', 'outputs_cleared',
];
