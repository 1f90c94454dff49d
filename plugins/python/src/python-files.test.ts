/**
 * The plugin's Python files (python/_rnb_runner.py, python/rnb_*.py, python/rnb/) checked by Python's own tests (python/test_*.py, unittest), with every
 * interpreter here: Debian's python3 (pandas, matplotlib) and the one on PATH (which may have the real IPython).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KERNEL_FILES, PYTHON_SOURCE_DIR } from './runtime/python-sources';

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

describe('the files Pyodide gets', () => {
  it('are every kernel module in python/ (Pyodide imports only what is written into its file system)', () => {
    const modules = (dir: string, prefix = ''): string[] =>
      fs.readdirSync(path.join(PYTHON_SOURCE_DIR, dir), { withFileTypes: true }).flatMap((entry) => {
        if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : modules(path.join(dir, entry.name), `${prefix}${entry.name}/`);
        return entry.name.endsWith('.py') ? [`${prefix}${entry.name}`] : [];
      });
    // Not for the kernel: the tests, their helper, and the native runtime's driver (which runs them from this folder).
    const shipped = modules('').filter((file) => !/^test_|^kernel_test_support\.py$|^native_driver\.py$/.test(file));
    expect([...KERNEL_FILES].sort()).toEqual(shipped.sort());
  });
});
