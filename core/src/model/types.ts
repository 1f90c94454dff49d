/** The data shapes of the wire contract (docs/protocol.md), shared by every package: defined once in ../wire. */
import type { ClearOutputMime, MarkdownMime, TableMime, WidgetMime } from '../wire';

export type { AppCell, AppNotebook, AppSettings, Cell, CellStatus, JsonValue, MarkdownMime, Notebook, Output, OutputStream, TableData, TableMime, WidgetData, WidgetMime } from '../wire';

export const TABLE_MIME: TableMime = 'application/vnd.notebook.table+json';
export const MARKDOWN_MIME: MarkdownMime = 'text/markdown';
export const WIDGET_MIME: WidgetMime = 'application/vnd.rnb.widget+json';
/** A runtime's request to clear the running cell's outputs (wire.ts, ClearOutputMime): handled by core, never shown. */
export const CLEAR_OUTPUT_MIME: ClearOutputMime = 'application/vnd.rnb.clear-output+json';
