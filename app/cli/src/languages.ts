import { DefaultLanguageRegistry, MARKDOWN_CELL_TYPE } from '@rnb/core';
import type { pythonLanguage } from '@rnb/plugin-python';
import type { SqlLanguage } from '@rnb/plugin-sql';

export interface CliLanguages {
  registry: DefaultLanguageRegistry;
  close(): Promise<void>;
}

/**
 * Python, SQL (alasql in the kernel; PostgreSQL when a notebook has a connection) and markdown. With `only`, just the
 * languages a notebook uses, and only their plugins are loaded: `rnb run` on a Python-only notebook neither loads
 * the SQL plugin (its PostgreSQL client) nor the markdown one here, nor their runtimes in the kernel.
 */
export function cliLanguages(only?: Iterable<string>): CliLanguages {
  const wanted = only ? new Set(only) : null;
  const registry = new DefaultLanguageRegistry();
  const sql: SqlLanguage | null = !wanted || wanted.has('sql') ? (require('@rnb/plugin-sql') as typeof import('@rnb/plugin-sql')).createSqlLanguage({}) : null;
  if (!wanted || wanted.has('python')) {
    registry.register((require('@rnb/plugin-python') as typeof import('@rnb/plugin-python')).pythonLanguage(packageSources(process.env)));
  }
  if (sql) registry.register(sql);
  if (!wanted || wanted.has(MARKDOWN_CELL_TYPE)) registry.register((require('@rnb/markdown') as typeof import('@rnb/markdown')).markdownLanguage());
  return { registry, close: async () => sql?.close() };
}

/**
 * Where `rnb run` gets a notebook's packages (its PEP 723 block, `micropip.install`): only the sources the environment
 * names, as the server reads them (docs/configuration.md); none by default, so a headless run stays offline.
 */
function packageSources(env: NodeJS.ProcessEnv): Parameters<typeof pythonLanguage>[0] {
  const options: NonNullable<Parameters<typeof pythonLanguage>[0]> = {};
  if (env.PYODIDE_PACKAGE_BASE_URL) options.packageBaseUrl = env.PYODIDE_PACKAGE_BASE_URL;
  if (env.PYODIDE_PYPI_INDEX_URL) options.pypiIndexUrl = env.PYODIDE_PYPI_INDEX_URL;
  if (env.PYODIDE_WHEELS_DIR) options.wheelsDir = env.PYODIDE_WHEELS_DIR;
  if (env.PYODIDE_PACKAGE_CACHE_DIR) options.packageCacheDir = env.PYODIDE_PACKAGE_CACHE_DIR;
  return options;
}
