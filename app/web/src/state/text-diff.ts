/** A change of a text: replace `from`..`to` (positions in the old text) by `insert`. CodeMirror's change shape. */
export interface MiddleChange {
  from: number;
  to: number;
  insert: string;
}

/**
 * The change turning `before` into `after`: only the part between their common prefix and common suffix.
 * Applied to an editor or a shared text, what lies outside it (others' cursors, this page's cursor and
 * the brackets it closed) stays where it was.
 */
export function middleChange(before: string, after: string): MiddleChange {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { from: prefix, to: before.length - suffix, insert: after.slice(prefix, after.length - suffix) };
}
