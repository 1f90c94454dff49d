import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeNeeding } from '../testing/describe-needing';
import { readPercentNotebook, writePercentNotebook, type NotebookFile, type NotebookFileCell } from './percent-format';

/** A small seeded generator (mulberry32): a failing seed reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces chosen to break a naive writer: boundaries, escapes, header lines, line ends, unicode, whitespace. */
const PIECES = [
  'x = 1', 'print(x)', '# %%', '#%%', '# %% [sql] id="c1"', '  # %%', '# # %%', '# # # %%', '#   %% title', '%%', '%%sql', '# ',
  '#', '', ' ', '\t', '   ', '\r', 'a = 2\r', '# /// rnb', '# ///', 'name = "x"', '[markdown]', 'id="abc"', 'Grüße 日本語 🧪👩🏽‍🔬',
  'é', '"quoted" \\ back', 'SELECT * FROM t', '-- name: top', '"""', "'''", '\u2028', '\uFEFF', 'trailing   ', '# comment',
];
const PACKAGES = ['greeter-pkg==1.2.0', 'numpy>=1,<2', "pkg[extra]==1; python_version < '3.13'", 'a "quoted" \\ name', 'x', 'Grüße==1', "it's==2", 'trail ]', 'x # ///', 'y ] # ///'];
const TYPES = ['python', 'python', 'python', 'sql', 'markdown', 'r'];

function generateCode(next: () => number): string {
  const lineCount = Math.floor(next() * 6);
  const lines: string[] = [];
  for (let i = 0; i < lineCount; i++) {
    const parts = 1 + Math.floor(next() * 3);
    let line = '';
    for (let p = 0; p < parts; p++) line += PIECES[Math.floor(next() * PIECES.length)]!;
    lines.push(line);
  }
  const ends = ['\n', '\r\n', '\n', '\n'];
  let code = '';
  lines.forEach((line, i) => {
    code += line + (i < lines.length - 1 ? ends[Math.floor(next() * ends.length)]! : '');
  });
  // Sometimes trailing line ends, the kind editors add or strip.
  const tail = Math.floor(next() * 4);
  if (tail === 1) code += '\n';
  if (tail === 2) code += '\n\n';
  if (tail === 3) code += '\r\n';
  return code;
}

function generateNotebook(seed: number): NotebookFile {
  const next = random(seed);
  const count = Math.floor(next() * 8);
  const cells: NotebookFileCell[] = [];
  for (let i = 0; i < count; i++) {
    const id = next() < 0.8 ? `${seed.toString(16)}-${i}-${Math.floor(next() * 1e9).toString(36)}` : `cell_${i}.a:b`;
    cells.push({ id, type: TYPES[Math.floor(next() * TYPES.length)]!, code: generateCode(next) });
  }
  const names = ['Untitled notebook', 'Ünïcödé "quoted" \\ name', 'a\nb', 'weird # %% name', '日本語'];
  const name = names[Math.floor(next() * names.length)]!;
  const lazy = next() < 0.5;
  // Packages (PEP 723 `dependencies`) in a third of the notebooks, chosen to break TOML quoting and our comma lists.
  const packageCount = next() < 0.33 ? 1 + Math.floor(next() * 3) : 0;
  const packages = [...new Set(Array.from({ length: packageCount }, () => PACKAGES[Math.floor(next() * PACKAGES.length)]!))];
  // Non-secret settings and the app view's in a third of the notebooks: values that break quoting, numbers, booleans.
  const settings: NonNullable<NotebookFile['settings']> = {};
  if (next() < 0.33) {
    for (const plugin of ['sql', 'my-lang_2'].filter(() => next() < 0.7)) {
      const values: Record<string, string | number | boolean> = {};
      for (const field of ['limit', 'mode', 'verbose'].filter(() => next() < 0.7)) {
        values[field] = field === 'limit' ? Math.round(next() * 1e6) / 100 : field === 'verbose' ? next() < 0.5 : SETTING_TEXTS[Math.floor(next() * SETTING_TEXTS.length)]!;
      }
      if (Object.keys(values).length > 0) settings[plugin] = values;
    }
  }
  const app: NonNullable<NotebookFile['app']> = {};
  if (next() < 0.33) app.show_code = next() < 0.5;
  if (next() < 0.33) app.show_tracebacks = next() < 0.5;
  return {
    name,
    lazy,
    ...(packages.length > 0 ? { packages } : {}),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    ...(Object.keys(app).length > 0 ? { app } : {}),
    cells,
  };
}

const SETTING_TEXTS = ['fast', 'a "quoted" = value', 'line\nbreak', 'ünï # %% ///', ''];

describe('percent format', () => {
  it('round-trips 2,000 generated notebooks exactly: cells, ids, types, order, code, name, lazy, packages, settings, app view', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const notebook = generateNotebook(seed);
      const text = writePercentNotebook(notebook);
      let read: NotebookFile;
      try {
        read = readPercentNotebook(text);
      } catch (error) {
        throw new Error(`seed ${seed}: ${(error as Error).message}\n${text}`);
      }
      if (JSON.stringify(read) !== JSON.stringify(notebook)) {
        expect({ seed, read }).toEqual({ seed, read: notebook });
      }
      // Other tools see the same cells: exactly one line per cell reads as a boundary to jupytext and VS Code.
      expect(text.split('\n').filter((line) => /^#\s*%%/.test(line))).toHaveLength(notebook.cells.length);
      // Writing what was read gives the same text: no drift through repeated saves.
      expect(writePercentNotebook(read)).toBe(text);
    }
  });

  it('writes a readable file: a header, `# %%` lines with the id, markdown and SQL as comments', () => {
    const text = writePercentNotebook({
      name: 'Sales',
      lazy: false,
      cells: [
        { id: 'a1', type: 'markdown', code: '# Sales\n\nBy region.' },
        { id: 'b2', type: 'python', code: 'rows = [1, 2]\n# %% not a boundary' },
        { id: 'c3', type: 'sql', code: 'SELECT 1' },
      ],
    });
    expect(text).toBe(
      [
        '# /// rnb',
        '# format = 1',
        '# name = "Sales"',
        '# lazy = false',
        '# ///',
        '',
        '# %% [markdown] id="a1"',
        '# # Sales',
        '#',
        '# By region.',
        '',
        '# %% id="b2"',
        'rows = [1, 2]',
        '# # %% not a boundary',
        '',
        '# %% [sql] id="c3"',
        '# SELECT 1',
        '',
      ].join('\n'),
    );
  });

  it('reads hand-written files: no header, cells without ids, code before the first boundary, CRLF files', () => {
    const ids = ['n1', 'n2', 'n3'];
    const read = readPercentNotebook('import math\r\n\r\n# %%\r\nx = 1\r\n\r\n# %% [md]\r\n# Hello\r\n', { newCellId: () => ids.shift()! });
    expect(read).toEqual({
      name: 'Untitled notebook',
      lazy: false,
      cells: [
        { id: 'n1', type: 'python', code: 'import math' },
        { id: 'n2', type: 'python', code: 'x = 1' },
        { id: 'n3', type: 'markdown', code: 'Hello' },
      ],
    });
  });

  it('keeps the packages in a PEP 723 `# /// script` block that uv reads, and reads the block as uv writes it', () => {
    const text = writePercentNotebook({ name: 'Deps', lazy: false, packages: ['greeter-pkg==1.2.0', 'numpy>=1,<2'], cells: [{ id: 'a', type: 'python', code: 'import greeter_pkg' }] });
    expect(text).toBe(
      [
        '# /// rnb',
        '# format = 1',
        '# name = "Deps"',
        '# lazy = false',
        '# ///',
        '# /// script',
        '# dependencies = [',
        '#   "greeter-pkg==1.2.0",',
        '#   "numpy>=1,<2",',
        '# ]',
        '# ///',
        '',
        '# %% id="a"',
        'import greeter_pkg',
        '',
      ].join('\n'),
    );
    // As `uv add --script` leaves it: the script block first, TOML's single-quoted strings, other keys, a blank line.
    const ids = ['n1'];
    const uvFile = "# /// script\n# requires-python = \">=3.12\"\n# dependencies = ['requests<3', \"rich\"]\n# ///\n\n# /// rnb\n# name = \"uv\"\n# ///\n\n# %%\nimport rich\n";
    expect(readPercentNotebook(uvFile, { newCellId: () => ids.shift()! })).toEqual({
      name: 'uv',
      lazy: false,
      packages: ['requests<3', 'rich'],
      cells: [{ id: 'n1', type: 'python', code: 'import rich' }],
    });
    // A plain script with only a PEP 723 block: its code is the first cell.
    expect(readPercentNotebook('# /// script\n# dependencies = [\n#   "x==1",\n# ]\n# ///\nprint(1)\n', { newCellId: () => 'c' })).toEqual({
      name: 'Untitled notebook',
      lazy: false,
      packages: ['x==1'],
      cells: [{ id: 'c', type: 'python', code: 'print(1)' }],
    });
    expect(() => readPercentNotebook('# /// script\n# dependencies = [\n#   "x==1",\n# ///\n')).toThrow(/line 2: the dependencies array is not closed/);
    expect(() => readPercentNotebook('# /// script\n# dependencies = [x]\n# ///\n')).toThrow(/line 2: a dependency is a quoted string/);
    expect(() => writePercentNotebook({ name: 'x', lazy: false, packages: ['a\nb'], cells: [] })).toThrow(/A package is a requirement on one line/);
  });

  it('keeps non-secret settings and the app view in the header, sorted, and reads hand-edited ones', () => {
    const text = writePercentNotebook({
      name: 'Report',
      lazy: false,
      settings: { sql: { row_limit: 500, mode: 'fast' }, charts: { dark: true } },
      app: { show_code: true, show_tracebacks: false },
      cells: [],
    });
    expect(text.split('\n').slice(0, 10)).toEqual([
      '# /// rnb',
      '# format = 1',
      '# name = "Report"',
      '# lazy = false',
      '# app.show_code = true',
      '# app.show_tracebacks = false',
      '# settings.charts.dark = true',
      '# settings.sql.mode = "fast"',
      '# settings.sql.row_limit = 500',
      '# ///',
    ]);
    // An edit by hand (a review in a pull request): the new value reads back; unknown app keys are read past.
    const edited = readPercentNotebook(text.replace('row_limit = 500', 'row_limit = 1000').replace('# ///\n', '# app.published = true\n# ///\n'));
    expect(edited.settings).toEqual({ charts: { dark: true }, sql: { mode: 'fast', row_limit: 1000 } });
    expect(edited.app).toEqual({ show_code: true, show_tracebacks: false });
    expect(() => readPercentNotebook('# /// rnb\n# settings.sql = 1\n# ///\n')).toThrow(/line 2: "settings.sql" is not "settings.<plugin>.<field>"/);
    expect(() => readPercentNotebook('# /// rnb\n# settings.sql.limit = [1]\n# ///\n')).toThrow(/line 2: the value of "settings.sql.limit" is a quoted string/);
    expect(() => readPercentNotebook('# /// rnb\n# app.show_code = "yes"\n# ///\n')).toThrow(/line 2: app.show_code is true or false/);
    expect(() => writePercentNotebook({ name: 'x', lazy: false, settings: { 'a.b': { c: 1 } }, cells: [] })).toThrow(/are words/);
    expect(() => writePercentNotebook({ name: 'x', lazy: false, settings: { a: { c: Number.NaN } }, cells: [] })).toThrow(/finite number/);
  });

  it('refuses what it cannot read, naming the line', () => {
    expect(() => readPercentNotebook('# /// rnb\n# name = "x"\n')).toThrow(/line 1: .*not closed/);
    expect(() => readPercentNotebook('# /// rnb\n# name = x\n# ///\n')).toThrow(/line 2: the value of "name"/);
    expect(() => readPercentNotebook('# %% id="a"\nx=1\n# %% id="a"\ny=2\n')).toThrow(/line 3: the cell id "a" is used twice/);
    expect(() => readPercentNotebook('# %% [sql] id="a"\nSELECT 1\n')).toThrow(/line 2: a sql cell's lines are comments/);
    expect(() => readPercentNotebook('# /// rnb\n# format = 99\n# ///\n')).toThrow(/newer than this version/);
  });
});

describeNeeding('python3', spawnSync('python3', ['--version']).status === 0 ? null : 'python3 is not installed', () => {
  it('runs a Python-only notebook as a plain script: `python3 notebook.py` prints what the cells print', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rnb-percent-'));
    try {
      const file = path.join(dir, 'notebook.py');
      writeFileSync(
        file,
        writePercentNotebook({
          name: 'Script',
          lazy: false,
          cells: [
            { id: 'm', type: 'markdown', code: 'Numbers\n%% and more' },
            { id: 'a', type: 'python', code: 'a = 20\n# %% inside the code' },
            { id: 's', type: 'sql', code: 'SELECT {a}' },
            { id: 'b', type: 'python', code: 'b = a + 22\nprint(b)' },
          ],
        }),
      );
      expect(execFileSync('python3', [file], { encoding: 'utf8' })).toBe('42\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
