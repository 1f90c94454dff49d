/**
 * Outputs as static HTML, for files read without the page (the HTML export, the `text/html` of an `.ipynb` export):
 * tables as <table>s, widgets as disabled controls that show the value they had. Everything escaped; no script.
 */
import { isWidgetModel, WIDGET_MIME, type JsonValue, type Output, type TableData, type WidgetData } from '../model/types';

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function tableAsHtml(table: TableData, selected?: ReadonlySet<number>): string {
  const cell = (value: unknown): string => escape(value === null ? 'null' : String(value));
  const mark = (index: number): string => (selected ? `<td>${selected.has(index) ? '☑' : '☐'}</td>` : '');
  const head = `<tr>${selected ? '<th></th>' : ''}${table.columns.map((c) => `<th>${cell(c)}</th>`).join('')}</tr>`;
  const body = table.rows.map((row, index) => `<tr>${mark(index)}${row.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('\n');
  const note = table.truncated ? `<div class="rnb-truncated">${escape(table.truncated)}</div>` : '';
  return `<table class="rnb-table"><thead>${head}</thead><tbody>${body}</tbody></table>${note}`;
}

/** A widget output's model, when the output is one well enough formed to show. */
export function widgetOf(output: Output): WidgetData | null {
  if (output.mime_type !== WIDGET_MIME || !isWidgetModel(output.data)) return null;
  const { widget_id, kind, value, props } = output.data;
  return { widget_id, kind, value: value ?? null, props };
}

/** The widget's label as its control shows it: its own label, else its kind. */
export function widgetLabel(model: WidgetData): string {
  return typeof model.props.label === 'string' && model.props.label !== '' ? model.props.label : model.kind;
}

/**
 * A widget as a disabled control showing its value when the file was made. A kind this file does not know shows
 * its label and value as text (a language plugin's own widget kinds).
 */
export function widgetAsHtml(model: WidgetData): string {
  const { props, value } = model;
  const attr = (name: string, v: JsonValue | undefined): string => (typeof v === 'number' || (typeof v === 'string' && v !== '') ? ` ${name}="${escape(String(v))}"` : '');
  const label = `<span class="rnb-widget-label">${escape(widgetLabel(model))}</span>`;
  const wrap = (control: string): string => `<div class="rnb-widget" data-kind="${escape(model.kind)}">${label} ${control}</div>`;
  const options = Array.isArray(props.options) ? props.options.filter((o): o is string => typeof o === 'string') : [];
  const chosen = new Set(Array.isArray(value) ? value.map(String) : value === null ? [] : [String(value)]);
  switch (model.kind) {
    case 'slider':
      return wrap(`<input type="range"${attr('min', props.start)}${attr('max', props.stop)}${attr('step', props.step)}${attr('value', value)} disabled> <output>${escape(valueText(value))}</output>`);
    case 'number':
      return wrap(`<input type="number"${attr('min', props.start)}${attr('max', props.stop)}${attr('step', props.step)}${attr('value', value)} disabled>`);
    case 'text':
    case 'date':
      return wrap(`<input type="${model.kind}"${attr('value', value)} disabled>`);
    case 'text_area':
      return wrap(`<textarea rows="3" disabled>${escape(typeof value === 'string' ? value : '')}</textarea>`);
    case 'checkbox':
    case 'switch':
      return wrap(`<input type="checkbox"${value === true ? ' checked' : ''} disabled>`);
    case 'dropdown':
    case 'multiselect':
      return wrap(`<select${model.kind === 'multiselect' ? ' multiple' : ''} disabled>${options.map((o) => `<option${chosen.has(o) ? ' selected' : ''}>${escape(o)}</option>`).join('')}</select>`);
    case 'radio':
      return wrap(options.map((o) => `<label><input type="radio"${chosen.has(o) ? ' checked' : ''} disabled> ${escape(o)}</label>`).join(' '));
    case 'button':
      return `<div class="rnb-widget" data-kind="button"><button type="button" disabled>${escape(widgetLabel(model))}</button></div>`;
    case 'table': {
      const table = { type: 'table' as const, columns: Array.isArray(props.columns) ? props.columns.map(String) : [], rows: Array.isArray(props.rows) ? (props.rows.filter(Array.isArray) as TableData['rows']) : [] };
      const selected = new Set(Array.isArray(value) ? value.filter((i): i is number => typeof i === 'number') : []);
      return wrap(tableAsHtml(table, selected));
    }
    default:
      return wrap(`<output>${escape(valueText(value, model.kind))}</output>`);
  }
}

/** A widget as one line of text: `label: value` (files by name and size, a table's selection by count). */
export function widgetAsText(model: WidgetData): string {
  return `${widgetLabel(model)}: ${valueText(model.value, model.kind, model.props)}`;
}

function valueText(value: JsonValue, kind = '', props: WidgetData['props'] = {}): string {
  if (kind === 'file' && Array.isArray(value)) {
    if (value.length === 0) return 'no file';
    return value.map((f) => (f && typeof f === 'object' && !Array.isArray(f) ? `${String(f.name)} (${String(f.size)} bytes)` : String(f))).join(', ');
  }
  if (kind === 'table' && Array.isArray(value)) return `${value.length} of ${Array.isArray(props.rows) ? props.rows.length : '?'} rows selected`;
  if (kind === 'button' && typeof value === 'number') return `clicked ${value} times`;
  if (kind === 'range_slider' && Array.isArray(value) && value.length === 2) return `${String(value[0])} – ${String(value[1])}`;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  if (value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
