import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  exportHtml,
  exportIpynb,
  exportMarkdown,
  importIpynb,
  notebookFileOf,
  readPercentNotebook,
  withoutResults,
  writePercentNotebook,
  type PortableNotebook,
} from '@rnb/core';
import { CliError } from './errors';

export type ExportFormat = 'ipynb' | 'html' | 'md' | 'py';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ipynb', 'html', 'md', 'py'];

export interface LoadedNotebook {
  file: string;
  format: 'py' | 'ipynb';
  notebook: PortableNotebook;
  /** Import notes (from .ipynb): magics not run, execution order. */
  notes: string[];
}

/** Reads a `.py` (percent format; last outputs from a folder storage's cache when there) or a `.ipynb`. */
export function loadNotebook(file: string): LoadedNotebook {
  const text = readText(file);
  const extension = path.extname(file).toLowerCase();
  try {
    if (extension === '.py') {
      const notebook = withoutResults(readPercentNotebook(text));
      mergeCachedResults(file, notebook);
      return { file, format: 'py', notebook, notes: [] };
    }
    if (extension === '.ipynb') {
      const imported = importIpynb(text, path.basename(file, extension));
      return { file, format: 'ipynb', notebook: imported.notebook, notes: imported.notes };
    }
  } catch (error) {
    throw new CliError(`${file} is not a notebook rnb can read: ${(error as Error).message}`);
  }
  throw new CliError(`${file}: unknown notebook format "${extension || '(no extension)'}"; rnb reads .py (percent format) and .ipynb files.`);
}

export function readText(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new CliError(`No such file: ${file}`);
  }
  if (stat.isDirectory()) throw new CliError(`${file} is a folder, not a notebook file.`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

export function render(notebook: PortableNotebook, format: ExportFormat, options: { showCode?: boolean } = {}): string {
  switch (format) {
    case 'ipynb':
      return exportIpynb(notebook);
    case 'html': {
      // Loaded for this format only: the server package (Koa, socket.io, storage) would cost every other command
      // about half a second of start-up.
      const { renderMarkdownHtml } = require('@rnb/markdown') as typeof import('@rnb/markdown');
      const { chartLibrariesForExport } = require('@rnb/server') as typeof import('@rnb/server');
      return exportHtml(notebook, { renderMarkdown: renderMarkdownHtml, chartLibraries: chartLibrariesForExport(), ...(options.showCode === undefined ? {} : { showCode: options.showCode }) });
    }
    case 'md':
      return exportMarkdown(notebook);
    case 'py':
      return writePercentNotebook(notebookFileOf(notebook));
  }
}

export function parseFormat(value: string): ExportFormat {
  const format = value.toLowerCase().replace(/^\./, '') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new CliError(`Unknown format "${value}": use one of ${EXPORT_FORMATS.join(', ')}.`);
  return format;
}

/**
 * Writes an output file. An existing file is replaced only when it is one rnb
 * can read back as that format (a notebook, or an export rnb wrote); anything
 * else, a file rnb cannot parse, is never overwritten.
 */
export function writeOutput(file: string, text: string, format: ExportFormat): void {
  if (fs.existsSync(file)) {
    const existing = readText(file);
    if (!isReplaceable(existing, format)) {
      throw new CliError(`${file} exists and is not a ${format} file rnb can read; it was not overwritten. Choose another name with -o.`);
    }
  }
  const temp = `${file}.rnb-tmp-${process.pid}`;
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new CliError(`Cannot write ${file}: ${(error as Error).message}`);
  }
}

function isReplaceable(existing: string, format: ExportFormat): boolean {
  try {
    // A plain script reads as a one-cell notebook, but it is someone's script: only a notebook file is replaced.
    if (format === 'py') return /^(# \/\/\/ rnb|#\s*%%)/m.test(existing) && readPercentNotebook(existing) !== null;
    else if (format === 'ipynb') importIpynb(existing);
    else if (format === 'html') return existing.includes('<meta name="generator" content="rnb">');
    else return existing.trim() === '' || existing.startsWith('# ');
    return true;
  } catch {
    return false;
  }
}

/** A `.py` in a folder storage's folder: its last outputs are in `.rnb-cache/<name>.json` beside it. */
function mergeCachedResults(file: string, notebook: PortableNotebook): void {
  const cache = path.join(path.dirname(file), '.rnb-cache', `${path.basename(file, '.py')}.json`);
  let record: { results?: Record<string, Partial<PortableNotebook['cells'][number]>> };
  try {
    record = JSON.parse(fs.readFileSync(cache, 'utf8')) as typeof record;
  } catch {
    return;
  }
  for (const cell of notebook.cells) {
    const results = record.results?.[cell.id];
    if (!results) continue;
    cell.status = results.status ?? cell.status;
    cell.stdout = typeof results.stdout === 'string' ? results.stdout : '';
    cell.stderr = typeof results.stderr === 'string' ? results.stderr : '';
    cell.outputs = Array.isArray(results.outputs) ? results.outputs : [];
    cell.error = typeof results.error === 'string' ? results.error : null;
  }
}
