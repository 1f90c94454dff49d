/**
 * The page's questions about live tables and the variable explorer, checked
 * before they reach Python (both Python runtimes share this): the payload of
 * `table_page` and the runtime's part of `describeVariables`.
 */
import type { JsonValue, Output, VariableBudget, VariableDescription } from '@rnb/core';

/** The `call` method that pages through a live table (python/rnb_variables.py keeps the values). */
export const TABLE_PAGE_METHOD = 'table_page';

/** Rows one page may ask for (Python caps it again). */
export const MAX_PAGE_ROWS = 1000;

/** `table_page`'s payload as Python takes it (JSON text), or an Error saying what is wrong. */
export function tablePageRequest(payload: JsonValue): string {
  const request = (payload ?? {}) as { table_id?: unknown; offset?: unknown; limit?: unknown; sort?: unknown; filter?: unknown };
  const whole = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (typeof request.table_id !== 'string' || request.table_id.length > 200) throw new Error('table_page takes { table_id: string, offset, limit, sort?, filter? }.');
  if (!whole(request.offset) || !whole(request.limit) || request.limit > MAX_PAGE_ROWS) throw new Error(`table_page: offset and limit are whole numbers, limit at most ${MAX_PAGE_ROWS}.`);
  const filter = request.filter ?? '';
  if (typeof filter !== 'string' || filter.length > 1000) throw new Error('table_page: filter is a string of at most 1,000 characters.');
  let sort: { column: number; descending: boolean } | null = null;
  if (request.sort !== undefined && request.sort !== null) {
    const s = request.sort as { column?: unknown; descending?: unknown };
    if (!whole(s.column) || typeof s.descending !== 'boolean') throw new Error('table_page: sort is { column: index, descending: boolean }.');
    sort = { column: s.column, descending: s.descending };
  }
  return JSON.stringify({ table_id: request.table_id, offset: request.offset, limit: request.limit, sort, filter });
}

/** The budget in the form describe_variables takes: (max names, milliseconds left). */
export function describeArguments(budget: VariableBudget): [number, number] {
  return [Math.max(0, Math.floor(budget.maxNames)), Math.max(0, budget.deadline - Date.now())];
}

export function parseDescriptions(json: string): VariableDescription[] {
  return JSON.parse(json) as VariableDescription[];
}

/** A live table's output names the language to ask (the page calls `table_page` on it); other outputs pass as they are. */
export function withTableLanguage(output: Output, language: string): Output {
  const live = output.metadata?.rnb_table;
  if (!live || typeof live !== 'object' || Array.isArray(live)) return output;
  return { ...output, metadata: { ...output.metadata, rnb_table: { ...live, language } } };
}
