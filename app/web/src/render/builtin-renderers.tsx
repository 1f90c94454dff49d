/**
 * The page's own output renderers, all registered here: text, HTML, images, JSON and tables.
 * Plugins add theirs through their browser module (see ../plugin-api.ts); a plugin renderer
 * with a lower rank than these takes their types over.
 */
import type { Output } from '../api/types';
import { TABLE_MIME } from '../api/types';
import { HtmlOutput } from '../components/outputs/HtmlOutput';
import { ImageOutput } from '../components/outputs/ImageOutput';
import { JsonOutput } from '../components/outputs/JsonOutput';
import { asTable, TableOutput } from '../components/outputs/TableOutput';
import { LiveTableOutput } from '../components/outputs/LiveTableOutput';
import { liveTableOf } from '../components/outputs/live-table';
import { TextOutput } from '../components/outputs/TextOutput';
import { asText, DEFAULT_RANK, type OutputRenderer, type RendererRegistry } from './registry';

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
    mimeTypes: ['image/png', 'image/svg+xml'],
    rank: DEFAULT_RANK,
    component: ({ output }) => (
      <ImageOutput mime={output.mime_type as 'image/png' | 'image/svg+xml'} data={typeof output.data === 'string' ? output.data : ''} />
    ),
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
    component: ({ output }) => <LiveTableOutput table={asTable(output.data)!} live={liveTableOf(output)!} />,
  },
  {
    kind: 'component',
    id: 'builtin:table',
    mimeTypes: [TABLE_MIME],
    rank: DEFAULT_RANK,
    canRender: (output) => asTable(output.data) !== null,
    component: ({ output }) => <TableOutput table={asTable(output.data)!} />,
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

export function registerBuiltinRenderers(registry: RendererRegistry): void {
  for (const renderer of BUILTIN_RENDERERS) registry.register(renderer);
}
