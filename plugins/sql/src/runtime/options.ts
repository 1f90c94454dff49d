/** The SQL runtime's options, as the language definition passes them (`runtime.options`). */
import type { JsonValue } from '@rnb/core';

export interface SqlRuntimeOptions {
  /** Absolute path of alasql's dist/alasql.fs.js. */
  alasqlPath: string;
  /** Rows shown in a table output. */
  maxRows: number;
  /** Characters kept of one table cell. */
  maxCellChars: number;
  /** About how many characters of JSON a table output's rows may take (the page sorts and filters all of them). */
  maxTableChars: number;
  /** Rows a named result may hold (PostgreSQL: fetched from the server). */
  maxResultRows: number;
  /** An alasql statement running longer is stopped (0: no limit). */
  timeoutMs: number;
  /** Largest RANGE() alasql may build. */
  maxRangeRows: number;
  /** Items one `IN ({name})` list may expand to; a longer list fails the cell with a message naming it. */
  maxListItems: number;
}

export const DEFAULT_RUNTIME_OPTIONS: Omit<SqlRuntimeOptions, 'alasqlPath'> = {
  maxRows: 10_000,
  maxCellChars: 2000,
  maxTableChars: 4_000_000,
  maxResultRows: 100_000,
  timeoutMs: 30_000,
  maxRangeRows: 1_000_000,
  maxListItems: 10_000,
};

/** Reads options from untrusted JSON, falling back to defaults for anything invalid. */
export function readRuntimeOptions(json: JsonValue): SqlRuntimeOptions {
  const raw = json !== null && typeof json === 'object' && !Array.isArray(json) ? json : {};
  const count = (key: keyof typeof DEFAULT_RUNTIME_OPTIONS, min: number): number => {
    const value = raw[key];
    return typeof value === 'number' && Number.isFinite(value) && value >= min ? Math.floor(value) : DEFAULT_RUNTIME_OPTIONS[key];
  };
  if (typeof raw.alasqlPath !== 'string' || raw.alasqlPath.length === 0) {
    throw new Error('The SQL runtime needs the path of alasql (runtime option "alasqlPath").');
  }
  return {
    alasqlPath: raw.alasqlPath,
    maxRows: count('maxRows', 1),
    maxCellChars: count('maxCellChars', 16),
    maxTableChars: count('maxTableChars', 1000),
    maxResultRows: count('maxResultRows', 1),
    timeoutMs: count('timeoutMs', 0),
    maxRangeRows: count('maxRangeRows', 1),
    maxListItems: count('maxListItems', 1),
  };
}

/** The table output's mime type (core's TABLE_MIME; a runtime may not import core's values). */
export const TABLE_MIME = 'application/vnd.notebook.table+json';
