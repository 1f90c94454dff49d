/** The data shapes of the wire contract (docs/protocol.md), shared by every package: defined once in ../wire. */
import type { ClearOutputMime, MarkdownMime, TableMime, WidgetData, WidgetMime } from '../wire';

export type { AppCell, AppNotebook, AppSettings, Cell, CellStatus, JsonValue, MarkdownMime, Notebook, Output, OutputStream, TableData, TableMime, WidgetData, WidgetMime } from '../wire';

export const TABLE_MIME: TableMime = 'application/vnd.notebook.table+json';
export const MARKDOWN_MIME: MarkdownMime = 'text/markdown';
export const WIDGET_MIME: WidgetMime = 'application/vnd.rnb.widget+json';

/**
 * True when `data` is a widget's model as an output carries it (a widget output's data, or an entry of a markdown
 * output's `metadata.widgets`): an id, a kind and a props object. Outputs are hostile input: check before reading.
 */
export function isWidgetModel(data: unknown): data is WidgetData {
  const model = data as Partial<WidgetData> | null;
  return typeof model === 'object' && model !== null && !Array.isArray(model) && typeof model.widget_id === 'string' && typeof model.kind === 'string'
    && typeof model.props === 'object' && model.props !== null && !Array.isArray(model.props);
}
/** A runtime's request to clear the running cell's outputs (wire.ts, ClearOutputMime): handled by core, never shown. */
export const CLEAR_OUTPUT_MIME: ClearOutputMime = 'application/vnd.rnb.clear-output+json';
