/**
 * Builds a Pyodide memory snapshot at build time (`npm run build:ts` runs this
 * file), so a kernel starts Python from it in about a second instead of
 * loading the interpreter and its standard library from scratch (about three).
 *
 * The snapshot is made here, by the build, never by a kernel: a kernel runs
 * hostile code and could hand back a poisoned one. It holds a freshly loaded
 * interpreter with the plugin's kernel modules imported (python/, see
 * KERNEL_MODULES: importing them costs a kernel about half a second of CPU),
 * no user code and no host references. It is tied to the Pyodide version and
 * to the kernel files it was made with: a mismatch, a missing or an unreadable
 * file just means the kernel loads Pyodide the slow way. Pyodide's snapshot
 * API is private (`_makeSnapshot`, `_loadSnapshot`), hence the fallback everywhere.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LIMITS, kernelV8Flags } from '@rnb/core';
import { CODE_CACHE_PATH, usableCodeCache } from './make-code-cache';
import { heapRunsOf } from '../runtime/snapshot-restore';
import { IMPORT_KERNEL_MODULES, KERNEL_MODULE_DIR, kernelFiles, kernelFilesDigest } from '../runtime/python-sources';
import { replaceFile } from './replace-file';
import { SNAPSHOT_FILE, snapshotHeapRuns, type SnapshotMeta } from './snapshot-meta';

export { SNAPSHOT_FILE, snapshotHeapRuns } from './snapshot-meta';


function pyodideVersion(pyodideDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(pyodideDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Pyodide's modules the runtime's hardening imports to patch them (hardening.ts, `hardenPython`): imported here too
 * (pyodide._run_js alone costs a kernel about 80 ms of CPU). Only imported: the hardening itself runs in every kernel.
 */
const IMPORT_FOR_HARDENING = `
import pyodide.code, pyodide._run_js, pyodide.webloop, subprocess
`;

/** The Python the build runs before taking the snapshot, in globals of its own. */
const SNAPSHOT_PYTHON = IMPORT_KERNEL_MODULES + IMPORT_FOR_HARDENING;

/**
 * What a snapshot holds besides a fresh Pyodide: the kernel files it imported and the Python it ran. A kernel file
 * changed since the build makes the snapshot's modules stale.
 */
export function snapshotDigest(files: readonly [string, string][] = kernelFiles()): string {
  return createHash('sha256').update(kernelFilesDigest(files)).update('\0').update(SNAPSHOT_PYTHON).digest('hex');
}

/**
 * The snapshot to start kernels from, or null when there is none that fits this Pyodide and these kernel files
 * (`digest`: snapshotDigest() of the files kernels will use; one changed since the build, the snapshot's modules
 * are stale, and kernels load Pyodide without it until the next build).
 */
export function usableSnapshot(pyodideDir: string, file = SNAPSHOT_FILE, digest = snapshotDigest()): string | null {
  try {
    const meta = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as SnapshotMeta;
    if (meta.pyodideVersion !== pyodideVersion(pyodideDir) || meta.contents !== digest) return null;
    return fs.statSync(file).size === meta.bytes ? file : null;
  } catch {
    return null;
  }
}

/** What of Pyodide making the snapshot uses. */
interface SnapshotPyodide {
  FS: { mkdirTree(path: string): void; writeFile(path: string, data: string): void };
  globals: { get(name: 'dict'): () => { destroy(): void } };
  runPython(code: string, options: { globals: { destroy(): void } }): unknown;
  makeMemorySnapshot(): Uint8Array;
}

/** Makes the snapshot unless a fitting one is there already. */
export async function makeSnapshot(pyodideDir: string, file = SNAPSHOT_FILE): Promise<'made' | 'kept'> {
  if (usableSnapshot(pyodideDir, file) && snapshotHeapRuns(file)) return 'kept';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadPyodide } = require(path.join(pyodideDir, 'pyodide.js')) as {
    loadPyodide(config: Record<string, unknown>): Promise<SnapshotPyodide>;
  };
  const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep, _makeSnapshot: true, env: { HOME: '/home/pyodide' } });
  // The kernel modules, imported as a kernel imports them (python-runtime.ts), in globals of their own: the snapshot
  // keeps the modules, not the files (a kernel writes those again, for the modules imported lazily).
  const files = kernelFiles();
  for (const [name, source] of files) {
    const target = `${KERNEL_MODULE_DIR}/${name}`;
    pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf('/')));
    pyodide.FS.writeFile(target, source);
  }
  const globals = pyodide.globals.get('dict')();
  pyodide.runPython(SNAPSHOT_PYTHON, { globals });
  globals.destroy();
  const snapshot = pyodide.makeMemorySnapshot();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  replaceFile(file, snapshot);
  const heapOffset = Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.length).readUInt32LE(4);
  const heapRuns = heapRunsOf(snapshot.subarray(heapOffset));
  const meta: SnapshotMeta = { pyodideVersion: pyodideVersion(pyodideDir), bytes: snapshot.length, contents: snapshotDigest(files), heapRuns };
  replaceFile(`${file}.json`, JSON.stringify(meta));
  return 'made';
}

/**
 * Makes the code cache of pyodide.asm.mjs (make-code-cache.ts) unless a usable one is there: in a Node process with a
 * kernel's V8 flags (the default heap limit; a kernel with other limits or node flags compiles without it).
 */
function makeCodeCacheFor(pyodideDir: string): void {
  if (usableCodeCache(pyodideDir)) return;
  const started = Date.now();
  const maker = path.join(__dirname, 'make-code-cache.js');
  const snapshot = usableSnapshot(pyodideDir) ?? '';
  const made = spawnSync(process.execPath, [...kernelV8Flags(DEFAULT_LIMITS.workerHeapMb), maker, pyodideDir, snapshot], { stdio: 'inherit' });
  if (made.status === 0) console.log(`@rnb/plugin-python: code cache of Pyodide's module made in ${Date.now() - started} ms (${CODE_CACHE_PATH})`);
}

if (require.main === module) {
  const started = Date.now();
  const dir = path.dirname(require.resolve('pyodide/package.json'));
  makeSnapshot(dir).then(
    (what) => {
      if (what === 'made') console.log(`@rnb/plugin-python: Pyodide snapshot made in ${Date.now() - started} ms (${SNAPSHOT_FILE})`);
      makeCodeCacheFor(dir);
    },
    (error: unknown) => {
      // Not fatal: kernels then load Pyodide without it, only slower.
      console.warn(`@rnb/plugin-python: no Pyodide snapshot (${(error as Error)?.message ?? String(error)}); kernels will start slower.`);
      makeCodeCacheFor(dir);
    },
  );
}
