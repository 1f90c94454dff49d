/**
 * One notebook's worker thread inside the kernel process: holds the notebook's namespace and language runtimes
 * (runtimes.ts), runs plans (plan-runner.ts) and answers the page's runtime calls. Reports go to the main thread
 * through shared memory (report-ring.ts); everything else by message.
 * Imports nothing but Node built-ins (the process may read little else).
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { LanguageRuntime } from '../../language/runtime-api';
import type { JsonValue } from '../../model/types';
import { CELL_ENTERED_RECORD, type KernelLimits, type KernelVariable, type PlanItem, type RuntimeLoad } from '../protocol';
import { installBindingShim } from './binding-shim';
import { describeVariables } from './describe-variables';
import { errorText } from './errors';
import { MapNamespace } from './namespace';
import { PlanRunner } from './plan-runner';
import { ReportRingWriter } from './report-ring';
import { Runtimes } from './runtimes';

export interface WorkerInit {
  runtimes: RuntimeLoad[];
  limits: KernelLimits;
  interruptBuffer: SharedArrayBuffer;
  /** The running cell (plan-runner.ts, RUNNING_SLOT_BYTES): written before each cell, never waited on. */
  runningSlot: SharedArrayBuffer;
  /** This worker's report ring (report-ring.ts): the main thread drains it. */
  reportRing: SharedArrayBuffer;
  /** The kernel's cell-entered file (CELL_ENTERED_FD): this worker's record, rewritten before each cell by this thread. */
  enteredFd: number;
  /** Which record of that file is this worker's. */
  enteredSlot: number;
  /** A notebook waits for this worker's runtimes to load (see RuntimeContext.startup). */
  waitedOn: boolean;
  /**
   * Languages to load now rather than at their first use: every one for the warm spare (in the background), the
   * notebook's for a worker whose host named them (KernelManagerOptions.preloadLanguages).
   */
  preload: string[];
}

/** worker → main. `ring`: the report ring's position when posted (the main thread drains up to it first). */
export type WorkerOut =
  /** The preload is over (at once when there is none); a language that failed says so at its first cell. */
  | { w: 'loaded' }
  | { w: 'runtime_loaded'; language: string; ms: number }
  /** Drain the report ring now: a plan ended, or the ring is full. */
  | { w: 'drain'; ring: number }
  | { w: 'run_done'; runId: number; ring: number }
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

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (message: WorkerOut): void => port.postMessage(message);
const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string): void => post({ w: 'log', level, message });
const interruptView = new Int32Array(init.interruptBuffer);
const reports = new ReportRingWriter(init.reportRing, () => post({ w: 'drain', ring: reports.position }));
const namespace = new MapNamespace();
const hostCalls = new Map<number, { resolve(value: JsonValue): void; reject(error: Error): void }>();
let nextHostCall = 1;
let cancelledRun = -1;

const runtimes = new Runtimes({
  specs: init.runtimes,
  limits: init.limits,
  namespace,
  interruptView,
  waitedOn: init.waitedOn,
  hostCall: (service, payload) =>
    new Promise<JsonValue>((resolve, reject) => {
      const requestId = nextHostCall++;
      hostCalls.set(requestId, { resolve, reject });
      post({ w: 'host_call', requestId, service, payload });
    }),
  log,
  loaded: (language, ms) => post({ w: 'runtime_loaded', language, ms }),
});

const enteredRecord = Buffer.alloc(CELL_ENTERED_RECORD);
/** Notes, synchronously and before the cell runs, which cell this worker enters (see CELL_ENTERED_FD): a file write, no wake-up. */
function enterCell(session: string, runId: number, cellId: string): void {
  enteredRecord.fill(0x20);
  const written = enteredRecord.write(JSON.stringify([session, runId, cellId]), 0, CELL_ENTERED_RECORD - 1, 'utf8');
  if (written >= CELL_ENTERED_RECORD - 1) return; // ids too long for a record (never, for the server's ids): unnamed
  enteredRecord[CELL_ENTERED_RECORD - 1] = 0x0a;
  try {
    fs.writeSync(init.enteredFd, enteredRecord, 0, CELL_ENTERED_RECORD, init.enteredSlot * CELL_ENTERED_RECORD);
  } catch {
    // The server went away; the process ends with it.
  }
}

const plans = new PlanRunner({
  runtimes,
  namespace,
  limits: init.limits,
  interruptView,
  runningSlot: init.runningSlot,
  reports,
  enterCell,
  isCancelled: (runId) => cancelledRun === runId,
  log,
});

async function runPlan(session: string, runId: number, plan: PlanItem[]): Promise<void> {
  await plans.run(session, runId, plan);
  // The last results go out now, before the variable explorer's list is made.
  post({ w: 'drain', ring: reports.position });
  // Before run_done: whoever waits for the run to end (whenIdle) finds the new list there.
  await sendVariables();
  post({ w: 'run_done', runId, ring: reports.position });
}

/** The variable explorer's list, pushed after every plan and deletion (never asked for by polling). */
async function sendVariables(): Promise<void> {
  const { variables, truncated } = await describeVariables(runtimes.byLanguage, namespace, (message) => log('warn', message));
  post({ w: 'variables', variables, truncated });
}

/** Deleted cells: their names go, and whatever their runtimes keep for them (live tables). */
function forgetCells(cells: readonly string[]): void {
  if (cells.length === 0) return;
  for (const runtime of runtimes.all()) {
    try {
      runtime.forgetCells?.(cells);
    } catch (error) {
      log('warn', `forgetCells failed: ${errorText(error)}`);
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
    runtime = await runtimes.runtimeFor(message.language);
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
      plans.abortCurrent?.abort(Object.assign(new Error('KeyboardInterrupt: the cell was interrupted.'), { name: 'KeyboardInterrupt' }));
      break;
    case 'delete_names':
      running = running.then(async () => {
        plans.forget(message.names);
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
process.on('unhandledRejection', (reason) => log('warn', `unhandled rejection: ${errorText(reason)}`));
process.on('uncaughtException', (error) => log('warn', `uncaught exception: ${errorText(error)}`));

installBindingShim();
// The warm spare loads every language in the background (a notebook taking it finds them ready); a worker started
// for a waiting notebook loads each language at its first use, but those its host said the notebook uses.
if (init.preload.length > 0) {
  void Promise.allSettled(init.preload.map((language) => runtimes.runtimeFor(language))).then(() => post({ w: 'loaded' }));
} else post({ w: 'loaded' });
