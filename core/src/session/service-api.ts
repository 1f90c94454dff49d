import type { Cell, JsonValue, Notebook } from '../model/types';
import type { AppSettings, NotebookSettings, ShareRole } from '../wire';
import type { FileAppSettings } from '../notebook-file/percent-format';
import type { NotebookShare, NotebookSummary } from '../storage/storage';
import type { PortableCell } from '../notebook-file/portable';
import type { NotebookEventListener, NotebookEventPayloads } from './events';
import type { PluginSettingValues, SettingsChange } from '../settings/plugin-settings';

export interface CreateCellInput {
  type: string;
  code?: string;
  /** Insert after this cell; null or absent: at the end (unless `index` is given). */
  afterCellId?: string | null;
  /** Insert at this position (0 = first); ignored when `afterCellId` is given. */
  index?: number;
  /** The new cell's id, chosen by the client (a UUID): lets a page show the cell before the host answers, and undo a delete with the same id. */
  id?: string;
}

export interface UpdateCellInput {
  code: string;
  /** Change the cell's language (its id and position stay). */
  type?: string;
  /** Refuse with ConflictError when the notebook is at another revision. */
  expectedRevision?: number;
  /** The code this edit started from: when the cell now holds something else (and not `code`), refuse with EditConflictError. */
  baseCode?: string;
}

/** A new notebook; `cells` (an import) replaces the one empty cell a new notebook starts with. */
export interface NewNotebookInput {
  name?: string;
  lazy?: boolean;
  /** Cells with their last results, e.g. from an .ipynb. Ids are kept when valid and unique, else new ones are given. */
  cells?: PortableCell[];
  /** The Python packages it installed (an imported file's PEP 723 block or `metadata.rnb.packages`): kept in its `python` settings. */
  packages?: string[];
  /** Plugin settings from an imported file: only declared, non-secret fields are kept, each checked as the settings route checks it. */
  settings?: NotebookSettings;
  /** The app view's settings from an imported file. */
  app?: FileAppSettings;
}

/** The notebook as a client sees it, plus settings that are not in the wire shape. */
export interface NotebookView extends Notebook {
  lazy: boolean;
}

/**
 * What a host calls. Every method takes the caller's user id first: a
 * notebook of another owner is "not found".
 */
export interface NotebookOperations {
  createNotebook(owner: string, input?: NewNotebookInput): Promise<NotebookView>;
  listNotebooks(owner: string): Promise<NotebookSummary[]>;
  getNotebook(owner: string, notebookId: string): Promise<NotebookView>;
  renameNotebook(owner: string, notebookId: string, name: string): Promise<void>;
  /**
   * Sets one plugin's notebook settings (`LanguageDefinition.settings`): a value
   * sets a field, null or '' clears it, an absent field keeps its value. Refuses
   * with InvalidInputError naming the field. Returns the plugin's settings masked.
   */
  setPluginSettings(owner: string, notebookId: string, pluginId: string, change: SettingsChange): Promise<PluginSettingValues>;
  setLazy(owner: string, notebookId: string, lazy: boolean): Promise<void>;
  /** Changes some of the app view's settings (owner only); answers all of them. */
  setAppSettings(owner: string, notebookId: string, change: Partial<AppSettings>): Promise<AppSettings>;
  deleteNotebook(owner: string, notebookId: string): Promise<void>;
  /** Who the owner shared the notebook with (multi-user mode). */
  getShares(owner: string, notebookId: string): Promise<NotebookShare[]>;
  /** Shares with `userId` as editor or viewer, or revokes (null); saved with the notebook. Answers every share. */
  setShare(owner: string, notebookId: string, userId: string, role: ShareRole | null): Promise<NotebookShare[]>;

  createCell(owner: string, notebookId: string, input: CreateCellInput): Promise<Cell>;
  updateCell(owner: string, notebookId: string, cellId: string, input: UpdateCellInput): Promise<Cell>;
  deleteCell(owner: string, notebookId: string, cellId: string): Promise<void>;
  moveCell(owner: string, notebookId: string, cellId: string, toIndex: number): Promise<void>;

  /** Queues the cell, its missing ancestors and (in autorun mode) its descendants; resolves once queued. */
  runCell(owner: string, notebookId: string, cellId: string): Promise<void>;
  /**
   * Runs every cell once, in topological order (ties by notebook order), lazy
   * mode or not. Cells that cannot run (syntax error, cycle, name defined
   * twice, or downstream of those) stay blocked. Resolves once queued.
   */
  runAll(owner: string, notebookId: string): Promise<void>;
  /**
   * Replaces the notebook's kernel: a run in progress is stopped, the new
   * namespace is empty, and every cell that ran becomes `stale` with its last
   * outputs kept. Emits `kernel_restarted` and a `cell_status` per cell.
   */
  restartKernel(owner: string, notebookId: string): Promise<void>;
  /** Empties every cell's stdout and outputs (errors and statuses stay), saved; emits `outputs_cleared`. */
  clearOutputs(owner: string, notebookId: string): Promise<void>;
  /**
   * A value was set from outside any cell (a widget): re-runs the cells that
   * read these names and (unless lazy) their descendants, never the cells that
   * define them. Resolves once queued.
   */
  runReadersOf(owner: string, notebookId: string, names: readonly string[]): Promise<void>;
  /**
   * Asks one language's runtime in the notebook's kernel a question
   * (LanguageRuntime.call; Python answers `complete`), opening the kernel if
   * needed. Rejects with RuntimeCallError (too large, busy, timeout, failed).
   */
  callRuntime(owner: string, notebookId: string, language: string, method: string, payload: JsonValue): Promise<JsonValue>;
  /**
   * A user moved a widget: checks the value (JSON, at most 48 KB), sets it in
   * the defining cell's runtime (`set_widget_value`), keeps it with the
   * notebook, emits `widget_value`, and re-runs the readers of the names bound
   * to the widget, never the defining cell. Answers the value kept and those names.
   */
  setWidgetValue(owner: string, notebookId: string, widgetId: string, value: JsonValue): Promise<{ value: JsonValue; names: string[] }>;
  /** The kernel's names as the last `variables` event gave them (empty before any run): for a client that connects. */
  variables(owner: string, notebookId: string): Promise<NotebookEventPayloads['variables']>;
  /** Stops the running cell and the rest of its cascade. */
  interrupt(owner: string, notebookId: string): Promise<void>;
  /** Resolves when nothing is queued or running for the notebook. */
  whenIdle(owner: string, notebookId: string): Promise<void>;

  /** Listens to the events of every notebook this process holds. Returns an unsubscribe function. */
  subscribe(listener: NotebookEventListener): () => void;
}
