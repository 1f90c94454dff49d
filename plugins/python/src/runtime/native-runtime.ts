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
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { CellIO, CellRun, JsonValue, LanguageRuntime, NamespaceEntry, Output, RuntimeContext, RuntimeFactory, TableColumns, VariableBudget, VariableDescription } from '@rnb/core';
import { disableChildProcesses } from './hardening';
import { describeArguments, parseDescriptions, TABLE_PAGE_METHOD, tablePageRequest, withTableLanguage } from './table-page';
import { columnsToRecords, recordsToColumns, type ColumnTable } from './native-tables';

/** `runtime.options` of the Python language when PYTHON_RUNTIME=native. */
export interface NativeRuntimeOptions {
  /** The whole command line (argv[0] absolute): bwrap with its layers, the interpreter and the driver. */
  argv: string[];
  /** How long the interpreter may take to start and load the runner. */
  startTimeoutMs: number;
}

type CellResult =
  | { status: 'ok'; outputs: Output[]; defined: string[] }
  | { status: 'error'; message: string; traceback: string; type: string };

type Frame =
  | { t: 'ready'; pid: number; uid: number; seccomp: boolean }
  | { t: 'loaded' }
  | { t: 'out'; s: 'stdout' | 'stderr'; d: string }
  /** An output display() (or plt.show()) shows while the cell runs. */
  | { t: 'output'; o: Output }
  | { t: 'done'; result: CellResult }
  /** A runner call's answer (JSON text), or a name's value inline (`v`; a ColumnTable when `table`, a DataFrame by columns). */
  | { t: 'value'; json?: string; v?: unknown; table?: boolean }
  | { t: 'fail'; error: string };

/** What a failed cell throws: the kernel shows `traceback` when present. */
class NativeCellError extends Error {
  constructor(message: string, readonly traceback: string, readonly pythonType: string) {
    super(message);
    this.name = pythonType;
  }
}

class ProcessGone extends Error {}

/** For the person at the notebook: nothing is downloaded on this runtime, packages are the server's. */
const MISSING_MODULE_HINT =
  "\n\nThis server runs Python natively: modules come from its own Python installation, and cells cannot install any (there is no network). Ask the administrator to install the package.";

interface PipeHandle {
  fd: number;
  readStop(): number;
  reading: boolean;
}

function handleOf(stream: unknown): PipeHandle {
  // The pipes' file descriptors, for synchronous reads and writes; libuv is told to stop reading them.
  const handle = (stream as { _handle?: PipeHandle })._handle;
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0) throw new Error('the Python process has no pipe');
  return handle;
}

/** One notebook's CPython process and the synchronous line protocol with it. */
class NativeProcess {
  private readonly inFd: number;
  private readonly interruptFd: number;
  private readonly outFd: number;
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly chunk = Buffer.alloc(1024 * 1024);
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  private stderrTail = '';
  exitDescription: string | null = null;

  constructor(private readonly child: ChildProcess) {
    const input = handleOf(child.stdin);
    const output = handleOf(child.stdout);
    output.readStop();
    output.reading = false;
    this.inFd = input.fd;
    this.interruptFd = handleOf(child.stdio[3]).fd;
    this.outFd = output.fd;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
  }

  send(request: object): void {
    this.sendText(JSON.stringify(request));
  }

  /** One request already in JSON text (a cell's, built without parsing its values back). */
  sendText(json: string): void {
    const bytes = Buffer.from(json + '\n', 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += fs.writeSync(this.inFd, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw new ProcessGone(this.gone());
        this.pause(0.05); // the pipe is full: CPython is reading it (a large table), back in a moment
      }
    }
  }

  /** One byte on the interrupt pipe: the driver's interrupt thread raises KeyboardInterrupt in the running cell. */
  interrupt(): void {
    try {
      fs.writeSync(this.interruptFd, Buffer.from('!'));
    } catch {
      // gone or full: an interrupt is already on its way, or the process is
    }
  }

  /**
   * The next frame. `onIdle` runs while nothing has arrived yet (polling the
   * interrupt buffer); `deadline` (ms since epoch) ends the wait with an error.
   */
  receive(onIdle?: () => void, deadline = Infinity): Frame {
    let idle = 0;
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (line) return JSON.parse(line) as Frame;
        continue;
      }
      let read: number;
      try {
        read = fs.readSync(this.outFd, this.chunk, 0, this.chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw new ProcessGone(this.gone());
        onIdle?.();
        if (Date.now() > deadline) throw new ProcessGone('the Python process did not answer in time');
        // A few quick polls, then 50 µs sleeps, then 1 ms. Not a long spin: on a busy machine a spinning worker takes the
        // core CPython needs to answer (a spin of 2,000 polls here and 0.5 ms in the driver made the 100-cell chain
        // 960 ms instead of 163 ms at load average 21 on 2 cores; bench/native-python.js --chain-only).
        if (idle >= 50) this.pause(idle < 2000 ? 0.05 : 1);
        idle++;
        continue;
      }
      if (read === 0) throw new ProcessGone(this.gone());
      idle = 0;
      this.buffer += this.decoder.decode(this.chunk.subarray(0, read), { stream: true });
    }
  }

  kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  private pause(ms: number): void {
    Atomics.wait(this.sleeper, 0, 0, ms);
  }

  private gone(): string {
    const detail = this.stderrTail.trim().split('\n').slice(-3).join(' ').slice(0, 1000);
    return `the Python process ended${this.exitDescription ? ` (${this.exitDescription})` : ''}${detail ? `: ${detail}` : ''}`;
  }
}

/** Plain JSON for CPython: JSON has no bigint or Date, so those become a number (or string) and an ISO string. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? (Number.isSafeInteger(Number(item)) ? Number(item) : item.toString()) : item));
}

class NativePythonRuntime implements LanguageRuntime {
  private lost: string | null = null;

  constructor(
    private readonly python: NativeProcess,
    private readonly context: RuntimeContext,
  ) {}

  run(cell: CellRun, io: CellIO): void {
    if (this.lost) throw new Error(`Not run: ${this.lost}; the notebook's values were lost.`);
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
    const interrupt = this.context.interruptBuffer;
    let interruptSent = false;
    let result: CellResult | null = null;
    try {
      this.python.sendText(`{"op":"run","cell":${JSON.stringify(cell.cellId)},"code":${JSON.stringify(cell.code)},"defines":${JSON.stringify(cell.defines)},"inject":${toJson(inject)},"tables":${toJson(tables)},"widgets":${JSON.stringify(cell.meta?.widgets ?? null)}}`);
      const onIdle = (): void => {
        if (!interruptSent && Atomics.load(interrupt, 0) === 2) {
          interruptSent = true;
          this.python.interrupt();
        }
      };
      while (!result) {
        const frame = this.python.receive(onIdle);
        if (frame.t === 'out') (frame.s === 'stderr' ? io.stderr(frame.d) : io.stdout(frame.d));
        else if (frame.t === 'output') io.output(withTableLanguage(frame.o, this.context.language));
        else if (frame.t === 'done') result = frame.result;
        else if (frame.t === 'fail') throw new Error(`The Python runtime failed: ${frame.error}`);
      }
    } catch (error) {
      if (error instanceof ProcessGone) this.lose(error.message);
      throw error;
    }
    if (result.status === 'error') {
      const hint = result.type === 'ModuleNotFoundError' ? MISSING_MODULE_HINT : '';
      throw new NativeCellError(result.message + hint, result.traceback + hint, result.type);
    }
    for (const output of result.outputs) io.output(withTableLanguage(output, this.context.language));
    this.publish(cell.defines, result.defined);
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
    this.python.send({ op: 'widget', payload });
    let answer: { names?: string[]; error?: string } & { [key: string]: JsonValue | undefined };
    for (;;) {
      const frame = this.python.receive(undefined, Date.now() + 10_000);
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
    if (!this.lost) this.python.send({ op: 'delete', names });
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
    this.python.send({ op: 'call', fn, args });
    for (;;) {
      const frame = this.python.receive(undefined, Date.now() + 10_000);
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
      this.python.send({ op: 'value', name });
      for (;;) {
        const frame = this.python.receive(undefined, Date.now() + 60_000);
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
  const child = spawn(options.argv[0]!, options.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: {}, cwd: '/' });
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
  const loaded = python.receive(undefined, deadline);
  if (loaded.t !== 'loaded') throw new Error(`the Python runner did not load: ${loaded.t === 'fail' ? loaded.error : loaded.t}`);
  context.log('info', `native CPython ready (pid ${ready.pid} in its sandbox, uid ${ready.uid}, seccomp filter ${ready.seccomp ? 'on' : 'off'})`);
  return new NativePythonRuntime(python, context);
};

export default createNativePythonRuntime;
