/**
 * core/README.md, proved: the language plugin of the guide is taken from the
 * README's own code blocks, written as a package in a folder outside the
 * repository that depends on @rnb/core the way the guide says (installed in
 * its node_modules, no `rnb-source` condition), type-checked and built with
 * TypeScript, loaded by a config file entry with options, and one of its cells
 * runs through the real server and its sandboxed kernel.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { Cell, CreateNotebookAnswer, Notebook } from '@rnb/core/wire';
import { loadConfig } from './config';
import { startServer, type RunningServer } from './start';
import { memoryLogger, request } from './test-support/harness';

const REPO = path.resolve(__dirname, '../../..');
const GUIDE = fs.readFileSync(path.join(REPO, 'core/README.md'), 'utf8');
/** Local mode's access token. */
const TOKEN = 'third-party-language-test';

/** The README's fenced block (of `lang`) whose text contains `marker`. */
function block(lang: string, marker: string): string {
  const blocks = [...GUIDE.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`core/README.md should have one \`\`\`${lang} block with "${marker}", found ${found.length}`);
  return found[0]!;
}

/** Type-checks and compiles the package's sources as its author would (`tsc`), against @rnb/core's built types. */
function build(packageDir: string): string[] {
  const files = ['index.ts', 'runtime.ts'].map((f) => path.join(packageDir, 'src', f));
  const program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    rootDir: path.join(packageDir, 'src'),
    outDir: path.join(packageDir, 'dist'),
    declaration: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(REPO, 'node_modules/@types')],
  });
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('a third-party language written from core/README.md alone', () => {
  let root: string;
  let server: RunningServer | undefined;

  beforeAll(() => {
    // Outside the repository, readable by the kernel's uid (65534 when the server runs as root).
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-third-party-'));
    fs.chmodSync(root, 0o755);
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('builds against @rnb/core, loads with its options from the config file and runs a cell through the server', async () => {
    const packageDir = path.join(root, 'node_modules', 'my-lang');
    fs.mkdirSync(path.join(packageDir, 'src'), { recursive: true });
    fs.writeFileSync(path.join(packageDir, 'package.json'), block('json', '"name": "my-lang"'));
    fs.writeFileSync(path.join(packageDir, 'src', 'index.ts'), block('ts', '// my-lang/src/index.ts'));
    fs.writeFileSync(path.join(packageDir, 'src', 'runtime.ts'), block('ts', '// my-lang/src/runtime.ts'));
    // `npm install @rnb/core` as the guide's package.json asks: here, the repository's built core.
    fs.mkdirSync(path.join(root, 'node_modules', '@rnb'), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'core'), path.join(root, 'node_modules', '@rnb', 'core'), 'dir');

    expect(build(packageDir)).toEqual([]);
    expect(fs.readFileSync(path.join(packageDir, 'dist', 'runtime.js'), 'utf8')).not.toMatch(/require\(["']@rnb\/core/);
    for (const dir of [path.join(root, 'node_modules'), path.join(root, 'node_modules', '@rnb'), packageDir, path.join(packageDir, 'dist')]) fs.chmodSync(dir, 0o755);

    // The config file entry of the guide's "Loading it", with options.
    const configFile = path.join(root, 'notebook.config.json');
    fs.writeFileSync(configFile, JSON.stringify({
      NOTEBOOK_LANGUAGES: [['my-lang', { greeting: 'hello from the config file' }]],
      NOTEBOOK_STORAGE: 'file',
      NOTEBOOK_DIR: path.join(root, 'notebooks'),
      NOTEBOOK_ASSISTANT: 'none',
      WEB_DIR: 'none',
      PORT: 0,
      HOST: '127.0.0.1',
      NOTEBOOK_TOKEN: TOKEN,
    }));
    const config = loadConfig({ NOTEBOOK_CONFIG: configFile }, { cwd: root });
    server = await startServer({ config, logger: memoryLogger().logger, pluginPaths: [root] });
    const api = `http://127.0.0.1:${server.port}/api`;

    const created = (await request(`${api}/notebooks`, 'POST', { body: { name: 'third party' }, token: TOKEN })).body as CreateNotebookAnswer;
    const first = ((await request(`${api}/notebooks/${created.notebook_id}`, 'GET', { token: TOKEN })).body as Notebook).cells[0]!;
    expect(first.type).toBe('mylang');
    const edited = (await request(`${api}/notebooks/${created.notebook_id}/cells/${first.id}`, 'PUT', { body: { code: 'x = 41' }, token: TOKEN })).body as Cell;
    expect(edited.writes).toEqual(['x']);
    const second = (await request(`${api}/notebooks/${created.notebook_id}/cells`, 'POST', { body: { type: 'mylang', code: 'y = $x and one' }, token: TOKEN })).body as { cell: Cell };
    expect(second.cell).toMatchObject({ reads: ['x'], writes: ['y'] });

    expect((await request(`${api}/notebooks/${created.notebook_id}/cells/${first.id}/run`, 'POST', { token: TOKEN })).status).toBe(202);
    await server.notebooks.service.whenIdle('local', created.notebook_id);

    const cells = ((await request(`${api}/notebooks/${created.notebook_id}`, 'GET', { token: TOKEN })).body as Notebook).cells;
    expect(cells.map((c) => [c.status, c.stdout, c.outputs, c.error])).toEqual([
      ['success', 'hello from the config file\n', [{ mime_type: 'text/plain', data: 'x = 41' }], null],
      ['success', 'hello from the config file\n', [{ mime_type: 'text/plain', data: 'y = 41 and one' }], null],
    ]);
  });
});
