/**
 * Runs a SQL cell on the notebook's PostgreSQL database. The kernel has no
 * network, so the query goes to the server's `pg.query` host service; the
 * values of `{name}` templates are read here and travel as parameters.
 */
import type { CellIO, JsonValue, Namespace } from '@rnb/core';
import { LineIndex, type SqlCellMeta } from '../analyser';
import { bindSql, cellOffset, type TemplateLookup } from '../template';
import type { PgQueryReply, PgQueryRequest } from '../host/pg-protocol';
import { SqlCellError } from './alasql-runner';
import { TABLE_MIME, type SqlRuntimeOptions } from './options';
import { jsonParam, tableOutput } from './values';

export type HostCall = (service: string, payload: JsonValue) => Promise<JsonValue>;

let nextQuery = 1;

export class PostgresRunner {
  constructor(
    private readonly options: SqlRuntimeOptions,
    private readonly namespace: Namespace,
    private readonly language: string,
    private readonly hostCall: HostCall,
  ) {}

  async run(code: string, meta: SqlCellMeta, io: CellIO, lookup: TemplateLookup): Promise<void> {
    // Templates first: an undefined name fails before any connection is made.
    const statements = bindSql(code, lookup, 'postgres', { maxListItems: this.options.maxListItems });
    if (statements.length === 0) return;
    const request: PgQueryRequest = {
      queryId: `q${nextQuery++}-${Date.now().toString(36)}`,
      statements: statements.map((s) => ({ sql: s.sql, params: s.params.map((p) => jsonParam(p)) })),
      maxRows: meta.resultName ? this.options.maxResultRows : this.options.maxRows,
    };
    const cancel = (): void => {
      this.hostCall('pg.cancel', { queryId: request.queryId }).catch(() => undefined);
    };
    io.signal.addEventListener('abort', cancel, { once: true });
    let reply: PgQueryReply;
    try {
      reply = (await this.hostCall('pg.query', request as unknown as JsonValue)) as unknown as PgQueryReply;
    } finally {
      io.signal.removeEventListener('abort', cancel);
    }
    if (io.signal.aborted) throw Object.assign(new Error('KeyboardInterrupt: the query was cancelled.'), { name: 'KeyboardInterrupt' });

    if (reply.error) {
      const statement = statements[reply.error.statement] ?? statements[0]!;
      let line = statement.line;
      if (typeof reply.error.position === 'number' && reply.error.position > 0) {
        line = new LineIndex(code).position(cellOffset(statement, reply.error.position - 1)).line;
      }
      throw new SqlCellError(`Database error on line ${line}: ${reply.error.message}`);
    }
    const last = reply.result;
    if (last?.columns) {
      const records = last.rows.map((row) => Object.fromEntries(last.columns!.map((c, k) => [c, row[k] ?? null])));
      const table = tableOutput(records, this.options, last.rowCount ?? records.length);
      if (last.truncated && !table.truncated) table.truncated = `Showing the first ${records.length.toLocaleString('en-US')} rows; more were not fetched.`;
      io.output({ mime_type: TABLE_MIME, data: { ...table } });
      if (meta.resultName) this.namespace.set(meta.resultName, records, this.language);
    } else {
      if (last && typeof last.rowCount === 'number' && ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(last.command)) {
        io.output({ mime_type: 'text/plain', data: `${last.rowCount} row${last.rowCount === 1 ? '' : 's'} affected` });
      }
      if (meta.resultName) this.namespace.set(meta.resultName, [], this.language);
    }
  }
}
