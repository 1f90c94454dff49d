/** Find and replace across the notebook's cells: pure text logic, tested on its own. */

export interface FindOptions {
  regex: boolean;
  caseSensitive: boolean;
}

export interface TextMatch {
  from: number;
  to: number;
}

export interface CellMatch extends TextMatch {
  cellId: string;
}

/** The search as a global RegExp, or an error message for a pattern that does not compile. */
export function searchPattern(query: string, options: FindOptions): RegExp | { error: string } | null {
  if (query === '') return null;
  const source = options.regex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return new RegExp(source, options.caseSensitive ? 'gmu' : 'gimu');
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Every non-empty match in a text (a pattern that matches the empty string skips those). */
export function findIn(text: string, pattern: RegExp, limit = 10_000): TextMatch[] {
  const matches: TextMatch[] = [];
  pattern.lastIndex = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0].length === 0) continue;
    matches.push({ from: m.index, to: m.index + m[0].length });
    if (matches.length >= limit) break;
  }
  return matches;
}

/** Every match across cells, in notebook order. */
export function findInCells(cells: readonly { id: string; code: string }[], pattern: RegExp, limit = 10_000): CellMatch[] {
  const all: CellMatch[] = [];
  for (const cell of cells) {
    for (const m of findIn(cell.code, pattern, limit - all.length)) all.push({ cellId: cell.id, ...m });
    if (all.length >= limit) break;
  }
  return all;
}

/**
 * What one match becomes: the replacement text, with `$1`, `$<name>` and `$&` expanded in regex
 * mode (as String.replace does), taken literally otherwise.
 */
export function replacementFor(matched: string, pattern: RegExp, replacement: string, options: FindOptions): string {
  if (!options.regex) return replacement;
  const single = new RegExp(pattern.source, pattern.flags.replace('g', ''));
  return matched.replace(single, replacement);
}

/** A cell's text with every match replaced; null when nothing matched. */
export function replaceAllIn(text: string, pattern: RegExp, replacement: string, options: FindOptions): string | null {
  const matches = findIn(text, pattern, Number.MAX_SAFE_INTEGER);
  if (matches.length === 0) return null;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.from) + replacementFor(text.slice(m.from, m.to), pattern, replacement, options);
    at = m.to;
  }
  return out + text.slice(at);
}
