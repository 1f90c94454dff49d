/**
 * The page's own output renderers, all registered here: text, HTML, images, JSON, tables, Vega-Lite and Plotly charts.
 * Plugins add theirs through their browser module (see ../plugin-api.ts); a plugin renderer
 * with a lower rank than these takes their types over.
 */
import { lazy, Suspense } from 'react';
import type { Output } from '../api/types';
import { MARKDOWN_MIME, TABLE_MIME, WIDGET_MIME } from '../api/types';
import { ChartOutput, chartSpec, PLOTLY_MIME, VEGA_LITE_MIMES } from '../components/outputs/ChartOutput';
import { HtmlOutput } from '../components/outputs/HtmlOutput';
import { ImageOutput } from '../components/outputs/ImageOutput';
import { JsonOutput } from '../components/outputs/JsonOutput';
import { asTable, TableOutput } from '../components/outputs/TableOutput';
import { LiveTableOutput } from '../components/outputs/LiveTableOutput';
import { columnStatsOf } from '../components/outputs/column-summary';
import { liveTableOf } from '../components/outputs/live-table';
import { TextOutput } from '../components/outputs/TextOutput';
import { WidgetOutput } from '../components/widgets/WidgetOutput';
import { asText, DEFAULT_RANK, type OutputRenderer, type RendererRegistry } from './registry';

/** markdown-it, KaTeX and DOMPurify are a chunk of their own, fetched with the first markdown output. */
const LazyMarkdownOutput = lazy(() => import('./markdown/MarkdownOutput'));

function parseMaybe(data: Output['data']): Output['data'] {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as Output['data'];
  } catch {
    return data;
  }
}

export const BUILTIN_RENDERERS: readonly OutputRenderer[] = [
  {
    kind: 'component',
    id: 'builtin:text',
    mimeTypes: ['text/plain'],
    rank: DEFAULT_RANK,
    component: ({ output }) => <TextOutput text={asText(output.data)} />,
  },
  {
    kind: 'component',
    id: 'builtin:html',
    mimeTypes: ['text/html'],
    rank: DEFAULT_RANK,
    component: ({ output }) => <HtmlOutput html={typeof output.data === 'string' ? output.data : String(output.data)} />,
  },
  {
    kind: 'component',
    id: 'builtin:image',
    mimeTypes: ['image/png', 'image/jpeg', 'image/svg+xml'],
    rank: DEFAULT_RANK,
    component: ({ output }) => (
      <ImageOutput mime={output.mime_type as 'image/png' | 'image/jpeg' | 'image/svg+xml'} data={typeof output.data === 'string' ? output.data : ''} />
    ),
  },
  {
    // Drawn by vega-embed in a sandboxed frame; the library is loaded when the first chart appears.
    kind: 'component',
    id: 'builtin:vega-lite',
    mimeTypes: VEGA_LITE_MIMES,
    rank: DEFAULT_RANK,
    canRender: (output) => chartSpec(output.data) !== null,
    component: ({ output }) => <ChartOutput kind="vega-lite" spec={chartSpec(output.data)!} />,
  },
  {
    kind: 'component',
    id: 'builtin:plotly',
    mimeTypes: [PLOTLY_MIME],
    rank: DEFAULT_RANK,
    canRender: (output) => chartSpec(output.data) !== null,
    component: ({ output }) => <ChartOutput kind="plotly" spec={chartSpec(output.data)!} />,
  },
  {
    // LaTeX is shown as its source (no typesetting library is loaded), without the "no renderer" note.
    kind: 'component',
    id: 'builtin:latex-source',
    mimeTypes: ['text/latex'],
    rank: DEFAULT_RANK,
    component: ({ output }) => <TextOutput text={asText(output.data)} />,
  },
  {
    kind: 'component',
    id: 'builtin:json',
    mimeTypes: ['application/json'],
    rank: DEFAULT_RANK,
    component: ({ output }) => <JsonOutput value={parseMaybe(output.data)} />,
  },
  {
    // A preview whose full result the kernel keeps: sorted, filtered and paged there (docs/protocol.md, Live tables).
    kind: 'component',
    id: 'builtin:live-table',
    mimeTypes: [TABLE_MIME],
    rank: DEFAULT_RANK - 1,
    canRender: (output) => asTable(output.data) !== null && liveTableOf(output) !== null,
    component: ({ output }) => {
      const table = asTable(output.data)!;
      return <LiveTableOutput table={table} live={liveTableOf(output)!} stats={columnStatsOf(output, table.columns.length)} />;
    },
  },
  {
    kind: 'component',
    id: 'builtin:table',
    mimeTypes: [TABLE_MIME],
    rank: DEFAULT_RANK,
    canRender: (output) => asTable(output.data) !== null,
    component: ({ output }) => {
      const table = asTable(output.data)!;
      return <TableOutput table={table} stats={columnStatsOf(output, table.columns.length)} />;
    },
  },
  {
    // Rendered and sanitised in the page; widgets it embeds get the registry's widget renderer.
    kind: 'component',
    id: 'builtin:markdown',
    mimeTypes: [MARKDOWN_MIME],
    rank: DEFAULT_RANK,
    component: ({ output }) => (
      <Suspense fallback={<div className="output output--markdown" aria-busy="true" />}>
        <LazyMarkdownOutput output={output} />
      </Suspense>
    ),
  },
  {
    // A table output the table renderer declines (malformed) is still shown, as data.
    kind: 'component',
    id: 'builtin:table-malformed',
    mimeTypes: [TABLE_MIME],
    rank: DEFAULT_RANK + 1000,
    component: ({ output }) => <JsonOutput value={output.data} label="Malformed table output" />,
  },
];

/**
 * Widgets (a control bound to a notebook variable). The markdown renderer mounts an embedded widget
 * by resolving `{ mime_type: WIDGET_MIME, data: model }` in the registry and rendering this component.
 */
export const WIDGET_RENDERER: OutputRenderer = {
  kind: 'component',
  id: 'builtin:widget',
  mimeTypes: [WIDGET_MIME],
  rank: DEFAULT_RANK,
  component: WidgetOutput,
};

export function registerBuiltinRenderers(registry: RendererRegistry): void {
  for (const renderer of BUILTIN_RENDERERS) registry.register(renderer);
  registry.register(WIDGET_RENDERER);
}
