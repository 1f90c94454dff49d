/**
 * The wire shapes the page uses: the one contract in `@rnb/core/wire`, which the server imports
 * too (docs/protocol.md). Imported with `import type` only, so no server code reaches the bundle;
 * the two constants below are checked against its types.
 */
import type { MarkdownMime, NotebookEvent, NotebookEventName, TableMime, WidgetMime } from '@rnb/core/wire';

export type {
  AppCell,
  AppConfig,
  AppNotebook,
  AppSettings,
  Cell,
  CellStatus,
  ErrorCode,
  JsonValue,
  LanguageInfo,
  MeAnswer,
  Notebook,
  NotebookEvent,
  NotebookEventName,
  NotebookRole,
  NotebookShareEntry,
  NotebookSettings,
  NotebookSummary,
  Output,
  PluginSettingValues,
  SettingFieldDescription,
  SettingValue,
  ServerEventName,
  ServerEvents,
  ShareRole,
  TableColumnStats,
  TableData,
  VariableInfo,
  UpdateCellBody,
  VersionDiffAnswer,
  VersionSummary,
  WidgetData,
  WidgetValueAnswer,
} from '@rnb/core/wire';

export const TABLE_MIME: TableMime = 'application/vnd.notebook.table+json';
export const MARKDOWN_MIME: MarkdownMime = 'text/markdown';
export const WIDGET_MIME: WidgetMime = 'application/vnd.rnb.widget+json';

/** Every notebook event the page listens to; the `Record` makes a new event in the contract fail to compile here. */
const NOTEBOOK_EVENTS: Record<NotebookEventName, true> = {
  cell_status: true,
  cell_stdout: true,
  cell_output: true,
  cell_cleared: true,
  cell_error: true,
  cell_created: true,
  cell_updated: true,
  cell_deleted: true,
  cell_moved: true,
  notebook_updated: true,
  kernel_restarted: true,
  outputs_cleared: true,
  external_edit_error: true,
  widget_value: true,
  variables: true,
};
export const NOTEBOOK_EVENT_NAMES = Object.keys(NOTEBOOK_EVENTS) as readonly NotebookEventName[];

/** Leaves `revision` optional: the page applies its own change at once, before the server's event with the revision. */
type RevisionOptional<E> = E extends { revision: number } ? Omit<E, 'revision'> & { revision?: number } : E;

/**
 * What the page's model applies: a notebook event from the server, the page's own change (same
 * shape, no revision yet), or a socket `error` to show.
 */
export type PageEvent = RevisionOptional<NotebookEvent> | { type: 'error'; message: string };
