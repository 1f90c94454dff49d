/**
 * Builds a Pyodide memory snapshot at build time (`npm run build:ts` runs this
 * file), so a kernel starts Python from it in about a second instead of
 * loading the interpreter and its standard library from scratch (about three).
 *
 * The snapshot is made here, by the build, never by a kernel: a kernel runs
 * hostile code and could hand back a poisoned one. It holds a freshly loaded
 * interpreter only (no user code, no host references), and it is tied to the
 * Pyodide version it was made with: a mismatch, a missing or an unreadable file
 * just means the kernel loads Pyodide the slow way. Pyodide's snapshot API is
 * private (`_makeSnapshot`, `_loadSnapshot`), hence the fallback everywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the build puts the snapshot: next to the compiled runtime, inside the package the kernel may read. */
export const SNAPSHOT_FILE = path.resolve(__dirname, '..', '..', 'dist', 'pyodide.snapshot');

interface SnapshotMeta {
  pyodideVersion: string;
  bytes: number;
}

function pyodideVersion(pyodideDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(pyodideDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The snapshot to start kernels from, or null when there is none that fits this Pyodide. */
export function usableSnapshot(pyodideDir: string, file = SNAPSHOT_FILE): string | null {
  try {
    const meta = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as SnapshotMeta;
    if (meta.pyodideVersion !== pyodideVersion(pyodideDir)) return null;
    return fs.statSync(file).size === meta.bytes ? file : null;
  } catch {
    return null;
  }
}

/** Makes the snapshot unless a fitting one is there already. */
export async function makeSnapshot(pyodideDir: string, file = SNAPSHOT_FILE): Promise<'made' | 'kept'> {
  if (usableSnapshot(pyodideDir, file)) return 'kept';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadPyodide } = require(path.join(pyodideDir, 'pyodide.js')) as {
    loadPyodide(config: Record<string, unknown>): Promise<{ makeMemorySnapshot(): Uint8Array }>;
  };
  const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep, _makeSnapshot: true, env: { HOME: '/home/pyodide' } });
  const snapshot = pyodide.makeMemorySnapshot();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written under temporary names and renamed, so a kernel never reads half a snapshot.
  fs.writeFileSync(`${file}.tmp`, snapshot);
  fs.renameSync(`${file}.tmp`, file);
  const meta: SnapshotMeta = { pyodideVersion: pyodideVersion(pyodideDir), bytes: snapshot.length };
  fs.writeFileSync(`${file}.json.tmp`, JSON.stringify(meta));
  fs.renameSync(`${file}.json.tmp`, `${file}.json`);
  return 'made';
}

if (require.main === module) {
  const started = Date.now();
  const dir = path.dirname(require.resolve('pyodide/package.json'));
  makeSnapshot(dir).then(
    (what) => {
      if (what === 'made') console.log(`@rnb/plugin-python: Pyodide snapshot made in ${Date.now() - started} ms (${SNAPSHOT_FILE})`);
    },
    (error: unknown) => {
      // Not fatal: kernels then load Pyodide without it, only slower.
      console.warn(`@rnb/plugin-python: no Pyodide snapshot (${(error as Error)?.message ?? String(error)}); kernels will start slower.`);
    },
  );
}
