/**
 * Notebook values as markdown: text escaped so that a value can never become markup (a string holding
 * `<img onerror=...>` or `# title` shows as those characters), tables of records as GFM tables, widgets as
 * `<rnb-widget>` placeholders. Runs in the kernel; imports nothing at run time.
 */
import type { JsonValue, WidgetData } from '@rnb/core';
import { formatValue, pythonRepr } from './format-spec';

/** The JavaScript form of a widget, as the Python widget API's `toJS` gives it. */
export interface WidgetValue {
  $rnbWidget: WidgetData;
}

export function isWidget(value: unknown): value is WidgetValue {
  if (!isPlainObject(value) || !('$rnbWidget' in value)) return false;
  const model = (value as { $rnbWidget: unknown }).$rnbWidget;
  return isPlainObject(model) && typeof model.widget_id === 'string' && typeof model.kind === 'string';
}

/** What one placeholder becomes: markdown text, and a widget model when the value is a widget. */
export interface Interpolated {
  markdown: string;
  widget?: WidgetData;
}

/** Rows a table value shows at most; the rest is summed up in a line under it. */
export const MAX_TABLE_ROWS = 200;

/** The markdown for `{name:spec}` given the value (already followed through its attribute path). */
export function interpolate(value: unknown, spec: string): Interpolated {
  if (isWidget(value) && spec === '') {
    const model = value.$rnbWidget;
    return { markdown: `<rnb-widget id="${escapeAttribute(model.widget_id)}"></rnb-widget>`, widget: model };
  }
  if (spec === '' && isRecordList(value)) return { markdown: `\n\n${tableMarkdown(value)}\n\n` };
  return { markdown: escapeMarkdown(formatValue(value, spec, pythonStr)) };
}

/**
 * Follows `{name.a.b}`: own properties of plain objects (never the prototype: `{x.constructor}` reads nothing),
 * a widget's model fields (`{threshold.value}`), and `length` of arrays and strings.
 */
export function followAttributes(value: unknown, attributes: readonly string[], path: string): unknown {
  let current = value;
  let at = path;
  for (const attribute of attributes) {
    const holder = isWidget(current) ? current.$rnbWidget : current;
    if (isPlainObject(holder) && Object.prototype.hasOwnProperty.call(holder, attribute)) current = (holder as Record<string, unknown>)[attribute];
    else if ((Array.isArray(holder) || typeof holder === 'string') && attribute === 'length') current = holder.length;
    else throw new TypeError(`'${at}' has no attribute '${attribute}'`);
    at = `${at}.${attribute}`;
  }
  return current;
}

/** Python's str() of a plain-JavaScript value, as a notebook reader expects to see it. */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Object.is(value, -0)) return String(value);
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
    return (value < 0 || Object.is(value, -0) ? '-' : '') + pythonRepr(Math.abs(value));
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'NaT' : value.toISOString();
  if (ArrayBuffer.isView(value)) return JSON.stringify(Array.from(value as unknown as ArrayLike<number>));
  if (isWidget(value)) return pythonStr(value.$rnbWidget.value);
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v));
}

/** A list of plain records with at least one: shown as a table. */
export function isRecordList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every((row) => isPlainObject(row));
}

/** A GFM table: the columns of every row in first-seen order, cells escaped, `|` included. */
export function tableMarkdown(rows: readonly Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cell = (value: unknown): string => escapeMarkdown(value === undefined ? '' : pythonStr(value)).replace(/\r?\n/g, ' ');
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const lines = [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...shown.map((row) => `| ${columns.map((c) => cell(row[c])).join(' | ')} |`),
  ];
  if (rows.length > shown.length) lines.push('', `*${rows.length - shown.length} more rows not shown (${rows.length} in all).*`);
  return lines.join('\n');
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for markdown so that it stays text: HTML's characters as entities (they stay text in raw HTML blocks
 * and attributes too), markdown's punctuation with backslashes (`*`, `_`, `[`, `` ` ``, `$`, `|`...), and what starts a block at the
 * beginning of a line (`-`, `+`, `1.`, `#`, `>`, `=`), so a value cannot open a list, heading, quote or code block.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+!|~$=]/g, (c) => `\\${c}`)
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!)
    .replace(/(^|\n)([ \t]*)(-(?=[\s-]|$)|\d{1,9}[.)](?=\s|$))/g, (_m, start: string, indent: string, marker: string) => `${start}${indent}${marker.replace(/^-$/, '\\-').replace(/([.)])$/, '\\$1')}`);
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isPlainObject(value: unknown): value is Record<string, JsonValue | unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
