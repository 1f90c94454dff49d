import type { LanguageInfo } from '@rnb/core/wire';
import * as fs from 'node:fs/promises';
import { describeSettingFields, type LanguageDefinition, type SettingFieldDescription } from '@rnb/core';
import { HostError } from '../errors';

/** One loaded language as `GET /api/config` lists it: the wire's `LanguageInfo`, with its settings always listed (empty: none). */
export type LanguageListing = LanguageInfo & { settings: SettingFieldDescription[] };

/** The path, relative to the app's base (the prefix), where a language's browser module is served. */
export function browserModulePath(languageId: string): string {
  return `plugins/${encodeURIComponent(languageId)}/browser.js`;
}

export function listLanguages(languages: readonly LanguageDefinition[]): LanguageListing[] {
  return languages.map((language) => ({
    id: language.id,
    display_name: language.displayName ?? language.id,
    file_extension: language.fileExtension ?? null,
    editor: { mode: language.editor?.mode ?? null },
    browser_module: language.browserModule ? browserModulePath(language.id) : null,
    settings: describeSettingFields(language.settings ?? []),
  }));
}

/**
 * The source of the browser module a language declared. The URL names a language id, never a
 * file: the file is the one absolute path the plugin declared, so no request can reach any other
 * file of the plugin or of the machine (`..` in the URL names no language).
 */
export async function readBrowserModule(
  languages: readonly LanguageDefinition[],
  languageId: string,
  warn: (message: string, fields: Record<string, unknown>) => void = () => undefined,
): Promise<string> {
  const declared = languages.find((language) => language.id === languageId)?.browserModule;
  if (!declared) throw new HostError(404, 'RNB_ERR_ROUTE_NOT_FOUND', `No loaded language "${languageId}" has a browser module.`);
  try {
    return await fs.readFile(declared, 'utf8');
  } catch (error) {
    // The path is the server's business (the route is public): logged, not sent.
    warn('a declared browser module cannot be read', { language: languageId, path: declared, error: (error as Error)?.message });
    throw new HostError(404, 'RNB_ERR_ROUTE_NOT_FOUND', `The browser module of language "${languageId}" is missing on the server; its plugin's files are incomplete.`);
  }
}
