import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pyodideDir } from '../index';
import { codeCacheOfLastLoad, importBuiltin, loadPyodideModule, PYODIDE_MODULE_FILE, scriptSourceOf } from './pyodide-module';

describe('scriptSourceOf', () => {
  it("turns this Pyodide's module into a classic script: no import.meta, no static export, dynamic imports through the wrapper", () => {
    const text = fs.readFileSync(path.join(pyodideDir(), PYODIDE_MODULE_FILE), 'utf8');
    const source = scriptSourceOf(text);
    expect(source).not.toBeNull();
    expect(source).not.toContain('import.meta');
    expect(source).not.toContain('export default');
    expect(source).not.toMatch(/(?<![\w$.])import\(/);
    // Pyodide's own pyimport() calls are left alone.
    expect(source!.split('pyimport(').length).toBe(text.split('pyimport(').length);
  });

  it('refuses a text not shaped as expected (Pyodide then imports the module itself)', () => {
    expect(scriptSourceOf('export default function other() {}')).toBeNull();
    expect(scriptSourceOf('async function _createPyodideModule() {}\nexport default _createPyodideModule;\nexport default _createPyodideModule;')).toBeNull();
  });
});

describe('loadPyodideModule', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-code-cache-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** loadPyodideModule in a worker thread of its own: V8's in-memory compilation cache is per thread, and would answer instead. */
  async function codeCacheIn(cacheFile: string | null, report = 'loaded.codeCache'): Promise<string> {
    const moduleFile = path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'pyodide-module.js');
    const worker = new Worker(
      `const { loadPyodideModule } = require(${JSON.stringify(moduleFile)});
       const loaded = loadPyodideModule(${JSON.stringify(pyodideDir())}, ${JSON.stringify(cacheFile)});
       require('node:worker_threads').parentPort.postMessage(typeof loaded.createPyodideModule === 'function' ? ${report} : 'no factory');`,
      { eval: true },
    );
    try {
      return await new Promise<string>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    } finally {
      await worker.terminate();
    }
  }

  it('compiles with a cache V8 accepts, says when it rejects one, and without one', async () => {
    expect(loadPyodideModule(pyodideDir(), null)!.codeCache).toBe('none');
    const cache = path.join(dir, 'pyodide.asm.codecache');
    fs.writeFileSync(cache, codeCacheOfLastLoad()!);
    expect(await codeCacheIn(cache)).toBe('used');
    fs.writeFileSync(cache, Buffer.alloc(4096, 7));
    expect(await codeCacheIn(cache)).toBe('rejected');
    expect(await codeCacheIn(path.join(dir, 'missing'))).toBe('none');
  });

  it('compiles the script source the build wrote beside the cache, not the module text again', async () => {
    const cache = path.join(dir, 'pyodide.asm.codecache');
    fs.writeFileSync(cache, Buffer.alloc(16));
    fs.writeFileSync(`${cache}.js`, '(function (__rnbImportMetaUrl, __rnbImport) { return async function fromTheScriptFile() {}; })');
    expect(await codeCacheIn(cache, 'loaded.createPyodideModule.name')).toBe('fromTheScriptFile');
    // Without it, the module's text as before.
    fs.rmSync(`${cache}.js`);
    expect(await codeCacheIn(cache, 'loaded.createPyodideModule.name')).toBe('_createPyodideModule');
  });

  it("gives the module's dynamic imports Node built-ins only", async () => {
    const namespace = (await importBuiltin('node:path')) as { default: { join: unknown }; join: unknown };
    expect(typeof namespace.join).toBe('function');
    expect(namespace.default.join).toBe(namespace.join);
    await expect(importBuiltin('file:///etc/passwd')).rejects.toThrow(/only Node built-ins/);
    await expect(importBuiltin('ws')).rejects.toThrow(/only Node built-ins/);
    // Never a copy of child_process the hardening's patch would miss.
    await expect(importBuiltin('node:child_process')).rejects.toThrow(/other than child_process/);
  });
});

describe('the runtime module', () => {
  it('does not load node:crypto when the kernel loads it (a wheel check loads it at its first use)', async () => {
    // The built file, as the kernel loads it (this test runs from src/).
    const runtimeModule = path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'python-runtime.js');
    const worker = new Worker(`require(${JSON.stringify(runtimeModule)}); require('node:worker_threads').parentPort.postMessage(process.moduleLoadList.filter((m) => /crypto/.test(m)));`, { eval: true });
    const loaded = await new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(loaded).toEqual([]);
  });
});
