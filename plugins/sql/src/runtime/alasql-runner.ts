/**
 * Runs a SQL cell on the notebook's own alasql (inside the kernel's worker).
 */
import type { CellIO, Namespace, NamespaceEntry, TableColumns } from '@rnb/core';
import type { SqlCellMeta } from '../analyser';
import { bindSql, type BoundStatement, type TemplateLookup } from '../template';
import { AlasqlSandbox, type ContextRows } from './alasql-sandbox';
import type { SqlRuntimeOptions } from './options';
import { TABLE_MIME } from './options';
import { asTableRows, exportValue, resultColumns, tableOutput } from './values';

/** What a named result or a table looks like in the namespace, so SQL can find its rows again. */
export interface SqlNative {
  kind: 'sql-result' | 'sql-table';
  rows?: unknown[];
  table?: string;
}

/** A failure of the user's SQL: message (with the line) for the cell. */
export class SqlCellError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlError';
  }
}

/** Statements that only read: the rows they are given stay as they were, so they may share one copy of them. */
const READING = new Set(['SELECT', 'WITH']);

/** True when every statement of the cell only reads (SELECT or WITH, without INTO). */
export function readsOnly(statements: readonly BoundStatement[]): boolean {
  return statements.every((statement) => READING.has(statement.keyword) && !/\bINTO\b/i.test(statement.sql));
}

export class AlasqlRunner {
  private sandbox: AlasqlSandbox | null = null;
  /**
   * Rows built in alasql's context from another language's table by columns, per namespace entry: a defining cell
   * that runs again replaces the entry, so these are never stale. Only cells that only read use them (others get
   * their own rows, which they may change); weak, so a replaced entry's rows go with it.
   */
  private readonly sharedRows = new WeakMap<NamespaceEntry, ContextRows>();

  constructor(
    private readonly options: SqlRuntimeOptions,
    private readonly namespace: Namespace,
    private readonly language: string,
    private readonly interruptBuffer: Int32Array,
  ) {}

  /** alasql loads at first use: a notebook without SQL cells pays nothing. */
  private engine(): AlasqlSandbox {
    this.sandbox ??= new AlasqlSandbox({
      sourcePath: this.options.alasqlPath,
      interruptBuffer: this.interruptBuffer,
      maxRangeRows: this.options.maxRangeRows,
    });
    return this.sandbox;
  }

  run(code: string, meta: SqlCellMeta, io: CellIO, lookup: TemplateLookup): void {
    // Every template is resolved before anything runs. Tables read from the notebook reach alasql quoted, so a
    // value named after one of its many keywords (rows, values, order) is still a table.
    const notebookTables = new Set(meta.tables.referenced.filter((name) => !name.includes('.') && this.namespace.has(name)));
    const statements = bindSql(code, lookup, 'alasql', { maxListItems: this.options.maxListItems, quoteTables: notebookTables });
    const engine = this.engine();
    // Re-running a cell that creates a table starts from scratch rather than failing on "already exists".
    for (const name of meta.tables.created) engine.dropTable(name);
    const bound = this.bindNamespaceTables(engine, meta, readsOnly(statements));
    let last: { rows: unknown[] } | { count: number } | null = null;
    try {
      for (const statement of statements) {
        if (io.signal.aborted || Atomics.load(this.interruptBuffer, 0) !== 0) throw interrupted();
        const result = this.execute(engine, statement);
        if (Array.isArray(result)) last = { rows: result };
        else if (['SELECT', 'WITH', 'VALUES'].includes(statement.keyword) && !/\bINTO\b/i.test(statement.sql)) last = { rows: [result] };
        else if (typeof result === 'number' && ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(statement.keyword)) last = { count: result };
      }
    } finally {
      for (const name of bound) engine.dropTable(name);
    }

    if (last && 'rows' in last) {
      io.output({ mime_type: TABLE_MIME, data: { ...tableOutput(last.rows, this.options) } });
    } else if (last) {
      io.output({ mime_type: 'text/plain', data: `${last.count} row${last.count === 1 ? '' : 's'} affected` });
    }
    for (const name of [...meta.tables.created, ...meta.tables.filled]) {
      if (name.includes('.') || !engine.hasTable(name)) continue;
      const native: SqlNative = { kind: 'sql-table', table: name };
      // Python reads the table's current rows, copied at the time it asks.
      this.namespace.setEntry(name, { language: this.language, native, toJS: () => exportValue(engine.tableData(name) ?? []) });
    }
    if (meta.resultName) {
      const rows = last && 'rows' in last ? last.rows : [];
      let copy: unknown;
      const native: SqlNative = { kind: 'sql-result', rows };
      let columns: TableColumns | null | undefined;
      this.namespace.setEntry(meta.resultName, {
        language: this.language,
        native,
        toJS: () => (copy ??= exportValue(rows)),
        toColumns: () => (columns === undefined ? (columns = resultColumns(rows)) : columns),
      });
    }
  }

  /** Forgets tables whose cell was deleted or no longer defines them. */
  deleteNames(names: readonly string[]): void {
    if (!this.sandbox) return;
    for (const name of names) this.sandbox.dropTable(name);
  }

  /**
   * Makes namespace values (Python lists of dicts, named results) queryable by name for this cell. A cell that only
   * reads gets shared rows: a named result's own rows, a table by columns built once per definition. Any other cell
   * gets a copy of its own, as it may update or delete rows.
   */
  private bindNamespaceTables(engine: AlasqlSandbox, meta: SqlCellMeta, shared: boolean): string[] {
    const bound: string[] = [];
    for (const name of meta.tables.referenced) {
      if (name.includes('.') || engine.hasTable(name)) continue;
      const entry = this.namespace.entry(name);
      if (!entry) continue; // alasql then says the table does not exist
      const native = entry.language === this.language ? (entry.native as SqlNative | undefined) : undefined;
      if (native?.kind === 'sql-table') continue;
      if (native?.kind === 'sql-result' && native.rows) {
        if (shared) engine.bindRows(name, native.rows as unknown as ContextRows);
        else engine.bindTable(name, native.rows);
      } else {
        const columns = native ? null : entry.toColumns?.();
        if (columns) engine.bindRows(name, shared ? this.shared(engine, entry, columns) : engine.rowsOfColumns(columns.names, columns.columns, columns.rowCount));
        else {
          const table = asTableRows(this.namespace.get(name));
          if ('error' in table) {
            for (const done of bound) engine.dropTable(done);
            throw new SqlCellError(`${name} cannot be queried as a table: ${table.error}.`);
          }
          engine.bindTable(name, table.rows);
        }
      }
      bound.push(name);
    }
    return bound;
  }

  private shared(engine: AlasqlSandbox, entry: NamespaceEntry, columns: TableColumns): ContextRows {
    let rows = this.sharedRows.get(entry);
    if (!rows) {
      rows = engine.rowsOfColumns(columns.names, columns.columns, columns.rowCount);
      this.sharedRows.set(entry, rows);
    }
    return rows;
  }

  private execute(engine: AlasqlSandbox, statement: BoundStatement): unknown {
    try {
      return engine.exec(statement.sql, statement.params, this.options.timeoutMs);
    } catch (error) {
      throw this.describe(error, statement);
    }
  }

  /** The engine's error with the cell's line number, in words a user can act on. */
  private describe(error: unknown, statement: BoundStatement): Error {
    const e = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(error);
    if (e.name === 'KeyboardInterrupt') return interrupted();
    if (e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      return new SqlCellError(`The statement starting on line ${statement.line} ran longer than ${this.options.timeoutMs} ms and was stopped.`);
    }
    const parse = explainParseError(message, statement.line);
    if (parse) return new SqlCellError(parse);
    const prefix = e.name === 'SecurityError' ? 'Not allowed' : 'Error';
    return new SqlCellError(`${prefix} in the statement on line ${statement.line}: ${message}`);
  }
}

/**
 * alasql's parser error in words: the line, the word it stopped at, and for a
 * keyword used as a name (alasql reserves hundreds: rows, values, key...) how
 * to write it instead. Its list of expected tokens helps nobody and is left out.
 * Null when the message is not a parser error.
 */
export function explainParseError(message: string, statementLine: number): string | null {
  const parse = /^(?:Have you used a reserved keyword without `escaping` it\?\n)?Parse error on line (\d+):\n([^\n]*)\n(-*)\^\n[\s\S]*?got '([^']*)'\s*$/.exec(message);
  if (!parse) return null;
  const line = statementLine + Number(parse[1]) - 1;
  const [, , context = '', dashes = '', got = ''] = parse;
  const excerpt = `\n  ${context}\n  ${dashes}^`;
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(context.slice(dashes.length))?.[0];
  if (word && word.toUpperCase() === got.toUpperCase()) {
    return (
      `Syntax error on line ${line}: "${word}" is a reserved word in SQL, so it cannot be used as a name as it is. ` +
      `If it names a table or a column, write it in backticks: \`${word}\`.${excerpt}`
    );
  }
  if (got === 'EOF') return `Syntax error on line ${line}: the statement ends too early.${excerpt}`;
  const near = word ?? context.slice(dashes.length).trim().split(/\s+/)[0];
  return `Syntax error on line ${line}${near ? ` near "${near}"` : ''}.${excerpt}`;
}

function interrupted(): Error {
  return Object.assign(new Error('KeyboardInterrupt: the query was interrupted.'), { name: 'KeyboardInterrupt' });
}
