/**
 * The kernel process's supervisor (main thread). It talks to the server over
 * newline-delimited JSON (stdin in, fd 3 out), keeps one worker thread per
 * notebook session plus one warm spare, forwards interrupts through a
 * SharedArrayBuffer, and replaces a worker that dies or will not stop.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CELL_ENTERED_FD, PROTOCOL_VERSION, type CellReport, type KernelLimits, type KernelMessage, type RuntimeLoad, type ServerMessage } from '../protocol';
import type { WorkerIn, WorkerInit, WorkerOut } from './worker';

interface KernelArgs {
  runtimes: RuntimeLoad[];
  limits: KernelLimits;
  maxFrameBytes: number;
  /** Started for a notebook that waits (no warm process was ready), not for the warm pool. */
  waitedOn: boolean;
  /** Told to the user with a cell stopped by the time limit: how the limit is changed. */
  cellTimeLimitAdvice?: string;
}

// The allocator settings the server passed (kernel-process.ts) were read at exec; nothing else in the kernel sees them.
delete process.env.GLIBC_TUNABLES;

const args = JSON.parse(Buffer.from(process.argv[2] ?? '', 'base64').toString('utf8')) as KernelArgs;
const out = new net.Socket({ fd: 3, readable: false, writable: true });
out.on('error', () => process.exit(0));

let pending: KernelMessage[] = [];
let flushTimer: NodeJS.Timeout | null = null;
function send(message: KernelMessage, urgent = false): void {
  pending.push(message);
  if (urgent) flush();
  else if (!flushTimer) flushTimer = setTimeout(flush, 1);
}
function flush(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  if (pending.length === 0) return;
  const batch = pending;
  pending = [];
  // Consecutive reports of one session and run travel as one frame.
  const frames: KernelMessage[] = [];
  for (const message of batch) {
    const last = frames[frames.length - 1];
    if (message.t === 'reports' && last?.t === 'reports' && last.session === message.session && last.runId === message.runId) {
      last.reports.push(...message.reports);
    } else frames.push(message.t === 'reports' ? { ...message, reports: [...message.reports] } : message);
  }
  out.write(frames.map((f) => JSON.stringify(f)).join('\n') + '\n');
}

interface Session {
  id: string;
  worker: Worker;
  interrupt: Int32Array;
  runningSlot: Int32Array;
  /** The cells of the run in the worker, by plan index: what the running slot names. */
  planCells: string[];
  runningCell: { runId: number; cell: string; startedAt: number } | null;
  currentRun: number | null;
  interruptTimer: NodeJS.Timeout | null;
  /** The cell the time limit interrupted: its error says so. */
  timeLimited: string | null;
  /** Runtime calls sent to the worker and not yet answered; the timer refuses one as busy (during a run) or forgets it (past its budget). */
  calls: Map<number, NodeJS.Timeout>;
}

interface Spare {
  worker: Worker;
  interrupt: Int32Array;
  runningSlot: Int32Array;
  loaded: Promise<string | undefined>;
  logUntilBound: (message: WorkerOut) => void;
}

const sessions = new Map<string, Session>();
let spare: Spare | null = null;

function startWorker(waitedOn: boolean): Spare {
  const buffer = new SharedArrayBuffer(4);
  const runningSlot = new SharedArrayBuffer(8);
  const init: WorkerInit = { runtimes: args.runtimes, limits: args.limits, interruptBuffer: buffer, runningSlot, enteredFd: CELL_ENTERED_FD, waitedOn, preload: !waitedOn };
  const worker = new Worker(path.join(__dirname, 'worker.js'), {
    workerData: init,
    env: {},
    stdout: true,
    stderr: true,
    // A small young generation: its semi-spaces stay resident per worker (one per notebook) once used (4 MB: 6.6 MB
    // less PSS per notebook than the default, measured; building 100,000 objects in a worker showed no difference).
    resourceLimits: { maxOldGenerationSizeMb: args.limits.workerHeapMb, maxYoungGenerationSizeMb: 4 },
  });
  // Stray console output of a runtime is not the protocol; drop it.
  worker.stdout.resume();
  worker.stderr.resume();
  // Until a notebook takes it, the spare's own log lines (its runtimes loading) go out as the process's.
  const logUntilBound = (message: WorkerOut): void => {
    if (message.w === 'log') send({ t: 'log', level: message.level, message: message.message });
  };
  worker.on('message', logUntilBound);
  const loaded = new Promise<string | undefined>((resolve) => {
    const onMessage = (message: WorkerOut): void => {
      if (message.w === 'loaded') {
        worker.off('message', onMessage);
        resolve(undefined);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', (error) => resolve(`the worker failed while loading: ${error.message}`));
    worker.once('exit', (code) => resolve(`the worker exited while loading (code ${code})`));
  });
  return { worker, interrupt: new Int32Array(buffer), runningSlot: new Int32Array(runningSlot), loaded, logUntilBound };
}

function takeSpare(): Spare {
  const taken = spare ?? startWorker(true);
  spare = null;
  // Keep the next notebook's worker warm, but not while this one loads its first language: the spare's load would
  // take the CPU from it. It starts after this notebook's first run, or after a while.
  setTimeout(ensureSpare, SPARE_DELAY_MS).unref();
  return taken;
}

const SPARE_DELAY_MS = 3000;
function ensureSpare(): void {
  if (!spare) spare = startWorker(false);
}

function bindSession(id: string, taken: Spare): Session {
  const session: Session = { id, worker: taken.worker, interrupt: taken.interrupt, runningSlot: taken.runningSlot, planCells: [], runningCell: null, currentRun: null, interruptTimer: null, timeLimited: null, calls: new Map() };
  sessions.set(id, session);
  taken.worker.off('message', taken.logUntilBound);
  taken.worker.on('message', (message: WorkerOut) => onWorkerMessage(session, message));
  taken.worker.on('error', (error) => replaceWorker(session, `the notebook's worker failed: ${error.message}`));
  taken.worker.on('exit', () => replaceWorker(session, "the notebook's worker stopped"));
  return session;
}

function onWorkerMessage(session: Session, message: WorkerOut): void {
  if (sessions.get(session.id) !== session) return;
  switch (message.w) {
    case 'reports':
      for (const report of message.reports) {
        if (report.k === 'finish' && report.cell === session.timeLimited) {
          session.timeLimited = null;
          if (report.status === 'error') {
            // The runtime's traceback (a KeyboardInterrupt) stays apart and says the rest; without one its message does.
            report.error = timeLimitMessage(report.traceback === undefined ? report.error : undefined);
            report.errorKind = 'time-limit';
          }
        }
        trackRunning(session, message.runId, report);
      }
      // A batch ending with a cell's start goes out at once (with everything before it), so the page sees the cell
      // running; the worker does not wait for it (a process killed at once is blamed through CELL_ENTERED_FD). So do
      // a cell's outputs and its finish: what a reader of a moved widget shows is not held for a timer (which a busy
      // machine stretches well past its millisecond). Only printed text, which may come by the thousand, is batched.
      const last = message.reports[message.reports.length - 1]!.k;
      send({ t: 'reports', session: session.id, runId: message.runId, reports: message.reports }, last === 'start' || last === 'output' || last === 'finish');
      break;
    case 'run_done':
      session.currentRun = null;
      setImmediate(ensureSpare);
      send({ t: 'run_done', session: session.id, runId: message.runId });
      break;
    case 'variables':
      send({ t: 'variables', session: session.id, variables: message.variables, truncated: message.truncated });
      break;
    case 'host_call':
      send({ t: 'host_call', session: session.id, requestId: message.requestId, service: message.service, payload: message.payload }, true);
      break;
    case 'call_reply': {
      // Answered already (busy), or never asked: the late answer is dropped.
      if (!session.calls.has(message.callId)) break;
      clearTimeout(session.calls.get(message.callId));
      session.calls.delete(message.callId);
      send(message.ok
        ? { t: 'call_reply', session: session.id, callId: message.callId, ok: true, value: message.value }
        : { t: 'call_reply', session: session.id, callId: message.callId, ok: false, failure: message.failure, error: message.error }, true);
      break;
    }
    case 'log':
      send({ t: 'log', level: message.level, message: message.message });
      break;
    case 'runtime_loaded':
      send({ t: 'log', level: 'info', message: `notebook ${session.id}: the "${message.language}" runtime loaded in ${message.ms} ms` });
      break;
    case 'loaded':
      break;
  }
}

function trackRunning(session: Session, runId: number, report: CellReport): void {
  if (report.k === 'start') session.runningCell = { runId, cell: report.cell, startedAt: Date.now() };
  else if (report.k === 'finish' && session.runningCell?.cell === report.cell) {
    session.runningCell = null;
    if (session.interruptTimer) clearTimeout(session.interruptTimer);
    session.interruptTimer = null;
  }
}

/** The worker is gone or stuck: its values are lost. Finish its run and give the session a fresh worker. */
function replaceWorker(session: Session, reason: string, cellError = `${reason}; the notebook's values were lost.`, timeLimited = false): void {
  if (sessions.get(session.id) !== session) return;
  sessions.delete(session.id);
  if (session.interruptTimer) clearTimeout(session.interruptTimer);
  failCalls(session, `${reason}; ask again`);
  session.worker.removeAllListeners();
  void session.worker.terminate().catch(() => undefined);
  if (session.currentRun !== null) {
    const runId = session.currentRun;
    const running = session.runningCell?.cell ?? cellInSlot(session, runId);
    if (running !== undefined) {
      const finish: CellReport = { k: 'finish', cell: running, status: 'error', error: cellError };
      if (timeLimited) finish.errorKind = 'time-limit';
      send({ t: 'reports', session: session.id, runId, reports: [finish] });
    }
    send({ t: 'run_done', session: session.id, runId });
  }
  send({ t: 'session_lost', session: session.id, reason }, true);
  const fresh = bindSession(session.id, takeSpare());
  void fresh;
}

/** The cell the worker says it is running (its start report may still be in the worker's queue when it dies). */
function cellInSlot(session: Session, runId: number): string | undefined {
  const index = Atomics.load(session.runningSlot, 1);
  if (index === 0 || Atomics.load(session.runningSlot, 0) !== runId) return undefined;
  return session.planCells[index - 1];
}

/** Answers every call the session's worker still owes (its worker is going away). */
function failCalls(session: Session, error: string): void {
  for (const [callId, timer] of session.calls) {
    clearTimeout(timer);
    send({ t: 'call_reply', session: session.id, callId, ok: false, failure: 'failed', error }, true);
  }
  session.calls.clear();
}

/**
 * Hands a runtime call to the session's worker. While a plan runs the worker
 * may be computing a cell synchronously and unable to read its messages: if
 * it has not answered within the busy grace, the call is refused as busy here
 * and expires in the worker, which then drops it without asking the runtime.
 */
function call(message: Extract<ServerMessage, { t: 'call' }>): void {
  const session = sessions.get(message.session);
  if (!session) {
    send({ t: 'call_reply', session: message.session, callId: message.callId, ok: false, failure: 'failed', error: "The notebook's kernel is not open." }, true);
    return;
  }
  const duringRun = session.currentRun !== null;
  const waitMs = duringRun ? Math.min(args.limits.runtimeCallBusyMs, message.timeoutMs) : message.timeoutMs;
  const timer = setTimeout(() => {
    if (!session.calls.has(message.callId)) return;
    session.calls.delete(message.callId);
    // Past the time budget the server has answered the caller itself (a timeout): just forget the call.
    if (duringRun) send({ t: 'call_reply', session: session.id, callId: message.callId, ok: false, failure: 'busy', error: 'The runtime is running a cell and cannot answer until it ends.' }, true);
  }, waitMs);
  session.calls.set(message.callId, timer);
  session.worker.postMessage({ w: 'call', callId: message.callId, language: message.language, method: message.method, payload: message.payload, expiresAt: Date.now() + waitMs } satisfies WorkerIn);
}

function interrupt(session: Session, reason: string, cellError?: string, timeLimited = false): void {
  Atomics.store(session.interrupt, 0, 2); // SIGINT, for runtimes that poll the buffer (Pyodide)
  session.worker.postMessage({ w: 'interrupt' } satisfies WorkerIn);
  if (session.runningCell && !session.interruptTimer) {
    session.interruptTimer = setTimeout(() => {
      session.interruptTimer = null;
      if (session.runningCell) replaceWorker(session, reason, cellError, timeLimited);
    }, args.limits.interruptGraceMs);
  }
}

const timeLimit = formatDuration(args.limits.cellTimeoutMs);
const timeLimitAdvice = args.cellTimeLimitAdvice ? ` ${args.cellTimeLimitAdvice}` : '';

/** The error of a cell the time limit stopped; the runtime's own (a KeyboardInterrupt traceback) shows where. */
function timeLimitMessage(runtimeError: string | undefined): string {
  const stopped = `This cell ran longer than the cell time limit of ${timeLimit} and was stopped.${timeLimitAdvice}`;
  return runtimeError ? `${stopped}\n\n${runtimeError}` : stopped;
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function handle(message: ServerMessage): void {
  switch (message.t) {
    case 'open': {
      // Nothing to wait for: each language loads at its first use (or is loaded already in a warm spare).
      if (!sessions.has(message.session)) bindSession(message.session, takeSpare());
      send({ t: 'opened', session: message.session }, true);
      break;
    }
    case 'run': {
      const session = sessions.get(message.session);
      if (!session) {
        for (const call of message.calls ?? []) {
          send({ t: 'call_reply', session: message.session, callId: call.callId, ok: false, failure: 'failed', error: "The notebook's kernel is not open." }, true);
        }
        send({ t: 'run_done', session: message.session, runId: message.runId }, true);
        break;
      }
      session.currentRun = message.runId;
      session.planCells = message.plan.map((item) => item.cellId);
      // Calls ahead of the plan are never refused as busy (they wait for no cell): only their time budget ends them.
      const calls = (message.calls ?? []).map((call) => {
        session.calls.set(call.callId, setTimeout(() => session.calls.delete(call.callId), call.timeoutMs));
        return { callId: call.callId, language: call.language, method: call.method, payload: call.payload, expiresAt: Date.now() + call.timeoutMs };
      });
      session.worker.postMessage({ w: 'run', runId: message.runId, plan: message.plan, session: session.id, calls } satisfies WorkerIn);
      break;
    }
    case 'cancel':
      sessions.get(message.session)?.worker.postMessage({ w: 'cancel', runId: message.runId } satisfies WorkerIn);
      break;
    case 'interrupt': {
      const session = sessions.get(message.session);
      if (session) interrupt(session, 'the cell did not stop when interrupted, so its worker was restarted');
      break;
    }
    case 'delete_names':
      sessions.get(message.session)?.worker.postMessage({ w: 'delete_names', names: message.names, cells: message.cells ?? [] } satisfies WorkerIn);
      break;
    case 'host_reply': {
      const reply: WorkerIn = { w: 'host_reply', requestId: message.requestId, ok: message.ok };
      if (message.value !== undefined) reply.value = message.value;
      if (message.error !== undefined) reply.error = message.error;
      sessions.get(message.session)?.worker.postMessage(reply);
      break;
    }
    case 'call':
      call(message);
      break;
    case 'close': {
      const session = sessions.get(message.session);
      if (!session) break;
      sessions.delete(message.session);
      failCalls(session, "The notebook's kernel was closed.");
      session.worker.removeAllListeners();
      void session.worker.terminate();
      break;
    }
    case 'ping': {
      const memory = process.memoryUsage();
      send({ t: 'pong', id: message.id, memory: { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external } }, true);
      break;
    }
  }
}

// Cell time limit: enforced here because a spinning worker cannot run its own timers.
if (args.limits.cellTimeoutMs > 0) {
  setInterval(() => {
    const now = Date.now();
    for (const session of sessions.values()) {
      if (session.runningCell && now - session.runningCell.startedAt > args.limits.cellTimeoutMs && !session.interruptTimer) {
        session.timeLimited = session.runningCell.cell;
        interrupt(
          session,
          `a cell ran longer than the cell time limit of ${timeLimit} and did not stop when interrupted, so the kernel was restarted`,
          `This cell ran longer than the cell time limit of ${timeLimit} and did not stop when interrupted, so its kernel was restarted: the notebook's values were lost.${timeLimitAdvice}`,
          true,
        );
      }
    }
  }, Math.max(50, Math.min(1000, args.limits.cellTimeoutMs / 4))).unref();
}

let inbox = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  inbox += chunk;
  if (inbox.length > args.maxFrameBytes && !inbox.includes('\n')) process.exit(70);
  let newline: number;
  while ((newline = inbox.indexOf('\n')) >= 0) {
    const line = inbox.slice(0, newline);
    inbox = inbox.slice(newline + 1);
    if (line.length === 0) continue;
    try {
      handle(JSON.parse(line) as ServerMessage);
    } catch (error) {
      send({ t: 'log', level: 'error', message: `bad frame from server: ${(error as Error).message}` });
    }
  }
});
// The server is gone: a kernel never outlives it.
process.stdin.on('end', () => process.exit(0));
process.on('uncaughtException', (error) => send({ t: 'log', level: 'error', message: `supervisor: ${error.message}` }, true));

let codeGeneration = true;
try {
  // Probing whether the process forbids code generation from strings.
  new Function('return 1');
} catch {
  codeGeneration = false;
}
const permissionModel = typeof (process as { permission?: unknown }).permission === 'object';
spare = startWorker(args.waitedOn);
if (!args.waitedOn) {
  // A warm-pool process says when its spare has every language loaded: until then the server may prefer a fresh start.
  const startedAt = Date.now();
  void spare.loaded.then(() => send({ t: 'warm', loadMs: Date.now() - startedAt }, true));
}
send(
  {
    t: 'ready',
    version: PROTOCOL_VERSION,
    pid: process.pid,
    isolation: { permissionModel, codeGenerationFromStrings: codeGeneration, uid: process.getuid?.() ?? -1, emptyEnvironment: Object.keys(process.env).length === 0 },
  },
  true,
);
