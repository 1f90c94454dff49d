/**
 * One notebook's worker thread inside the kernel process: loads the language
 * runtimes, holds the notebook's namespace, runs plans cell by cell.
 * Imports nothing but Node built-ins (the process may read little else).
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CellIO, CellRun, LanguageRuntime, Namespace, NamespaceEntry, RuntimeFactory } from '../../language/runtime-api';
import type { JsonValue, Output, OutputStream } from '../../model/types';
import type { CellReport, KernelLimits, KernelVariable, PlanItem, RuntimeLoad } from '../protocol';
import { describeAccessDenied } from './access-denied';
import { installBindingShim } from './binding-shim';
import { capOutput } from './output-cap';
import { describeVariables } from './describe-variables';

export interface WorkerInit {
  runtimes: RuntimeLoad[];
  limits: KernelLimits;
  interruptBuffer: SharedArrayBuffer;
  /**
   * Int32 [runId, plan index + 1] of the cell running now (0 between cells): written before each cell, never
   * waited on, so the supervisor can name the cell whose worker died even if its start report was still queued.
   */
  runningSlot: SharedArrayBuffer;
  /** The kernel's cell-entered channel (CELL_ENTERED_FD): a line before each cell, written by this thread itself. */
  enteredFd: number;
  /** A notebook waits for this worker's runtimes to load (see RuntimeContext.startup). */
  waitedOn: boolean;
  /** Load every language now, in the background (the warm spare), rather than each at its first use. */
  preload: boolean;
}

/** worker → main */
export type WorkerOut =
  /** The preload is over (at once when there is none); a language that failed says so at its first cell. */
  | { w: 'loaded' }
  | { w: 'runtime_loaded'; language: string; ms: number }
  /** A run's reports in order; several per message (a cell's finish travels with the next cell's start). */
  | { w: 'reports'; runId: number; reports: CellReport[] }
  | { w: 'run_done'; runId: number }
  | { w: 'variables'; variables: KernelVariable[]; truncated: boolean }
  | { w: 'host_call'; requestId: number; service: string; payload: JsonValue }
  | { w: 'call_reply'; callId: number; ok: true; value: JsonValue }
  | { w: 'call_reply'; callId: number; ok: false; failure: 'failed'; error: string }
  | { w: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

/** main → worker */
export type WorkerIn =
  /** `calls`: answered (in order) before the plan runs. */
  | { w: 'run'; runId: number; plan: PlanItem[]; session: string; calls: WorkerCall[] }
  | { w: 'cancel'; runId: number }
  | { w: 'interrupt' }
  | { w: 'delete_names'; names: string[]; cells: string[] }
  | { w: 'host_reply'; requestId: number; ok: boolean; value?: JsonValue; error?: string }
  | ({ w: 'call' } & WorkerCall);

/** A runtime call; `expiresAt` (Date.now() of this process): after it nobody waits for the answer any more. */
export interface WorkerCall {
  callId: number;
  language: string;
  method: string;
  payload: JsonValue;
  expiresAt: number;
}

class MapNamespace implements Namespace {
  private readonly entries = new Map<string, NamespaceEntry>();
  has(name: string): boolean {
    return this.entries.has(name);
  }
  get(name: string): unknown {
    return this.entries.get(name)?.toJS();
  }
  entry(name: string): NamespaceEntry | undefined {
    return this.entries.get(name);
  }
  set(name: string, value: unknown, language: string): void {
    this.entries.set(name, { language, native: value, toJS: () => value });
  }
  setEntry(name: string, entry: NamespaceEntry): void {
    this.entries.set(name, entry);
  }
  delete(name: string): boolean {
    return this.entries.delete(name);
  }
  names(): string[] {
    return [...this.entries.keys()];
  }
}

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (message: WorkerOut): void => port.postMessage(message);
const interruptView = new Int32Array(init.interruptBuffer);
const runningSlot = new Int32Array(init.runningSlot);

/** Tells the server, synchronously and before the cell runs, which cell this worker enters (see CELL_ENTERED_FD). */
function enterCell(session: string, runId: number, cellId: string): void {
  try {
    fs.writeSync(init.enteredFd, `${JSON.stringify([session, runId, cellId])}\n`);
  } catch {
    // The server went away; the process ends with it.
  }
}
const namespace = new MapNamespace();
const runtimes = new Map<string, LanguageRuntime>();
const hostCalls = new Map<number, { resolve(value: JsonValue): void; reject(error: Error): void }>();
let nextHostCall = 1;
let cancelledRun = -1;
let abortCurrent: AbortController | null = null;

/**
 * Reports wait here until something must go out now: a cell's start (the supervisor times the cell from it and the
 * page shows it running), output written while a cell runs (flushed by time already), the end of the plan, or a full
 * batch. So a chain of quick cells costs one message per cell, not two, and nothing waits for the main thread.
 */
const REPORT_BATCH = 64;
let queuedReports: CellReport[] = [];
let queuedRunId = -1;
function queueReport(runId: number, report: CellReport): void {
  if (queuedRunId !== runId) flushReports();
  queuedRunId = runId;
  queuedReports.push(report);
  if (queuedReports.length >= REPORT_BATCH) flushReports();
}
function sendReport(runId: number, report: CellReport): void {
  queueReport(runId, report);
  flushReports();
}
function flushReports(): void {
  if (queuedReports.length === 0) return;
  const reports = queuedReports;
  queuedReports = [];
  post({ w: 'reports', runId: queuedRunId, reports });
}

/** A failure's message: the error's name and message (`NameError: ...`), the name once when the message has it already. */
function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; name?: unknown };
    if (typeof e.message !== 'string') return String(error);
    const named = typeof e.name === 'string' && e.name !== 'Error' && !e.message.startsWith(`${e.name}:`);
    return named ? `${e.name}: ${e.message}` : e.message;
  }
  return String(error);
}

/** Everything a failure says, for logs and runtime calls: its traceback (which names it), else its message. */
function errorText(error: unknown): string {
  return errorTraceback(error) ?? errorMessage(error);
}

/** Where it happened, when the runtime reports it apart from the message (a Python traceback). */
function errorTraceback(error: unknown): string | undefined {
  const traceback = error && typeof error === 'object' ? (error as { traceback?: unknown }).traceback : undefined;
  return typeof traceback === 'string' && traceback.length > 0 ? traceback : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  if (ms <= 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/**
 * A cell's failure as the user sees it: the runtime's message and traceback kept apart (the server
 * builds the shown text from both); a file the sandbox refused names the file and the runtime's readPaths.
 */
function failure(error: unknown, language: string): { error: string; traceback?: string } {
  const spec = init.runtimes.find((r) => r.language === language);
  const denied = spec && describeAccessDenied(error, { language, module: spec.module, readPaths: spec.readPaths ?? [] });
  if (denied) return { error: denied };
  const traceback = errorTraceback(error);
  return traceback === undefined ? { error: errorMessage(error) } : { error: errorMessage(error), traceback };
}

/**
 * A language's runtime, loaded on its first use (a cell, a call) or by the warm spare's preload: a notebook never
 * waits for a language it does not use (a SQL-only notebook never loads Pyodide). A failed load fails that
 * language's cells with the reason, and the next use tries again.
 */
function runtimeFor(language: string): Promise<LanguageRuntime> {
  const loaded = runtimes.get(language);
  if (loaded) return Promise.resolve(loaded);
  const inFlight = runtimeLoads.get(language);
  if (inFlight) return inFlight;
  const spec = init.runtimes.find((r) => r.language === language);
  if (!spec) return Promise.reject(new Error(`No runtime for language "${language}" in this kernel.`));
  const started = Date.now();
  const loading = loadRuntime(spec).then(
    (runtime) => {
      runtimeLoads.delete(language);
      post({ w: 'runtime_loaded', language, ms: Date.now() - started });
      return runtime;
    },
    (error: unknown) => {
      runtimeLoads.delete(language);
      const denied = describeAccessDenied(error, { language: spec.language, module: spec.module, readPaths: spec.readPaths ?? [] });
      throw denied ? new Error(`loading the "${spec.language}" runtime: ${denied}`) : error;
    },
  );
  runtimeLoads.set(language, loading);
  return loading;
}
const runtimeLoads = new Map<string, Promise<LanguageRuntime>>();

async function loadRuntime(spec: RuntimeLoad): Promise<LanguageRuntime> {
  const loaded = require(spec.module) as RuntimeFactory | { default?: RuntimeFactory };
  const factory = typeof loaded === 'function' ? loaded : loaded.default;
  if (typeof factory !== 'function') throw new Error(`runtime module of "${spec.language}" exports no factory function`);
  const runtime = await withTimeout(
    Promise.resolve(
      factory({
        language: spec.language,
        namespace,
        options: spec.options,
        interruptBuffer: interruptView,
        hostCall: (service, payload) =>
          new Promise<JsonValue>((resolve, reject) => {
            const requestId = nextHostCall++;
            hostCalls.set(requestId, { resolve, reject });
            post({ w: 'host_call', requestId, service, payload });
          }),
        log: (level, message) => post({ w: 'log', level, message: `[${spec.language}] ${String(message).slice(0, 2000)}` }),
        startup: init.waitedOn ? 'waited-on' : 'background',
        maxOutputChars: init.limits.maxOutputChars,
      }),
    ),
    init.limits.runtimeLoadTimeoutMs,
    `runtime "${spec.language}" did not load within ${init.limits.runtimeLoadTimeoutMs} ms`,
  );
  runtimes.set(spec.language, runtime);
  return runtime;
}

/**
 * Buffers a cell's stdout and stderr: flushed by time from inside the write (a
 * synchronous runtime blocks timers), capped per cell for both streams
 * together. The buffer holds one stream at a time: a write to the other stream
 * flushes it first, so the two interleave in the order they were written.
 */
class CellOutput implements CellIO {
  private buffer = '';
  private bufferStream: OutputStream = 'stdout';
  private kept = 0;
  private dropped = 0;
  /** The stream that first overflowed the cap: the truncation note goes there. */
  private droppedFrom: OutputStream | null = null;
  private lastFlush = Date.now();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly runId: number,
    private readonly cellId: string,
    readonly signal: AbortSignal,
  ) {}

  stdout(text: string): void {
    this.write(text, 'stdout');
  }
  stderr(text: string): void {
    this.write(text, 'stderr');
  }
  output(output: Output): void {
    this.flush();
    // Capped here, before the output is cloned and framed: one too large says so in the cell instead of vanishing.
    sendReport(this.runId, { k: 'output', cell: this.cellId, output: capOutput(output, init.limits.maxOutputChars) });
  }

  private write(text: string, stream: OutputStream): void {
    if (typeof text !== 'string' || text.length === 0) return;
    const room = init.limits.maxStdoutBytesPerCell - this.kept;
    if (room <= 0) {
      this.dropped += text.length;
      this.droppedFrom ??= stream;
      return;
    }
    const part = text.length > room ? text.slice(0, room) : text;
    if (part.length < text.length) {
      this.dropped += text.length - part.length;
      this.droppedFrom ??= stream;
    }
    if (this.buffer && this.bufferStream !== stream) this.flush();
    this.bufferStream = stream;
    this.kept += part.length;
    this.buffer += part;
    if (Date.now() - this.lastFlush >= init.limits.flushIntervalMs) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), init.limits.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = Date.now();
    if (!this.buffer) return;
    const data = this.buffer;
    this.buffer = '';
    sendReport(this.runId, { k: 'stdout', cell: this.cellId, data, stream: this.bufferStream });
  }

  close(): void {
    if (this.dropped > 0) {
      const stream = this.droppedFrom ?? 'stdout';
      if (this.buffer && this.bufferStream !== stream) this.flush();
      this.bufferStream = stream;
      this.buffer += `\n[output truncated: ${this.dropped} more characters were not kept]\n`;
    }
    this.flush();
  }
}

/** A cell's previous values go before it runs or is blocked: a failed or blocked cell leaves no stale value. */
function forget(names: readonly string[]): void {
  if (names.length === 0) return;
  for (const name of names) namespace.delete(name);
  for (const runtime of runtimes.values()) {
    try {
      runtime.deleteNames?.(names);
    } catch (error) {
      post({ w: 'log', level: 'warn', message: `deleteNames failed: ${errorText(error)}` });
    }
  }
}

/**
 * The abort signal of the running cell: one per plan (each cell's race adds a reaction to it, freed with the plan),
 * a new one within the plan only after an interrupt used it up.
 */
let planAbort: { controller: AbortController; aborted: Promise<never> } | null = null;
function currentAbort(): { controller: AbortController; aborted: Promise<never> } {
  if (planAbort && !planAbort.controller.signal.aborted) return planAbort;
  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason ?? new Error('KeyboardInterrupt')), { once: true }),
  );
  aborted.catch(() => undefined); // raced against each cell; unobserved once the plan ends
  planAbort = { controller, aborted };
  return planAbort;
}

async function runPlan(session: string, runId: number, plan: PlanItem[]): Promise<void> {
  const failed = new Set<number>();
  const report = (r: CellReport): void => queueReport(runId, r);
  planAbort = null;
  for (let index = 0; index < plan.length; index++) {
    const item = plan[index]!;
    if (cancelledRun === runId) {
      report({ k: 'finish', cell: item.cellId, status: 'cancelled' });
      continue;
    }
    const blocker = item.parents.find((p) => failed.has(p));
    if (blocker !== undefined) {
      failed.add(index);
      forget(item.defines);
      report({ k: 'finish', cell: item.cellId, status: 'blocked', error: `Not run: upstream cell ${plan[blocker]!.cellId} did not succeed.` });
      continue;
    }
    let runtime = runtimes.get(item.language);
    if (!runtime) {
      try {
        flushReports(); // what went before is not held back while a runtime loads
        runtime = await runtimeFor(item.language);
      } catch (error) {
        failed.add(index);
        report({ k: 'finish', cell: item.cellId, status: 'error', error: errorText(error) });
        continue;
      }
    }
    forget(item.defines);
    Atomics.store(interruptView, 0, 0);
    const abort = currentAbort();
    abortCurrent = abort.controller;
    const io = new CellOutput(runId, item.cellId, abort.controller.signal);
    Atomics.store(runningSlot, 0, runId);
    Atomics.store(runningSlot, 1, index + 1);
    // If this cell kills the whole process at once, the server must still know which cell it was: the line goes
    // straight to the server from this thread (a write, no round trip through the main thread). The start report
    // itself is sent, never waited for.
    enterCell(session, runId, item.cellId);
    sendReport(runId, { k: 'start', cell: item.cellId }); // with the previous cell's finish and anything queued
    const cell: CellRun = { cellId: item.cellId, code: item.code, defines: item.defines, references: item.references };
    if (item.meta) cell.meta = item.meta;
    try {
      await Promise.race([Promise.resolve().then(() => runtime.run(cell, io)), abort.aborted]);
      io.close();
      report({ k: 'finish', cell: item.cellId, status: 'success' });
    } catch (error) {
      io.close();
      failed.add(index);
      report({ k: 'finish', cell: item.cellId, status: 'error', ...failure(error, item.language) });
    } finally {
      Atomics.store(runningSlot, 1, 0);
      abortCurrent = null;
    }
  }
  planAbort = null;
  flushReports();
  // Before run_done: whoever waits for the run to end (whenIdle) finds the new list there.
  await sendVariables();
  post({ w: 'run_done', runId });
}

/** The variable explorer's list, pushed after every plan and deletion (never asked for by polling). */
async function sendVariables(): Promise<void> {
  const { variables, truncated } = await describeVariables(runtimes, namespace, (message) => post({ w: 'log', level: 'warn', message }));
  post({ w: 'variables', variables, truncated });
}

/** Deleted cells: their names go, and whatever their runtimes keep for them (live tables). */
function forgetCells(cells: readonly string[]): void {
  if (cells.length === 0) return;
  for (const runtime of runtimes.values()) {
    try {
      runtime.forgetCells?.(cells);
    } catch (error) {
      post({ w: 'log', level: 'warn', message: `forgetCells failed: ${errorText(error)}` });
    }
  }
}

/**
 * A question from the page for one runtime. Not queued behind the plan: it is
 * answered whenever this thread gets the message, which is at once while the
 * runtime awaits something and only after the cell while it computes
 * synchronously (the supervisor answers "busy" meanwhile, and the call has
 * expired by the time it arrives here, so it is dropped unasked).
 */
async function answerCall(message: WorkerCall): Promise<void> {
  if (Date.now() >= message.expiresAt) return;
  const fail = (error: string): void => post({ w: 'call_reply', callId: message.callId, ok: false, failure: 'failed', error: error.slice(0, 2000) });
  let runtime: LanguageRuntime;
  try {
    runtime = await runtimeFor(message.language);
  } catch (error) {
    return fail(errorText(error));
  }
  if (Date.now() >= message.expiresAt) return;
  if (typeof runtime.call !== 'function') return fail(`The ${message.language} runtime answers no calls.`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('the caller stopped waiting')), message.expiresAt - Date.now());
  try {
    const value = (await runtime.call(message.method, message.payload, abort.signal)) ?? null;
    const text = JSON.stringify(value);
    if (text === undefined) return fail(`The ${message.language} runtime answered "${message.method}" with something that is not JSON.`);
    if (text.length > init.limits.runtimeCallAnswerChars) {
      return fail(`The ${message.language} runtime's answer to "${message.method}" has ${text.length} characters; the limit is ${init.limits.runtimeCallAnswerChars}.`);
    }
    post({ w: 'call_reply', callId: message.callId, ok: true, value: JSON.parse(text) as JsonValue });
  } catch (error) {
    fail(errorText(error));
  } finally {
    clearTimeout(timer);
  }
}

let running: Promise<void> = Promise.resolve();

port.on('message', (message: WorkerIn) => {
  switch (message.w) {
    case 'run':
      running = running.then(async () => {
        for (const call of message.calls) await answerCall(call);
        await runPlan(message.session, message.runId, message.plan);
      });
      break;
    case 'cancel':
      cancelledRun = message.runId;
      break;
    case 'interrupt':
      abortCurrent?.abort(Object.assign(new Error('KeyboardInterrupt: the cell was interrupted.'), { name: 'KeyboardInterrupt' }));
      break;
    case 'delete_names':
      running = running.then(async () => {
        forget(message.names);
        forgetCells(message.cells);
        await sendVariables();
      });
      break;
    case 'call':
      void answerCall(message);
      break;
    case 'host_reply': {
      const call = hostCalls.get(message.requestId);
      if (!call) break;
      hostCalls.delete(message.requestId);
      if (message.ok) call.resolve(message.value ?? null);
      else call.reject(new Error(message.error ?? 'host call failed'));
      break;
    }
  }
});

// A runtime's stray rejection or throw outside a cell must not take the worker down.
process.on('unhandledRejection', (reason) => post({ w: 'log', level: 'warn', message: `unhandled rejection: ${errorText(reason)}` }));
process.on('uncaughtException', (error) => post({ w: 'log', level: 'warn', message: `uncaught exception: ${errorText(error)}` }));

installBindingShim();
// The warm spare loads every language in the background (a notebook taking it finds them ready); a worker started
// for a waiting notebook loads each language at its first use.
if (init.preload) {
  void Promise.allSettled(init.runtimes.map((spec) => runtimeFor(spec.language))).then(() => post({ w: 'loaded' }));
} else post({ w: 'loaded' });
