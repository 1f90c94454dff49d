/**
 * Jupyter notebooks (nbformat 4) both ways. Export writes nbformat 4.5 with
 * outputs; what Jupyter has no field for (the cell's type when not Python,
 * its status, its exact error text, ids Jupyter does not allow) goes in the
 * cell's `metadata.rnb`, so an exported notebook imports back identically.
 */
import { randomUUID } from 'node:crypto';
import { TABLE_MIME, WIDGET_MIME, type CellStatus, type JsonValue, type Output } from '../model/types';
import type { NotebookSettings } from '../wire';
import { nameCellsByPosition, positionsOf } from './cell-names';
import { isTable, tableAsText } from './output-text';
import { isSettingValue, isSettingWord, MARKDOWN_CELL_TYPE, notebookFile, NotebookFileError, SCRIPT_CELL_TYPE, type FileAppSettings } from './percent-format';
import type { PortableCell, PortableNotebook } from './portable';
import { tableAsHtml, widgetAsHtml, widgetAsText, widgetOf } from './static-html';

type Json = { [key: string]: JsonValue };
const JUPYTER_ID = /^[a-zA-Z0-9-_]{1,64}$/;
const OUR_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const STATUSES: ReadonlySet<string> = new Set(['idle', 'queued', 'running', 'success', 'error', 'blocked', 'stale']);
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Interrupt|Exit)):\s?(.*)$/;
/** When a bundle holds several representations, the one kept: richest first. */
const PREFERENCE = [WIDGET_MIME, TABLE_MIME, 'image/png', 'image/svg+xml', 'image/jpeg', 'image/gif', 'text/html', 'text/markdown', 'application/json', 'text/latex', 'text/plain'];

export interface IpynbImport {
  notebook: PortableNotebook;
  /** Things a person should know about the import: magics not run, connection strings dropped, execution order. */
  notes: string[];
}

export function exportIpynb(notebook: PortableNotebook): string {
  const usedIds = new Set<string>();
  const positionOf = positionsOf(notebook.cells);
  const cells = notebook.cells.map((cell) => {
    let jupyterId = JUPYTER_ID.test(cell.id) ? cell.id : cell.id.replace(/[^a-zA-Z0-9-_]/g, '-').slice(0, 64);
    while (usedIds.has(jupyterId)) jupyterId = randomUUID();
    usedIds.add(jupyterId);
    const rnb: Json = { status: cell.status };
    if (jupyterId !== cell.id) rnb.id = cell.id;
    if (cell.type !== SCRIPT_CELL_TYPE && cell.type !== MARKDOWN_CELL_TYPE) rnb.type = cell.type;
    if (cell.error !== null) rnb.error = cell.error;
    if (cell.type === MARKDOWN_CELL_TYPE) {
      // Markdown cells have no outputs in Jupyter; a markdown cell's code is its text.
      return { cell_type: 'markdown', id: jupyterId, metadata: { rnb }, source: lines(cell.code) };
    }
    const source = cell.type === SCRIPT_CELL_TYPE ? cell.code : `%%${cell.type}\n${cell.code}`;
    return { cell_type: 'code', id: jupyterId, metadata: { rnb }, source: lines(source), execution_count: null, outputs: outputsOf(cell, positionOf) };
  });
  const document = {
    cells,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
      // `rnb.packages`: the requirements the notebook installed (what the percent format keeps in its PEP 723 block).
      // `rnb.settings` and `rnb.app`: the non-secret settings the percent format keeps in its header.
      rnb: {
        name: notebook.name,
        lazy: notebook.lazy,
        ...(notebook.packages && notebook.packages.length > 0 ? { packages: notebook.packages } : {}),
        ...(notebook.settings && Object.keys(notebook.settings).length > 0 ? { settings: notebook.settings } : {}),
        ...(notebook.app && Object.keys(notebook.app).length > 0 ? { app: notebook.app } : {}),
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(document, null, 1)}\n`;
}

export function importIpynb(text: string, fallbackName = 'Imported notebook'): IpynbImport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NotebookFileError(`not JSON: ${(error as Error).message}`);
  }
  const doc = raw as { nbformat?: unknown; cells?: unknown; metadata?: { rnb?: { name?: unknown; lazy?: unknown; packages?: unknown; settings?: unknown; app?: unknown } } } | null;
  if (!doc || typeof doc !== 'object' || doc.nbformat !== 4 || !Array.isArray(doc.cells)) {
    const version = doc && typeof doc === 'object' ? doc.nbformat : undefined;
    throw new NotebookFileError(
      typeof version === 'number' && version < 4
        ? `nbformat ${version} is too old; upgrade it first (jupyter nbconvert --to notebook --nbformat 4)`
        : 'not a Jupyter notebook of nbformat 4 (no "nbformat": 4 and "cells" list)',
    );
  }
  const notes: string[] = [];
  const seen = new Set<string>();
  const counts: number[] = [];
  const cells: PortableCell[] = [];
  doc.cells.forEach((value, index) => {
    const cell = value as { cell_type?: unknown; id?: unknown; source?: unknown; metadata?: { rnb?: Json }; outputs?: unknown; execution_count?: unknown };
    if (!cell || typeof cell !== 'object') throw new NotebookFileError(`cell ${index + 1} is not an object`);
    const rnb = (cell.metadata?.rnb ?? {}) as { id?: unknown; type?: unknown; status?: unknown; error?: unknown };
    let id = typeof rnb.id === 'string' && OUR_ID.test(rnb.id) ? rnb.id : typeof cell.id === 'string' && OUR_ID.test(cell.id) ? cell.id : randomUUID();
    if (seen.has(id)) id = randomUUID();
    seen.add(id);
    let code = joined(cell.source);
    const status: CellStatus | undefined = typeof rnb.status === 'string' && STATUSES.has(rnb.status) ? (rnb.status as CellStatus) : undefined;
    const error = typeof rnb.error === 'string' ? rnb.error : null;
    if (cell.cell_type === 'markdown' || cell.cell_type === 'raw') {
      cells.push({ id, type: MARKDOWN_CELL_TYPE, code, status: status ?? 'idle', stdout: '', stderr: '', outputs: [], error });
      return;
    }
    if (cell.cell_type !== 'code') throw new NotebookFileError(`cell ${index + 1} has an unknown cell_type ${JSON.stringify(cell.cell_type)}`);
    let type = SCRIPT_CELL_TYPE;
    const magic = /^%%([A-Za-z][\w-]*)([^\n]*)(?:\n|$)/.exec(code);
    if (typeof rnb.type === 'string' && magic && magic[1] === rnb.type) {
      type = rnb.type;
      code = code.slice(magic[0].length);
    } else if (magic && magic[1]!.toLowerCase() === 'sql') {
      type = 'sql';
      if (magic[2]!.trim() !== '') notes.push(`cell ${index + 1}: the %%sql line's arguments (${magic[2]!.trim().slice(0, 40)}…) were dropped; set the notebook's database connection instead`);
      code = code.slice(magic[0].length);
    } else if (magic) {
      notes.push(`cell ${index + 1}: the %%${magic[1]} magic is not run by rnb; the cell is kept as Python`);
    } else if (/^\s*[!%](?!%)/m.test(code)) {
      notes.push(`cell ${index + 1}: IPython magics or shell lines (starting with % or !) do not run in rnb's Python`);
    }
    const results = resultsOf(cell.outputs, index);
    if (typeof cell.execution_count === 'number') counts.push(cell.execution_count);
    const fallbackStatus: CellStatus = results.error !== null ? 'error' : results.ran ? 'stale' : 'idle';
    cells.push({ id, type, code, status: status ?? fallbackStatus, stdout: results.stdout, stderr: results.stderr, outputs: results.outputs, error: error ?? results.error });
  });
  if (counts.some((count, i) => i > 0 && count < counts[i - 1]!)) {
    notes.push(`the cells were last run out of order in Jupyter (execution counts ${counts.slice(0, 12).join(', ')}${counts.length > 12 ? ', …' : ''}): rnb runs them in dependency order`);
  }
  const name = typeof doc.metadata?.rnb?.name === 'string' ? doc.metadata.rnb.name : fallbackName;
  const lazy = doc.metadata?.rnb?.lazy === true;
  const listed = doc.metadata?.rnb?.packages;
  const packages = Array.isArray(listed) ? [...new Set(listed.filter((p): p is string => typeof p === 'string' && p.trim() !== '' && !/[\u0000-\u001f,]/.test(p)).map((p) => p.trim()))] : [];
  const settings = checkedSettings(doc.metadata?.rnb?.settings);
  const app = checkedApp(doc.metadata?.rnb?.app);
  return {
    notebook: notebookFile({ name, lazy, packages, settings, app, cells }),
    notes,
  };
}

/** Jupyter's outputs of a cell; tracebacks name cells by position (`metadata.rnb.error` keeps the exact text). */
function outputsOf(cell: PortableCell, positionOf: (cellId: string) => number): Json[] {
  const outputs: Json[] = [];
  if (cell.stdout !== '') outputs.push({ output_type: 'stream', name: 'stdout', text: lines(cell.stdout) });
  if (cell.stderr !== '') outputs.push({ output_type: 'stream', name: 'stderr', text: lines(cell.stderr) });
  for (const output of cell.outputs) outputs.push(displayOf(output));
  if (cell.error !== null && cell.status === 'error') {
    // The exception's line is the last one that names it: a hint may follow it (a package that could not load).
    const errorLines = nameCellsByPosition(cell.error, positionOf).trimEnd().split('\n');
    const last = errorLines[errorLines.length - 1] ?? '';
    const named = errorLines.map((line) => EXCEPTION_LINE.exec(line)).filter((m) => m !== null).pop();
    outputs.push({ output_type: 'error', ename: named?.[1] ?? 'Error', evalue: named?.[2] ?? last, traceback: errorLines });
  }
  return outputs;
}

function displayOf(output: Output): Json {
  const metadata: Json = { ...(output.metadata ?? {}) };
  const data: Json = {};
  const widget = widgetOf(output);
  if (isTable(output)) {
    // Jupyter shows the HTML or the text; rnb reads its own table back.
    data[TABLE_MIME] = output.data as JsonValue;
    data['text/html'] = lines(tableAsHtml(output.data));
    data['text/plain'] = lines(tableAsText(output.data));
  } else if (widget) {
    // Jupyter has no renderer for ours: it shows the control, disabled, with its value (or the value as text).
    data[WIDGET_MIME] = output.data;
    data['text/html'] = lines(widgetAsHtml(widget));
    data['text/plain'] = lines(widgetAsText(widget));
  } else if (isJsonMime(output.mime_type)) {
    data[output.mime_type] = output.data;
  } else if (typeof output.data === 'string') {
    data[output.mime_type] = output.mime_type.startsWith('image/') && output.mime_type !== 'image/svg+xml' ? output.data : lines(output.data);
  } else {
    // nbformat wants text for this type: the value goes as JSON text, marked so it comes back as it was.
    data[output.mime_type] = JSON.stringify(output.data);
    metadata.rnb_json = true;
  }
  return { output_type: 'display_data', data, metadata };
}

function resultsOf(value: unknown, index: number): { stdout: string; stderr: string; outputs: Output[]; error: string | null; ran: boolean } {
  const result = { stdout: '', stderr: '', outputs: [] as Output[], error: null as string | null, ran: false };
  if (value === undefined) return result;
  if (!Array.isArray(value)) throw new NotebookFileError(`cell ${index + 1}: outputs is not a list`);
  for (const item of value as Json[]) {
    result.ran = true;
    const kind = item?.output_type;
    if (kind === 'stream') {
      if (item.name === 'stderr') result.stderr += joined(item.text);
      else result.stdout += joined(item.text);
    } else if (kind === 'display_data' || kind === 'execute_result') {
      const output = outputFrom(item);
      if (output) result.outputs.push(output);
    } else if (kind === 'error') {
      const traceback = Array.isArray(item.traceback) ? item.traceback.map(String).join('\n') : `${String(item.ename)}: ${String(item.evalue)}`;
      result.error = stripAnsi(traceback);
    }
  }
  return result;
}

function outputFrom(item: Json): Output | null {
  const data = item.data as Json | undefined;
  if (!data || typeof data !== 'object') return null;
  const mimes = Object.keys(data);
  const mime = PREFERENCE.find((m) => m in data) ?? mimes.find((m) => isJsonMime(m)) ?? mimes[0];
  if (!mime) return null;
  const metadata = { ...((item.metadata as Json | undefined) ?? {}) };
  let value: JsonValue = data[mime]!;
  if (metadata.rnb_json === true) {
    delete metadata.rnb_json;
    value = JSON.parse(joined(value)) as JsonValue;
  } else if (!isJsonMime(mime)) {
    value = joined(value);
  }
  const output: Output = { mime_type: mime, data: value };
  // Jupyter keeps metadata per mime type ({ "image/png": { width } }): only ours is kept whole.
  if (Object.keys(metadata).length > 0) output.metadata = metadata;
  return output;
}

function isJsonMime(mime: string): boolean {
  return /^application\/(.*\+)?json$/.test(mime);
}

/** nbformat's multiline strings: a list of lines, each but the last ending with "\n". */
function lines(text: string): string[] {
  if (text === '') return [];
  return text.split(/(?<=\n)/);
}

function joined(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('');
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** `metadata.rnb.settings` as a file may hold it: plugin → field → string, finite number or boolean; anything else left out. */
function checkedSettings(raw: unknown): NotebookSettings {
  const out: NotebookSettings = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [pluginId, values] of Object.entries(raw as Record<string, unknown>)) {
    if (!isSettingWord(pluginId) || !values || typeof values !== 'object' || Array.isArray(values)) continue;
    for (const [field, value] of Object.entries(values as Record<string, unknown>)) {
      if (isSettingWord(field) && isSettingValue(value)) out[pluginId] = { ...(out[pluginId] ?? {}), [field]: value };
    }
  }
  return out;
}

function checkedApp(raw: unknown): FileAppSettings {
  const out: FileAppSettings = {};
  if (!raw || typeof raw !== 'object') return out;
  const app = raw as Record<string, unknown>;
  if (typeof app.show_code === 'boolean') out.show_code = app.show_code;
  if (typeof app.show_tracebacks === 'boolean') out.show_tracebacks = app.show_tracebacks;
  return out;
}
