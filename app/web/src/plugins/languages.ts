import { useSyncExternalStore } from 'react';
import type { LanguageInfo } from '../api/types';
import { Signal } from '../state/signal';

/** What a host that does not list its languages (older than `languages` in /api/config) has. */
export const DEFAULT_LANGUAGES: readonly LanguageInfo[] = [
  { id: 'python', display_name: 'Python', file_extension: '.py', editor: { mode: 'python' }, browser_module: null },
  { id: 'sql', display_name: 'SQL', file_extension: '.sql', editor: { mode: 'sql' }, browser_module: null },
];

/** The languages the host has loaded, from `GET /api/config`: the add menu, the language switch and the editor follow it. */
export const loadedLanguages = new Signal<readonly LanguageInfo[]>(DEFAULT_LANGUAGES);

/** Takes the config's list; a host without one keeps the defaults. */
export function setLoadedLanguages(languages: readonly LanguageInfo[] | undefined): void {
  if (Array.isArray(languages)) loadedLanguages.set(languages);
}

export function useLanguages(): readonly LanguageInfo[] {
  return useSyncExternalStore(loadedLanguages.subscribe, loadedLanguages.get);
}

export function displayNameOf(languages: readonly LanguageInfo[], id: string): string {
  return languages.find((l) => l.id === id)?.display_name ?? id;
}

/** The language after `id` in the host's list (the toggle key cycles through them). */
export function nextLanguage(languages: readonly LanguageInfo[], id: string): string {
  if (languages.length === 0) return id;
  const index = languages.findIndex((l) => l.id === id);
  return languages[(index + 1) % languages.length]!.id;
}
