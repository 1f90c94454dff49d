/**
 * The one protocol between the server and a kernel process, versioned.
 * Frames are newline-delimited JSON on the child's stdin (server → kernel)
 * and a dedicated pipe (kernel → server). Everything the kernel sends is
 * untrusted: {@link parseKernelMessage} checks shape and sizes.
 */
import type { VariableDescription } from '../language/runtime-api';
import { MAX_VARIABLES } from './child/describe-variables';
import type { JsonValue, Output, OutputStream } from '../model/types';

export const PROTOCOL_VERSION = 1;

/**
 * The kernel's second channel to the server: before each cell a worker writes `["<session>", <runId>, "<cellId>"]\n`
 * to it itself, synchronously. Nothing waits for it; the server reads only the last line per session, and only
 * when the process dies, to name the cell that was running even when that cell killed the process before its
 * start report left the main thread.
 */
export const CELL_ENTERED_FD = 4;
export const MAX_CELL_ENTERED_LINE = 4096;

export interface CellEntered {
  runId: number;
  cellId: string;
}

/** The session and cell of one cell-entered line, or null for anything else (the server trusts nothing in it). */
export function parseCellEntered(line: string): { session: string; entered: CellEntered } | null {
  if (line.length > MAX_CELL_ENTERED_LINE) return null;
  try {
    const value = JSON.parse(line) as unknown;
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [session, runId, cellId] = value as unknown[];
    if (typeof session !== 'string' || typeof cellId !== 'string' || !Number.isSafeInteger(runId)) return null;
    return { session, entered: { runId: runId as number, cellId } };
  } catch {
    return null;
  }
}

export interface RuntimeLoad {
  language: string;
  module: string;
  options: JsonValue;
  /** The language's `runtime.readPaths`, so that a refused read can name them. */
  readPaths: string[];
}

export interface PlanItem {
  cellId: string;
  language: string;
  code: string;
  defines: string[];
  references: string[];
  meta?: { [key: string]: JsonValue };
  /** Indices (into the plan) of this cell's parents that are in the plan: a failure there blocks it. */
  parents: number[];
}

/** A question for one language's runtime, as the host asks it (LanguageRuntime.call). */
export interface RuntimeCallAsk {
  language: string;
  method: string;
  payload: JsonValue;
}

/** A runtime call as the kernel gets it (alone as `call`, or ahead of a plan in `run.calls`). */
export interface CallRequest {
  callId: number;
  language: string;
  method: string;
  payload: JsonValue;
  timeoutMs: number;
}

export interface KernelLimits {
  /** Bytes of stdout+stderr kept per cell; the rest is dropped with a note. */
  maxStdoutBytesPerCell: number;
  /** Characters of one rich output's data (as JSON); a larger output is replaced by a note naming its size and this limit. */
  maxOutputChars: number;
  /** Milliseconds between flushes of buffered stdout and stderr. */
  flushIntervalMs: number;
  /** A cell running longer is stopped (0: no limit). */
  cellTimeoutMs: number;
  /** How long a runtime may take to load. */
  runtimeLoadTimeoutMs: number;
  /** After an interrupt, how long before the worker is terminated and replaced. */
  interruptGraceMs: number;
  /** Heap limit of one notebook's worker thread. */
  workerHeapMb: number;
  /** Largest runtime-call payload (JSON characters) the server sends to a kernel. */
  runtimeCallRequestChars: number;
  /** Largest runtime-call answer (JSON characters) a kernel may send back. */
  runtimeCallAnswerChars: number;
  /** A runtime call not answered within this is refused with a timeout error (the kernel lives on). */
  runtimeCallTimeoutMs: number;
  /**
   * While a cell runs, a call the worker has not picked up within this is
   * refused as busy: a runtime that runs cells synchronously (Pyodide) cannot
   * answer before the cell ends, and completions should not wait for that.
   */
  runtimeCallBusyMs: number;
}

/** Why a runtime call got no answer from the runtime. */
export type CallFailure = 'busy' | 'failed';

export type ServerMessage =
  | { t: 'open'; session: string; runtimes: RuntimeLoad[] }
  /**
   * `calls`: runtime calls answered (each by its `call_reply`) before the plan runs, in the same message: a widget's
   * new value and the run of its readers cost one trip to the kernel, not two.
   */
  | { t: 'run'; session: string; runId: number; plan: PlanItem[]; calls?: CallRequest[] }
  | { t: 'cancel'; session: string; runId: number }
  | { t: 'interrupt'; session: string }
  /** `cells`: cells deleted, whose runtimes drop what they keep for them beside names (live tables). */
  | { t: 'delete_names'; session: string; names: string[]; cells?: string[] }
  | { t: 'close'; session: string }
  | { t: 'host_reply'; session: string; requestId: number; ok: boolean; value?: JsonValue; error?: string }
  /** A question for one language's runtime (see LanguageRuntime.call); answered by `call_reply`. */
  | { t: 'call'; session: string; callId: number; language: string; method: string; payload: JsonValue; timeoutMs: number }
  | { t: 'ping'; id: number };

export type CellReport =
  | { k: 'start'; cell: string }
  /** Text the cell wrote, to stdout or stderr (one stream per report). */
  | { k: 'stdout'; cell: string; data: string; stream: OutputStream }
  | { k: 'output'; cell: string; output: Output }
  /**
   * status: success | error | blocked | cancelled. `error`: the failure's message; `traceback`: where it happened,
   * when the runtime reports it (a Python traceback). `errorKind: 'time-limit'`: the kernel stopped the cell at the
   * cell time limit (any other error is the runtime's).
   */
  | { k: 'finish'; cell: string; status: 'success' | 'error' | 'blocked' | 'cancelled'; error?: string; traceback?: string; errorKind?: 'time-limit' };

export interface IsolationReport {
  permissionModel: boolean;
  codeGenerationFromStrings: boolean;
  uid: number;
  emptyEnvironment: boolean;
}

export type KernelMessage =
  | { t: 'ready'; version: number; pid: number; isolation: IsolationReport }
  | { t: 'opened'; session: string; error?: string }
  | { t: 'reports'; session: string; runId: number; reports: CellReport[] }
  | { t: 'run_done'; session: string; runId: number }
  /** The names the session's runtimes hold, described after a plan or a deletion (the variable explorer). */
  | { t: 'variables'; session: string; variables: KernelVariable[]; truncated: boolean }
  /** The session's worker died or was replaced: its values are gone. */
  | { t: 'session_lost'; session: string; reason: string }
  | { t: 'host_call'; session: string; requestId: number; service: string; payload: JsonValue }
  | { t: 'call_reply'; session: string; callId: number; ok: true; value: JsonValue }
  | { t: 'call_reply'; session: string; callId: number; ok: false; failure: CallFailure; error: string }
  | { t: 'pong'; id: number; memory: { rss: number; heapUsed: number; external: number } }
  /** The process's first spare worker has loaded every language (`loadMs` after it started): a notebook taking it waits for nothing. */
  | { t: 'warm'; loadMs: number }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

/** One name as a kernel describes it: the runtime's description and the language holding it. */
export interface KernelVariable extends VariableDescription {
  language: string;
}

export class ProtocolError extends Error {}

const MAX_ID = 200;

function str(value: unknown, field: string, max = MAX_ID): string {
  if (typeof value !== 'string' || value.length > max) throw new ProtocolError(`bad ${field}`);
  return value;
}

function int(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ProtocolError(`bad ${field}`);
  return value;
}

const FINISH = new Set(['success', 'error', 'blocked', 'cancelled']);
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

function parseReport(raw: unknown): CellReport {
  if (typeof raw !== 'object' || raw === null) throw new ProtocolError('bad report');
  const r = raw as Record<string, unknown>;
  const cell = str(r.cell, 'cell');
  switch (r.k) {
    case 'start':
      return { k: 'start', cell };
    case 'stdout': {
      // A report without a stream is stdout (what every report was before stderr was kept apart).
      const stream = r.stream === undefined ? 'stdout' : r.stream;
      if (stream !== 'stdout' && stream !== 'stderr') throw new ProtocolError('bad stream');
      return { k: 'stdout', cell, data: str(r.data, 'data', Number.MAX_SAFE_INTEGER), stream };
    }
    case 'output': {
      const output = r.output as Record<string, unknown> | null;
      if (typeof output !== 'object' || output === null) throw new ProtocolError('bad output');
      const result: Output = { mime_type: str(output.mime_type, 'mime_type'), data: (output.data ?? null) as JsonValue };
      if (typeof output.metadata === 'object' && output.metadata !== null && !Array.isArray(output.metadata)) {
        result.metadata = output.metadata as { [key: string]: JsonValue };
      }
      return { k: 'output', cell, output: result };
    }
    case 'finish': {
      if (typeof r.status !== 'string' || !FINISH.has(r.status)) throw new ProtocolError('bad status');
      const report: CellReport = { k: 'finish', cell, status: r.status as 'success' };
      if (r.error !== undefined) report.error = str(r.error, 'error', 1_000_000);
      if (r.traceback !== undefined) report.traceback = str(r.traceback, 'traceback', 1_000_000);
      if (r.errorKind !== undefined) {
        if (r.errorKind !== 'time-limit') throw new ProtocolError('bad errorKind');
        report.errorKind = r.errorKind;
      }
      return report;
    }
    default:
      throw new ProtocolError('unknown report');
  }
}

function parseVariable(raw: unknown): KernelVariable {
  if (typeof raw !== 'object' || raw === null) throw new ProtocolError('bad variable');
  const v = raw as Record<string, unknown>;
  const size = v.size === null || v.size === undefined ? null : int(v.size, 'size');
  return { name: str(v.name, 'name'), language: str(v.language, 'language'), type: str(v.type, 'type'), summary: str(v.summary, 'summary', 500), size };
}

/** Parses one frame from a kernel. Throws ProtocolError on anything unexpected. */
export function parseKernelMessage(line: string): KernelMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new ProtocolError('frame is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ProtocolError('frame is not an object');
  const m = raw as Record<string, unknown>;
  switch (m.t) {
    case 'ready': {
      const iso = (m.isolation ?? {}) as Record<string, unknown>;
      return {
        t: 'ready',
        version: int(m.version, 'version'),
        pid: int(m.pid, 'pid'),
        isolation: {
          permissionModel: iso.permissionModel === true,
          codeGenerationFromStrings: iso.codeGenerationFromStrings === true,
          uid: typeof iso.uid === 'number' ? iso.uid : -1,
          emptyEnvironment: iso.emptyEnvironment === true,
        },
      };
    }
    case 'opened': {
      const msg: KernelMessage = { t: 'opened', session: str(m.session, 'session') };
      if (m.error !== undefined) msg.error = str(m.error, 'error', 100_000);
      return msg;
    }
    case 'reports': {
      if (!Array.isArray(m.reports)) throw new ProtocolError('bad reports');
      return { t: 'reports', session: str(m.session, 'session'), runId: int(m.runId, 'runId'), reports: m.reports.map(parseReport) };
    }
    case 'run_done':
      return { t: 'run_done', session: str(m.session, 'session'), runId: int(m.runId, 'runId') };
    case 'variables': {
      if (!Array.isArray(m.variables) || m.variables.length > MAX_VARIABLES) throw new ProtocolError('bad variables');
      return { t: 'variables', session: str(m.session, 'session'), variables: m.variables.map(parseVariable), truncated: m.truncated === true };
    }
    case 'session_lost':
      return { t: 'session_lost', session: str(m.session, 'session'), reason: str(m.reason, 'reason', 10_000) };
    case 'host_call':
      return {
        t: 'host_call',
        session: str(m.session, 'session'),
        requestId: int(m.requestId, 'requestId'),
        service: str(m.service, 'service'),
        payload: (m.payload ?? null) as JsonValue,
      };
    case 'call_reply': {
      const session = str(m.session, 'session');
      const callId = int(m.callId, 'callId');
      if (m.ok === true) {
        if (!('value' in m)) throw new ProtocolError('bad value');
        return { t: 'call_reply', session, callId, ok: true, value: m.value as JsonValue };
      }
      if (m.ok !== false || (m.failure !== 'busy' && m.failure !== 'failed')) throw new ProtocolError('bad call_reply');
      return { t: 'call_reply', session, callId, ok: false, failure: m.failure, error: str(m.error, 'error', 10_000) };
    }
    case 'pong': {
      const mem = (m.memory ?? {}) as Record<string, unknown>;
      return {
        t: 'pong',
        id: int(m.id, 'id'),
        memory: { rss: int(mem.rss ?? 0, 'rss'), heapUsed: int(mem.heapUsed ?? 0, 'heapUsed'), external: int(mem.external ?? 0, 'external') },
      };
    }
    case 'warm':
      return { t: 'warm', loadMs: int(m.loadMs, 'loadMs') };
    case 'log': {
      if (typeof m.level !== 'string' || !LEVELS.has(m.level)) throw new ProtocolError('bad level');
      return { t: 'log', level: m.level as 'info', message: str(m.message, 'message', 10_000) };
    }
    default:
      throw new ProtocolError(`unknown message type`);
  }
}
