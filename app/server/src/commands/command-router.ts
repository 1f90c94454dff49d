import type { AppSettings, Cell, JsonValue, NewNotebookInput, NotebookEventPayloads, NotebookShare, NotebookSummary, NotebookView, PluginSettingValues, SettingsChange } from '@rnb/core';
import type { ShareRole, WidgetValueAnswer } from '@rnb/core/wire';

/**
 * Everything a client can ask of one notebook, as plain data, so that a
 * command can travel to the instance that owns the notebook's kernel.
 */
export type NotebookCommand =
  | { type: 'open_notebook' }
  | { type: 'get_notebook' }
  | { type: 'rename_notebook'; name: string }
  /** One plugin's notebook settings: a value sets a field, null clears it, an absent field keeps its value. */
  | { type: 'set_plugin_settings'; plugin: string; values: SettingsChange }
  | { type: 'set_lazy'; lazy: boolean }
  /** The app view's settings (code shown, tracebacks shown, published): owner only. */
  | { type: 'set_app_settings'; settings: Partial<AppSettings> }
  | { type: 'delete_notebook' }
  /** Who the notebook is shared with: owner only. */
  | { type: 'get_shares' }
  /** Shares with a user as editor or viewer, or revokes (null): owner only. */
  | { type: 'set_share'; userId: string; role: ShareRole | null }
  | { type: 'create_cell'; cellType: string; code?: string; afterCellId?: string | null; index?: number; cellId?: string }
  | { type: 'update_cell'; cellId: string; code: string; cellType?: string; expectedRevision?: number; baseCode?: string }
  | { type: 'delete_cell'; cellId: string }
  | { type: 'move_cell'; cellId: string; index: number }
  | { type: 'run_cell'; cellId: string }
  | { type: 'interrupt' }
  | { type: 'run_all' }
  | { type: 'restart_kernel' }
  | { type: 'clear_outputs' }
  /** A question for one language's runtime in the notebook's kernel (completions): answered with its JSON value. */
  | { type: 'runtime_call'; language: string; method: string; payload: JsonValue }
  /** Values of these names were set from outside any cell (a widget): re-run their readers, not their definers. */
  | { type: 'run_readers_of'; names: string[] }
  /** A user moved a widget: set it in the kernel, keep it, announce it, re-run the readers of its names. */
  | { type: 'set_widget_value'; widgetId: string; value: JsonValue }

  /** Co-editing (base64 here: commands travel as JSON between instances): the client's state vector. */
  | { type: 'coedit_sync'; stateVector: string }
  /** A client's Yjs update; answered once stored. */
  | { type: 'coedit_update'; update: string };

export interface CommandResults {
  /** The notebook's current `variables` payload, which the socket sends a client once it joined. */
  open_notebook: NotebookEventPayloads['variables'];
  get_notebook: NotebookView;
  rename_notebook: void;
  /** The plugin's settings, secret fields masked. */
  set_plugin_settings: PluginSettingValues;
  set_lazy: void;
  set_app_settings: AppSettings;
  delete_notebook: void;
  get_shares: NotebookShare[];
  set_share: NotebookShare[];
  create_cell: Cell;
  update_cell: Cell;
  delete_cell: void;
  move_cell: void;
  run_cell: void;
  interrupt: void;
  run_all: void;
  restart_kernel: void;
  clear_outputs: void;
  runtime_call: JsonValue;
  run_readers_of: void;
  set_widget_value: WidgetValueAnswer;
  coedit_sync: { update: string; stateVector: string; epoch: string };
  coedit_update: void;
}

export type CommandResult<C extends NotebookCommand> = CommandResults[C['type']];

/**
 * The front door to notebooks for HTTP routes and sockets. Every call names
 * its caller: a notebook of another user is "not found". One process:
 * {@link LocalCommandRouter}, straight onto core's service. Cluster mode puts a
 * router here that runs a command on the instance owning the notebook (once)
 * and answers back.
 */
export interface CommandRouter {
  createNotebook(owner: string, input: NewNotebookInput): Promise<NotebookView>;
  listNotebooks(owner: string): Promise<NotebookSummary[]>;
  dispatch<C extends NotebookCommand>(owner: string, notebookId: string, command: C): Promise<CommandResult<C>>;
  /** Stops taking commands, interrupts running cells and waits (up to graceMs) for them to settle. */
  drain(graceMs: number): Promise<void>;
}
