import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pyodideDir } from '../index';
import { KERNEL_MODULES } from '../runtime/python-sources';
import { heapRunsOf } from '../runtime/snapshot-restore';
import { snapshotDigest, snapshotHeapRuns, usableSnapshot } from './make-snapshot';

describe('usableSnapshot', () => {
  let dir: string;
  let file: string;
  const version = (JSON.parse(fs.readFileSync(path.join(pyodideDir(), 'package.json'), 'utf8')) as { version: string }).version;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-snapshot-'));
    file = path.join(dir, 'pyodide.snapshot');
    fs.writeFileSync(file, Buffer.alloc(64, 1));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const contents = snapshotDigest();

  it('accepts a snapshot of this Pyodide version and these kernel files with the recorded size', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, bytes: 64, contents }));
    expect(usableSnapshot(pyodideDir(), file)).toBe(file);
  });

  it('refuses one made by another Pyodide version', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: '0.0.1', bytes: 64, contents }));
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
  });

  it('refuses one whose imported kernel modules are stale: made from other kernel files, or before it recorded them', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, bytes: 64, contents }));
    const edited = snapshotDigest([['_rnb_runner.py', 'G = {}\n']]);
    expect(usableSnapshot(pyodideDir(), file, edited)).toBeNull();
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, bytes: 64 }));
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
  });

  it('refuses a truncated file, a missing description and a missing file', () => {
    fs.writeFileSync(`${file}.json`, JSON.stringify({ pyodideVersion: version, bytes: 65, contents }));
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
    fs.rmSync(`${file}.json`);
    expect(usableSnapshot(pyodideDir(), file)).toBeNull();
    expect(usableSnapshot(pyodideDir(), path.join(dir, 'none'))).toBeNull();
  });
});

describe("the build's snapshot", () => {
  it("records its heap's runs of non-zero pages, which a kernel reads alone (runtime/snapshot-restore.ts)", () => {
    const snapshot = usableSnapshot(pyodideDir())!;
    const bytes = fs.readFileSync(snapshot);
    const runs = snapshotHeapRuns(snapshot);
    expect(runs).not.toBeNull();
    expect(runs).toEqual(heapRunsOf(bytes.subarray(bytes.readUInt32LE(4))));
  });

  it('holds the kernel modules, and the modules the hardening patches, imported: a kernel restored from it does not compile them again', () => {
    // npm run build:ts makes it (make-snapshot.ts). Pyodide does not load inside Jest's module sandbox: a Node process
    // restores it as a kernel does (runtime/snapshot-restore.ts, built).
    const snapshot = usableSnapshot(pyodideDir());
    expect(snapshot).not.toBeNull();
    const restore = path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'snapshot-restore.js');
    const script = `
      const path = require('node:path');
      const { loadSnapshotSparsely } = require(${JSON.stringify(restore)});
      const dir = ${JSON.stringify(pyodideDir())};
      const { loadPyodide } = require(path.join(dir, 'pyodide.js'));
      loadSnapshotSparsely(${JSON.stringify(snapshot)}, (bytes) => loadPyodide({ indexURL: dir + path.sep, env: { HOME: '/home/pyodide' }, _loadSnapshot: bytes }), ${JSON.stringify(snapshotHeapRuns(snapshot!))}).then(({ value }) => {
        process.stdout.write(value.runPython(\`import json, sys; json.dumps({
          "imported": [name for name in ${JSON.stringify(KERNEL_MODULES)} if name in sys.modules],
          "forHardening": [name for name in ("pyodide._run_js", "subprocess") if name in sys.modules],
          "leftInGlobals": [name for name in ("importlib", "_name") if name in globals()],
        })\`));
      });`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    const found = JSON.parse(run.stdout) as { imported: string[]; forHardening: string[]; leftInGlobals: string[] };
    expect(found.imported).toEqual([...KERNEL_MODULES]);
    expect(found.forHardening).toEqual(['pyodide._run_js', 'subprocess']);
    // Imported in globals of their own: the notebook's namespace starts as Pyodide leaves it.
    expect(found.leftInGlobals).toEqual([]);
  }, 150_000);
});
