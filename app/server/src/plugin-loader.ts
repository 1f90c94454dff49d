import * as path from 'node:path';
import { AuthProvider, ConfigError, languageRegistryPlugin, NotebookStore, type AnyPlugin, type Token } from '@rnb/core';
import { noAuthPlugin } from './auth/no-auth';
import type { PluginOptions, ServerConfig } from './config';

/** Short names of the plugins that ship with the project. */
export const BUILTIN_PACKAGES = {
  storage: { file: '@rnb/storage-file', folder: '@rnb/storage-folder', dynamodb: '@rnb/storage-dynamodb' } as Record<string, string>,
  auth: { clerk: '@rnb/auth-clerk' } as Record<string, string>,
  languages: { python: '@rnb/plugin-python', sql: '@rnb/plugin-sql', markdown: '@rnb/markdown' } as Record<string, string>,
  assistant: { anthropic: '@rnb/plugin-assistant-anthropic' } as Record<string, string>,
};

export interface PluginLoaderOptions {
  /** Folders packages are resolved from (default: the working directory, then this package). */
  paths?: string[];
}

/**
 * The plugin list a configuration asks for, each loaded by package name so a
 * third-party package can stand in for any of them: the language registry,
 * the storage, the auth, the languages, then NOTEBOOK_PLUGINS.
 */
export function pluginsFromConfig(config: ServerConfig, options: PluginLoaderOptions = {}): AnyPlugin[] {
  const paths = options.paths ?? [process.cwd(), __dirname];
  // Built-in plugins come with this package; third-party ones from the app's folder first.
  const load = (table: Record<string, string>, name: string, variable: string): AnyPlugin[] => {
    const builtin = table[name];
    const options = config.pluginOptions[name];
    return builtin ? loadPluginPackage(builtin, variable, [__dirname], options) : loadPluginPackage(name, variable, paths, options);
  };
  const plugins: AnyPlugin[] = [languageRegistryPlugin];
  const storage = load(BUILTIN_PACKAGES.storage, config.storage, 'NOTEBOOK_STORAGE');
  requireProvider(storage, NotebookStore, 'NOTEBOOK_STORAGE', config.storage);
  plugins.push(...storage);
  if (config.auth === 'none') plugins.push(noAuthPlugin());
  else {
    const auth = load(BUILTIN_PACKAGES.auth, config.auth, 'NOTEBOOK_AUTH');
    requireProvider(auth, AuthProvider, 'NOTEBOOK_AUTH', config.auth);
    plugins.push(...auth);
  }
  for (const language of config.languages) plugins.push(...load(BUILTIN_PACKAGES.languages, language, 'NOTEBOOK_LANGUAGES'));
  // The assistant is on by default: without ANTHROPIC_API_KEY its chat answers 503 and costs nothing.
  const assistant = config.values.NOTEBOOK_ASSISTANT?.trim() || 'anthropic';
  if (assistant !== 'none') plugins.push(...load(BUILTIN_PACKAGES.assistant, assistant, 'NOTEBOOK_ASSISTANT'));
  for (const name of config.plugins) plugins.push(...loadPluginPackage(name, 'NOTEBOOK_PLUGINS', paths, config.pluginOptions[name]));
  return plugins;
}

/**
 * Loads a plugin package: its default export (or the module itself) is a
 * plugin factory `(options?) => Plugin | Plugin[]`, a plugin, or a list of them.
 * `options` (from a config file entry `["package", { ...options }]`) go to the
 * factory; a package that exports a plugin rather than a factory cannot take them.
 */
export function loadPluginPackage(name: string, variable: string, paths: string[] = [process.cwd(), __dirname], options?: PluginOptions): AnyPlugin[] {
  let resolved: string;
  try {
    resolved = require.resolve(name.startsWith('.') ? path.resolve(paths[0] ?? process.cwd(), name) : name, { paths });
  } catch {
    throw new ConfigError(`${variable}: the plugin package "${name}" is not installed; install it (npm install ${name}) or fix the name.`);
  }
  let loaded: unknown;
  try {
    loaded = require(resolved) as unknown;
  } catch (error) {
    throw new ConfigError(`${variable}: the plugin package "${name}" failed to load: ${(error as Error)?.message ?? String(error)}`);
  }
  const exported = (loaded as { default?: unknown } | null)?.default ?? loaded;
  let value: unknown = exported;
  if (options !== undefined && typeof exported !== 'function') {
    throw new ConfigError(`${variable}: "${name}" exports a plugin, not a factory, so it takes no options; remove them from the config file entry.`);
  }
  if (typeof exported === 'function') {
    try {
      value = (exported as (options?: PluginOptions) => unknown)(options);
    } catch (error) {
      throw new ConfigError(`${variable}: the plugin factory of "${name}" threw: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  const plugins = Array.isArray(value) ? value : [value];
  if (plugins.length === 0 || !plugins.every(isPlugin)) {
    throw new ConfigError(`${variable}: "${name}" does not export a plugin: its default export must be a factory returning a plugin made with definePlugin (or a list of them).`);
  }
  return plugins;
}

function isPlugin(value: unknown): value is AnyPlugin {
  const candidate = value as { id?: unknown; activate?: unknown } | null;
  return !!candidate && typeof candidate === 'object' && typeof candidate.id === 'string' && typeof candidate.activate === 'function';
}

function requireProvider(plugins: AnyPlugin[], token: Token<unknown>, variable: string, name: string): void {
  if (!plugins.some((p) => p.provides?.id === token.id)) {
    throw new ConfigError(`${variable}=${name}: that package provides no "${token.id}"; choose a ${variable === 'NOTEBOOK_AUTH' ? 'auth' : 'storage'} plugin.`);
  }
}
