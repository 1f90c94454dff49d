import type * as Y from 'yjs';

/**
 * Makes `text` hold `code` by replacing only the part between their common
 * prefix and suffix, so other people's cursors and concurrent typing outside
 * that part are kept. Call inside a transaction.
 */
export function replaceText(text: Y.Text, code: string): void {
  const current = text.toString();
  if (current === code) return;
  let prefix = 0;
  const shorter = Math.min(current.length, code.length);
  while (prefix < shorter && current.charCodeAt(prefix) === code.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && current.charCodeAt(current.length - 1 - suffix) === code.charCodeAt(code.length - 1 - suffix)) suffix++;
  const removed = current.length - prefix - suffix;
  if (removed > 0) text.delete(prefix, removed);
  const inserted = code.slice(prefix, code.length - suffix);
  if (inserted.length > 0) text.insert(prefix, inserted);
}
