/**
 * Completions for `{name` in a markdown cell, answered by the runtime (the `call` channel, method `complete`, the same
 * payload and answer as Python's: docs/protocol.md, "Runtime calls"): the notebook's names that start with what was
 * typed after a single `{`. Imports nothing at run time.
 */
import type { JsonValue } from '@rnb/core';

export interface CompletionAnswer {
  [key: string]: JsonValue;
  /** Where the completed word starts, in code points of `code`. */
  from: number;
  options: { label: string; type: string }[];
  complete: boolean;
}

/** `payload`: `{ code, cursor }`, the text before the cursor and the cursor in code points. Throws on anything else. */
export function completeNames(payload: JsonValue, names: readonly string[]): CompletionAnswer {
  const { code, cursor } = (payload ?? {}) as { code?: unknown; cursor?: unknown };
  if (typeof code !== 'string' || typeof cursor !== 'number' || !Number.isInteger(cursor) || cursor < 0) {
    throw new Error('complete takes { code: string, cursor: integer }.');
  }
  const before = [...code].slice(0, cursor).join('');
  const at = /(?:^|[^{])\{([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
  if (!at) return { from: cursor, options: [], complete: true };
  const prefix = at[1] ?? '';
  const options = names
    .filter((name) => name.startsWith(prefix) && !name.startsWith('_'))
    .sort()
    .map((label) => ({ label, type: 'variable' }));
  return { from: cursor - prefix.length, options, complete: true };
}
