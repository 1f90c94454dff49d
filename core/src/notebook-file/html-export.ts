/**
 * A notebook as one self-contained HTML file: styles inline, images as data
 * URLs, tables as static <table>s, no network. Opens offline. Charts (Vega-Lite,
 * Plotly) are drawn by their libraries inlined into the file when the host
 * passes them (`chartLibraries`): only those scripts run (the policy names
 * each by its hash; a cell's own HTML runs none); without them a chart shows
 * its text form and its spec.
 */
import { createHash } from 'node:crypto';
import { MARKDOWN_MIME, type JsonValue, type Output } from '../model/types';
import { nameCellsByPosition, positionsOf } from './cell-names';
import { isTable } from './output-text';
import { MARKDOWN_CELL_TYPE } from './percent-format';
import type { PortableCell, PortableNotebook } from './portable';
import { escape, tableAsHtml, widgetAsHtml, widgetOf } from './static-html';

/**
 * Markdown to safe, static HTML (no raw HTML of the text's own, no `javascript:` links): the markdown plugin's
 * `renderMarkdownHtml`. `widgets` are the output's `metadata.widgets`, for widgets the text embeds by id.
 */
export type MarkdownToHtml = (markdown: string, widgets?: { [widgetId: string]: JsonValue }) => string;

export interface HtmlExportOptions {
  /** Show each cell's code (default true); false gives a report of outputs and text only. */
  showCode?: boolean;
  /**
   * Renders markdown cells and `text/markdown` outputs (hosts pass `@rnb/markdown`'s). Without it markdown is shown
   * as its text, escaped: core has no markdown renderer of its own.
   */
  renderMarkdown?: MarkdownToHtml;
  /**
   * The chart libraries' browser builds (source text, in load order) to inline: `vega-lite` (vega, vega-lite,
   * vega-embed) and `plotly` (plotly.js). A kind without them shows its text form and its spec instead.
   */
  chartLibraries?: Partial<Record<ChartKind, readonly string[]>>;
}

export type ChartKind = 'vega-lite' | 'plotly';

const CHART_KINDS: Record<string, ChartKind> = {
  'application/vnd.vegalite.v5+json': 'vega-lite',
  'application/vnd.vegalite.v4+json': 'vega-lite',
  'application/vnd.plotly.v1+json': 'plotly',
};

/** The call that draws one chart (`el`: its element, `spec`: its JSON); the same options as the page's chart frames. */
const DRAW: Record<ChartKind, string> = {
  'vega-lite': `vegaEmbed(el, spec, { actions: false, renderer: 'svg' }).catch(fail);`,
  plotly: `Plotly.newPlot(el, spec.data || [], spec.layout || {}, Object.assign({ displaylogo: false, showLink: false }, spec.config || {})).catch(fail);`,
};

/** What one export gathers while it renders outputs: the charts it inlines, by kind. */
interface ChartState {
  libraries: Partial<Record<ChartKind, readonly string[]>>;
  used: Set<ChartKind>;
  count: number;
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fff}
h1.rnb-title{font-size:1.6rem;margin-bottom:1.5rem}
.rnb-cell{margin:0 0 1.25rem}
.rnb-code{background:#f5f7fa;border:1px solid #dde3ea;border-radius:6px;padding:.6rem .8rem;overflow:auto;margin:0}
.rnb-lang{font-size:.75rem;color:#5b6572;text-transform:uppercase;letter-spacing:.04em}
pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word}
.rnb-stdout{margin:.4rem 0 0}
.rnb-stderr{margin:.4rem 0 0;background:#fff8e6;border-left:3px solid #e0a800;padding:.3rem .6rem}
.rnb-error{margin:.4rem 0 0;background:#fdecec;border-left:3px solid #d33;padding:.3rem .6rem;color:#8a1111}
.rnb-output{margin:.4rem 0 0;overflow:auto}
.rnb-output img{max-width:100%}
table.rnb-table{border-collapse:collapse;font-size:13px}
table.rnb-table th,table.rnb-table td{border:1px solid #dde3ea;padding:.25rem .5rem;text-align:left}
table.rnb-table th{background:#f5f7fa}
.rnb-truncated{font-size:.8rem;color:#5b6572}
.rnb-chart-note{font-size:.8rem;color:#5b6572;margin:.2rem 0}
.rnb-widget{display:flex;align-items:center;gap:.5rem;flex-wrap:wrap}
.rnb-widget-label{font-size:.85rem;color:#5b6572}
`;

export function exportHtml(notebook: PortableNotebook, options: HtmlExportOptions = {}): string {
  const showCode = options.showCode ?? true;
  const markdown: MarkdownToHtml = options.renderMarkdown ?? ((text) => `<pre class="rnb-markdown-source">${escape(text)}</pre>`);
  const charts: ChartState = { libraries: options.chartLibraries ?? {}, used: new Set(), count: 0 };
  const positionOf = positionsOf(notebook.cells);
  // An empty cell that shows nothing (the blank one Shift+Enter leaves at the end) is not part of a report.
  const shown = notebook.cells.filter((cell) => cell.code.trim() !== '' || cell.outputs.length > 0 || cell.stdout || cell.stderr || cell.error);
  const cells = shown.map((cell) => {
    if (cell.type === MARKDOWN_CELL_TYPE) return `<section class="rnb-cell rnb-markdown" data-cell-id="${escape(cell.id)}">${markdownCellHtml(cell, markdown, positionOf)}</section>`;
    const parts: string[] = [];
    if (showCode) parts.push(`<div class="rnb-lang">${escape(cell.type)}</div><pre class="rnb-code"><code>${escape(cell.code)}</code></pre>`);
    if (cell.stdout) parts.push(`<pre class="rnb-stdout">${escape(cell.stdout)}</pre>`);
    if (cell.stderr) parts.push(`<pre class="rnb-stderr">${escape(nameCellsByPosition(cell.stderr, positionOf))}</pre>`);
    for (const output of cell.outputs) parts.push(`<div class="rnb-output">${outputHtml(output, markdown, charts)}</div>`);
    if (cell.error) parts.push(`<pre class="rnb-error">${escape(nameCellsByPosition(cell.error, positionOf))}</pre>`);
    return `<section class="rnb-cell" data-cell-id="${escape(cell.id)}">${parts.join('\n')}</section>`;
  });
  const scripts = chartScripts(charts);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="rnb">',
    // Nothing may load from the network: the file must open the same offline and years later. Scripts: only the chart
    // libraries and their drawing code, each by its hash (vega compiles its expressions, hence 'unsafe-eval').
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'${scriptPolicy(scripts)}">`,
    `<title>${escape(notebook.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1 class="rnb-title">${escape(notebook.name)}</h1>`,
    ...cells,
    ...scripts.map((script) => `<script>${script}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A markdown cell shows what it rendered last (its values interpolated), else its text; a failed one its error too. */
function markdownCellHtml(cell: PortableCell, markdown: MarkdownToHtml, positionOf: (cellId: string) => number): string {
  const rendered = cell.outputs.find((o) => o.mime_type === MARKDOWN_MIME && typeof o.data === 'string');
  const html = rendered ? markdown(rendered.data as string, widgetsOf(rendered)) : markdown(cell.code);
  return cell.error ? `${html}\n<pre class="rnb-error">${escape(nameCellsByPosition(cell.error, positionOf))}</pre>` : html;
}

function widgetsOf(output: Output): { [widgetId: string]: JsonValue } | undefined {
  const widgets = output.metadata?.widgets;
  return widgets && typeof widgets === 'object' && !Array.isArray(widgets) ? widgets : undefined;
}

function outputHtml(output: Output, markdown: MarkdownToHtml, charts: ChartState): string {
  if (isTable(output)) return tableAsHtml(output.data);
  const widget = widgetOf(output);
  if (widget) return widgetAsHtml(widget);
  const chart = CHART_KINDS[output.mime_type];
  if (chart) return chartHtml(chart, output, charts);
  const data = output.data;
  const text = typeof data === 'string' ? data : JSON.stringify(data, null, 2);
  switch (output.mime_type) {
    case 'image/png':
    case 'image/jpeg':
    case 'image/gif':
      return `<img alt="output" src="data:${output.mime_type};base64,${escape(text.replace(/\s+/g, ''))}">`;
    case 'image/svg+xml':
      return `<img alt="output" src="data:image/svg+xml;base64,${Buffer.from(text, 'utf8').toString('base64')}">`;
    case 'text/html':
      // The cell's own HTML, as Jupyter's exports show it; the page's policy stops its scripts and fetches.
      return text;
    case 'text/markdown':
      return markdown(text, widgetsOf(output));
    default:
      return `<pre>${escape(text)}</pre>`;
  }
}

/** A chart: its element and spec when its library is inlined, else its text form and its spec, saying why. */
function chartHtml(kind: ChartKind, output: Output, charts: ChartState): string {
  let spec: unknown = output.data;
  if (typeof spec === 'string') {
    try {
      spec = JSON.parse(spec);
    } catch {
      // shown as the text it is
    }
  }
  const name = kind === 'plotly' ? 'Plotly' : 'Vega-Lite';
  if (charts.libraries[kind]?.length && spec !== null && typeof spec === 'object') {
    charts.used.add(kind);
    charts.count += 1;
    // The spec as data (a JSON script is never run), read by the drawing code at the end of the file.
    return `<div class="rnb-chart" data-chart="${kind}" id="rnb-chart-${charts.count}"></div><script type="application/json" data-chart-spec="rnb-chart-${charts.count}">${scriptJson(spec)}</script>`;
  }
  const fallback = output.metadata?.['text/plain'];
  const text = typeof fallback === 'string' ? `<pre>${escape(fallback)}</pre>` : '';
  return `<p class="rnb-chart-note">A ${name} chart: this export has no chart library to draw it with; its specification follows.</p>${text}<details><summary>${name} specification</summary><pre>${escape(JSON.stringify(spec, null, 2))}</pre></details>`;
}

/** The libraries the export's charts need, then the code that draws each chart from its spec. */
function chartScripts(charts: ChartState): string[] {
  if (charts.used.size === 0) return [];
  const scripts: string[] = [];
  const draws: string[] = [];
  for (const kind of charts.used) {
    for (const source of charts.libraries[kind] ?? []) scripts.push(source.replace(/<\/(script)/gi, '<\\/$1'));
    draws.push(`if(kind===${JSON.stringify(kind)}){${DRAW[kind]}}`);
  }
  scripts.push(
    `document.querySelectorAll('script[data-chart-spec]').forEach(function(node){` +
      `var el=document.getElementById(node.getAttribute('data-chart-spec'));var kind=el.getAttribute('data-chart');` +
      `function fail(e){var p=document.createElement('pre');p.className='rnb-error';p.textContent='The chart could not be drawn: '+(e&&e.message||e);el.replaceWith(p)}` +
      `try{var spec=JSON.parse(node.textContent);${draws.join('')}}catch(e){fail(e)}})`,
  );
  return scripts;
}

/** The policy's script sources: each inline script by its sha256, and eval (vega compiles its expressions). */
function scriptPolicy(scripts: readonly string[]): string {
  if (scripts.length === 0) return '';
  const hashes = scripts.map((script) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`);
  return `; script-src ${hashes.join(' ')} 'unsafe-eval'`;
}

/** JSON a `<script>` element can hold: no `</script>`, no `<!--`, no line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
