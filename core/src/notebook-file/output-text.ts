import { widgetAsText, widgetOf } from './static-html';
import { TABLE_MIME, type JsonValue, type Output, type TableData } from '../model/types';

export function isTable(output: Output): output is Output & { data: TableData & JsonValue } {
  const data = output.data as Partial<TableData> | null;
  return output.mime_type === TABLE_MIME && !!data && typeof data === 'object' && Array.isArray(data.columns) && Array.isArray(data.rows);
}

/** Text a terminal or a plain-text file can show for an output: tables as aligned columns, images named. */
export function outputAsText(output: Output): string {
  if (isTable(output)) return tableAsText(output.data);
  const widget = widgetOf(output);
  if (widget) return widgetAsText(widget);
  const data = output.data;
  if (output.mime_type.startsWith('image/')) {
    const size = typeof data === 'string' ? data.length : JSON.stringify(data).length;
    return `[${output.mime_type}, ${size} characters]`;
  }
  if (output.mime_type === 'text/html') return htmlAsText(typeof data === 'string' ? data : JSON.stringify(data));
  if (typeof data === 'string') return data;
  return JSON.stringify(data, null, 2);
}

export function tableAsText(table: TableData): string {
  const cell = (value: unknown): string => (value === null ? 'null' : String(value));
  const rows = [table.columns, ...table.rows.map((row) => row.map(cell))];
  const widths = table.columns.map((_, i) => Math.min(40, Math.max(...rows.map((row) => (row[i] === undefined ? 0 : cell(row[i]).length)))));
  const line = (row: unknown[]): string => row.map((value, i) => (value === undefined ? '' : cell(value)).slice(0, 40).padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)];
  if (table.truncated) lines.push(table.truncated);
  return lines.join('\n');
}

function htmlAsText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
