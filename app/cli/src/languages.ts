import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLanguageRegistry, definePlugin, LanguageRegistry, MARKDOWN_CELL_TYPE, type LanguageDefinition, type Plugin, type Token } from '@rnb/core';
import { pythonLanguage } from '@rnb/plugin-python';
import { createSqlLanguage, type SqlLanguage } from '@rnb/plugin-sql';

/** Markdown cells (from .ipynb and `# %% [markdown]`): analysed as defining and reading nothing, run as nothing. */
export function markdownLanguage(): LanguageDefinition {
  const here = path.join(__dirname, 'markdown-runtime.js');
  // Under jest this file runs from src/: the kernel loads the built module.
  const module = fs.existsSync(here) ? here : path.join(__dirname, '..', 'dist', 'markdown-runtime.js');
  return { id: MARKDOWN_CELL_TYPE, displayName: 'Markdown', analyse: () => ({ defines: [], references: [] }), runtime: { module } };
}

/** The markdown language as a plugin, for the server `rnb edit` starts. */
export function markdownPlugin(): Plugin<{ languages: Token<LanguageRegistry> }, Record<string, never>, void> {
  return definePlugin({
    id: '@rnb/cli:markdown',
    description: 'Markdown cells: text that defines and reads nothing',
    requires: { languages: LanguageRegistry },
    activate: (_context, { languages }) => languages.register(markdownLanguage()),
  });
}

export interface CliLanguages {
  registry: DefaultLanguageRegistry;
  close(): Promise<void>;
}

/**
 * Python, SQL (alasql in the kernel; PostgreSQL when a notebook has a connection) and markdown. With `only`, just the
 * languages a notebook uses: a kernel loads every registered runtime before its first cell, so a Python-only
 * notebook does not wait for alasql.
 */
export function cliLanguages(only?: Iterable<string>): CliLanguages {
  const wanted = only ? new Set(only) : null;
  const registry = new DefaultLanguageRegistry();
  const sql: SqlLanguage | null = !wanted || wanted.has('sql') ? createSqlLanguage({}) : null;
  if (!wanted || wanted.has('python')) registry.register(pythonLanguage({}));
  if (sql) registry.register(sql);
  if (!wanted || wanted.has(MARKDOWN_CELL_TYPE)) registry.register(markdownLanguage());
  return { registry, close: async () => sql?.close() };
}
