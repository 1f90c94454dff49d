/**
 * The wire contract (docs/protocol.md), as types only: the shapes the server
 * sends and accepts over HTTP and socket.io. The server and the web page both
 * import this module (`@rnb/core/wire`), the page with `import type`, so that
 * nothing here can drift between them and no code reaches the page's bundle.
 *
 * Keep it types-only: no values, no imports of modules with code. Constants
 * the page needs (the table mime type, the list of event names) are checked
 * against these types where they are declared.
 *
 * Words (docs/protocol.md, Conventions): a cell's `type` holds a language id;
 * `reads` and `writes` are the names a cell reads and defines (the analysers'
 * `references` and `defines`).
 */

// ---------------------------------------------------------------- data

/** One word per situation: docs/protocol.md, "Status words". */
export type CellStatus = 'idle' | 'queued' | 'running' | 'success' | 'error' | 'blocked' | 'stale';

/** A JSON value: what crosses process boundaries and goes into storage. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A rich output of a cell: `data` is what its `mime_type` says. */
export interface Output {
  mime_type: string;
  data: JsonValue;
  metadata?: { [key: string]: JsonValue };
}

/** The mime type of {@link TableData} outputs. */
export type TableMime = 'application/vnd.notebook.table+json';

/** The table output, under mime type {@link TableMime}. */
export interface TableData {
  type: 'table';
  columns: string[];
  rows: (string | number | boolean | null)[][];
  /** Present only when the output holds fewer rows than the result had: a sentence for people. */
  truncated?: string;
}

/**
 * One column's summary in a table output's `metadata.column_stats` (a list beside `columns`): computed by the runtime
 * over all rows of the result, not only the rows the output holds (docs/protocol.md, Column summaries).
 */
export interface TableColumnStats {
  /** The column's type as its library names it (`int64`, `datetime64[ns, UTC]`, `str`, `mixed`). */
  type: string;
  /** Missing values (null, NaN, NaT). */
  nulls?: number;
  /** Numbers and dates: the smallest and largest value, as table cells are. */
  min?: TableData['rows'][number][number];
  max?: TableData['rows'][number][number];
  /** Text, categories, booleans: the most frequent values with their counts, most frequent first. */
  top?: [TableData['rows'][number][number], number][];
  /** Distinct values (with `top`). */
  distinct?: number;
  /** The runtime ran out of time before this column: only its type is known. */
  partial?: boolean;
  /** The summary read only this many rows (a very long list of records). */
  sampled_rows?: number;
}

/**
 * An output a runtime sends to clear what the running cell showed so far (IPython's `clear_output(wait)`): `data` is
 * `{ wait: boolean }`. Never stored or sent to clients: core empties the cell's text and outputs and emits `cell_cleared`,
 * at once, or with `wait` when the cell's next text or output arrives (no flicker in a loop that redraws).
 */
export type ClearOutputMime = 'application/vnd.rnb.clear-output+json';

/** The mime type of markdown outputs: `data` is the markdown text (values already interpolated), rendered and sanitised by the page. */
export type MarkdownMime = 'text/markdown';

/**
 * The mime type of a widget output (a control bound to a notebook variable, issue "Interactive
 * notebooks"): `data` is a {@link WidgetData}. Language-neutral: any runtime may emit one.
 */
export type WidgetMime = 'application/vnd.rnb.widget+json';

/** A widget's model, as a widget output carries it and as a markdown output embeds it. */
export interface WidgetData {
  /**
   * `<defining cell id>:<n>` (n: the widget's creation index in that cell's run): stable, so a re-run keeps
   * the user's value; the host finds the defining cell (and its language) from the part before the last `:`.
   */
  widget_id: string;
  /** `slider`, `range_slider`, `number`, `text`, `text_area`, `dropdown`, `multiselect`, `checkbox`, `switch`, `radio`, `date`, `button`, `file`, ... */
  kind: string;
  value: JsonValue;
  /** The control's arguments (label, min, max, step, options, ...), kind-specific. */
  props: { [key: string]: JsonValue };
}

/**
 * Markdown outputs embed widgets by reference: the text holds `<rnb-widget id="WIDGET_ID"></rnb-widget>`
 * and the output's metadata holds the models under this key (`metadata.widgets[WIDGET_ID]`).
 */
export type MarkdownWidgetsKey = 'widgets';

/** Where a cell's printed text went. */
export type OutputStream = 'stdout' | 'stderr';

export interface Cell {
  id: string;
  /** The cell's language: "python", "sql", or a plugin language's id. */
  type: string;
  code: string;
  status: CellStatus;
  stdout: string;
  /** What the cell wrote to stderr (warnings, `print(..., file=sys.stderr)`), kept apart from stdout. */
  stderr: string;
  outputs: Output[];
  /** The error as the user reads it (made from `error_detail` by one function); null: none. */
  error: string | null;
  /** The same error, structured: its kind, message, the cells involved and the runtime's traceback. */
  error_detail?: CellErrorDetail | null;
  /** Names the cell reads that other cells may define, sorted. */
  reads: string[];
  /** Names the cell defines, sorted. */
  writes: string[];
  /** When its last run ended (ISO 8601), absent or null when it never ran on this server. */
  last_run_at?: string | null;
  /** How long its last run took in the kernel, in milliseconds (with `last_run_at`). */
  duration_ms?: number | null;
}

/**
 * Why a cell has an error. It decides the status: `error` for the cell's own failure (analysis, runtime,
 * kernel-lost, time-limit), `blocked` when something else stopped it (cycle, multiple-definitions, upstream).
 */
export type CellErrorKind = 'analysis' | 'cycle' | 'multiple-definitions' | 'upstream' | 'runtime' | 'kernel-lost' | 'time-limit';

/** A cell's error, structured (`Cell.error_detail`, `cell_error`'s `detail`). */
export interface CellErrorDetail {
  kind: CellErrorKind;
  /** What went wrong, in a line or a few (`NameError: name 'x' is not defined`). */
  message: string;
  /** The other cells involved: the cycle, the other definers, the upstream cell that failed. */
  cells?: string[];
  /** Where a runtime error happened, as the runtime reports it (a Python traceback, its last line the message). */
  traceback?: string;
}

/** `GET /api/notebooks/{id}`. */
export interface Notebook {
  id: string;
  name: string;
  /** Per-plugin settings, secret fields masked (`settings.sql.connection_string`). */
  settings?: NotebookSettings;
  /** @deprecated `settings.sql.connection_string` (masked: `postgresql://user:****@host/db`), or null when none is set. */
  db_conn_string?: string | null;
  cells: Cell[];
  revision: number;
  /** Lazy mode: an edit marks descendants `stale` instead of running them. */
  lazy?: boolean;
  /** How the notebook shows as an app (`/app/{id}`); absent: the defaults (code hidden, no tracebacks, not published). */
  app?: AppSettings;
  /** The caller's role in the notebook (multi-user mode): `owner`, or what the owner shared it as. */
  role?: NotebookRole;
}

/** What an owner shares a notebook as: an editor edits and runs (in the owner's kernel), a viewer only reads. */
export type ShareRole = 'editor' | 'viewer';
/** The caller's role in a notebook. */
export type NotebookRole = 'owner' | ShareRole;

/** One user a notebook is shared with (`GET /api/notebooks/{id}/shares`). */
export interface NotebookShareEntry {
  user_id: string;
  role: ShareRole;
}
/** `GET/PUT/DELETE /api/notebooks/{id}/shares[/{user}]` answer: every share of the notebook. */
export interface SharesAnswer {
  shares: NotebookShareEntry[];
}
/** One version in a notebook's history (`GET /api/notebooks/{id}/history`). */
export interface VersionSummary {
  id: string;
  /** ISO 8601. */
  at: string;
  /** Who changed the cells since the version before (the runner, for a run). */
  authors: string[];
  reason: 'run' | 'edit' | 'restore';
  /** Against the version before: "3 cells changed, 1 added". */
  summary: string;
}
export interface HistoryAnswer {
  /** Newest first. */
  versions: VersionSummary[];
}
/** `GET /api/notebooks/{id}/history/{version}`: the version's cells (code, language, order; never outputs). */
export interface VersionAnswer extends VersionSummary {
  cells: { id: string; type: string; code: string }[];
}
/** `GET /api/notebooks/{id}/history/diff?from=&to=`: cell by cell, each a line diff. */
export interface VersionDiffAnswer {
  from: string;
  to: string;
  cells: { cell_id: string; type: string; change: 'added' | 'removed' | 'changed' | 'unchanged'; moved: boolean; lines: { op: '=' | '+' | '-'; text: string }[] }[];
}
/** `POST /api/notebooks/{id}/history/{version}/restore`: the version the restore made (null: the notebook was already so). */
export interface RestoreAnswer {
  version: VersionSummary | null;
}

/** `PUT /api/notebooks/{id}/shares/{user}` body. */
export interface PutShareBody {
  role: ShareRole;
}

/**
 * The author's settings of a notebook's app view, stored with the notebook (never in its code).
 * `PUT /api/notebooks/{id}/app` changes them; only the owner can.
 */
export interface AppSettings {
  /** Viewers see each cell's code above its outputs (default false). */
  show_code: boolean;
  /** Viewers see an error's whole traceback instead of its last line (default false). */
  show_tracebacks: boolean;
  /** Signed-in users other than the owner may open the app (default false). */
  published: boolean;
}

/** One cell as an app viewer sees it: outputs only, code when the author shows it. */
export interface AppCell {
  id: string;
  type: string;
  /** Present only when the author shows code. */
  code?: string;
  /** A markdown cell's own text (prose, shown whatever the settings): the page renders it while the cell has no output of its own. */
  markdown?: string;
  status: CellStatus;
  stdout: string;
  stderr: string;
  outputs: Output[];
  /** The last line of the error unless the author shows tracebacks. */
  error: string | null;
}

/** `GET /api/apps/{id}` and the socket's `app_state`: the notebook as an app viewer sees it. */
export interface AppNotebook {
  id: string;
  name: string;
  show_code: boolean;
  show_tracebacks: boolean;
  published: boolean;
  /** The caller owns the notebook (the page offers a link back to it). */
  is_owner: boolean;
  cells: AppCell[];
}

/** `PUT /api/notebooks/{id}/app` body: any of the settings; the answer is all of them. */
export type AppSettingsBody = Partial<AppSettings>;

/** A setting's value as stored; null is never stored (it clears). */
export type SettingValue = string | number | boolean;

/** One plugin's settings, keyed by field name. */
export interface PluginSettingValues {
  [field: string]: SettingValue;
}

/** A notebook's settings: plugin id → that plugin's values (secret fields masked on the wire). */
export interface NotebookSettings {
  [pluginId: string]: PluginSettingValues;
}

export type SettingFieldType = 'string' | 'number' | 'boolean' | 'enum';

/** One field a language declares, as `GET /api/config` lists it (`languages[].settings`). */
export interface SettingFieldDescription {
  /** The key in the stored settings and in the route's body (`connection_string`). */
  name: string;
  type: SettingFieldType;
  /** What the page's form calls it. */
  label: string;
  description?: string;
  /** Write-only in the page: the host shows it masked and never sends it back in clear. */
  secret: boolean;
  /** The choices of an `enum` field. */
  options?: string[];
}

/** One entry of `GET /api/notebooks`. */
export interface NotebookSummary {
  id: string;
  name: string;
  /** ISO 8601. */
  updated_at: string;
  /** Bytes the notebook takes in storage, when the storage knows. */
  bytes?: number;
  /** When a cell of it last finished a run (ISO 8601); null when none did or the storage does not say. */
  last_run_at?: string | null;
  /** Set on a notebook another user shared with the caller ("shared with me"): its owner's id. */
  owner?: string;
  /** Set with `owner`: what the notebook was shared as. */
  role?: ShareRole;
}

// ---------------------------------------------------------------- errors

/** Codes core's NotebookError carries (core/src/errors.ts gives each its HTTP status). */
export type CoreErrorCode =
  | 'RNB_ERR_NOTEBOOK_NOT_FOUND'
  | 'RNB_ERR_CELL_NOT_FOUND'
  | 'RNB_ERR_CONFLICT'
  | 'RNB_ERR_EDIT_CONFLICT'
  | 'RNB_ERR_CELL_EXISTS'
  | 'RNB_ERR_INVALID_INPUT'
  | 'RNB_ERR_PAYLOAD_TOO_LARGE'
  | 'RNB_ERR_UNKNOWN_LANGUAGE'
  | 'RNB_ERR_PLUGIN'
  | 'RNB_ERR_PLUGIN_TIMEOUT'
  | 'RNB_ERR_KERNEL'
  | 'RNB_ERR_KERNEL_BUSY'
  | 'RNB_ERR_STORAGE'
  | 'RNB_ERR_UNAUTHORIZED'
  | 'RNB_ERR_CONFIG'
  | 'RNB_ERR_NOTEBOOK_TOO_LARGE'
  | 'RNB_ERR_QUOTA_EXCEEDED'
  | 'RNB_ERR_RUNTIME_BUSY'
  | 'RNB_ERR_RUNTIME_TIMEOUT'
  | 'RNB_ERR_RUNTIME_CALL_FAILED';

/** Codes the host adds to core's (app/server/src/errors.ts). */
export type HostErrorCode =
  | 'RNB_ERR_INVALID_JSON'
  | 'RNB_ERR_PAYLOAD_TOO_LARGE'
  | 'RNB_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'RNB_ERR_ROUTE_NOT_FOUND'
  | 'RNB_ERR_METHOD_NOT_ALLOWED'
  | 'RNB_ERR_TOO_MANY_REQUESTS'
  | 'RNB_ERR_SHUTTING_DOWN'
  | 'RNB_ERR_UNKNOWN_COMMAND'
  | 'RNB_ERR_ASSISTANT_UNAVAILABLE'
  /** Local mode: the Host header names no host this server answers to (DNS rebinding). */
  | 'RNB_ERR_HOST_NOT_ALLOWED'
  /** A state-changing request from a browser page of another origin, with auth `none`. */
  | 'RNB_ERR_ORIGIN_NOT_ALLOWED'
  /** An app viewer asked for something only the owner may do (edit, create, delete, settings, restart, arbitrary code). */
  | 'RNB_ERR_APP_READ_ONLY'
  /** No app with this id: the notebook does not exist, is not published, or the caller may not see it. */
  | 'RNB_ERR_APP_NOT_FOUND'
  /** No such version in the notebook's history (never taken, or pruned by the retention). */
  | 'RNB_ERR_VERSION_NOT_FOUND'
  /** A user the notebook is shared with asked for more than the role allows (a viewer editing or running; an editor changing shares). */
  | 'RNB_ERR_ROLE_FORBIDDEN'
  | 'RNB_ERR_INTERNAL';

/** Every code a client can receive, over HTTP and on sockets. */
export type ErrorCode = CoreErrorCode | HostErrorCode;

/** Extra fields of an error body beside code and message (snake_case, scalars), e.g. `current_code` of `RNB_ERR_EDIT_CONFLICT`. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** Every error answer: `{ error: { code, message, ...details } }` (409 `RNB_ERR_EDIT_CONFLICT` adds `current_code`). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string } & ErrorDetails;
}

// ---------------------------------------------------------------- server → client events

/** The events of a notebook, by name: what core emits and every client of the notebook receives. */
export interface NotebookEventPayloads {
  /** A run's end (`success` or `error` reported by the kernel) also carries when it ended and how long it took. */
  cell_status: { cellId: string; status: CellStatus; last_run_at?: string; duration_ms?: number };
  /** Text a running cell wrote; `stream` says whether to stdout or stderr. */
  cell_stdout: { cellId: string; data: string; stream: OutputStream };
  cell_output: { cellId: string; output: Output };
  /**
   * The running cell cleared what it showed so far (Python's `clear_output()`): its `stdout`, `stderr` and `outputs` are
   * empty now; what it prints and shows next follows.
   */
  cell_cleared: { cellId: string };
  /** `error: null`: the cell's shown error no longer holds (a syntax error fixed, a double definition resolved). */
  /** `detail`: the error structured (absent when `error` is null). */
  cell_error: { cellId: string; error: string | null; detail?: CellErrorDetail };
  cell_created: { cell: Cell; index: number; revision: number };
  /** `cell_type`: the cell's language, which an update may change. */
  cell_updated: { cellId: string; code: string; cell_type: string; reads: string[]; writes: string[]; revision: number };
  cell_deleted: { cellId: string; revision: number };
  cell_moved: { cellId: string; index: number; revision: number };
  /** Name, lazy mode, plugin settings or app settings changed; `settings`: every plugin's, secret fields masked. */
  notebook_updated: { name: string; lazy: boolean; settings: NotebookSettings; app?: AppSettings; revision: number };
  kernel_restarted: { reason: string };
  /** Every cell's stdout, stderr and outputs were emptied (errors and statuses stay). */
  outputs_cleared: Record<never, never>;
  /** Folder storage: the notebook's file changed on disk and does not parse; the notebook keeps its last good state. */
  external_edit_error: { message: string };
  /** A widget's value was set (by any client): `cellId` is the cell that defines the widget, `value` as the runtime kept it. */
  widget_value: { cellId: string; widget_id: string; value: JsonValue };
  /**
   * Every name in the notebook's kernel, described by the runtimes after each
   * run (and at once without the names a deleted cell defined). Replaces the
   * previous list; empty after a restart. `truncated`: the kernel stopped at
   * its bound of names or time.
   */
  variables: { variables: VariableInfo[]; truncated: boolean };
}

/** One name of the notebook's namespace, for the variable explorer. */
export interface VariableInfo {
  name: string;
  /** The language whose runtime holds the value. */
  language: string;
  /** The value's type in that language's words (`int`, `DataFrame`). */
  type: string;
  /** A short value or shape: `42`, `list[3]`, `DataFrame 10,000 × 12`. */
  summary: string;
  /** Approximate bytes in memory, or null when unknown. */
  size: number | null;
  /** The cell that defines it; null for a cell-private name (`_x`) or one no cell defines any more. */
  defined_by: string | null;
  /** Cells that read it, in notebook order. */
  read_by: string[];
  /** A private name (`_x`): the page hides it unless asked. */
  private: boolean;
}

export type NotebookEventName = keyof NotebookEventPayloads;

/** One notebook event as a tagged value: the socket event's name in `type`, its payload beside it. */
export type NotebookEvent = { [K in NotebookEventName]: { type: K } & NotebookEventPayloads[K] }[NotebookEventName];

/** Events of the socket itself, sent to one client. */
export interface SocketEventPayloads {
  authenticated: Record<never, never>;
  auth_refreshed: Record<never, never>;
  error: { message: string; code: ErrorCode };
  /** App sockets only, after `authenticated`: the viewer's own session of the notebook. */
  app_state: { notebook: AppNotebook };
  /**
   * Events meant for this client may have been lost (cluster mode: its server's link to Redis was down for a
   * while, and Redis keeps no events): reload the notebook, as after a reconnect.
   */
  resync: Record<never, never>;
  /**
   * Sockets that asked for batches (`auth: { batch: true }`): the notebook events the host emitted in one turn of its
   * event loop, in order, instead of one socket event each (at most 256 in one).
   */
  events: { events: NotebookEvent[] };
}

/** Every server → client socket event, by name. Over socket.io the payload is the event without `type`. */
export interface ServerEvents extends NotebookEventPayloads, SocketEventPayloads, CoeditEventPayloads {}

export type ServerEventName = keyof ServerEvents;

// ---------------------------------------------------------------- client → server events

export interface ClientEvents {
  authenticate: { token: string };
  refresh_auth: { token: string };
  run_cell: { cellId: string };
  run_all: Record<never, never>;
  interrupt: { cellId?: string };
  restart_kernel: Record<never, never>;
  clear_outputs: Record<never, never>;
  /** Asks a language's runtime; the acknowledgement carries the answer in `value`. */
  runtime_call: { language: string; method: string; payload?: JsonValue };
  /** A widget moved: the acknowledgement's `value` is {@link WidgetValueAnswer}. */
  set_widget_value: { widget_id: string; value: JsonValue };
  /** Co-editing: the client's Yjs state vector (binary); the acknowledgement's `value` is a {@link CoeditSyncValue}. */
  yjs_sync: { state_vector: Uint8Array };
  /** Co-editing: a Yjs update of the notebook's document (binary); acknowledged `{ ok: true }` once stored. */
  yjs_update: { update: Uint8Array };
  /** Presence: a y-protocols awareness update (binary), relayed to the notebook's other clients. */
  yjs_awareness: { update: Uint8Array };
}

/** What setting a widget's value answers (socket acknowledgement `value`, HTTP body): the value kept and the names whose readers run. */
export interface WidgetValueAnswer {
  value: JsonValue;
  names: string[];
}

/** `PUT /api/notebooks/{id}/widgets/{widget_id}`. */
export interface WidgetValueBody {
  value: JsonValue;
}

/** The acknowledgement value of `yjs_sync`. */
export interface CoeditSyncValue {
  /** What the host's document holds that the client's state vector lacks (a Yjs update). */
  update: Uint8Array;
  /** The host's state vector: the client answers with `yjs_update` of what the host lacks. */
  state_vector: Uint8Array;
  /** Names the document's life: a client holding a document of another epoch drops it and starts from the host's. */
  epoch: string;
}

/** Co-editing events the host sends (binary payloads). */
export interface CoeditEventPayloads {
  /** The notebook's document changed (anyone's keystroke, a cell created or deleted): a Yjs update. */
  yjs_update: { update: Uint8Array };
  /** Another client's presence changed (y-protocols awareness update; a client that left is sent with state null). */
  yjs_awareness: { update: Uint8Array };
}

export type ClientEventName = keyof ClientEvents;

/** The acknowledgement of a client event (`value`: the answer of `runtime_call`). */
export type Acknowledgement = { ok: true; value?: JsonValue } | ErrorBody;

// ---------------------------------------------------------------- HTTP

/** `GET /api/config`: what the page needs before sign-in. */
export interface AppConfig {
  auth: 'none' | 'clerk' | (string & {});
  clerk_publishable_key?: string;
  /** Whether the notebook assistant can answer here, and if not why (no API key, no plugin). */
  assistant: { available: boolean; reason?: string };
  /** The languages the host loaded (missing from hosts older than it: Python and SQL). */
  languages?: LanguageInfo[];
}

/** `GET /api/me`: the caller, and the name others see beside their cursor (null: the page picks one). */
export interface MeAnswer {
  user_id: string;
  name: string | null;
}

/** One loaded language, as `GET /api/config` lists it. */
export interface LanguageInfo {
  /** The language id: a cell's `type`. */
  id: string;
  display_name: string;
  /** With its dot (".py"), or null when the plugin declares none. */
  file_extension: string | null;
  /** A CodeMirror mode the page has built in ("python", "sql"), or null: the browser module's, else plain. */
  editor: { mode: string | null };
  /** Where the page loads the plugin's browser module from, relative to the app's base; null: none. */
  browser_module: string | null;
  /** The notebook settings the language declares (empty: none); the settings dialog shows a form generated from them. */
  settings?: SettingFieldDescription[];
}

/** `GET /healthz`. */
export interface HealthAnswer {
  status: 'ok' | 'shutting_down';
  notebooks?: number;
  kernels?: number;
  connections?: number;
}

/** Request bodies, by route. */
export interface CreateNotebookBody {
  name?: string;
}
export interface RenameNotebookBody {
  name: string;
}
/** @deprecated `PUT .../db`: an alias of `PUT .../settings/sql` with `{ connection_string }`. */
export interface DbConnectionBody {
  connection_string: string | null;
}
/** `PUT .../settings/{plugin}`: a value sets a field, null (or '') clears it, a field left out keeps its value. */
export type PluginSettingsBody = { [field: string]: SettingValue | null };
export interface SettingsBody {
  lazy: boolean;
}
export interface CreateCellBody {
  /** The cell's language. */
  type: string;
  /** The id the client chose (a UUID), so a page can show the cell before the answer. */
  cell_id?: string;
  after_cell_id?: string | null;
  index?: number;
  code?: string;
}
export interface UpdateCellBody {
  code: string;
  /** Changes the cell's language in place: its id and position stay. */
  type?: string;
  expected_revision?: number;
  /** The code the client's edit started from (409 `RNB_ERR_EDIT_CONFLICT` when the stored code moved on). */
  base_code?: string;
}
export interface MoveCellBody {
  index: number;
}
/** `POST .../runtime/{language}/{method}`: a request to the notebook's language runtime. */
export interface RuntimeCallBody {
  payload?: JsonValue;
}

/** Answers, by route. */
export interface ListNotebooksAnswer {
  notebooks: NotebookSummary[];
}
export interface CreateNotebookAnswer {
  notebook_id: string;
}
export interface RenameNotebookAnswer {
  id: string;
  name: string;
}
export interface DbConnectionAnswer {
  db_conn_string: string | null;
}
/** `PUT .../settings/{plugin}`: the plugin's settings after the change, secret fields masked. */
export interface PluginSettingsAnswer {
  plugin: string;
  settings: PluginSettingValues;
}
export interface SettingsAnswer {
  lazy: boolean;
}
export interface CreateCellAnswer {
  cell_id: string;
  cell: Cell;
}
/** `PUT .../cells/{cell_id}` answers the updated {@link Cell}. */
export type UpdateCellAnswer = Cell;
export interface MoveCellAnswer {
  cell_id: string;
  index: number;
}
/** `POST .../run` and `POST .../run_all`. */
export interface QueuedAnswer {
  queued: true;
}
export interface InterruptedAnswer {
  interrupted: true;
}
export interface RestartedAnswer {
  restarted: true;
}
export interface ClearedAnswer {
  cleared: true;
}
export interface RuntimeCallAnswer {
  value: JsonValue;
}

// ---------------------------------------------------------------- the assistant's stream

/** One message of `POST /api/chat/{id}`'s body `{ messages }`. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The events of the assistant's server-sent-event stream: `event: <type>` and one `data:` line of this JSON. */
export type ChatEvent =
  | { type: 'turn_start'; turn: number }
  | { type: 'text'; turn: number; text: string }
  | { type: 'tool_start'; turn: number; id: string; name: string }
  | { type: 'tool_input'; turn: number; id: string; name: string; input: unknown }
  | { type: 'tool_result'; turn: number; id: string; name: string; ok: boolean; summary: string; cell_id?: string; result: unknown }
  | { type: 'done'; turns: number; stop_reason: 'end_turn' | 'max_turns' | 'max_tokens' | 'other' }
  | { type: 'error'; message: string };
