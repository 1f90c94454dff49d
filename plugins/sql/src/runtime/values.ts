/**
 * Values crossing between the notebook's namespace, the SQL engines and the
 * table output. Runs in the kernel; imports nothing at run time.
 */
import type { JsonValue, TableColumns, TableData } from '@rnb/core';

export interface TableLimits {
  /** Rows shown in a table output; the rest is counted in a note. */
  maxRows: number;
  /** Characters kept of one cell's text. */
  maxCellChars: number;
  /**
   * About how many characters of JSON the rows may take in all: the page sorts and filters every
   * row an output holds, so a wide table is cut by size before the host drops it as too big.
   */
  maxTableChars?: number;
}

type Cell = string | number | boolean | null;

const toString = Object.prototype.toString;

/** One value as a table cell (JSON-safe, bounded). */
export function cellValue(value: unknown, maxChars: number): Cell {
  switch (typeof value) {
    case 'string':
      return value.length > maxChars ? `${value.slice(0, maxChars)}…` : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (toString.call(value) === '[object Date]') {
        const time = Date.prototype.getTime.call(value);
        return Number.isNaN(time) ? null : new Date(time).toISOString();
      }
      // Bytes (Python's bytes arrive as a Uint8Array) read as Python writes them, not as "[120]".
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return bytesText(value as unknown as ArrayLike<number>, maxChars);
      let text: string;
      try {
        text = JSON.stringify(exportValue(value), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
      } catch {
        text = '[value]';
      }
      return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
    }
    default:
      return String(value);
  }
}

/** Bytes as a Python bytes literal: `b'x\x00'` (printable ASCII as itself, the rest escaped), bounded. */
export function bytesText(bytes: ArrayLike<number>, maxChars: number): string {
  let text = "b'";
  for (let i = 0; i < bytes.length; i++) {
    if (text.length >= maxChars) return `${text}…'`;
    const byte = bytes[i]! & 0xff;
    if (byte === 0x27 || byte === 0x5c) text += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x0a) text += '\\n';
    else if (byte === 0x0d) text += '\\r';
    else if (byte === 0x09) text += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${text}'`;
}

/**
 * Builds the table output of a result. Records give columns from their keys
 * (in order of first appearance); scalars and arrays are shown too.
 */
export function tableOutput(rows: readonly unknown[], limits: TableLimits, total = rows.length): TableData {
  const shown = Math.min(rows.length, limits.maxRows);
  const columns: string[] = [];
  const seen = new Set<string>();
  let shape: 'records' | 'arrays' | 'scalars' = 'records';
  for (let i = 0; i < shown; i++) {
    const row = rows[i];
    if (Array.isArray(row)) shape = 'arrays';
    else if (row === null || typeof row !== 'object' || toString.call(row) === '[object Date]') shape = 'scalars';
    if (shape !== 'records') break;
    for (const key of Object.keys(row as object)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const out: Cell[][] = [];
  const budget = limits.maxTableChars ?? Number.POSITIVE_INFINITY;
  let used = 0;
  /** Adds a row unless the size budget is spent (the first row always goes in). */
  const add = (row: Cell[]): boolean => {
    if (Number.isFinite(budget)) {
      used += JSON.stringify(row).length + 1;
      if (used > budget && out.length > 0) return false;
    }
    out.push(row);
    return true;
  };
  if (shape === 'scalars') {
    columns.splice(0, columns.length, 'value');
    for (let i = 0; i < shown; i++) if (!add([cellValue(rows[i], limits.maxCellChars)])) break;
  } else if (shape === 'arrays') {
    let width = 0;
    for (let i = 0; i < shown; i++) width = Math.max(width, Array.isArray(rows[i]) ? (rows[i] as unknown[]).length : 1);
    columns.splice(0, columns.length, ...Array.from({ length: width }, (_, k) => String(k)));
    for (let i = 0; i < shown; i++) {
      const row = rows[i];
      if (!add(columns.map((_, k) => cellValue(Array.isArray(row) ? row[k] : k === 0 ? row : null, limits.maxCellChars)))) break;
    }
  } else {
    for (let i = 0; i < shown; i++) {
      const row = rows[i] as Record<string, unknown>;
      if (!add(columns.map((c) => cellValue(row[c], limits.maxCellChars)))) break;
    }
  }
  const table: TableData = { type: 'table', columns, rows: out };
  if (total > out.length) table.truncated = `Showing the first ${out.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows.`;
  return table;
}

/**
 * Copies a value into plain objects of this realm: what the namespace holds
 * for other languages. Dates stay dates, nesting is bounded.
 */
export function exportValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (depth > 32) return null;
  const tag = toString.call(value);
  if (tag === '[object Date]') return new Date(Date.prototype.getTime.call(value));
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = exportValue(value[i], depth + 1);
    return out;
  }
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = exportValue((value as Record<string, unknown>)[key], depth + 1);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

/**
 * A namespace value as table rows, or why it cannot be one. Accepted: a list
 * of records (objects or Maps), `{ columns, rows }` and column lists
 * (`{ a: [...], b: [...] }`, what pandas' `to_dict('list')` gives).
 */
export function asTableRows(value: unknown): { rows: unknown[] } | { error: string } {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const row: unknown = value[i];
      if (row === null || typeof row !== 'object' || Array.isArray(row) || toString.call(row) === '[object Date]') {
        return { error: `item ${i} is ${describe(row)}, not a record (a dict / object)` };
      }
    }
    return { rows: value };
  }
  if (value !== null && typeof value === 'object') {
    const shaped = value as { columns?: unknown; rows?: unknown };
    if (Array.isArray(shaped.columns) && Array.isArray(shaped.rows)) {
      const columns = shaped.columns.map(String);
      return { rows: shaped.rows.map((row) => Object.fromEntries(columns.map((c, k) => [c, Array.isArray(row) ? row[k] : null]))) };
    }
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([, v]) => Array.isArray(v))) {
      const length = (entries[0]![1] as unknown[]).length;
      if (entries.every(([, v]) => (v as unknown[]).length === length)) {
        const rows = new Array<Record<string, unknown>>(length);
        for (let i = 0; i < length; i++) rows[i] = Object.fromEntries(entries.map(([k, v]) => [k, (v as unknown[])[i]]));
        return { rows };
      }
    }
  }
  return { error: `it is ${describe(value)}, not a list of records` };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return toString.call(value) === '[object Date]' ? 'a date' : 'an object';
  return `a ${typeof value}`;
}

/** A template value as a JSON parameter for PostgreSQL (the driver runs in the server). */
export function jsonParam(value: unknown, depth = 0): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value); // 'NaN' / 'Infinity' are valid float input
    case 'bigint':
      return value.toString();
    case 'object': {
      if (depth > 32) throw new Error('A template value is nested too deeply.');
      if (toString.call(value) === '[object Date]') return new Date(Date.prototype.getTime.call(value)).toISOString();
      if (Array.isArray(value) || ArrayBuffer.isView(value)) {
        return Array.from(value as ArrayLike<unknown>, (v) => jsonParam(v, depth + 1));
      }
      if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonParam(v, depth + 1)]));
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonParam(v, depth + 1)]));
    }
    default:
      throw new Error(`A ${typeof value} cannot be sent to the database.`);
  }
}

/**
 * A result's rows by columns, for a language that takes tables by columns (native Python builds a DataFrame from
 * them): null unless every row is a plain record with the same keys in the same order. Values are what
 * `exportValue(rows)` holds at each place: primitives as they are, anything else copied out of alasql's realm.
 */
export function resultColumns(rows: readonly unknown[]): TableColumns | null {
  const first: unknown = rows[0];
  if (rows.length === 0 || first === null || typeof first !== 'object' || Array.isArray(first) || toString.call(first) !== '[object Object]') return null;
  const names = Object.keys(first);
  if (names.length === 0) return null;
  const columns = names.map(() => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row) || toString.call(row) !== '[object Object]') return null;
    const keys = Object.keys(row);
    if (keys.length !== names.length) return null;
    for (let c = 0; c < names.length; c++) {
      if (keys[c] !== names[c]) return null;
      const value = (row as Record<string, unknown>)[names[c]!];
      columns[c]![r] = value !== null && (typeof value === 'object' || typeof value === 'function') ? exportValue(value, 1) : value;
    }
  }
  return { names, columns, rowCount: rows.length };
}
