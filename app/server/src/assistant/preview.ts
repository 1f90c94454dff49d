import type { Cell, CellStatus, JsonValue, Output } from '@rnb/core';
import { TABLE_MIME } from '@rnb/core';

/** Bounds on what the model reads back: a notebook can hold megabytes of output. */
export const PREVIEW_LIMITS = { code: 4000, stdout: 2000, error: 2000, output: 1000, outputs: 5, tableRows: 10 } as const;

export interface CellSummary {
  id: string;
  index: number;
  type: string;
  code: string;
  /** The same word as the API's and the page's (see the README's status table). */
  status: CellStatus;
  reads: string[];
  writes: string[];
  error: string | null;
  stdout: string;
  /** Warnings and other stderr text, bounded like stdout. */
  stderr: string;
  outputs: OutputPreview[];
}

export type OutputPreview = { mime_type: string; preview: string };

export function summarizeCell(cell: Cell, index: number): CellSummary {
  return {
    id: cell.id,
    index,
    type: cell.type,
    code: clip(cell.code, PREVIEW_LIMITS.code),
    status: cell.status,
    reads: cell.reads,
    writes: cell.writes,
    error: cell.error === null ? null : clip(cell.error, PREVIEW_LIMITS.error),
    stdout: clipTail(cell.stdout, PREVIEW_LIMITS.stdout),
    stderr: clipTail(cell.stderr ?? '', PREVIEW_LIMITS.stdout),
    outputs: previewOutputs(cell.outputs),
  };
}

export function previewOutputs(outputs: Output[]): OutputPreview[] {
  const shown = outputs.slice(0, PREVIEW_LIMITS.outputs).map(previewOutput);
  if (outputs.length > shown.length) shown.push({ mime_type: 'note', preview: `${outputs.length - shown.length} more outputs not shown` });
  return shown;
}

function previewOutput(output: Output): OutputPreview {
  const { mime_type: mime, data } = output;
  if (mime === TABLE_MIME && isTable(data)) {
    const rows = data.rows.slice(0, PREVIEW_LIMITS.tableRows).map((row) => row.join(' | '));
    const more = data.rows.length > rows.length ? `\n… ${data.rows.length - rows.length} more rows` : '';
    return { mime_type: mime, preview: clip(`${data.columns.join(' | ')}\n${rows.join('\n')}${more}`, PREVIEW_LIMITS.output) };
  }
  if (mime.startsWith('image/') && mime !== 'image/svg+xml') return { mime_type: mime, preview: `[${mime} image, ${typeof data === 'string' ? data.length : 0} base64 characters]` };
  if (mime === 'text/html' || mime === 'image/svg+xml') {
    const text = typeof data === 'string' ? data.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() : '';
    return { mime_type: mime, preview: clip(text, PREVIEW_LIMITS.output) };
  }
  return { mime_type: mime, preview: clip(typeof data === 'string' ? data : JSON.stringify(data), PREVIEW_LIMITS.output) };
}

function isTable(data: JsonValue): data is { columns: string[]; rows: (string | number | boolean | null)[][] } {
  const d = data as { columns?: unknown; rows?: unknown } | null;
  return !!d && Array.isArray(d.columns) && Array.isArray(d.rows);
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** Keeps the end: the last lines of stdout say most about where a run got to. */
function clipTail(text: string, max: number): string {
  return text.length <= max ? text : `[${text.length - max} earlier characters] …${text.slice(-max)}`;
}
