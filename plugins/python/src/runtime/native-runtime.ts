/**
 * The Python runtime module on native CPython: inside the notebook's worker
 * thread of core's kernel process, as the Pyodide runtime is, but each cell
 * runs in a long-lived CPython process (one per notebook) inside bubblewrap,
 * started from the command line the server planned (native/sandbox-plan.ts).
 *
 * The worker talks to it synchronously over pipes, as Pyodide runs
 * synchronously in the worker: a cell blocks the worker while it runs, the
 * interrupt buffer is polled while waiting (SIGINT inside CPython within a
 * millisecond or two), and another language's synchronous `toJS()` can ask
 * CPython for a value only when it reads it. Loaded by path; imports only
 * Node built-ins and its sibling files.
 */
import type { CellIO, CellRun, JsonValue, LanguageRuntime, NamespaceEntry, Output, RuntimeContext, RuntimeFactory, TableColumns, VariableBudget, VariableDescription } from '@rnb/core';
import { disableChildProcesses } from './hardening';
import { describeArguments, parseDescriptions, TABLE_PAGE_METHOD, tablePageRequest, withTableLanguage } from './table-page';
import { columnsToRecords, recordsToColumns, type ColumnTable } from './native-tables';
import { NativeProcess, ProcessGone, type CellResult, type Frame } from './native-process';

/** `runtime.options` of the Python language when PYTHON_RUNTIME=native. */
export interface NativeRuntimeOptions {
  /** The whole command line (argv[0] absolute): bwrap with its layers, the interpreter and the driver. */
  argv: string[];
  /** How long the interpreter may take to start and load the runner. */
  startTimeoutMs: number;
}

/** What a failed cell throws: the kernel shows `traceback` when present. */
class NativeCellError extends Error {
  constructor(message: string, readonly traceback: string, readonly pythonType: string) {
    super(message);
    this.name = pythonType;
  }
}

/** For the person at the notebook: nothing is downloaded on this runtime, packages are the server's. */
const MISSING_MODULE_HINT =
  "\n\nThis server runs Python natively: modules come from its own Python installation, and cells cannot install any (there is no network). Ask the administrator to install the package.";

/** Plain JSON for CPython: JSON has no bigint or Date, so those become a number (or string) and an ISO string. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? (Number.isSafeInteger(Number(item)) ? Number(item) : item.toString()) : item));
}

class NativePythonRuntime implements LanguageRuntime {
  private lost: string | null = null;
  /** Cells sent ahead (runAhead) that the kernel has not run yet, in order; CPython may have run them already. */
  private ahead: string[] = [];
  /** Their names: the kernel's deleteNames of them is CPython's own job meanwhile (it drops them before each cell). */
  private aheadDefines = new Set<string>();
  /** CPython is still in a plan sent ahead (its `plan_done` has not arrived). */
  private planOpen = false;
  /** Frames read while settling a plan for another request, for the run calls still to come. */
  private readonly backlog: Frame[] = [];
  /** Names to drop, sent with the next request rather than one write (and one CPython wake-up) each. */
  private pendingDeletes: string[] = [];

  constructor(
    private readonly python: NativeProcess,
    private readonly context: RuntimeContext,
  ) {}

  runAhead(cells: readonly CellRun[], parents: readonly (readonly number[])[]): void {
    if (this.lost) return;
    this.abandonAhead();
    const requests = cells.map((cell) => this.cellRequest(cell));
    this.request(`{"op":"plan","parents":${JSON.stringify(parents)},"cells":[${requests.join(',')}]`);
    this.planOpen = true;
    this.ahead = cells.map((cell) => cell.cellId);
    this.aheadDefines = new Set(cells.flatMap((cell) => cell.defines));
  }

  run(cell: CellRun, io: CellIO): void {
    if (this.lost) throw new Error(`Not run: ${this.lost}; the notebook's values were lost.`);
    const aheadAt = this.ahead.indexOf(cell.cellId);
    if (aheadAt >= 0) {
      // Sent with its plan already: CPython runs it (or ran it) without waiting for us; its frames come in order.
      this.ahead.splice(0, aheadAt + 1);
      if (this.ahead.length === 0) this.aheadDefines.clear();
    } else {
      this.abandonAhead();
      this.request(`{"op":"run",${this.cellRequest(cell).slice(1, -1)}`);
    }
    const interrupt = this.context.interruptBuffer;
    let interruptSent = false;
    let result: CellResult | null = null;
    const onIdle = (): void => {
      if (!interruptSent && Atomics.load(interrupt, 0) === 2) {
        interruptSent = true;
        this.python.interrupt();
      }
    };
    while (!result) {
      const frame = this.nextFrame(aheadAt >= 0, onIdle);
      if (frame.t === 'out') (frame.s === 'stderr' ? io.stderr(frame.d) : io.stdout(frame.d));
      else if (frame.t === 'output') io.output(withTableLanguage(frame.o, this.context.language));
      else if (frame.t === 'done' && (frame.c === undefined || frame.c === cell.cellId)) result = frame.result;
      else if (frame.t === 'fail') throw new Error(`The Python runtime failed: ${frame.error}`);
      // A done of another cell: one sent ahead that the kernel did not run (cancelled); its result is not ours.
    }
    if (result.status === 'error') {
      const hint = result.type === 'ModuleNotFoundError' ? MISSING_MODULE_HINT : '';
      throw new NativeCellError(result.message + hint, result.traceback + hint, result.type);
    }
    for (const output of result.outputs) io.output(withTableLanguage(output, this.context.language));
    this.publish(cell.defines, result.defined);
  }

  /** A cell's request fields as a JSON object's text: built once, the code and values encoded without a second pass. */
  private cellRequest(cell: CellRun): string {
    // Other languages' values this cell reads: lists of records (SQL results) by columns, to become DataFrames.
    const inject: Record<string, unknown> = {};
    const tables: Record<string, ColumnTable> = {};
    for (const name of cell.references) {
      const entry = this.context.namespace.entry(name);
      if (!entry || entry.language === this.context.language) continue;
      // A table by columns as the entry gives it (a SQL result), else by columns from its records.
      const given = entry.toColumns?.();
      if (given) {
        tables[name] = { columns: given.names, data: given.columns as unknown[] as unknown[][] };
        continue;
      }
      const value = entry.toJS();
      const table = recordsToColumns(value);
      if (table) tables[name] = table;
      else inject[name] = value;
    }
    return `{"cell":${JSON.stringify(cell.cellId)},"code":${JSON.stringify(cell.code)},"defines":${JSON.stringify(cell.defines)},"inject":${toJson(inject)},"tables":${toJson(tables)},"widgets":${JSON.stringify(cell.meta?.widgets ?? null)}}`;
  }

  /**
   * Sends one request: `body` is its JSON text without the closing brace; the names waiting to be dropped go with it
   * (CPython drops them first), so a cell's deletions cost no write and no wake-up of their own.
   */
  private request(body: string): void {
    const deletes = this.pendingDeletes.length > 0 ? `,"delete":${JSON.stringify(this.pendingDeletes)}` : '';
    this.pendingDeletes = [];
    try {
      this.python.sendText(`${body}${deletes}}`);
    } catch (error) {
      if (error instanceof ProcessGone) this.lose(error.message);
      throw error;
    }
  }

  /** The next frame (a cell sent ahead takes the backlog's first); the end of a plan sent ahead is noted here. */
  private nextFrame(fromBacklog: boolean, onIdle?: () => void, deadline?: number): Frame {
    let frame: Frame;
    try {
      frame = (fromBacklog ? this.backlog.shift() : undefined) ?? this.python.receive(onIdle, deadline);
    } catch (error) {
      if (error instanceof ProcessGone) this.lose(error.message);
      throw error;
    }
    if (frame.t === 'plan_done' || (frame.t === 'fail' && this.planOpen)) {
      // The plan is over in CPython (a failure of the driver itself ends it too): cells still ahead run one by one.
      this.planOpen = false;
      if (frame.t === 'fail') {
        this.ahead = [];
        this.aheadDefines.clear();
      }
    }
    return frame;
  }

  /**
   * Before any other request: the rest of a plan sent ahead is read into the backlog (its cells' run calls still
   * take their frames from there), so the answer to the new request is the next frame.
   */
  private settlePlan(): void {
    if (!this.planOpen) return;
    while (this.planOpen) {
      const frame = this.nextFrame(false);
      if (frame.t !== 'plan_done' && frame.t !== 'fail') this.backlog.push(frame);
    }
  }

  /** The kernel runs something else than the cells sent ahead (it cancelled them): what is left of them is dropped. */
  private abandonAhead(): void {
    this.settlePlan();
    this.ahead = [];
    this.aheadDefines.clear();
    this.backlog.length = 0;
  }

  /**
   * The page's questions, as the Pyodide runtime answers them (python-runtime.ts `call`, the same Python code):
   * `complete`, `inspect`, `ping` (the channel's own cost), `set_widget_value` (docs/protocol.md, Widgets) and
   * `table_page` (live tables, python/rnb_variables.py).
   */
  call(method: string, payload: JsonValue): JsonValue {
    if (method === 'ping') return null;
    if (method === 'set_widget_value') return this.setWidgetValue(payload);
    if (this.lost) throw new Error(`Not answered: ${this.lost}.`);
    if (method === TABLE_PAGE_METHOD) return JSON.parse(this.ask('table_page', [tablePageRequest(payload)])) as JsonValue;
    if (method === 'inspect') {
      const request = (payload ?? {}) as { name?: unknown };
      if (typeof request.name !== 'string') throw new Error("inspect takes { name: string } (a dotted name, e.g. 'df.mean').");
      return JSON.parse(this.ask('inspect_name', [JSON.stringify({ name: request.name })])) as JsonValue;
    }
    if (method !== 'complete') throw new Error(`The native Python runtime has no method "${method}"; it answers "complete", "inspect", "set_widget_value", "${TABLE_PAGE_METHOD}" and "ping".`);
    const request = (payload ?? {}) as { code?: unknown; cursor?: unknown };
    if (typeof request.code !== 'string' || typeof request.cursor !== 'number' || !Number.isSafeInteger(request.cursor) || request.cursor < 0) {
      throw new Error('complete takes { code: string, cursor: number } (cursor: characters before it in code).');
    }
    return JSON.parse(this.ask('complete', [JSON.stringify({ code: request.code, cursor: request.cursor })])) as JsonValue;
  }

  private setWidgetValue(payload: JsonValue): JsonValue {
    if (this.lost) throw new Error(`Not answered: ${this.lost}.`);
    const request = payload as { widget_id?: unknown } | null;
    if (!request || typeof request !== 'object' || Array.isArray(request) || typeof request.widget_id !== 'string') throw new Error('set_widget_value takes { widget_id: string, value }.');
    this.settlePlan();
    this.request(`{"op":"widget","payload":${JSON.stringify(payload)}`);
    let answer: { names?: string[]; error?: string } & { [key: string]: JsonValue | undefined };
    for (;;) {
      const frame = this.nextFrame(false, undefined, Date.now() + 10_000);
      if (frame.t === 'value') {
        answer = JSON.parse(frame.json ?? 'null') as typeof answer;
        break;
      }
      if (frame.t === 'fail') throw new Error(`The Python runtime failed: ${frame.error}`);
    }
    if (typeof answer.error === 'string') throw new Error(answer.error);
    // Other languages read the widget's names afresh: what they converted before is stale now.
    for (const name of answer.names ?? []) if (this.context.namespace.has(name)) this.context.namespace.setEntry(name, this.entry(name));
    return answer as JsonValue;
  }

  deleteNames(names: readonly string[]): void {
    if (this.lost) return;
    for (const name of names) if (!this.aheadDefines.has(name)) this.pendingDeletes.push(name);
  }

  describeVariables(budget: VariableBudget): VariableDescription[] {
    if (this.lost) return [];
    return parseDescriptions(this.ask('describe_variables', describeArguments(budget)));
  }

  forgetCells(cellIds: readonly string[]): void {
    if (!this.lost) this.ask('forget_cells', [JSON.stringify(cellIds)]);
  }

  /** Calls one of the driver's RUNNER_CALLS and waits for its JSON text. */
  private ask(fn: string, args: (string | number)[]): string {
    this.settlePlan();
    this.request(`{"op":"call","fn":${JSON.stringify(fn)},"args":${JSON.stringify(args)}`);
    for (;;) {
      const frame = this.nextFrame(false, undefined, Date.now() + 10_000);
      if (frame.t === 'value') return frame.json ?? 'null';
      if (frame.t === 'fail') throw new Error(`Python could not answer ${fn}: ${frame.error}`);
    }
  }

  dispose(): void {
    this.python.kill();
  }

  /** The process is gone and its values with it: this worker ends, so the kernel reports the session lost. */
  private lose(reason: string): void {
    this.lost = reason;
    this.context.log('warn', reason);
    setImmediate(() => process.exit(1));
  }

  private publish(defines: readonly string[], defined: readonly string[]): void {
    const present = new Set(defined);
    for (const name of defines) {
      if (present.has(name)) this.context.namespace.setEntry(name, this.entry(name));
      else this.context.namespace.delete(name);
    }
  }

  /**
   * Values stay in CPython; another language's first read asks for them as JSON. A DataFrame comes by columns, which
   * SQL takes as they are (toColumns: its rows are built from them); other readers get its records.
   */
  private entry(name: string): NamespaceEntry {
    let fetched: { table: TableColumns } | { value: unknown } | null = null;
    let records: { value: unknown } | null = null;
    const fetch = (): { table: TableColumns } | { value: unknown } => {
      if (fetched) return fetched;
      // The rest of a plan sent ahead is read first, and the names waiting to be dropped go with the request.
      this.settlePlan();
      this.request(`{"op":"value","name":${JSON.stringify(name)}`);
      for (;;) {
        const frame = this.nextFrame(false, undefined, Date.now() + 60_000);
        if (frame.t === 'value') {
          const table = frame.table ? (frame.v as ColumnTable) : null;
          fetched = table ? { table: { names: table.columns, columns: table.data, rowCount: table.data[0]?.length ?? 0 } } : { value: frame.v };
          return fetched;
        }
        if (frame.t === 'fail') throw new Error(`Python could not convert ${name}: ${frame.error}`);
      }
    };
    return {
      language: this.context.language,
      native: { python: name },
      toColumns: (): TableColumns | null => {
        const answer = fetch();
        // A frame without columns has no rows to give by columns.
        return 'table' in answer && answer.table.names.length > 0 ? answer.table : null;
      },
      toJS: (): unknown => {
        if (records) return records.value;
        const answer = fetch();
        records = { value: 'table' in answer ? columnsToRecords({ columns: answer.table.names, data: answer.table.columns as unknown[][] }) : answer.value };
        return records.value;
      },
    };
  }
}

function readOptions(raw: JsonValue): NativeRuntimeOptions {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !Array.isArray(raw.argv) || raw.argv.some((a) => typeof a !== 'string')) {
    throw new TypeError('The native Python runtime needs options.argv, the command line the server planned.');
  }
  return { argv: raw.argv as string[], startTimeoutMs: typeof raw.startTimeoutMs === 'number' ? raw.startTimeoutMs : 30_000 };
}

const createNativePythonRuntime: RuntimeFactory = (context) => {
  const options = readOptions(context.options);
  // Taken before the door closes: nothing else in this worker (SQL, say) may start processes.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  disableChildProcesses();
  const started = Date.now();
  const child = spawn(options.argv[0]!, options.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: {}, cwd: '/' });
  const spawnMs = Date.now() - started;
  child.on('error', () => undefined);
  const python = new NativeProcess(child);
  // The worker ends (replaced, closed): CPython goes with it (its stdin closes too, which ends it on its own).
  process.on('exit', () => python.kill());
  const deadline = Date.now() + options.startTimeoutMs;
  // The kernel's cap on one output, where core gives one (newer cores do): the runner then turns a larger repr into a note.
  const maxOutputChars = (context as RuntimeContext & { maxOutputChars?: number }).maxOutputChars;
  // Sent at once, while bubblewrap and the interpreter start: the driver reads it right after saying it is ready.
  // The driver imports the runner and the other kernel modules from its own folder (python/, bound in the sandbox).
  python.send({ op: 'runner', maxOutputChars: typeof maxOutputChars === 'number' && maxOutputChars > 0 ? maxOutputChars : null });
  const ready = python.receive(undefined, deadline);
  if (ready.t !== 'ready') throw new Error('the Python process did not start');
  const readyMs = Date.now() - started;
  const loaded = python.receive(undefined, deadline);
  if (loaded.t !== 'loaded') throw new Error(`the Python runner did not load: ${loaded.t === 'fail' ? loaded.error : loaded.t}`);
  // Where a start's time went (bench/native-start.js reads it): the spawn call, the sandbox and interpreter up to the
  // driver's `ready`, then the runner and its modules loaded.
  const timing = `spawn ${spawnMs} ms, ready after ${readyMs} ms, runner loaded after ${Date.now() - started} ms`;
  context.log('info', `native CPython ready (pid ${ready.pid} in its sandbox, uid ${ready.uid}, seccomp filter ${ready.seccomp ? 'on' : 'off'}; ${timing})`);
  return new NativePythonRuntime(python, context);
};

export default createNativePythonRuntime;
