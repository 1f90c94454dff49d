/**
 * Where packages come from, as the plugin decides from the settings: the
 * official Pyodide host and PyPI for one local user, only what the operator
 * configured with sign-in on.
 */
import { LanguageRegistry, PluginHost, languageRegistryPlugin, type LanguageDefinition } from '@rnb/core';
import pythonPlugin, { officialPackageUrl } from './index';
import { PACKAGE_SERVICE, PYPI_SERVICE } from './runtime/packages';

async function pythonWith(config: Record<string, string>): Promise<LanguageDefinition> {
  const host = new PluginHost({ config, log: () => undefined });
  host.register(languageRegistryPlugin, pythonPlugin());
  await host.start();
  try {
    return host.get(LanguageRegistry).get('python')!;
  } finally {
    await host.stop();
  }
}

const optionsOf = (language: LanguageDefinition) => language.runtime.options as Record<string, unknown>;

it('uses the official host for the exact Pyodide version (its lock file shipped in the package) and PyPI without sign-in', async () => {
  const { version } = require('pyodide/package.json') as { version: string };
  expect(officialPackageUrl()).toBe(`https://cdn.jsdelivr.net/pyodide/v${version}/full/`);
  const language = await pythonWith({ NOTEBOOK_AUTH: 'none' });
  expect(optionsOf(language)).toMatchObject({ packageBaseUrl: officialPackageUrl(), bundledLock: true, pypi: true });
  expect(Object.keys(language.hostServices ?? {}).sort()).toEqual([PACKAGE_SERVICE, PYPI_SERVICE]);
});

it('offers nothing by default with sign-in on', async () => {
  const language = await pythonWith({ NOTEBOOK_AUTH: 'clerk' });
  expect(optionsOf(language)).toMatchObject({ packageBaseUrl: null, wheelsDir: null, bundledLock: false, pypi: false });
  expect(language.hostServices).toEqual({});
});

it("with sign-in on, uses only the operator's mirror, wheels folder and index", async () => {
  const language = await pythonWith({
    NOTEBOOK_AUTH: 'clerk',
    PYODIDE_PACKAGE_BASE_URL: 'https://mirror.example/pyodide/',
    PYODIDE_WHEELS_DIR: '/srv/wheels',
    PYODIDE_PYPI_INDEX_URL: 'https://pypi.example/simple/',
  });
  expect(optionsOf(language)).toMatchObject({ packageBaseUrl: 'https://mirror.example/pyodide/', wheelsDir: '/srv/wheels', bundledLock: false, pypi: true });
  expect(language.runtime.readPaths).toContain('/srv/wheels');
});

it('turns the defaults off with "none"', async () => {
  const language = await pythonWith({ NOTEBOOK_AUTH: 'none', PYODIDE_PACKAGE_BASE_URL: 'none', PYODIDE_PYPI_INDEX_URL: 'none' });
  expect(optionsOf(language)).toMatchObject({ packageBaseUrl: null, pypi: false });
  expect(language.hostServices).toEqual({});
});
