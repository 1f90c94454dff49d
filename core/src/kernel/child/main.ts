/**
 * The kernel process's supervisor (main thread). It talks to the server over
 * newline-delimited JSON (stdin in, fd 3 out), keeps one worker thread per
 * notebook session plus one warm spare, forwards interrupts through a
 * SharedArrayBuffer, and replaces a worker that dies or will not stop.
 */
import type { Worker } from 'node:worker_threads';
import { PROTOCOL_VERSION, type CellReport, type KernelLimits, type RuntimeLoad, type ServerMessage } from '../protocol';
import { openOutbox } from './outbox';
import type { ReportRingReader } from './report-ring';
import { startWorker as startSpareWorker, type RunningSlot, type Spare } from './spare-worker';
import { CellTimeLimit } from './time-limit';
import type { WorkerIn, WorkerOut } from './worker';

interface KernelArgs {
  runtimes: RuntimeLoad[];
  limits: KernelLimits;
  maxFrameBytes: number;
  /** Started for a notebook that waits (no warm process was ready), not for the warm pool. */
  waitedOn: boolean;
  /** With `waitedOn`: the languages its first worker loads at once (KernelManagerOptions.preloadLanguages). */
  preload?: string[];
  /** Told to the user with a cell stopped by the time limit: how the limit is changed. */
  cellTimeLimitAdvice?: string;
}

// The allocator settings the server passed (kernel-process.ts) were read at exec; nothing else in the kernel sees them.
delete process.env.GLIBC_TUNABLES;

const args = JSON.parse(Buffer.from(process.argv[2] ?? '', 'base64').toString('utf8')) as KernelArgs;
const send = openOutbox(3);

interface Session {
  id: string;
  worker: Worker;
  interrupt: Int32Array;
  runningSlot: RunningSlot;
  reports: ReportRingReader;
  /** Drains the report ring while a run is on: the page sees a long cell running, and output as it comes. */
  reportTimer: NodeJS.Timeout | null;
  /** The cells of the run in the worker, by plan index: what the running slot names. */
  planCells: string[];
  currentRun: number | null;
  interruptTimer: NodeJS.Timeout | null;
  /** The cell the time limit interrupted: its error says so. */
  timeLimited: string | null;
  /** Runtime calls sent to the worker and not yet answered; the timer refuses one as busy (during a run) or forgets it (past its budget). */
  calls: Map<number, NodeJS.Timeout>;
}

/** How often the main thread takes a running worker's reports (a chain of quick cells: a frame per this, not per cell). */
const REPORT_FRAME_MS = 10;

const sessions = new Map<string, Session>();
/** Each worker's record in the cell-entered file: one per worker this process ever starts. */
let nextEnteredSlot = 0;
let spare: Spare | null = null;

/** What a warm spare loads before any notebook takes it: every language. */
const everyLanguage = args.runtimes.map((r) => r.language);

/** `preload`: the languages the worker loads at once; any other loads at its first use. */
function startWorker(waitedOn: boolean, preload: string[]): Spare {
  return startSpareWorker({ runtimes: args.runtimes, limits: args.limits, waitedOn, preload, enteredSlot: nextEnteredSlot++, send });
}

function takeSpare(): Spare {
  const taken = spare ?? startWorker(true, []);
  spare = null;
  // Keep the next notebook's worker warm, but not while this one loads its first language: the spare's load would
  // take the CPU from it. It starts after this notebook's first run, or after a while.
  setTimeout(ensureSpare, SPARE_DELAY_MS).unref();
  return taken;
}

const SPARE_DELAY_MS = 3000;
function ensureSpare(): void {
  if (!spare) spare = startWorker(false, everyLanguage);
}

function bindSession(id: string, taken: Spare): Session {
  const session: Session = {
    id,
    worker: taken.worker,
    interrupt: taken.interrupt,
    runningSlot: taken.runningSlot,
    reports: taken.reports,
    reportTimer: null,
    planCells: [],
    currentRun: null,
    interruptTimer: null,
    timeLimited: null,
    calls: new Map(),
  };
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
    case 'drain':
      forwardReports(session, message.ring);
      break;
    case 'run_done':
      forwardReports(session, message.ring);
      session.currentRun = null;
      stopReportTimer(session);
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

/**
 * Passes the worker's reports on (up to `until`, a ring position a message carried): as frame text, untouched, but
 * for the finish of a cell the time limit stopped, whose error says so.
 */
function forwardReports(session: Session, until?: number): void {
  for (const batch of session.reports.drain(until)) {
    let reports = batch.reports;
    if (session.timeLimited !== null) reports = reports.map((text) => withTimeLimit(session, text));
    send(`{"t":"reports","session":${JSON.stringify(session.id)},"runId":${batch.runId},"reports":[${reports.join(',')}]}`, true);
  }
}

function withTimeLimit(session: Session, text: string): string {
  const finish = session.timeLimited === null ? null : timeLimit.finishOf(text, session.timeLimited);
  if (finish === null) return text;
  session.timeLimited = null;
  return finish;
}

function startReportTimer(session: Session): void {
  stopReportTimer(session);
  session.reportTimer = setInterval(() => forwardReports(session), REPORT_FRAME_MS);
}

function stopReportTimer(session: Session): void {
  if (session.reportTimer) clearInterval(session.reportTimer);
  session.reportTimer = null;
}

/** The cell the worker is running now, per its slot (plan index and start), if it belongs to the current run. */
function runningCell(session: Session): { index: number; cell: string; startedAt: number } | null {
  if (session.currentRun === null) return null;
  const index = Atomics.load(session.runningSlot.ids, 1);
  if (index === 0 || Atomics.load(session.runningSlot.ids, 0) !== session.currentRun) return null;
  const cell = session.planCells[index - 1];
  return cell === undefined ? null : { index, cell, startedAt: session.runningSlot.startedAt[0]! };
}

/** The worker is gone or stuck: its values are lost. Finish its run and give the session a fresh worker. */
function replaceWorker(session: Session, reason: string, cellError = `${reason}; the notebook's values were lost.`, timeLimited = false): void {
  if (sessions.get(session.id) !== session) return;
  sessions.delete(session.id);
  if (session.interruptTimer) clearTimeout(session.interruptTimer);
  stopReportTimer(session);
  failCalls(session, `${reason}; ask again`);
  session.worker.removeAllListeners();
  void session.worker.terminate().catch(() => undefined);
  if (session.currentRun !== null) {
    const runId = session.currentRun;
    // What the worker reported before it went still counts (earlier cells' results); then the cell it was in fails.
    forwardReports(session);
    const running = runningCell(session)?.cell;
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
  const running = runningCell(session);
  if (running && !session.interruptTimer) {
    session.interruptTimer = setTimeout(() => {
      session.interruptTimer = null;
      // Still in the same cell (same plan index, same start): it did not stop.
      const now = runningCell(session);
      if (now && now.index === running.index && now.startedAt === running.startedAt) replaceWorker(session, reason, cellError, timeLimited);
    }, args.limits.interruptGraceMs);
  }
}

const timeLimit = new CellTimeLimit(args.limits.cellTimeoutMs, args.cellTimeLimitAdvice);

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
      startReportTimer(session);
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
      stopReportTimer(session);
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
      const running = runningCell(session);
      if (running && now - running.startedAt > args.limits.cellTimeoutMs && !session.interruptTimer) {
        session.timeLimited = running.cell;
        interrupt(session, timeLimit.restartReason, timeLimit.restartCellError, true);
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
spare = startWorker(args.waitedOn, args.waitedOn ? (args.preload ?? []) : everyLanguage);
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
