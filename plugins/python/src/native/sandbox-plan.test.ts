/**
 * Where bubblewrap is missing: local mode starts with a warning naming it,
 * multi-user mode refuses unless the operator accepted running unsandboxed.
 * bwrap is hidden by pointing PATH at an empty folder.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestKernel, describeNeeding, notebookWith } from '@rnb/core/testing';
import { NATIVE_DRIVER, nativePythonLanguage } from './native-language';
import { NATIVE_PYTHON, nativeMissing } from './testing/native-env';

describeNeeding('the native runtime without bubblewrap', nativeMissing(), () => {
  const savedPath = process.env['PATH'];
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-no-bwrap-'));
  beforeEach(() => {
    process.env['PATH'] = empty;
  });
  afterEach(() => {
    process.env['PATH'] = savedPath;
  });
  afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

  it('starts in local mode, naming what is missing, and runs cells', async () => {
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON, multiUser: false });
    expect(native.missing).toEqual([expect.stringMatching(/^bubblewrap .*server's files visible/)]);
    // The interpreter itself, no bwrap in front of it.
    expect((native.definition.runtime.options as { argv: string[] }).argv[0]).toBe(NATIVE_PYTHON);
    process.env['PATH'] = savedPath;
    const kernel = await createTestKernel({ languages: [native.definition] });
    try {
      const nb = await notebookWith(kernel, 'pat', ['print(6 * 7)'], 'python');
      await nb.run(0);
      expect((await nb.state())[0]!.stdout).toBe('42\n');
    } finally {
      await kernel.close();
    }
  }, 60_000);

  it('refuses in multi-user mode, saying how to proceed', () => {
    expect(() => nativePythonLanguage({ executable: NATIVE_PYTHON, multiUser: true })).toThrow(
      /refuses to start in multi-user mode without its sandbox: bubblewrap .*PYTHON_NATIVE_UNSANDBOXED=1/,
    );
  });

  it('starts in multi-user mode when PYTHON_NATIVE_UNSANDBOXED=1 accepts it', () => {
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON, multiUser: true, allowUnsandboxed: true });
    expect(native.missing).toHaveLength(1);
  });

  it('with bubblewrap on the PATH, every layer is in the command line', () => {
    process.env['PATH'] = savedPath;
    const argv = (nativePythonLanguage({ executable: NATIVE_PYTHON, multiUser: true }).definition.runtime.options as { argv: string[] }).argv;
    expect(argv[0]).toMatch(/\/bwrap$/);
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--tmpfs']) expect(argv).toContain(flag);
    expect(argv.slice(argv.indexOf('--uid'), argv.indexOf('--uid') + 2)).toEqual(['--uid', '65534']);
    expect(argv).not.toContain(process.cwd());
  });
});

describeNeeding('the native runtime with a virtualenv', nativeMissing(), () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-venv-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  function makeVenv(folder: string): string {
    const made = spawnSync(NATIVE_PYTHON, ['-m', 'venv', '--without-pip', '--system-site-packages', folder]);
    if (made.status !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`);
    return path.join(folder, 'bin', 'python');
  }

  it("runs cells in the virtualenv's interpreter, its folder readable inside the sandbox", async () => {
    fs.chmodSync(root, 0o755);
    const venv = path.join(root, 'team-venv');
    const native = nativePythonLanguage({ executable: makeVenv(venv) });
    expect(native.interpreter.ownFolders).toEqual([venv]);
    const kernel = await createTestKernel({ languages: [native.definition] });
    try {
      const nb = await notebookWith(kernel, 'pat', ['import sys, numpy\nprint(sys.prefix, sys.prefix != sys.base_prefix)'], 'python');
      await nb.run(0);
      expect((await nb.state())[0]!.stdout).toBe(`${venv} True\n`);
    } finally {
      await kernel.close();
    }
  }, 60_000);

  it('refuses, naming the folder, when the server is root and uid 65534 cannot reach the virtualenv', () => {
    if (process.getuid?.() !== 0) return; // kernels switch uid only when the server is root
    const hidden = path.join(root, 'private');
    fs.mkdirSync(hidden, { mode: 0o700 });
    const executable = makeVenv(path.join(hidden, 'venv'));
    expect(() => nativePythonLanguage({ executable })).toThrow(new RegExp(`${hidden} is not readable by uid 65534.*chmod o\\+rx`));
  });
});

describeNeeding('the kernel modules compiled ahead of the sandboxes', nativeMissing(), () => {
  it('compiles the driver folder in the server, so each sandboxed CPython reads the bytecode rather than compiling', async () => {
    const folder = path.dirname(NATIVE_DRIVER);
    for (const cache of [path.join(folder, '__pycache__'), path.join(folder, 'rnb', '__pycache__')]) fs.rmSync(cache, { recursive: true, force: true });
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON });
    const compiled = fs.readdirSync(path.join(folder, '__pycache__'));
    expect(compiled).toEqual(expect.arrayContaining([expect.stringMatching(/^_rnb_runner\.cpython-\d+\.pyc$/), expect.stringMatching(/^rnb_display\./)]));
    // Python's own tests are not the kernel's.
    expect(compiled.filter((name) => name.startsWith('test_') || name.startsWith('kernel_test_support'))).toEqual([]);
    const kernel = await createTestKernel({ languages: [native.definition] });
    try {
      // The sandbox binds the folder read-only and its CPython writes no bytecode: what it finds there, the server made.
      // The driver itself too: imported by its launcher, not compiled as a script.
      const nb = await notebookWith(kernel, 'pat', ['import os, sys\nprint([os.path.exists(sys.modules[name].__cached__) for name in ("native_driver", "_rnb_runner", "rnb_display", "rnb.ui")])'], 'python');
      await nb.run(0);
      expect((await nb.state())[0]!.stdout).toBe('[True, True, True, True]\n');
    } finally {
      await kernel.close();
    }
  }, 60_000);
});
