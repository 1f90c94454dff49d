/**
 * The plugin's settings: PYTHON_RUNTIME picks the runtime module, a bad value
 * is refused, and a missing sandbox layer is logged as a warning naming it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { languageRegistryPlugin, LanguageRegistry, PluginHost } from '@rnb/core';
import { describeNeeding } from '@rnb/core/testing';
import pythonPlugin from '../index';
import { NATIVE_PYTHON, nativeMissing } from './testing/native-env';

async function start(config: Record<string, string>): Promise<{ module: string; warnings: string[] }> {
  const warnings: string[] = [];
  const host = new PluginHost({ config, log: (level, message) => (level === 'warn' ? warnings.push(message) : undefined) }).register(languageRegistryPlugin, pythonPlugin());
  await host.start();
  return { module: host.get(LanguageRegistry).get('python')!.runtime.module, warnings };
}

it('uses Pyodide unless PYTHON_RUNTIME says native, and refuses anything else', async () => {
  expect((await start({})).module).toMatch(/python-runtime\.js$/);
  await expect(start({ PYTHON_RUNTIME: 'cpython' })).rejects.toThrow(/PYTHON_RUNTIME must be "pyodide" or "native", not "cpython"/);
});

describeNeeding('PYTHON_RUNTIME=native', nativeMissing(), () => {
  it('loads the native runtime module with every layer, and no warning', async () => {
    const started = await start({ PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: NATIVE_PYTHON });
    expect(started.module).toMatch(/native-runtime\.js$/);
    expect(started.warnings).toEqual([]);
  });

  it('warns in local mode, naming the missing layer, when bubblewrap is not on the PATH', async () => {
    const saved = process.env['PATH'];
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-no-bwrap-'));
    process.env['PATH'] = empty;
    try {
      const started = await start({ PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: NATIVE_PYTHON, NOTEBOOK_AUTH: 'none' });
      expect(started.warnings).toEqual([expect.stringMatching(/^native Python sandbox layer missing: bubblewrap/)]);
      await expect(start({ PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: NATIVE_PYTHON, NOTEBOOK_AUTH: 'clerk' })).rejects.toThrow(/refuses to start in multi-user mode/);
    } finally {
      process.env['PATH'] = saved;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
