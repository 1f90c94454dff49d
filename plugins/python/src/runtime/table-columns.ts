/**
 * The JavaScript half of python/rnb_columns.py: a Python table crosses from Pyodide's heap by columns (a float64 buffer for a
 * numeric column, one joined string for a text column, a list conversion otherwise) instead of one dict at a time,
 * and records are built from the columns when a language wants records. Imports nothing at run time.
 */
import type { TableColumns } from '@rnb/core';
import type { PyProxyLike } from './pyodide-types';

/** A Python list as Pyodide proxies it (indexing converts strings and numbers, proxies the rest). */
export interface PyListLike extends PyProxyLike {
  get(index: number): unknown;
  readonly length: number;
}

/** The converter `toJS()` uses for every value: a dict becomes a plain object, nothing stays a proxy. */
export const TO_PLAIN = { dict_converter: Object.fromEntries, create_pyproxies: false } as const;

function isProxy(value: unknown): value is PyProxyLike {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PyProxyLike).destroy === 'function';
}

/** Reads `table_columns()`'s answer ([names, kinds, payloads]) and destroys its proxies. */
export function readTableColumns(answer: PyListLike): TableColumns {
  const owned: PyProxyLike[] = [answer];
  const own = <T>(value: T): T => {
    if (isProxy(value)) owned.push(value);
    return value;
  };
  try {
    const names = (own(answer.get(0)) as PyProxyLike).toJs() as string[];
    const kinds = (own(answer.get(1)) as PyProxyLike).toJs() as string[];
    const payloads = own(answer.get(2)) as PyListLike;
    const columns = kinds.map((kind, index): ArrayLike<unknown> => {
      const payload = own(payloads.get(index));
      if (kind === 'f64') return (payload as PyProxyLike).toJs() as Float64Array;
      if (kind === 'str') return (payload as string).split('\0');
      return (payload as PyProxyLike).toJs(TO_PLAIN) as unknown[];
    });
    return { names, columns, rowCount: columns[0]!.length };
  } finally {
    for (const proxy of owned) proxy.destroy();
  }
}

/** The records of a table by columns (what `toJS()` gives): plain objects, keys in column order. */
export function recordsOfColumns(table: TableColumns): Record<string, unknown>[] {
  const { names, columns, rowCount } = table;
  const rows = new Array<Record<string, unknown>>(rowCount);
  for (let row = 0; row < rowCount; row++) rows[row] = {};
  names.forEach((name, column) => {
    const values = columns[column]!;
    for (let row = 0; row < rowCount; row++) {
      // defineProperty: a "__proto__" key stays a plain key instead of replacing the prototype.
      if (name === '__proto__') Object.defineProperty(rows[row], name, { value: values[row], enumerable: true, writable: true, configurable: true });
      else rows[row]![name] = values[row];
    }
  });
  return rows;
}
