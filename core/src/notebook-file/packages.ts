/**
 * Where a notebook keeps its packages: the `python` plugin's non-secret
 * setting `packages` (issue 20 §4's per-notebook settings, so every storage,
 * the settings route and the page's form carry it with no migration), a list
 * of requirements (`name==version`) separated by commas or line ends. Files
 * carry the same list as PEP 723 `dependencies` (percent format) or
 * `metadata.rnb.packages` (.ipynb); these helpers map one to the other.
 */
import type { NotebookSettings } from '../wire';

/** The plugin whose settings hold the packages: the language of the file's plain code. */
export const PACKAGES_PLUGIN = 'python';
/** The setting's field name. */
export const PACKAGES_FIELD = 'packages';

/**
 * The requirements in a `packages` setting value: split at commas and line
 * ends, blanks dropped, duplicates kept once. A piece that starts with a
 * version operator continues the one before (`numpy>=1,<2` is one requirement).
 */
export function parsePackageList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const merged: string[] = [];
  for (const line of value.split('\n')) {
    let current: string | null = null;
    for (const piece of line.split(',')) {
      if (current !== null && /^\s*[<>=!~]/.test(piece)) current = `${current},${piece}`;
      else {
        if (current !== null) merged.push(current);
        current = piece;
      }
    }
    if (current !== null) merged.push(current);
  }
  // A masked value (`****`: the view of a server where no loaded plugin declares the field) is no requirement: left out.
  return [...new Set(merged.map((item) => item.trim()).filter((item) => /^[A-Za-z0-9]/.test(item)))];
}

/** How a list is written into the setting: one line the page's form shows and edits. */
export function formatPackageList(packages: readonly string[]): string {
  return packages.join(', ');
}

/** The packages a notebook's settings hold. */
export function packagesOfSettings(settings: NotebookSettings | undefined): string[] {
  return parsePackageList(settings?.[PACKAGES_PLUGIN]?.[PACKAGES_FIELD]);
}

/** The settings with the packages replaced (an empty list removes the field, and the plugin's entry when it was the last). */
export function settingsWithPackages(settings: NotebookSettings, packages: readonly string[]): NotebookSettings {
  const next: NotebookSettings = { ...settings };
  const values = { ...(next[PACKAGES_PLUGIN] ?? {}) };
  if (packages.length > 0) values[PACKAGES_FIELD] = formatPackageList(packages);
  else delete values[PACKAGES_FIELD];
  if (Object.keys(values).length > 0) next[PACKAGES_PLUGIN] = values;
  else delete next[PACKAGES_PLUGIN];
  return next;
}
