/**
 * The SQL runtime module: loaded by the kernel's worker thread (one instance
 * per notebook), it runs SQL cells on the notebook's own alasql database, or
 * on the notebook's PostgreSQL database through the server when one is set.
 * Imports only Node built-ins and this package's kernel-side files.
 */
import type { CellIO, CellRun, LanguageRuntime, RuntimeContext, RuntimeFactory } from '@rnb/core';
import { analyseSql, type SqlCellMeta } from '../analyser';
import type { TemplateLookup } from '../template';
import { AlasqlRunner } from './alasql-runner';
import { readRuntimeOptions } from './options';
import { PostgresRunner } from './postgres-runner';

/** A widget (another language's `{ $rnbWidget: WidgetData }`, docs/protocol.md "Widgets") reads as its value in SQL. */
function widgetValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('$rnbWidget' in value)) return value;
  const model = (value as { $rnbWidget: { value?: unknown } | null }).$rnbWidget;
  return model && typeof model === 'object' && 'value' in model ? model.value : value;
}

class SqlRuntime implements LanguageRuntime {
  private readonly alasql: AlasqlRunner;
  private readonly postgres: PostgresRunner;

  constructor(private readonly context: RuntimeContext) {
    const options = readRuntimeOptions(context.options);
    this.alasql = new AlasqlRunner(options, context.namespace, context.language, context.interruptBuffer);
    this.postgres = new PostgresRunner(options, context.namespace, context.language, (service, payload) => context.hostCall(service, payload));
  }

  async run(cell: CellRun, io: CellIO): Promise<void> {
    const meta = isMeta(cell.meta) ? cell.meta : (analyseSql(cell.code).meta as SqlCellMeta);
    const namespace = this.context.namespace;
    const lookup: TemplateLookup = (name) => (namespace.has(name) ? { found: true, value: widgetValue(namespace.get(name)) } : { found: false });
    if ((await this.engine()) === 'postgres') await this.postgres.run(cell.code, meta, io, lookup);
    else this.alasql.run(cell.code, meta, io, lookup);
  }

  deleteNames(names: readonly string[]): void {
    this.alasql.deleteNames(names);
  }

  /** Which database this notebook's cells run on right now (the connection string lives in the server). */
  private async engine(): Promise<'postgres' | 'alasql'> {
    try {
      const reply = await this.context.hostCall('sql.engine', null);
      return reply !== null && typeof reply === 'object' && !Array.isArray(reply) && reply.engine === 'postgres' ? 'postgres' : 'alasql';
    } catch {
      // A host without the SQL services: the notebook's own alasql.
      return 'alasql';
    }
  }
}

function isMeta(meta: unknown): meta is SqlCellMeta {
  const m = meta as SqlCellMeta | undefined;
  return !!m && typeof m === 'object' && !!m.tables && Array.isArray(m.tables.created) && Array.isArray(m.tables.referenced) && Array.isArray(m.tables.filled);
}

const createSqlRuntime: RuntimeFactory = (context) => new SqlRuntime(context);
export default createSqlRuntime;
