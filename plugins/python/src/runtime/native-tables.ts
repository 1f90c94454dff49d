/**
 * Tables between the kernel worker and native CPython, by columns: a list of
 * records (a SQL result, or any language's list of plain objects) crosses as
 * `{ columns, data }` with one array per column, and CPython builds a pandas
 * DataFrame from it in one pass per column (or a list of dicts without pandas);
 * a DataFrame comes back the same way and becomes records here. Columns, not
 * records, on the wire: the keys are written once instead of once per row, and
 * both ends convert whole columns (python/native_driver.py, `table_value` and
 * `frame_columns`). Imports nothing: the kernel loads this file by path.
 */

/** One table on the wire: `data[c][r]` is row r's value of `columns[c]`. */
export interface ColumnTable {
  columns: string[];
  data: unknown[][];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * The columns of a non-empty list of plain records, null for anything else (an empty list stays a list: it has no
 * columns to give a frame). Keys missing from a row are null there; columns come in first-seen order.
 */
export function recordsToColumns(value: unknown): ColumnTable | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const index = new Map<string, number>();
  const columns: string[] = [];
  const data: unknown[][] = [];
  const rowCount = value.length;
  for (let row = 0; row < rowCount; row++) {
    const record: unknown = value[row];
    if (!isRecord(record)) return null;
    for (const key in record) {
      let column = index.get(key);
      if (column === undefined) {
        column = columns.length;
        index.set(key, column);
        columns.push(key);
        data.push(new Array<unknown>(rowCount).fill(null));
      }
      const item = record[key];
      data[column]![row] = item === undefined ? null : item;
    }
  }
  return columns.length ? { columns, data } : null;
}

/** Records from columns (a DataFrame CPython sent): what SQL and other languages read. */
export function columnsToRecords(table: ColumnTable): Record<string, unknown>[] {
  const rowCount = table.data[0]?.length ?? 0;
  const rows = new Array<Record<string, unknown>>(rowCount);
  for (let row = 0; row < rowCount; row++) rows[row] = {};
  table.columns.forEach((name, column) => {
    const values = table.data[column]!;
    for (let row = 0; row < rowCount; row++) {
      if (name === '__proto__') Object.defineProperty(rows[row], name, { value: values[row], enumerable: true, writable: true, configurable: true });
      else rows[row]![name] = values[row];
    }
  });
  return rows;
}
