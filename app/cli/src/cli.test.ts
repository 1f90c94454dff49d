/**
 * The `rnb` command run as a process (the built dist/main.js: `npm run build:ts` first), with real kernels.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportIpynb, importIpynb, readPercentNotebook, writePercentNotebook } from '@rnb/core';
// The Python plugin's test kit: this machine cannot download real wheels.
import { makeWheel, serveSimpleIndex } from '@rnb/plugin-python/testing';

const MAIN = path.resolve(__dirname, '../dist/main.js');
/** A notebook that installed packages (its PEP 723 block). */
const DEPS_NOTEBOOK = { name: 'Deps', lazy: false, packages: ['greeter-pkg==1.2.0', 'rich'], cells: [{ id: 'a', type: 'python', code: 'x = 1' }] };
let dir: string;

beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build:ts first.`);
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function rnb(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const NOTEBOOK = writePercentNotebook({
  name: 'Report',
  lazy: false,
  cells: [
    { id: 'intro', type: 'markdown', code: '# Report' },
    // Out of notebook order on purpose: rnb run follows dependencies.
    { id: 'show', type: 'python', code: 'print(f"{region}: {total}")' },
    { id: 'params', type: 'python', code: 'limit = 3  # rows\nregion = "north"' },
    { id: 'sum', type: 'python', code: 'total = sum(range(limit))' },
    { id: 'q', type: 'sql', code: 'SELECT {total} AS t' },
  ],
});

describe('rnb --help', () => {
  it.each(['check', 'run', 'export', 'import', 'edit'])('explains %s', (command) => {
    const { code, stdout } = rnb(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: rnb ${command}`);
  });
});

describe('rnb check', () => {
  it('passes a sound notebook and warns about reads of names defined further down', () => {
    write('report.py', NOTEBOOK);
    const { code, stdout, stderr } = rnb('check', 'report.py');
    expect(code).toBe(0);
    expect(stdout).toBe('report.py: 5 cells, 0 errors, 2 warnings\n');
    expect(stderr).toContain('warning: cell 2 reads `region`, which is defined below it in cell 3');
    expect(rnb('check', '--strict', 'report.py').code).toBe(1);
  });

  it('fails with each syntax error, cycle and name defined twice', () => {
    write('broken.py', writePercentNotebook({
      name: 'Broken',
      lazy: false,
      cells: [
        { id: 'a', type: 'python', code: 'a = b + 1' },
        { id: 'b', type: 'python', code: 'b = a + 1' },
        { id: 'c', type: 'python', code: 'x = 1' },
        { id: 'd', type: 'python', code: 'x = 2' },
        { id: 'e', type: 'python', code: 'def f(:' },
      ],
    }));
    const { code, stderr } = rnb('check', 'broken.py');
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: cell 1 \(python\): This cell is part of a cycle: cell 1 → cell 2 → cell 1/);
    expect(stderr).toMatch(/error: cell 3 \(python\): `x` is defined in cells 3 and 4/);
    expect(stderr).toMatch(/error: cell 5 \(python\): .*line 1/);
  });

  it('says so for a missing file, a wrong format and an unreadable notebook (exit 2)', () => {
    expect(rnb('check', 'nope.py')).toMatchObject({ code: 2, stderr: 'rnb: No such file: nope.py\n' });
    write('notes.txt', 'x = 1');
    expect(rnb('check', 'notes.txt')).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown notebook format "\.txt"/) });
    write('bad.py', '# /// rnb\n# name = unquoted\n# ///\n');
    expect(rnb('check', 'bad.py')).toMatchObject({ code: 2, stderr: expect.stringMatching(/bad\.py is not a notebook rnb can read: line 2/) });
  });
});

describe('rnb run', () => {
  it('runs every cell in dependency order, prints outputs, applies --set and writes --output', () => {
    write('report.py', NOTEBOOK);
    const { code, stdout, stderr } = rnb('run', 'report.py', '--set', 'limit=10', '--set', 'region=south', '--output', 'out.json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('south: 45\n');
    expect(stdout).toContain('t\n--\n45\n');
    expect(stdout.indexOf('cell 3 · python')).toBeLessThan(stdout.indexOf('cell 2 · python'));
    const out = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as { ok: boolean; cells: { id: string; status: string; stdout: string }[] };
    expect(out.ok).toBe(true);
    expect(out.cells.find((c) => c.id === 'show')).toMatchObject({ status: 'success', stdout: 'south: 45\n' });
    // The file itself is never changed by a run or by --set.
    expect(fs.readFileSync(path.join(dir, 'report.py'), 'utf8')).toBe(NOTEBOOK);
  }, 180_000);

  it('exits 1 when a cell fails, naming it, and 2 for a --set that matches no constant', () => {
    write('fails.py', writePercentNotebook({ name: 'F', lazy: false, cells: [{ id: 'a', type: 'python', code: 'x = 1 / 0' }, { id: 'b', type: 'python', code: 'print(x)' }] }));
    const failed = rnb('run', 'fails.py');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('ZeroDivisionError');
    expect(failed.stderr).toContain('2 of 2 cells did not succeed.');
    // A traceback names cells by position, as the page does, not by id.
    write('deep.py', writePercentNotebook({ name: 'D', lazy: false, cells: [{ id: 'def-cell', type: 'python', code: 'def boom():\n    return 1 / 0' }, { id: 'call-cell', type: 'python', code: 'boom()' }] }));
    const deep = rnb('run', 'deep.py');
    expect(deep.stderr).toMatch(/File "<cell 2>", line 1, in <module>[\s\S]*File "<cell 1>", line 2, in boom/);
    expect(deep.stderr).not.toContain('<cell def-cell>');
    expect(rnb('run', 'fails.py', '--set', 'nothing=1')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--set nothing: no Python cell sets "nothing"/) });
  }, 180_000);

  it('loads only what a Python-only notebook needs: not the server, nor the SQL or markdown plugins', () => {
    write('plain.py', writePercentNotebook({ name: 'Plain', lazy: false, cells: [{ id: 'a', type: 'python', code: 'print(6 * 7)' }] }));
    const listed = path.join(dir, 'loaded.json');
    // Every module file the command loaded, written as it exits (module paths are real paths: the workspaces' folders).
    const hook = write('list-modules.js', `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listed)}, JSON.stringify(Object.keys(require.cache))));`);
    const run = spawnSync(process.execPath, ['--require', hook, MAIN, 'run', 'plain.py'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('42\n');
    const loaded = JSON.parse(fs.readFileSync(listed, 'utf8')) as string[];
    const repository = path.resolve(__dirname, '../../..');
    const under = (folder: string): string[] => loaded.filter((file) => file.startsWith(path.join(repository, folder) + path.sep));
    expect(under('plugins/python').length).toBeGreaterThan(0);
    expect(under('app/server')).toEqual([]);
    expect(under('plugins/sql')).toEqual([]);
    expect(under('plugins/markdown')).toEqual([]);
    expect(loaded.filter((file) => /[\\/]node_modules[\\/](koa|socket\.io|alasql|pg|katex)[\\/]/.test(file))).toEqual([]);
  }, 180_000);
});

describe('rnb export and import', () => {
  it('exports to every format, and imports an .ipynb back to the same cells with a report of order problems', () => {
    write('report.py', NOTEBOOK);
    for (const format of ['ipynb', 'html', 'md', 'py']) {
      const { code, stderr } = rnb('export', 'report.py', '--to', format, '-o', `report-out.${format}`);
      expect({ format, code, stderr }).toEqual({ format, code: 0, stderr: `wrote report-out.${format}\n` });
    }
    expect(fs.readFileSync(path.join(dir, 'report-out.py'), 'utf8')).toBe(NOTEBOOK);
    expect(fs.readFileSync(path.join(dir, 'report-out.html'), 'utf8')).toContain('<h1>Report</h1>');
    const imported = rnb('import', 'report-out.ipynb', '-o', 'again.py');
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('warning: cell 2 reads `region`, which is defined below it in cell 3');
    expect(readPercentNotebook(fs.readFileSync(path.join(dir, 'again.py'), 'utf8'))).toEqual(readPercentNotebook(NOTEBOOK));
    // Standard output when no -o is given.
    expect(rnb('export', 'report.py', '--to', 'md').stdout).toContain('```python\ntotal = sum(range(limit))\n```');
  });

  it('carries the packages: a PEP 723 block in .py, metadata.rnb.packages in .ipynb, both ways', () => {
    const withPackages = writePercentNotebook(DEPS_NOTEBOOK);
    write('deps.py', withPackages);
    expect(rnb('export', 'deps.py', '--to', 'ipynb', '-o', 'deps.ipynb').code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'deps.ipynb'), 'utf8')).metadata.rnb.packages).toEqual(['greeter-pkg==1.2.0', 'rich']);
    expect(rnb('import', 'deps.ipynb', '-o', 'back.py').code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'back.py'), 'utf8')).toBe(withPackages);
    expect(rnb('export', 'deps.py', '--to', 'py').stdout).toBe(withPackages);
  });

  it("rnb run installs a file's packages (its PEP 723 block) from the index the environment names", async () => {
    const index = await serveSimpleIndex([makeWheel('greeter_pkg', '1.2.0', 'Hello from the index')]);
    try {
      write('deps.py', writePercentNotebook({ ...DEPS_NOTEBOOK, packages: ['greeter-pkg==1.2.0'], cells: [{ id: 'a', type: 'python', code: 'import greeter_pkg\nprint(greeter_pkg.greet("cli"))' }] }));
      const env = { ...process.env, PYODIDE_PYPI_INDEX_URL: index.url, PYODIDE_PACKAGE_CACHE_DIR: path.join(dir, 'cache') };
      // Spawned, not spawnSync: the index answers from this process.
      const child = spawn(process.execPath, [MAIN, 'run', 'deps.py'], { cwd: dir, env });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining('Hello from the index, cli\n') });
    } finally {
      await index.close();
    }
  }, 120_000);

  it('renders markdown cells with their live values in HTML after --run, keeps their template in .ipynb, and prints no rendering on run', () => {
    write('sales.py', writePercentNotebook({
      name: 'Sales',
      lazy: false,
      cells: [
        { id: 'text', type: 'markdown', code: '# Sales\n\nTotal: **{total:,.1f}** <script>alert(1)</script>' },
        { id: 'calc', type: 'python', code: 'total = 1234.5' },
      ],
    }));
    expect(rnb('export', 'sales.py', '--to', 'html', '--run', '-o', 'sales.html')).toMatchObject({ code: 0 });
    const html = fs.readFileSync(path.join(dir, 'sales.html'), 'utf8');
    expect(html).toContain('<h1>Sales</h1>');
    expect(html).toContain('<p>Total: <strong>1,234.5</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).not.toContain('<script>');
    expect(rnb('export', 'sales.py', '--to', 'ipynb', '--run', '-o', 'sales.ipynb')).toMatchObject({ code: 0 });
    const cells = (JSON.parse(fs.readFileSync(path.join(dir, 'sales.ipynb'), 'utf8')) as { cells: { cell_type: string; source: string[] }[] }).cells;
    expect(cells[0]).toMatchObject({ cell_type: 'markdown', source: ['# Sales\n', '\n', 'Total: **{total:,.1f}** <script>alert(1)</script>'] });
    const ran = rnb('run', 'sales.py');
    expect(ran.code).toBe(0);
    expect(ran.stdout).not.toContain('Total');
  }, 180_000);

  it('exports fresh outputs of real kernels with --run as an .ipynb nbformat validates, and imports it back identically', () => {
    write('report.py', NOTEBOOK);
    expect(rnb('export', 'report.py', '--to', 'ipynb', '--run', '-o', 'ran.ipynb')).toMatchObject({ code: 0 });
    const text = fs.readFileSync(path.join(dir, 'ran.ipynb'), 'utf8');
    const imported = importIpynb(text).notebook;
    expect(imported.cells.find((c) => c.id === 'show')).toMatchObject({ status: 'success', stdout: 'north: 3\n' });
    expect(imported.cells.find((c) => c.id === 'q')!.outputs[0]).toMatchObject({ mime_type: 'application/vnd.notebook.table+json', data: { columns: ['t'], rows: [[3]] } });
    expect(exportIpynb(imported)).toBe(text);
    const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import nbformat']).status === 0);
    if (python) {
      const check = spawnSync(python, ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path.join(dir, 'ran.ipynb')], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    } else if (process.env.CI === 'true') {
      throw new Error('CI=true but python3-nbformat is not installed');
    }
  }, 180_000);

  it('never overwrites a file it cannot parse, and refuses wrong formats', () => {
    write('report.py', NOTEBOOK);
    write('n.ipynb', exportIpynb({ name: 'N', lazy: false, cells: [] }));
    const precious = write('n.py', 'my own script, not a notebook: """\n');
    expect(rnb('import', 'n.ipynb')).toMatchObject({ code: 2, stderr: expect.stringMatching(/n\.py exists and is not a py file rnb can read; it was not overwritten/) });
    expect(fs.readFileSync(precious, 'utf8')).toBe('my own script, not a notebook: """\n');
    const page = write('page.html', '<html>mine</html>');
    expect(rnb('export', 'report.py', '--to', 'html', '-o', 'page.html').code).toBe(2);
    expect(fs.readFileSync(page, 'utf8')).toBe('<html>mine</html>');
    expect(rnb('export', 'report.py', '--to', 'docx').code).toBe(2);
    expect(rnb('import', 'report.py')).toMatchObject({ code: 2, stderr: expect.stringMatching(/reads \.ipynb files/) });
    write('broken.ipynb', '{"cells": ');
    expect(rnb('import', 'broken.ipynb')).toMatchObject({ code: 2, stderr: expect.stringMatching(/broken\.ipynb is not a notebook rnb can read: not JSON/) });
  });
});

describe('rnb run --app', () => {
  it('starts the local server on the file and prints its app view\'s URL with the access token', async () => {
    write('report.py', NOTEBOOK);
    const child = spawn(process.execPath, [MAIN, 'run', '--app', 'report.py', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${text}`)), 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const found = /^(http:\/\/\S+)$/m.exec(text);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`rnb run --app exited with ${code}: ${text}`)));
      });
      const printed = new URL(url);
      expect(printed.pathname).toBe('/app/report');
      const token = printed.searchParams.get('token');
      expect(token).toBeTruthy();
      // The first visit turns the token into a cookie and lands on the app view; the app (code hidden) answers.
      const landing = await fetch(url, { redirect: 'manual' });
      expect([landing.status, landing.headers.get('location')]).toEqual([302, '/app/report']);
      const app = (await (await fetch(new URL('/api/apps/report', url), { headers: { authorization: `Bearer ${token}` } })).json()) as { name: string; cells: { code?: string }[] };
      expect(app.name).toBe('Report');
      expect(app.cells).toHaveLength(5);
      expect(app.cells.every((cell) => cell.code === undefined)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 90_000);

  it('refuses a file that is not a .py notebook', () => {
    expect(rnb('run', '--app', 'missing.py', '--port', '0')).toMatchObject({ code: 2, stderr: expect.stringMatching(/serves an existing \.py notebook file/) });
  });
});

describe('rnb edit', () => {
  it('serves a folder of notebooks with folder storage and prints the URL', async () => {
    write('report.py', NOTEBOOK);
    const child = spawn(process.execPath, [MAIN, 'edit', dir, '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${text}`)), 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const found = /^(http:\/\/\S+)$/m.exec(text);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`rnb edit exited with ${code}: ${text}`)));
      });
      // The printed URL carries the local access token: the API wants it as a bearer token.
      const token = new URL(url).searchParams.get('token');
      const listing = (await (await fetch(new URL('/api/notebooks', url), { headers: token ? { authorization: `Bearer ${token}` } : {} })).json()) as { notebooks?: { id: string; name: string }[] } | { id: string; name: string }[];
      const notebooks = Array.isArray(listing) ? listing : listing.notebooks ?? [];
      expect(notebooks.map((n) => [n.id, n.name])).toEqual([['report', 'Report']]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 90_000);

  it('refuses a notebook file it cannot parse, before anything could write to it', () => {
    const bad = write('bad.py', '# /// rnb\n# name = oops\n# ///\n');
    expect(rnb('edit', 'bad.py', '--port', '0')).toMatchObject({ code: 2, stderr: expect.stringMatching(/bad\.py is not a notebook rnb can read/) });
    expect(fs.readFileSync(bad, 'utf8')).toBe('# /// rnb\n# name = oops\n# ///\n');
  });
});
