/**
 * The messages between the SQL runtime (kernel) and the `pg.*` host services
 * (server). Payloads from the kernel are untrusted: {@link parsePgQueryRequest}
 * checks them.
 */
import type { JsonValue } from '@rnb/core';

export interface PgQueryRequest {
  /** Chosen by the runtime; `pg.cancel` names it. */
  queryId: string;
  statements: { sql: string; params: JsonValue[] }[];
  /** Rows of the result to send back (the rest are counted, not kept). */
  maxRows: number;
}

export interface PgStatementResult {
  command: string;
  /** Rows the statement returned or changed (for a SELECT: all rows, also those not sent). */
  rowCount: number | null;
  /** Present when the statement returns rows. */
  columns?: string[];
  rows: JsonValue[][];
  /** Rows were left out (row or size limit). */
  truncated?: boolean;
}

export interface PgQueryReply {
  /** The last statement's result that returned rows, else the last statement's. */
  result?: PgStatementResult;
  /** A failure of the SQL itself (not of the connection). */
  error?: { message: string; statement: number; position?: number; code?: string };
}

export class PgRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgRequestError';
  }
}

const MAX_STATEMENTS = 1000;
const MAX_SQL_CHARS = 1_000_000;

/** Validates a `pg.query` payload from the kernel. */
export function parsePgQueryRequest(payload: JsonValue, limits: { maxRows: number }): PgQueryRequest {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new PgRequestError('pg.query expects an object.');
  const { queryId, statements, maxRows } = payload as Record<string, JsonValue>;
  if (typeof queryId !== 'string' || queryId.length === 0 || queryId.length > 100) throw new PgRequestError('pg.query: queryId must be a short string.');
  if (!Array.isArray(statements) || statements.length === 0 || statements.length > MAX_STATEMENTS) {
    throw new PgRequestError(`pg.query: statements must be a list of 1 to ${MAX_STATEMENTS} statements.`);
  }
  let chars = 0;
  const parsed = statements.map((s, i) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new PgRequestError(`pg.query: statement ${i} is not an object.`);
    const { sql, params } = s as Record<string, JsonValue>;
    if (typeof sql !== 'string') throw new PgRequestError(`pg.query: statement ${i} has no SQL text.`);
    chars += sql.length;
    if (chars > MAX_SQL_CHARS) throw new PgRequestError('pg.query: the SQL is too long.');
    if (!Array.isArray(params)) throw new PgRequestError(`pg.query: statement ${i} has no parameter list.`);
    return { sql, params };
  });
  const rows = typeof maxRows === 'number' && Number.isFinite(maxRows) && maxRows >= 0 ? Math.min(Math.floor(maxRows), limits.maxRows) : limits.maxRows;
  return { queryId, statements: parsed, maxRows: rows };
}

export function parseQueryId(payload: JsonValue): string {
  const id = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, JsonValue>).queryId : undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new PgRequestError('pg.cancel expects { queryId }.');
  return id;
}
