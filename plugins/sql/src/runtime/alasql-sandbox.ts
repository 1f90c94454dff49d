/**
 * alasql inside its own `vm` context, with its escape hatches removed.
 *
 * alasql compiles SQL into JavaScript, so it needs code generation from
 * strings, which the kernel process forbids; a context created with
 * `codeGeneration: { strings: true }` gets it back for that context alone.
 * alasql is not a sandbox (it reads and writes host files, fetches URLs,
 * REQUIREs scripts, runs ``javascript`` blocks), so inside the context:
 * no `process`, `require` or `fetch` exist; file, network and script loading
 * functions are patched to throw synchronously (some of them used to throw
 * outside alasql's promise and end the process); only an allowlist of
 * statement types runs; FROM/INTO file functions and storage engines are
 * gone. Values cross into the context as copies, so nothing of the outer
 * realm is reachable from SQL, and results are copied back out by the caller.
 */
import * as fs from 'node:fs';
import * as vm from 'node:vm';

export interface SandboxOptions {
  /** The alasql distribution file (dist/alasql.fs.js of alasql 4.19.1). */
  sourcePath: string;
  /** Written non-zero by the kernel on interrupt; polled while a query runs. */
  interruptBuffer: Int32Array;
  /** RANGE(a, b) larger than this is refused (it would build the whole array). */
  maxRangeRows: number;
}

/**
 * Rows made inside the context (copies, or built there from columns): bound as they are, without another copy.
 * Opaque outside: nothing here reads them.
 */
export interface ContextRows {
  readonly contextRows: unique symbol;
}

/** The trusted API the bootstrap script returns (it lives in the context realm). */
interface SandboxApi {
  check(sql: string): void;
  setJob(sql: string, params: unknown): void;
  bindTable(name: string, rows: unknown): void;
  bindRows(name: string, rows: ContextRows): void;
  rowsOfColumns(names: string[], columns: ArrayLike<unknown>[], rowCount: number): ContextRows;
  copyRows(rows: unknown[]): ContextRows;
  dropTable(name: string): boolean;
  hasTable(name: string): boolean;
  tableData(name: string): unknown[] | undefined;
}

/**
 * Text patches applied to alasql's source before it is evaluated. Each anchor
 * must occur exactly once: another alasql version fails loudly at load
 * instead of silently keeping a hole open.
 */
const PATCHES: { anchor: string; insert: string; why: string }[] = [
  { anchor: 'let loadFile = (utils.loadFile = function (path, asy, success, error) {', insert: "throw __rnbBlocked('Reading files or URLs');", why: 'TXT/CSV/JSON/SOURCE/REQUIRE read through it' },
  { anchor: 'function getData(path, success, error) {', insert: "throw __rnbBlocked('Network access');", why: 'fetch' },
  { anchor: 'function getBinaryData(path, success, error) {', insert: "throw __rnbBlocked('Network access');", why: 'fetch' },
  {
    anchor: 'function doJoin(query, scope, h) {',
    // doJoin holds a closure, so each call allocates its context (64 bytes) before its first statement, and it calls
    // itself once per row to reach its first branch: 6.4 MB a scan of 100,000 rows, for the GC. A dispatcher without
    // closures runs that branch (its text, checked by the next patch) itself and hands the rest to the original body.
    insert:
      '__rnbTick(false); if (h >= query.sources.length) return __rnbLastJoin(query, scope); return __rnbDeeperJoin(query, scope, h); }\n' +
      'function __rnbLastJoin(query, scope) { if (query.wherefn(scope, query.params, alasql)) { if (query.groupfn) { query.groupfn(scope, query.params, alasql); } ' +
      'else { query.data.push(query.selectfn(scope, query.params, alasql)); } } }\n' +
      'function __rnbDeeperJoin(query, scope, h) {',
    why: 'interrupt checks while a query runs, and a scan that allocates nothing per row',
  },
  {
    anchor:
      '\t// Check, if this is a last join?\n\tif (h >= query.sources.length) {\n\t\t// Todo: check if this runs once too many\n\t\t// Then apply where and select\n' +
      '\t\tif (query.wherefn(scope, query.params, alasql)) {\n\t\t\t// If there is a GROUP BY then pipe to grouping function\n\t\t\tif (query.groupfn) {\n' +
      '\t\t\t\tquery.groupfn(scope, query.params, alasql);\n\t\t\t} else {\n\t\t\t\tquery.data.push(query.selectfn(scope, query.params, alasql));\n\t\t\t}\n\t\t}\n\t} else if',
    insert: '',
    why: "doJoin's last-join branch as __rnbLastJoin repeats it",
  },
  { anchor: 'while (fn(params, alasql)) {', insert: '__rnbTick(true);', why: 'interrupt checks in WHILE loops' },
];

/**
 * Runs first in the context. A free name in code of a vm context (Date, isNaN, Object... in alasql's compiled
 * queries, several per row) is looked up through the context's interceptor, a call into C++ each time: a GROUP BY
 * with SUM over 100,000 rows took 350 ms instead of 25. Script-level bindings are found before the global object, so
 * each configurable builtin gets one holding the same value (the non-configurable undefined, NaN and Infinity cannot
 * and need not; eval stays direct, globalThis stays the global). alasql also assigns an undeclared __alasql_tmp (SUM,
 * AVG, ROUND), which becomes one more binding instead of a global property written through the interceptor.
 */
const GLOBALS_AS_BINDINGS = `(function (global) {
  'use strict';
  const names = Object.getOwnPropertyNames(global).filter((name) =>
    /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && name !== 'globalThis' && name !== 'eval' && Object.getOwnPropertyDescriptor(global, name).configurable);
  return 'const ' + names.map((name) => name + ' = this.' + name).join(', ') + '; let __alasql_tmp;';
})(globalThis)`;

/** Runs before alasql: defines the two hooks the patches call. */
const PRELUDE = `(function (sab) {
  'use strict';
  const view = new Int32Array(sab);
  let ticks = 0;
  const define = (name, value) => Object.defineProperty(globalThis, name, { value, writable: false, enumerable: false, configurable: false });
  define('__rnbTick', function (always) {
    if ((always || (++ticks & 1023) === 0) && Atomics.load(view, 0) !== 0) {
      const error = new Error('KeyboardInterrupt: the query was interrupted.');
      error.name = 'KeyboardInterrupt';
      throw error;
    }
  });
  define('__rnbBlocked', function (what) {
    const error = new Error(what + ' is switched off in notebook SQL cells.');
    error.name = 'SecurityError';
    return error;
  });
})`;

/** Locks alasql down and returns the trusted API (evaluated in the context). */
const LOCKDOWN = `(function (alasql, maxRangeRows) {
  'use strict';
  const yy = alasql.yy;
  const blocked = (what) => function () { throw __rnbBlocked(what); };

  const from = Object.create(null);
  for (const name of Object.keys(alasql.from)) from[name] = blocked(name + '()');
  const range = alasql.from.RANGE;
  from.RANGE = function (start, finish) {
    if (!(Math.abs(Number(finish) - Number(start)) <= maxRangeRows)) throw new Error('RANGE() is limited to ' + maxRangeRows + ' rows.');
    return range.apply(this, arguments);
  };
  from.UNNEST = alasql.from.UNNEST;
  alasql.from = from;
  const into = Object.create(null);
  for (const name of Object.keys(alasql.into)) into[name] = blocked('SELECT INTO ' + name + '()');
  alasql.into = into;
  alasql.engines = Object.create(null);
  alasql.utils.loadFile = blocked('Reading files or URLs');
  alasql.utils.loadBinaryFile = blocked('Reading files or URLs');
  alasql.utils.saveFile = blocked('Writing files');
  for (const node of ['JavaScript', 'Require', 'Source', 'AttachDatabase', 'DetachDatabase', 'CreateTrigger', 'Help']) {
    if (yy[node]) {
      yy[node].prototype.execute = blocked(node === 'JavaScript' ? 'JavaScript in SQL (\`\`...\`\`)' : node.toUpperCase());
      yy[node].prototype.toJS = yy[node].prototype.execute;
    }
  }
  alasql.options.errorlog = false;

  const ALLOWED = ['Select', 'Insert', 'Update', 'Delete', 'Merge', 'CreateTable', 'DropTable', 'AlterTable', 'TruncateTable',
    'CreateIndex', 'DropIndex', 'Reindex', 'WithSelect', 'ShowTables', 'ShowColumns', 'ShowIndex', 'ShowCreateTable',
    'CreateDatabase', 'DropDatabase', 'UseDatabase', 'ShowDatabases', 'BeginTransaction', 'CommitTransaction',
    'RollbackTransaction', 'If', 'While', 'BeginEnd', 'Break', 'Continue', 'Declare', 'SetVariable', 'Print', 'Assert',
    'CreateVertex', 'CreateEdge', 'CreateGraph', 'Search', 'ExpressionStatement'];
  const allowed = ALLOWED.map((n) => yy[n]).filter(Boolean);

  const copyIn = (value, depth) => {
    if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
    if (depth > 32) throw new Error('A value is nested too deeply to use in SQL.');
    const tag = Object.prototype.toString.call(value);
    if (tag === '[object Date]') return new Date(Date.prototype.getTime.call(value));
    // Bytes (Python's bytes) stay bytes, so the table shows b'x' rather than a list of numbers.
    if (tag === '[object Uint8Array]') return Uint8Array.from(value);
    if (Array.isArray(value) || ArrayBuffer.isView(value)) {
      const out = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = copyIn(value[i], depth + 1);
      return out;
    }
    const out = {};
    // defineProperty: a "__proto__" key stays a plain key instead of replacing the prototype.
    const put = (key, v) => {
      if (key === '__proto__') Object.defineProperty(out, key, { value: copyIn(v, depth + 1), enumerable: true, writable: true, configurable: true });
      else out[key] = copyIn(v, depth + 1);
    };
    if (tag === '[object Map]') { for (const [k, v] of Map.prototype.entries.call(value)) put(String(k), v); return out; }
    for (const key of Object.keys(value)) put(key, value[key]);
    return out;
  };
  const db = () => alasql.databases[alasql.useid];
  const rowValue = (item) => (item !== null && typeof item === 'object' ? copyIn(item, 2) : typeof item === 'function' ? undefined : item);
  // The row builders by shape, kept: a table defined again reuses its builder, whose allocation site V8 has learnt
  // (rows that all survive are then made in the old generation, instead of copied by each young-generation GC).
  const makers = new Map();
  const MAX_MAKERS = 64;
  let job = null;

  const api = {
    check(sql) {
      const statements = alasql.parse(sql).statements;
      for (const statement of statements) {
        if (!allowed.some((type) => statement instanceof type)) {
          // alasql's statement classes are mostly anonymous functions: find the name under which yy holds it.
          const kind = Object.keys(yy).find((key) => statement && yy[key] === statement.constructor);
          const words = kind === 'JavaScript' ? 'JavaScript in SQL (\`\`...\`\`)' : kind ? kind.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase() : 'This statement';
          throw __rnbBlocked(words);
        }
      }
    },
    setJob(sql, params) { job = { sql: String(sql), params: copyIn(params, 0) }; },
    bindTable(name, rows) {
      api.bindRows(name, copyIn(rows, 0));
    },
    bindRows(name, rows) {
      const table = new alasql.Table({ tableid: name });
      table.data = rows;
      db().tables[name] = table;
      db().dbversion++;
    },
    copyRows(rows) { return copyIn(rows, 0); },
    // One object literal per row, made by a function generated for this shape (names quoted as JSON; "__proto__" as a
    // computed key, which defines an own property instead of setting the prototype): the rows share one hidden class,
    // built in one pass. Columns are the caller's arrays: numbers and strings are read as they are, anything else is
    // copied in, so no object of the outer realm is reachable from SQL.
    rowsOfColumns(names, columns, rowCount) {
      const count = Number(rowCount);
      const keys = Array.from(names, String);
      const own = Array.from(columns, (column) => column);
      const shape = JSON.stringify(keys);
      let make = makers.get(shape);
      if (!make) {
        const fields = keys.map((key, index) => (key === '__proto__' ? '["__proto__"]' : JSON.stringify(key)) + ': value(c' + index + '[i])');
        make = new Function('value', ...keys.map((_, index) => 'c' + index), 'n',
          'const out = new Array(n); for (let i = 0; i < n; i++) out[i] = {' + fields.join(', ') + '}; return out;');
        if (makers.size >= MAX_MAKERS) makers.delete(makers.keys().next().value);
        makers.set(shape, make);
      }
      return make(rowValue, ...own, count);
    },
    dropTable(name) {
      const tables = db().tables;
      if (!Object.prototype.hasOwnProperty.call(tables, name)) return false;
      delete tables[name];
      db().dbversion++;
      return true;
    },
    hasTable(name) { return Object.prototype.hasOwnProperty.call(db().tables, name); },
    tableData(name) { return api.hasTable(name) ? db().tables[name].data : undefined; },
  };
  Object.defineProperty(globalThis, '__rnbRun', {
    value: function () {
      const current = job;
      job = null;
      if (!current) throw new Error('no query to run');
      return alasql(current.sql, current.params);
    },
    writable: false, enumerable: false, configurable: false,
  });
  return api;
})`;

/** One notebook's alasql: a fresh context and a fresh alasql instance (no tables shared with anyone). */
export class AlasqlSandbox {
  private readonly context: vm.Context;
  private readonly api: SandboxApi;
  private readonly runScript = new vm.Script('__rnbRun()', { filename: 'notebook-sql' });

  constructor(options: SandboxOptions) {
    let source = fs.readFileSync(options.sourcePath, 'utf8');
    for (const patch of PATCHES) {
      const at = source.indexOf(patch.anchor);
      if (at < 0 || source.indexOf(patch.anchor, at + 1) >= 0) {
        throw new Error(`This alasql build cannot be locked down (patch point for ${patch.why} not found once); use alasql 4.19.1.`);
      }
      source = source.slice(0, at + patch.anchor.length) + patch.insert + source.slice(at + patch.anchor.length);
    }
    this.context = vm.createContext(Object.create(null), {
      name: 'notebook-sql',
      codeGeneration: { strings: true, wasm: false },
      microtaskMode: 'afterEvaluate',
    });
    vm.runInContext(vm.runInContext(GLOBALS_AS_BINDINGS, this.context) as string, this.context);
    const prelude = vm.runInContext(PRELUDE, this.context) as (sab: ArrayBufferLike) => void;
    prelude(options.interruptBuffer.buffer);
    // The hooks as parameters of alasql's scope (a free name would go through the context's interceptor on every use:
    // doJoin calls __rnbTick once per row). Parameters, not declarations, so alasql's "use strict" stays its first statement.
    const wrapper = new vm.Script(`(function (module, exports, require, __rnbTick, __rnbBlocked) {${source}\n})`, { filename: 'alasql.js' }).runInContext(this.context) as (
      module: unknown,
      exports: unknown,
      require: unknown,
      tick: unknown,
      blocked: unknown,
    ) => void;
    const module = vm.runInContext('({ exports: {} })', this.context) as { exports: unknown };
    // alasql requires 'cross-fetch' as it loads; nothing else is ever handed out.
    const require = vm.runInContext(
      "(function (name) { if (name === 'cross-fetch') return function () { throw __rnbBlocked('Network access'); }; throw __rnbBlocked('require(' + JSON.stringify(String(name)) + ')'); })",
      this.context,
    ) as unknown;
    const hooks = vm.runInContext('[__rnbTick, __rnbBlocked]', this.context) as [unknown, unknown];
    wrapper(module, module.exports, require, ...hooks);
    const lockdown = vm.runInContext(LOCKDOWN, this.context) as (alasql: unknown, maxRangeRows: number) => SandboxApi;
    this.api = lockdown(module.exports, options.maxRangeRows);
  }

  /**
   * Runs one statement synchronously, stopped by `timeoutMs` or the
   * interrupt buffer. Refuses statement types outside the allowlist first.
   */
  exec(sql: string, params: unknown[], timeoutMs: number): unknown {
    this.api.check(sql);
    this.api.setJob(sql, params);
    return this.runScript.runInContext(this.context, timeoutMs > 0 ? { timeout: timeoutMs } : {});
  }

  /** Binds a copy of the rows (made in the context) as a table. */
  bindTable(name: string, rows: unknown[]): void {
    this.api.bindTable(name, rows);
  }
  /** Binds rows already in the context as they are: the caller makes sure nothing that may change them sees them twice. */
  bindRows(name: string, rows: ContextRows): void {
    this.api.bindRows(name, rows);
  }
  /** Rows built in the context from a table by columns (core's TableColumns). */
  rowsOfColumns(names: string[], columns: ArrayLike<unknown>[], rowCount: number): ContextRows {
    return this.api.rowsOfColumns(names, columns, rowCount);
  }
  /** A copy of the rows in the context. */
  copyRows(rows: unknown[]): ContextRows {
    return this.api.copyRows(rows);
  }
  dropTable(name: string): boolean {
    return this.api.dropTable(name);
  }
  hasTable(name: string): boolean {
    return this.api.hasTable(name);
  }
  /** Evaluates trusted code in the SQL context. Only tests use it, to check what a query that escaped alasql could reach. */
  probe(code: string): unknown {
    return vm.runInContext(code, this.context, { timeout: 1000 });
  }

  /** The live rows of a table (context-realm objects: copy before handing them out). */
  tableData(name: string): unknown[] | undefined {
    return this.api.tableData(name);
  }
}
