/**
 * Notebooks as text files in the percent format (jupytext, VS Code, PyCharm,
 * Spyder): `# %%` lines start cells, a PEP 723-style `# /// rnb` block at the
 * top holds the notebook's settings. Pure: text in, text out. The layout and
 * its escapes are specified in docs/notebook-files.md.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../errors';
import type { NotebookSettings, PluginSettingValues, SettingValue } from '../wire';

/** What a notebook file holds: never outputs, never secrets. */
export interface NotebookFileCell {
  id: string;
  /** A language id (`python`, `sql`, ...) or `markdown`. */
  type: string;
  code: string;
}

export interface NotebookFile {
  name: string;
  lazy: boolean;
  /**
   * The Python packages the notebook installed (requirement strings, `name==version`): the PEP 723
   * `# /// script` block's `dependencies`, which uv and pipx read too. Absent when there are none.
   */
  packages?: string[];
  /**
   * Plugin settings that are not secret (a SQL row limit...), other than the packages: header lines
   * `# settings.<plugin>.<field> = <value>`. Secrets never reach a file. Absent when there are none.
   */
  settings?: NotebookSettings;
  /** How the app view shows the notebook: header lines `# app.show_code = true`. Absent when nothing is set. */
  app?: FileAppSettings;
  cells: NotebookFileCell[];
}

/**
 * A notebook from its parts, leaving out the optional parts that hold nothing (so a round trip adds no empty keys).
 * `C`: the cells' kind (a .ipynb's carry their outputs too).
 */
export function notebookFile<C extends NotebookFileCell>(parts: Required<Omit<NotebookFile, 'cells'>> & { cells: C[] }): Omit<NotebookFile, 'cells'> & { cells: C[] } {
  const { name, lazy, packages, settings, app, cells } = parts;
  return {
    name,
    lazy,
    ...(packages.length > 0 ? { packages } : {}),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    ...(Object.keys(app).length > 0 ? { app } : {}),
    cells,
  };
}

/** The app view's settings a file carries; who may open the app (`published`) is the server's business, not the file's. */
export interface FileAppSettings {
  show_code?: boolean;
  show_tracebacks?: boolean;
}

const FILE_APP_KEYS = ['show_code', 'show_tracebacks'] as const;
/** A plugin id or field name in a header key. */
const SETTING_WORD = /^[A-Za-z_][\w-]{0,63}$/;

export const PERCENT_FORMAT_VERSION = 1;
/** The cell type whose code is the file's own language: written as plain code, not as comments. */
export const SCRIPT_CELL_TYPE = 'python';
export const MARKDOWN_CELL_TYPE = 'markdown';

const HEADER_START = '# /// rnb';
/** PEP 723 inline script metadata: the packages, where uv, pipx and hatch look for them. */
const SCRIPT_START = '# /// script';
const HEADER_END = '# ///';
/** A requirement as the file carries it: one line of printable text (PEP 508 is checked by whoever installs it). */
const REQUIREMENT = /^[A-Za-z0-9][^\u0000-\u001f\u007f]{0,199}$/;
/** A cell boundary as jupytext and VS Code read it: `#`, optional spaces, `%%`. */
const BOUNDARY = /^#\s*%%/;
/** A line that would read as a boundary once some `# ` prefixes are taken off: such lines get one more `# `. */
const NEEDS_ESCAPE = /^(?:# )*#\s*%%/;
const ESCAPED = /^# (?:# )*#\s*%%/;
const CELL_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const CELL_TYPE = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

export class NotebookFileError extends InvalidInputError {
  constructor(
    message: string,
    /** 1-based line of the file where reading stopped. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** Writes the notebook as percent-format text (LF line ends; cells in notebook order). */
export function writePercentNotebook(notebook: NotebookFile): string {
  const header = [
    HEADER_START,
    `# format = ${PERCENT_FORMAT_VERSION}`,
    `# name = ${JSON.stringify(notebook.name)}`,
    `# lazy = ${notebook.lazy ? 'true' : 'false'}`,
    ...appLines(notebook.app),
    ...settingLines(notebook.settings),
    HEADER_END,
    ...scriptBlock(notebook.packages ?? []),
    '',
  ].join('\n');
  // Each cell: its boundary, its body, one line end; cells are separated by one empty line.
  const cells = notebook.cells.map((cell) => {
    checkCell(cell);
    return `${boundaryLine(cell)}\n${bodyOf(cell)}\n`;
  });
  return `${header}\n${cells.join('\n')}`;
}

export interface ReadOptions {
  /** Gives ids to cells the file has none for (hand-written `# %%` lines). Default: random UUIDs. */
  newCellId?: () => string;
}

/** Reads percent-format text. Throws NotebookFileError (with the line) when it cannot be read. */
export function readPercentNotebook(input: string, options: ReadOptions = {}): NotebookFile {
  if (typeof input !== 'string') throw new NotebookFileError('A notebook file is text.');
  let text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  // A file whose first line ends in CRLF was converted as a whole (an editor, git's autocrlf): our
  // writer only ever ends lines with LF, and keeps a CR that belongs to the code inside its line.
  const firstEnd = text.indexOf('\n');
  if (firstEnd > 0 && text[firstEnd - 1] === '\r') text = text.replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const newId = options.newCellId ?? randomUUID;
  let name = 'Untitled notebook';
  let lazy = false;
  let packages: string[] = [];
  let settings: NotebookSettings = {};
  let app: FileAppSettings = {};
  let index = 0;
  // The leading metadata blocks, in either order: ours (`# /// rnb`) and PEP 723's (`# /// script`, as `uv add --script` writes it).
  const isBlockStart = (line: string | undefined): boolean => line?.trimEnd() === HEADER_START || line?.trimEnd() === SCRIPT_START;
  for (;;) {
    // Blank lines between two blocks are read past (uv leaves one after the block it adds at the top).
    let next = index;
    while (index > 0 && lines[next]?.trim() === '' && next < lines.length - 1) next += 1;
    if (next !== index && isBlockStart(lines[next])) index = next;
    const start = lines[index]?.trimEnd();
    if (!isBlockStart(start)) break;
    const end = lines.findIndex((line, i) => i > index && line.trimEnd() === HEADER_END);
    if (end < 0) throw new NotebookFileError(`the "${start}" block is not closed by a "${HEADER_END}" line`, index + 1);
    if (start === SCRIPT_START) {
      packages = readScriptBlock(lines.slice(index + 1, end), index + 2);
    } else {
      const header = readHeader(lines.slice(index + 1, end), index + 2);
      name = header.name ?? name;
      lazy = header.lazy ?? lazy;
      settings = header.settings;
      app = header.app;
    }
    index = end + 1;
  }
  const withPackages = (cells: NotebookFileCell[]): NotebookFile => notebookFile({ name, lazy, packages, settings, app, cells });
  // Text before the first boundary (a plain script, or the blank line after the header).
  const firstBoundary = lines.findIndex((line, i) => i >= index && BOUNDARY.test(line));
  const preamble = lines.slice(index, firstBoundary < 0 ? lines.length : firstBoundary);
  const cells: NotebookFileCell[] = [];
  const seen = new Set<string>();
  const preambleCode = preamble.join('\n');
  if (preambleCode.trim() !== '') cells.push({ id: newId(), type: SCRIPT_CELL_TYPE, code: preambleCode.replace(/\n+$/, '') });
  if (firstBoundary < 0) return withPackages(cells);
  const starts: number[] = [];
  for (let i = firstBoundary; i < lines.length; i++) if (BOUNDARY.test(lines[i]!)) starts.push(i);
  starts.forEach((start, n) => {
    const last = n === starts.length - 1;
    const end = last ? lines.length : starts[n + 1]!;
    const meta = parseBoundary(lines[start]!, start + 1);
    const body = lines.slice(start + 1, end);
    // Undo the writer's layout: every cell's code is followed by one line end (then the empty line between cells).
    if (body.length > 0 && body[body.length - 1] === '') body.pop();
    const type = meta.type ?? SCRIPT_CELL_TYPE;
    let id = meta.id ?? newId();
    if (seen.has(id)) {
      if (meta.id !== undefined) throw new NotebookFileError(`the cell id "${id}" is used twice`, start + 1);
      id = newId();
    }
    seen.add(id);
    cells.push({ id, type, code: codeOf(type, body, start + 2) });
  });
  return withPackages(cells);
}

/** Escapes one line of Python code so that no tool reads it as a cell boundary. */
export function escapeCodeLine(line: string): string {
  return NEEDS_ESCAPE.test(line) ? `# ${line}` : line;
}

export function unescapeCodeLine(line: string): string {
  return ESCAPED.test(line) ? line.slice(2) : line;
}

function boundaryLine(cell: NotebookFileCell): string {
  const type = cell.type === SCRIPT_CELL_TYPE ? '' : ` [${cell.type}]`;
  return `# %%${type} id=${JSON.stringify(cell.id)}`;
}

function bodyOf(cell: NotebookFileCell): string {
  const lines = cell.code.split('\n');
  if (cell.type === SCRIPT_CELL_TYPE) return lines.map(escapeCodeLine).join('\n');
  // Other languages and markdown are comments, so the file stays a Python script.
  return lines.map((line) => escapeCodeLine(line === '' ? '#' : `# ${line}`)).join('\n');
}

function codeOf(type: string, body: string[], firstLine: number): string {
  if (type === SCRIPT_CELL_TYPE) {
    return body.map(unescapeCodeLine).join('\n');
  }
  return body
    .map((raw, i) => {
      const line = unescapeCodeLine(raw);
      if (line === '#') return '';
      if (line.startsWith('# ')) return line.slice(2);
      if (line.startsWith('#')) return line.slice(1);
      if (line.trim() === '') return line;
      throw new NotebookFileError(`a ${type} cell's lines are comments ("# ..."); this one is not: ${JSON.stringify(line.slice(0, 60))}`, firstLine + i);
    })
    .join('\n');
}

function checkCell(cell: NotebookFileCell): void {
  if (!CELL_ID.test(cell.id)) throw new NotebookFileError(`A cell id is 1 to 128 letters, digits, ".", ":", "-" or "_"; got ${JSON.stringify(cell.id)}.`);
  if (!CELL_TYPE.test(cell.type)) throw new NotebookFileError(`A cell type is a word (letters, digits, "-", "_"); got ${JSON.stringify(cell.type)}.`);
  if (typeof cell.code !== 'string') throw new NotebookFileError(`Cell ${cell.id}: code is text.`);
}

/** `# %% [sql] id="c1"`: an optional title is ignored, `[type]` names the language, `key=value` pairs are metadata. */
function parseBoundary(line: string, lineNumber: number): { id?: string; type?: string } {
  let rest = line.replace(BOUNDARY, '').trim();
  let type: string | undefined;
  const bracket = /\[([^\]]*)\]/.exec(rest);
  if (bracket) {
    const word = bracket[1]!.trim().toLowerCase();
    type = word === 'md' ? MARKDOWN_CELL_TYPE : word;
    if (!CELL_TYPE.test(type)) throw new NotebookFileError(`"[${bracket[1]}]" is not a cell type`, lineNumber);
    rest = rest.slice(bracket.index + bracket[0].length);
  }
  const id = /(?:^|\s)id=("(?:[^"\\]|\\.)*"|\S+)/.exec(rest)?.[1];
  if (id === undefined) return type === undefined ? {} : { type };
  let value: unknown = id;
  if (id.startsWith('"')) {
    try {
      value = JSON.parse(id);
    } catch {
      throw new NotebookFileError(`the cell id ${id} is not a valid quoted string`, lineNumber);
    }
  }
  if (typeof value !== 'string' || !CELL_ID.test(value)) throw new NotebookFileError(`the cell id ${id} is not 1 to 128 letters, digits, ".", ":", "-" or "_"`, lineNumber);
  return type === undefined ? { id: value } : { id: value, type };
}

/** PEP 723's block: `dependencies = [...]` as TOML, one requirement a line. Written only when there are packages. */
function scriptBlock(packages: readonly string[]): string[] {
  if (packages.length === 0) return [];
  for (const requirement of packages) {
    if (typeof requirement !== 'string' || !REQUIREMENT.test(requirement)) {
      throw new NotebookFileError(`A package is a requirement on one line ("name==1.0"); got ${JSON.stringify(String(requirement).slice(0, 60))}.`);
    }
  }
  return [SCRIPT_START, '# dependencies = [', ...packages.map((requirement) => `#   ${JSON.stringify(requirement)},`), '# ]', HEADER_END];
}

/**
 * Reads the `dependencies` array of a PEP 723 block (TOML): basic or literal
 * strings, on one line or many, trailing comma allowed. Other keys
 * (`requires-python`, `[tool.*]` tables) are read past: uv's concern, not ours.
 */
function readScriptBlock(lines: string[], firstLine: number): string[] {
  const toml = lines.map((raw, i) => {
    if (!raw.startsWith('#')) throw new NotebookFileError('the "# /// script" block\'s lines are comments', firstLine + i);
    return raw.replace(/^#\s?/, '');
  });
  const start = toml.findIndex((line) => /^\s*dependencies\s*=/.test(line));
  if (start < 0) return [];
  let text = toml[start]!.replace(/^\s*dependencies\s*=\s*/, '');
  let line = start;
  const packages: string[] = [];
  if (!text.startsWith('[')) throw new NotebookFileError('dependencies is an array of strings ("dependencies = [...]")', firstLine + start);
  text = text.slice(1);
  for (;;) {
    text = text.replace(/^[\s,]+/, '');
    if (text === '' || text.startsWith('#')) {
      line += 1;
      if (line >= toml.length) throw new NotebookFileError('the dependencies array is not closed by "]"', firstLine + start);
      text = toml[line]!;
      continue;
    }
    if (text.startsWith(']')) break;
    const match = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(text);
    if (!match) throw new NotebookFileError(`a dependency is a quoted string; got ${JSON.stringify(text.slice(0, 40))}`, firstLine + line);
    let value: string;
    try {
      value = match[2] ?? (JSON.parse(`"${match[1]!}"`) as string);
    } catch {
      throw new NotebookFileError(`the dependency ${match[0]} is not a valid string`, firstLine + line);
    }
    if (!REQUIREMENT.test(value)) throw new NotebookFileError(`the dependency ${JSON.stringify(value.slice(0, 60))} is not a requirement on one line`, firstLine + line);
    packages.push(value);
    text = text.slice(match[0].length);
  }
  return packages;
}

interface HeaderValues {
  name?: string;
  lazy?: boolean;
  settings: NotebookSettings;
  app: FileAppSettings;
}

function readHeader(lines: string[], firstLine: number): HeaderValues {
  const header: HeaderValues = { settings: {}, app: {} };
  lines.forEach((raw, i) => {
    const line = raw.replace(/^#\s?/, '').trimEnd();
    if (!raw.startsWith('#')) throw new NotebookFileError('the header\'s lines are comments ("# key = value")', firstLine + i);
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const match = /^\s*([A-Za-z_][\w.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new NotebookFileError(`the header line ${JSON.stringify(raw)} is not "key = value"`, firstLine + i);
    const [, key, valueText] = match as unknown as [string, string, string];
    let value: unknown;
    try {
      value = JSON.parse(valueText);
    } catch {
      throw new NotebookFileError(`the value of "${key}" is not a quoted string, number, true or false`, firstLine + i);
    }
    if (key === 'name') {
      if (typeof value !== 'string') throw new NotebookFileError('name is a quoted string', firstLine + i);
      header.name = value;
    } else if (key === 'lazy') {
      if (typeof value !== 'boolean') throw new NotebookFileError('lazy is true or false', firstLine + i);
      header.lazy = value;
    } else if (key === 'format') {
      if (typeof value !== 'number' || value > PERCENT_FORMAT_VERSION) {
        throw new NotebookFileError(`format ${String(value)} is newer than this version reads (${PERCENT_FORMAT_VERSION}); update rnb`, firstLine + i);
      }
    } else if (key.startsWith('app.')) {
      const field = key.slice(4);
      if ((FILE_APP_KEYS as readonly string[]).includes(field)) {
        if (typeof value !== 'boolean') throw new NotebookFileError(`${key} is true or false`, firstLine + i);
        header.app[field as (typeof FILE_APP_KEYS)[number]] = value;
      }
    } else if (key.startsWith('settings.')) {
      const [plugin, field, ...more] = key.slice(9).split('.');
      if (!plugin || !field || more.length > 0 || !SETTING_WORD.test(plugin) || !SETTING_WORD.test(field)) {
        throw new NotebookFileError(`"${key}" is not "settings.<plugin>.<field>"`, firstLine + i);
      }
      if (!isSettingValue(value)) throw new NotebookFileError(`the value of "${key}" is a quoted string, a number, true or false`, firstLine + i);
      header.settings[plugin] = { ...(header.settings[plugin] ?? {}), [field]: value };
    }
    // Unknown keys are kept by nobody but refused by nobody either: newer minor settings read as absent.
  });
  return header;
}

/** A plugin id or field name as files carry them. */
export function isSettingWord(word: string): boolean {
  return SETTING_WORD.test(word);
}

/** A setting value a file may carry: a string, a finite number or a boolean. */
export function isSettingValue(value: unknown): value is SettingValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function appLines(app: FileAppSettings | undefined): string[] {
  if (!app) return [];
  return FILE_APP_KEYS.filter((key) => app[key] !== undefined).map((key) => {
    if (typeof app[key] !== 'boolean') throw new NotebookFileError(`app.${key} is true or false.`);
    return `# app.${key} = ${app[key] ? 'true' : 'false'}`;
  });
}

/** Sorted, so that the same settings always write the same lines (a clean diff). */
function settingLines(settings: NotebookSettings | undefined): string[] {
  if (!settings) return [];
  const lines: string[] = [];
  for (const plugin of Object.keys(settings).sort()) {
    const values: PluginSettingValues = settings[plugin]!;
    for (const field of Object.keys(values).sort()) {
      const value: unknown = values[field];
      if (!SETTING_WORD.test(plugin) || !SETTING_WORD.test(field)) {
        throw new NotebookFileError(`A setting's plugin and field are words (letters, digits, "-", "_"); got ${JSON.stringify(`${plugin}.${field}`.slice(0, 80))}.`);
      }
      if (!isSettingValue(value)) throw new NotebookFileError(`The setting ${plugin}.${field} is a string, a finite number or true/false.`);
      lines.push(`# settings.${plugin}.${field} = ${JSON.stringify(value)}`);
    }
  }
  return lines;
}
