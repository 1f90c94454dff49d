/**
 * The server side of PostgreSQL cells: host services the SQL runtime calls
 * from the kernel (which has no network). One bounded pool per notebook,
 * closed when idle; a statement timeout; cancel on interrupt; results bounded
 * in rows and bytes; the password never in a message or a log line.
 */
import { createHash } from 'node:crypto';
import type { HostService, HostServiceContext, JsonValue } from '@rnb/core';
import pg from 'pg';
import { checkConnectionString, ConnectionStringError, parseConnectionString, redact, resolveSafeHost, type SafeHostPolicy } from './connection';
import { parsePgQueryRequest, parseQueryId, type PgQueryReply, type PgStatementResult } from './pg-protocol';

export interface PgServiceOptions extends SafeHostPolicy {
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** Connections one notebook may hold at once. */
  poolSize: number;
  /** A notebook's pool is closed after this long without queries. */
  idleCloseMs: number;
  /** Most rows a query may send back to the kernel. */
  maxRows: number;
  /** Most bytes (JSON) of rows a query may send back. */
  maxResultBytes: number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export const DEFAULT_PG_OPTIONS: PgServiceOptions = {
  requireSafeHosts: false,
  allowedHosts: [],
  statementTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  poolSize: 3,
  idleCloseMs: 60_000,
  maxRows: 100_000,
  maxResultBytes: 16 * 1024 * 1024,
};

interface NotebookPool {
  fingerprint: string;
  pool: pg.Pool;
  config: pg.ClientConfig;
  idleTimer: NodeJS.Timeout | null;
  running: Map<string, { client: pg.PoolClient; query: pg.Query | null; cancelled: boolean }>;
}

/** The notebook setting that holds the connection string (a secret field the SQL language declares). */
export const CONNECTION_SETTING = 'connection_string';

function connectionOf(context: HostServiceContext): string | null {
  const value = context.settings[CONNECTION_SETTING];
  return typeof value === 'string' && value !== '' ? value : null;
}

export class PgService {
  private readonly pools = new Map<string, Promise<NotebookPool>>();
  private readonly options: PgServiceOptions;

  constructor(options: Partial<PgServiceOptions> = {}) {
    this.options = { ...DEFAULT_PG_OPTIONS, ...options };
  }

  /** Refuses at once a connection string a query would refuse later (the validation of the language's connection setting). */
  checkConnectionString(connectionString: string): Promise<void> {
    return checkConnectionString(connectionString, this.options);
  }

  /** The host services, keyed as the runtime calls them. */
  services(): { [name: string]: HostService } {
    return {
      'sql.engine': async (_payload, context) => ({ engine: connectionOf(context) ? 'postgres' : 'alasql' }),
      'pg.query': (payload, context) => this.query(payload, context) as Promise<JsonValue>,
      'pg.cancel': async (payload, context) => ({ cancelled: await this.cancel(parseQueryId(payload), context.notebookId) }),
    };
  }

  async query(payload: JsonValue, context: HostServiceContext): Promise<PgQueryReply> {
    const request = parsePgQueryRequest(payload, { maxRows: this.options.maxRows });
    const secret = connectionOf(context);
    if (!secret) throw new Error(`Database connection not configured: set one with PUT /api/notebooks/{id}/settings/sql ({ "${CONNECTION_SETTING}": ... }).`);
    const holder = await this.poolFor(context.notebookId, secret);
    this.touch(context.notebookId, holder);
    let client: pg.PoolClient;
    try {
      client = await holder.pool.connect();
    } catch (error) {
      throw new Error(`Could not connect to the database: ${this.clean(error, secret)}`);
    }
    const running = { client, query: null as pg.Query | null, cancelled: false };
    holder.running.set(request.queryId, running);
    const onAbort = (): void => void this.cancel(request.queryId, context.notebookId);
    context.signal.addEventListener('abort', onAbort, { once: true });
    let broken = false;
    try {
      let kept: PgStatementResult | undefined;
      for (let index = 0; index < request.statements.length; index++) {
        const statement = request.statements[index]!;
        if (running.cancelled) return { error: { message: 'canceling statement due to user request', statement: index, code: '57014' } };
        try {
          const result = await this.runStatement(running, statement.sql, statement.params, request.maxRows);
          if (result.columns || !kept?.columns) kept = result;
        } catch (error) {
          const e = error as { message?: string; position?: string; code?: string };
          if (!e.code) broken = true; // not a PostgreSQL error: the connection is suspect
          const reply: PgQueryReply = { error: { message: this.clean(error, secret), statement: index } };
          if (e.position && Number(e.position) > 0) reply.error!.position = Number(e.position);
          if (e.code) reply.error!.code = e.code;
          return reply;
        }
      }
      return kept ? { result: kept } : {};
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      holder.running.delete(request.queryId);
      client.release(broken);
      this.touch(context.notebookId, holder);
    }
  }

  /** Cancels a running query of this notebook (PostgreSQL's cancel request, on its own connection). */
  async cancel(queryId: string, notebookId: string): Promise<boolean> {
    const holder = await this.pools.get(notebookId)?.catch(() => undefined);
    const running = holder?.running.get(queryId);
    if (!holder || !running) return false;
    running.cancelled = true;
    if (!running.query) return true;
    const canceller = new pg.Client(holder.config) as pg.Client & { cancel(client: pg.PoolClient, query: pg.Query): void };
    canceller.on('error', () => undefined);
    try {
      canceller.cancel(running.client, running.query);
    } catch (error) {
      this.options.log?.('warn', `could not cancel a query: ${(error as Error).message}`);
    }
    return true;
  }

  /** Closes every pool (server shutdown). */
  async close(): Promise<void> {
    const all = [...this.pools.entries()];
    this.pools.clear();
    await Promise.all(all.map(([, p]) => p.then((h) => this.end(h)).catch(() => undefined)));
  }

  private runStatement(
    running: { client: pg.PoolClient; query: pg.Query | null },
    text: string,
    values: JsonValue[],
    maxRows: number,
  ): Promise<PgStatementResult> {
    return new Promise((resolve, reject) => {
      const query = new pg.Query({ text, values, rowMode: 'array' } as pg.QueryConfig);
      const rows: JsonValue[][] = [];
      let bytes = 0;
      let seen = 0;
      let truncated = false;
      // A row listener stops pg from keeping every row: memory stays bounded whatever the result size.
      query.on('row', (row: unknown[]) => {
        seen++;
        if (truncated || rows.length >= maxRows) {
          truncated = true;
          return;
        }
        const converted = row.map(toJson);
        bytes += JSON.stringify(converted).length;
        if (bytes > this.options.maxResultBytes) truncated = true;
        else rows.push(converted);
      });
      // The server's statement_timeout should fire first; this catches a server that stops answering.
      const backstop = setTimeout(() => {
        const error = new Error(`no answer from the database within ${this.options.statementTimeoutMs + 5_000} ms`);
        reject(Object.assign(error, { broken: true }));
      }, this.options.statementTimeoutMs + 5_000);
      backstop.unref();
      query.on('error', (error) => {
        clearTimeout(backstop);
        reject(error);
      });
      query.on('end', (result: pg.QueryResult) => {
        clearTimeout(backstop);
        const out: PgStatementResult = { command: result.command ?? '', rowCount: result.rowCount ?? null, rows };
        if (result.fields && result.fields.length > 0) {
          out.columns = result.fields.map((f) => f.name);
          out.rowCount = seen;
        }
        if (truncated) out.truncated = true;
        resolve(out);
      });
      running.query = query;
      running.client.query(query);
    });
  }

  private poolFor(notebookId: string, secret: string): Promise<NotebookPool> {
    const fingerprint = createHash('sha256').update(secret).digest('hex');
    const existing = this.pools.get(notebookId);
    const made = (existing ?? Promise.reject(new Error('none'))).then(
      (holder) => {
        if (holder.fingerprint === fingerprint) return holder;
        // The connection string changed: the old pool goes.
        void this.end(holder);
        return this.createPool(fingerprint, secret);
      },
      () => this.createPool(fingerprint, secret),
    );
    this.pools.set(notebookId, made);
    made.catch(() => {
      if (this.pools.get(notebookId) === made) this.pools.delete(notebookId);
    });
    return made;
  }

  private async createPool(fingerprint: string, secret: string): Promise<NotebookPool> {
    let parsed;
    try {
      parsed = parseConnectionString(secret);
    } catch (error) {
      throw error instanceof ConnectionStringError ? error : new ConnectionStringError('The connection string could not be read.');
    }
    const host = await resolveSafeHost(parsed.host, this.options);
    const config: pg.ClientConfig = {
      host,
      port: parsed.port,
      user: parsed.user,
      password: parsed.password,
      database: parsed.database,
      ssl: parsed.ssl === false ? false : { ...parsed.ssl, servername: parsed.ssl.servername ?? (host === parsed.host ? undefined : parsed.host) },
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      // No client-side query_timeout: pg then wraps the query in a callback, which turns off the
      // 'error' event and makes pg keep every row. Our own timer in runStatement is the backstop.
      statement_timeout: this.options.statementTimeoutMs,
      application_name: parsed.applicationName ?? 'reactive-notebook',
    };
    const pool = new pg.Pool({ ...config, max: this.options.poolSize, idleTimeoutMillis: Math.min(this.options.idleCloseMs, 30_000) });
    // An idle client's error (server restart) must not crash the server; the password is never logged.
    pool.on('error', (error) => this.options.log?.('warn', `database pool error: ${this.clean(error, secret)}`));
    return { fingerprint, pool, config, idleTimer: null, running: new Map() };
  }

  private touch(notebookId: string, holder: NotebookPool): void {
    if (holder.idleTimer) clearTimeout(holder.idleTimer);
    holder.idleTimer = setTimeout(() => {
      if (holder.running.size > 0) return this.touch(notebookId, holder);
      void this.pools.get(notebookId)?.then((current) => {
        if (current === holder) this.pools.delete(notebookId);
      });
      void this.end(holder);
    }, this.options.idleCloseMs);
    holder.idleTimer.unref();
  }

  private async end(holder: NotebookPool): Promise<void> {
    if (holder.idleTimer) clearTimeout(holder.idleTimer);
    holder.idleTimer = null;
    await holder.pool.end().catch(() => undefined);
  }

  private clean(error: unknown, secret: string): string {
    const e = error as { message?: unknown; code?: unknown };
    let message = typeof e?.message === 'string' && e.message ? e.message : String(error);
    if (e?.code === 'ECONNREFUSED') message = 'the database server refused the connection (is it running, and is the port right?)';
    else if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') message = 'the database host could not be found';
    else if (/timeout expired|Connection terminated due to connection timeout/i.test(message)) message = `no answer within ${this.options.connectTimeoutMs} ms`;
    return redact(message, secret).slice(0, 2000);
  }
}

/** A PostgreSQL value as JSON for the kernel. */
function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return String(value);
}
