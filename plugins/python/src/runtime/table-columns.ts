/**
 * The JavaScript half of python/rnb_columns.py: a Python table crosses from Pyodide's heap by columns (an int64 buffer
 * read in place for a column of ints, a float64 buffer for other numeric columns, one joined string for a text column,
 * a list conversion otherwise) instead of one dict at a time, and records are built from the columns when a language
 * wants records. Imports nothing at run time.
 */
import type { TableColumns } from '@rnb/core';
import type { PyProxyLike } from './pyodide-types';

/** A Python list as Pyodide proxies it (indexing converts strings and numbers, proxies the rest). */
export interface PyListLike extends PyProxyLike {
  get(index: number): unknown;
  readonly length: number;
}

/** An array('q') as Pyodide lends its buffer: 32-bit words over Pyodide's heap, valid until release(). */
interface PyInt64ArrayLike extends PyProxyLike {
  getBuffer(type: 'i32'): { readonly data: Int32Array; release(): void };
}

/** Pyodide converts an int to a JavaScript number when |i| < 2**53 - 1, to a BigInt from there on. */
const MAX_NUMBER_INT = Number.MAX_SAFE_INTEGER; // 2**53 - 1

/**
 * An "i64" column (little-endian int64 words: low, high) as Pyodide converts each int: an Int32Array when every value
 * fits 32 bits (V8 keeps such numbers in the row objects built from it unboxed: 16 bytes less a row than numbers read
 * from a Float64Array, each of which gets a box), a Float64Array when every value is a number, else an array with
 * BigInts where Pyodide gives them. One pass for the usual column, no BigInt made unless one is due.
 */
export function numbersOfInt64Words(words: Int32Array): Int32Array | Float64Array | (number | bigint)[] {
  const count = words.length >>> 1;
  const small = new Int32Array(count);
  for (let row = 0; row < count; row++) {
    const low = words[2 * row]!;
    // The high word of an int that fits 32 bits is the low word's sign.
    if (words[2 * row + 1] !== low >> 31) return widerNumbers(words, small, row);
    small[row] = low;
  }
  return small;
}

function widerNumbers(words: Int32Array, small: Int32Array, from: number): Float64Array | (number | bigint)[] {
  const numbers = new Float64Array(small.length);
  numbers.set(small.subarray(0, from));
  for (let row = from; row < numbers.length; row++) {
    // high * 2**32 is exact and adding the low word rounds monotonically: a result inside (-(2**53 - 1), 2**53 - 1)
    // is the exact int, and an int outside it never rounds back inside.
    const value = words[2 * row + 1]! * 4294967296 + (words[2 * row]! >>> 0);
    if (value <= -MAX_NUMBER_INT || value >= MAX_NUMBER_INT) return withBigInts(words, numbers, row);
    numbers[row] = value;
  }
  return numbers;
}

function withBigInts(words: Int32Array, numbers: Float64Array, from: number): (number | bigint)[] {
  const values: (number | bigint)[] = Array.from(numbers.subarray(0, from));
  for (let row = from; row < numbers.length; row++) {
    const value = words[2 * row + 1]! * 4294967296 + (words[2 * row]! >>> 0);
    values.push(value > -MAX_NUMBER_INT && value < MAX_NUMBER_INT ? value : (BigInt(words[2 * row + 1]!) << 32n) | BigInt(words[2 * row]! >>> 0));
  }
  return values;
}

function int64Column(payload: PyInt64ArrayLike): Int32Array | Float64Array | (number | bigint)[] {
  const buffer = payload.getBuffer('i32');
  try {
    return numbersOfInt64Words(buffer.data);
  } finally {
    buffer.release();
  }
}

/** The converter `toJS()` uses for every value: a dict becomes a plain object, nothing stays a proxy. */
export const TO_PLAIN = { dict_converter: Object.fromEntries, create_pyproxies: false } as const;

function isProxy(value: unknown): value is PyProxyLike {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PyProxyLike).destroy === 'function';
}

/** Reads `table_columns()`'s answer ([names, kinds, payloads, row count]) and destroys its proxies. */
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
    const rowCount = answer.get(3) as number;
    const columns = kinds.map((kind, index): ArrayLike<unknown> => {
      const payload = own(payloads.get(index));
      if (kind === 'i64') return int64Column(payload as PyInt64ArrayLike);
      if (kind === 'f64') return (payload as PyProxyLike).toJs() as Float64Array;
      if (kind === 'str') return splitSharing(payload as string, rowCount);
      return (payload as PyProxyLike).toJs(TO_PLAIN) as unknown[];
    });
    return { names, columns, rowCount };
  } finally {
    for (const proxy of owned) proxy.destroy();
  }
}

const SHARED_SLOTS = 1024; // a power of two
/** Rows after which a column whose pieces are mostly new stops looking them up. */
const SHARING_TRIAL = 512;

/**
 * `joined.split('\0')`, with a repeated piece as one string: a column of categories (regions, statuses) makes a handful
 * of strings rather than one per row. Strings made per row are what the young generation copies at each GC until they
 * are promoted, while the rows built from them (old, once V8 pretenures them) point at them; in a kernel worker's small
 * young generation that copying cost more than the split. A column of mostly distinct strings stops looking up after
 * SHARING_TRIAL rows and splits the rest as split() does.
 */
export function splitSharing(joined: string, count = -1): string[] {
  // Made at its size when the row count is known (growing it by push allocated 2.8 MB for 100,000 rows, not 0.8).
  const pieces: string[] = count > 0 ? new Array<string>(count) : [];
  const slots = new Array<string | undefined>(SHARED_SLOTS);
  let start = 0;
  let made = 0;
  for (let row = 0; ; row++) {
    if (row === SHARING_TRIAL && made * 2 > row) {
      const rest = joined.slice(start).split('\0');
      if (row + rest.length !== count) return pieces.slice(0, row).concat(rest);
      for (let index = 0; index < rest.length; index++) pieces[row + index] = rest[index]!;
      return pieces;
    }
    let end = joined.indexOf('\0', start);
    if (end < 0) end = joined.length;
    const length = end - start;
    let piece = '';
    if (length > 0) {
      // A cheap hash of the piece (length and three characters), checked by comparing the text in place.
      const slot = (length * 31 + joined.charCodeAt(start) * 7 + joined.charCodeAt(end - 1) * 13 + joined.charCodeAt(start + (length >> 1))) & (SHARED_SLOTS - 1);
      const known = slots[slot];
      if (known !== undefined && known.length === length && joined.startsWith(known, start)) piece = known;
      else {
        piece = slots[slot] = joined.slice(start, end);
        made++;
      }
    }
    pieces[row] = piece;
    if (end === joined.length) return row + 1 === pieces.length ? pieces : pieces.slice(0, row + 1);
    start = end + 1;
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
