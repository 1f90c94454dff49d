/**
 * Makes the V8 code cache of pyodide.asm.mjs (runtime/pyodide-module.ts) at build time, after the snapshot: run by
 * make-snapshot.ts in a Node process of its own with a kernel's V8 flags (core's kernelV8Flags: V8 accepts a cache
 * only where its flags are the ones it was made with). That process starts the Python runtime as a kernel worker does
 * (from the snapshot) and runs one cell, then writes the cache of the module with every function compiled so far:
 * those Pyodide's start-up and a first cell call, not only the module's top level.
 *
 * Like the snapshot it is made here, never by a kernel (a kernel runs hostile code), and tied to what it was made
 * with: the Pyodide version and the Node version are recorded and checked (usableCodeCache), V8 checks its own
 * version, its flags and the source's length; a mismatch means kernels compile the module without it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CellIO, LanguageRuntime, RuntimeContext } from '@rnb/core';
import { CODE_CACHE_FILE, codeCacheOfLastLoad, PYODIDE_MODULE_FILE, scriptFileOf, scriptSourceOf } from '../runtime/pyodide-module';
import { snapshotHeapRuns } from './snapshot-meta';
import { replaceFile } from './replace-file';

/** Where the build puts the cache: beside the snapshot, inside the package the kernel may read. */
export const CODE_CACHE_PATH = path.resolve(__dirname, '..', '..', 'dist', CODE_CACHE_FILE);

interface CodeCacheMeta {
  pyodideVersion: string;
  node: string;
  bytes: number;
  /** The script source beside it (pyodide-module.ts, scriptFileOf), in UTF-8 bytes. */
  scriptBytes: number;
}

function pyodideVersion(pyodideDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(pyodideDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The cache to compile kernels' pyodide.asm.mjs with, or null when there is none made for this Pyodide and this Node. */
export function usableCodeCache(pyodideDir: string, file = CODE_CACHE_PATH): string | null {
  try {
    const meta = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as CodeCacheMeta;
    if (meta.pyodideVersion !== pyodideVersion(pyodideDir) || meta.node !== process.version) return null;
    return fs.statSync(file).size === meta.bytes && fs.statSync(scriptFileOf(file)).size === meta.scriptBytes ? file : null;
  } catch {
    return null;
  }
}

/** Starts the runtime as a kernel worker would (from `snapshotPath`), runs a cell, and writes the cache to `file`. */
export async function makeCodeCache(pyodideDir: string, snapshotPath: string | null, file = CODE_CACHE_PATH): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const createRuntime = (require('../runtime/python-runtime') as { default: (context: RuntimeContext) => Promise<LanguageRuntime> }).default;
  const quiet = (): void => undefined;
  const context = {
    language: 'python',
    // No cell of this run defines or reads a name: the namespace is never asked.
    namespace: {} as RuntimeContext['namespace'],
    options: { pyodideDir, snapshotPath, snapshotHeapRuns: snapshotPath ? snapshotHeapRuns(snapshotPath) : null, codeCachePath: null, packageBaseUrl: null, wheelsDir: null, bundledLock: false, pypi: false },
    interruptBuffer: new Int32Array(new SharedArrayBuffer(4)),
    hostCall: () => Promise.reject(new Error('no host services while building')),
    log: quiet,
    startup: 'waited-on',
  } as unknown as RuntimeContext;
  const runtime = await createRuntime(context);
  const io: CellIO = { stdout: quiet, stderr: quiet, output: quiet, signal: new AbortController().signal };
  await runtime.run({ cellId: 'build', code: 'x = 6 * 7\nprint(x)\nx', defines: [], references: [] }, io);
  const cache = codeCacheOfLastLoad();
  if (!cache) throw new Error('the runtime did not compile pyodide.asm.mjs itself');
  // The very text the cache was made from (V8 checks a cache against its source's length).
  const script = scriptSourceOf(fs.readFileSync(path.join(pyodideDir, PYODIDE_MODULE_FILE), 'utf8'));
  if (script === null) throw new Error(`${PYODIDE_MODULE_FILE} is not shaped as expected`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  replaceFile(file, cache);
  replaceFile(scriptFileOf(file), script);
  const meta: CodeCacheMeta = { pyodideVersion: pyodideVersion(pyodideDir), node: process.version, bytes: cache.length, scriptBytes: Buffer.byteLength(script) };
  replaceFile(`${file}.json`, JSON.stringify(meta));
  return cache.length;
}

if (require.main === module) {
  const [pyodideDir, snapshotPath] = process.argv.slice(2);
  makeCodeCache(pyodideDir!, snapshotPath || null).then(
    () => process.exit(0),
    (error: unknown) => {
      console.warn(`@rnb/plugin-python: no code cache of Pyodide's module (${(error as Error)?.message ?? String(error)}); kernels will start slower.`);
      process.exit(1);
    },
  );
}
