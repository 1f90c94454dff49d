/**
 * The plugin's Python files (python/_rnb_runner.py, python/rnb_*.py, python/rnb/) checked by Python's own tests (python/test_*.py, unittest), with every
 * interpreter here: Debian's python3 (pandas, matplotlib) and the one on PATH (which may have the real IPython).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelFiles, PYTHON_SOURCE_DIR } from './runtime/python-sources';

function interpreters(): string[] {
  const found = new Set<string>();
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
    if (probe.status === 0) found.add(probe.stdout.trim());
  }
  return [...found];
}

const available = interpreters();

describe("the kernel's Python files, by Python's unittest", () => {
  it('has an interpreter to run them with', () => {
    expect(available.length).toBeGreaterThan(0);
  });

  it.each(available)('passes with %s', (python) => {
    // The bytecode cache goes elsewhere: the plugin folder stays as committed.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-pycache-'));
    try {
      const run = spawnSync(python, ['-m', 'unittest', 'discover', '-s', PYTHON_SOURCE_DIR, '-p', 'test_*.py'], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPYCACHEPREFIX: cache, MPLCONFIGDIR: cache },
        timeout: 120_000,
      });
      expect(run.stderr).toMatch(/\nOK( \(skipped=\d+\))?\n$/);
      expect(run.stderr).toMatch(/Ran [1-9]\d* tests/);
      expect(run.status).toBe(0);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('the files a kernel gets', () => {
  it('holds every module a kernel module imports of ours, and no test', () => {
    const files = kernelFiles();
    const modules = new Set(files.map(([file]) => file.replace(/\/__init__\.py$/, '').replace(/\.py$/, '').replace(/\//g, '.')));
    const imported = new Set<string>();
    for (const [, source] of files) {
      for (const match of source.matchAll(/^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))/gm)) {
        const name = (match[1] ?? match[2])!;
        if (/^_?rnb/.test(name)) imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    expect([...imported].filter((name) => !modules.has(name))).toEqual([]);
    expect(files.filter(([file]) => /(^|\/)test_|native_driver|kernel_test_support/.test(file))).toEqual([]);
  });
});
