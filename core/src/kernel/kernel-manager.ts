import * as os from 'node:os';
import { compiledPath } from '../paths';
import { KernelError } from '../errors';
import type { HostService, LanguageDefinition } from '../language/language';
import type { JsonValue } from '../model/types';
import type { SettingsChange } from '../settings/plugin-settings';
import { decideSlot, type Slot } from './fair-share';
import { KernelProcess } from './kernel-process';
import { KernelSession, type SessionListener } from './kernel-session';
import type { CallRequest, IsolationReport, KernelLimits, KernelMessage, PlanItem, RuntimeCallAsk, RuntimeLoad } from './protocol';
import { RuntimeCalls } from './runtime-calls';
import { kernelV8Flags, probeIsolation, unreadableForKernel, type IsolationLayers, type SandboxOptions } from './sandbox';
import { WarmPool, type PoolMember } from './warm-pool';

export { KernelSession, type HostContextSource, type SessionListener } from './kernel-session';

export interface KernelManagerOptions {
  languages: LanguageDefinition[];
  limits?: Partial<KernelLimits>;
  /** Started kernel processes kept ready for new owners. */
  warmProcesses?: number;
  /**
   * Languages a process started for a waiting owner loads at once, before any cell asks for them (default none: each
   * loads at its first use, so a notebook never waits for a language it does not use). For a host that knows what
   * will run, such as `rnb run` with the notebook file's languages: with {@link startProcessFor}, the runtimes load
   * while the host is still analysing and planning.
   */
  preloadLanguages?: string[];
  /** Notebook sessions (kernels) this server keeps live at most; default from memory. */
  maxSessions?: number;
  /**
   * Kernels one owner may hold at once (default: `maxSessions`). Whatever it is, a full server shares its kernels
   * fairly between owners: see fair-share.ts.
   */
  maxSessionsPerOwner?: number;
  /** Appended to the message of a cell stopped by the cell time limit (`limits.cellTimeoutMs`): how to change it. */
  cellTimeLimitAdvice?: string;
  /** A session unused for this long is shut down (its notebook comes back on next use). */
  idleSessionMs?: number;
  /** A kernel process whose resident memory passes this is killed and its notebooks told. */
  processMemoryLimitMb?: number;
  sandbox?: SandboxOptions;
  /** Extra node flags for kernel processes. */
  nodeArgs?: string[];
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** How often memory and liveness are checked. */
  watchIntervalMs?: number;
  /** A kernel process that has not answered a ping for this long is killed (default 15 s). */
  unresponsiveMs?: number;
}

export const DEFAULT_LIMITS: KernelLimits = {
  maxStdoutBytesPerCell: 256 * 1024,
  maxOutputChars: 8 * 1024 * 1024,
  flushIntervalMs: 20,
  cellTimeoutMs: 0,
  runtimeLoadTimeoutMs: 60_000,
  interruptGraceMs: 1500,
  workerHeapMb: 1024,
  runtimeCallRequestChars: 64 * 1024,
  runtimeCallAnswerChars: 256 * 1024,
  runtimeCallTimeoutMs: 2000,
  runtimeCallBusyMs: 100,
};

interface OwnerProcess extends PoolMember {
  /** Runtime calls sent to this process and not yet answered. */
  calls: RuntimeCalls;
  process: KernelProcess;
  owner: string | null;
  sessions: Map<string, KernelSession>;
  isolation?: IsolationReport;
  lastPong: number;
  emptySince: number | null;
}

/**
 * Owns every kernel process: a warm pool, one process per owner holding a
 * worker per notebook, limits, and kill-and-replace of kernels that die, hang
 * or outgrow their memory. Notebooks of one owner share a process (further
 * notebooks cost a worker, not a process); owners never share one.
 */
export class KernelManager {
  readonly layers: IsolationLayers;
  readonly limits: KernelLimits;
  private readonly pool: WarmPool<OwnerProcess>;
  private readonly byOwner = new Map<string, OwnerProcess>();
  private readonly sessions = new Map<string, KernelSession>();
  /** Host services by name, with the language that declared them (whose settings they receive). */
  private readonly services = new Map<string, { service: HostService; languageId: string }>();
  private readonly runtimes: RuntimeLoad[];
  private readonly readPaths: string[];
  private readonly entry = compiledPath(__dirname, 'child/main.js');
  private readonly watchTimer: NodeJS.Timeout;
  private readonly options: Required<Omit<KernelManagerOptions, 'limits' | 'sandbox'>>;
  /** Kernels being opened: they hold a slot (and cannot be evicted) before their session exists. */
  private readonly reserved = new Set<Slot>();
  private closed = false;
  private pingId = 0;

  constructor(options: KernelManagerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.options = {
      languages: options.languages,
      warmProcesses: options.warmProcesses ?? 1,
      preloadLanguages: options.preloadLanguages ?? [],
      maxSessions: options.maxSessions ?? defaultMaxSessions(),
      maxSessionsPerOwner: options.maxSessionsPerOwner ?? options.maxSessions ?? Number.MAX_SAFE_INTEGER,
      cellTimeLimitAdvice: options.cellTimeLimitAdvice ?? '',
      idleSessionMs: options.idleSessionMs ?? 30 * 60_000,
      processMemoryLimitMb: options.processMemoryLimitMb ?? 2048,
      nodeArgs: options.nodeArgs ?? [],
      log: options.log ?? (() => undefined),
      watchIntervalMs: options.watchIntervalMs ?? 2000,
      unresponsiveMs: options.unresponsiveMs ?? 15_000,
    };
    this.pool = new WarmPool<OwnerProcess>(this.options.warmProcesses);
    this.layers = probeIsolation(options.sandbox);
    for (const missing of this.layers.missing) this.options.log('warn', `kernel isolation missing: ${missing}`);
    this.runtimes = options.languages.map((l) => ({ language: l.id, module: l.runtime.module, options: l.runtime.options ?? null, readPaths: l.runtime.readPaths ?? [] }));
    this.readPaths = [...new Set(options.languages.flatMap((l) => [l.runtime.module, ...(l.runtime.readPaths ?? [])]))];
    const unreadable = unreadableForKernel([this.entry, ...this.readPaths], this.layers);
    if (unreadable) throw new KernelError(`Kernels cannot start: ${unreadable}`);
    for (const language of options.languages) {
      for (const [name, service] of Object.entries(language.hostServices ?? {})) this.services.set(name, { service, languageId: language.id });
    }
    this.watchTimer = setInterval(() => this.watch(), this.options.watchIntervalMs);
    this.watchTimer.unref();
    this.fillPool();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  get processCount(): number {
    return this.pool.length + this.byOwner.size;
  }

  /** Resident memory of every kernel process, for benchmarks and health pages. */
  processMemory(): { pid: number; owner: string | null; sessions: number; rssBytes: number | undefined }[] {
    return [...this.pool.all(), ...this.byOwner.values()].map((p) => ({ pid: p.process.pid, owner: p.owner, sessions: p.sessions.size, rssBytes: p.process.rssBytes() }));
  }

  /**
   * Starts the owner's kernel process now, without waiting for it, so that its start (and the preload of
   * `preloadLanguages`) overlaps the caller's own work; the owner's first {@link openSession} takes it. A process that
   * fails to start is forgotten here and reported by that openSession, which starts another.
   */
  startProcessFor(owner: string): void {
    if (this.closed || this.byOwner.has(owner)) return;
    this.processFor(owner).catch(() => undefined);
  }

  /** Opens (or returns) the kernel session of a notebook. */
  async openSession(owner: string, notebookId: string, listener: SessionListener): Promise<KernelSession> {
    if (this.closed) throw new KernelError('The server is shutting down; try again in a moment.', { busy: true });
    const existing = this.sessions.get(notebookId);
    if (existing && existing.owner === owner && !existing.closed) return existing;
    this.makeRoomFor(owner);
    const reservation: Slot = { owner, busy: true, lastUsed: Date.now() };
    this.reserved.add(reservation);
    let holder: OwnerProcess;
    try {
      holder = await this.processFor(owner);
    } finally {
      this.reserved.delete(reservation);
    }
    const session = new KernelSession(notebookId, owner, holder.process, listener, this);
    // Opening (the runtime loading) counts as busy: an eviction now would waste the start.
    session.busy = true;
    holder.sessions.set(notebookId, session);
    this.sessions.set(notebookId, session);
    const opened = new Promise<string | undefined>((resolve) => {
      const onMessage = (message: KernelMessage): void => {
        if (message.t === 'opened' && message.session === notebookId) {
          holder.process.off('message', onMessage);
          holder.process.off('exit', onExit);
          resolve(message.error);
        }
      };
      const onExit = (reason: string): void => {
        holder.process.off('message', onMessage);
        resolve(reason);
      };
      holder.process.on('message', onMessage);
      holder.process.once('exit', onExit);
    });
    holder.process.send({ t: 'open', session: notebookId, runtimes: this.runtimes });
    const error = await opened;
    if (!session.closed) session.busy = false;
    if (error) {
      this.closeSession(session, null);
      throw new KernelError(`The notebook's kernel could not start: ${error}`);
    }
    return session;
  }

  closeSession(session: KernelSession, lostReason: string | null): void {
    if (session.closed) return;
    session.closed = true;
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    const holder = this.byOwner.get(session.owner);
    if (holder?.sessions.get(session.id) === session) {
      holder.sessions.delete(session.id);
      session.process.send({ t: 'close', session: session.id });
    }
    if (lostReason !== null) session.listener.onLost(lostReason);
  }

  /** Kills every kernel. */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchTimer);
    const all = [...this.pool.drain(), ...this.byOwner.values()];
    this.byOwner.clear();
    for (const holder of all) holder.process.kill('the server is shutting down');
    await Promise.all(all.map((h) => (h.process.alive ? new Promise((resolve) => h.process.once('exit', resolve)) : undefined)));
  }

  private async processFor(owner: string): Promise<OwnerProcess> {
    const own = this.byOwner.get(owner);
    if (own && own.process.alive) {
      await own.process.ready;
      return own;
    }
    const holder = this.pool.take() ?? this.spawn(true);
    holder.owner = owner;
    this.byOwner.set(owner, holder);
    this.fillPool();
    try {
      holder.isolation = await holder.process.ready;
    } catch (error) {
      if (this.byOwner.get(owner) === holder) this.byOwner.delete(owner);
      throw error;
    }
    return holder;
  }

  private fillPool(): void {
    if (!this.closed) this.pool.fill(() => this.spawn(false));
  }

  /** `waitedOn`: a notebook is waiting for this process (the pool was empty), so its first worker may start faster. */
  private spawn(waitedOn: boolean): OwnerProcess {
    const preload = waitedOn ? this.options.preloadLanguages : [];
    const payload = Buffer.from(JSON.stringify({ runtimes: this.runtimes, limits: this.limits, maxFrameBytes: 64 * 1024 * 1024, waitedOn, preload, cellTimeLimitAdvice: this.options.cellTimeLimitAdvice })).toString('base64');
    const process = new KernelProcess({
      entry: this.entry,
      readPaths: this.readPaths,
      nodeArgs: [...kernelV8Flags(this.limits.workerHeapMb), ...this.options.nodeArgs],
      payload,
      layers: this.layers,
      maxFrameBytes: 64 * 1024 * 1024,
      startTimeoutMs: 30_000,
      allowChildProcesses: this.options.languages.some((l) => l.runtime.allowChildProcesses === true),
    });
    const holder: OwnerProcess = { calls: new RuntimeCalls(process, this.limits), process, owner: null, sessions: new Map(), lastPong: Date.now(), emptySince: null, spawnedAt: Date.now(), warmAt: null };
    process.on('message', (message) => this.onMessage(holder, message));
    process.on('exit', (reason) => this.onExit(holder, reason));
    return holder;
  }

  private onMessage(holder: OwnerProcess, message: KernelMessage): void {
    switch (message.t) {
      case 'reports': {
        const session = holder.sessions.get(message.session);
        session?.touch();
        session?.listener.onReports(message.runId, message.reports);
        break;
      }
      case 'run_done': {
        const session = holder.sessions.get(message.session);
        if (session) {
          session.busy = false;
          session.touch();
          session.listener.onRunDone(message.runId);
        }
        break;
      }
      case 'variables':
        holder.sessions.get(message.session)?.listener.onVariables?.(message.variables, message.truncated);
        break;
      case 'session_lost': {
        const session = holder.sessions.get(message.session);
        if (session) {
          session.busy = false;
          session.listener.onLost(message.reason);
        }
        break;
      }
      case 'call_reply':
        holder.calls.answered(message);
        break;
      case 'host_call':
        void this.hostCall(holder, message.session, message.requestId, message.service, message.payload);
        break;
      case 'pong':
        holder.lastPong = Date.now();
        break;
      case 'warm':
        this.pool.warmed(holder);
        this.options.log('debug', `kernel ${holder.process.pid}: warm after ${message.loadMs} ms`);
        break;
      case 'log':
        this.options.log(message.level, `kernel ${holder.process.pid}: ${message.message}`);
        break;
      default:
        break;
    }
  }

  /** See {@link KernelSession.call}. */
  /** A run whose message carries runtime calls answered before its plan (see ServerMessage `run`): one answer per call. */
  runWithCalls(session: KernelSession, runId: number, plan: PlanItem[], calls: readonly RuntimeCallAsk[]): Promise<JsonValue>[] {
    const holder = this.byOwner.get(session.owner);
    const requests: CallRequest[] = [];
    const answers = calls.map((call) =>
      holder && holder.sessions.get(session.id) === session && holder.process.alive
        ? holder.calls.expect(session.id, call.language, call.method, call.payload ?? null, (request) => requests.push(request))
        : Promise.reject(new KernelError("The notebook's kernel stopped; try again.")),
    );
    session.process.send({ t: 'run', session: session.id, runId, plan, ...(requests.length > 0 ? { calls: requests } : {}) });
    return answers;
  }

  callRuntime(session: KernelSession, language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    const holder = this.byOwner.get(session.owner);
    if (session.closed || !holder || holder.sessions.get(session.id) !== session || !holder.process.alive) {
      return Promise.reject(new KernelError("The notebook's kernel stopped; try again."));
    }
    session.touch();
    return holder.calls.ask(session.id, language, method, payload ?? null);
  }

  private async hostCall(holder: OwnerProcess, sessionId: string, requestId: number, name: string, payload: JsonValue): Promise<void> {
    // The session id comes from the kernel: only sessions this process holds count.
    const session = holder.sessions.get(sessionId);
    if (!session) return;
    const registered = this.services.get(name);
    const reply = (ok: boolean, value?: JsonValue, error?: string): void => {
      const message = { t: 'host_reply' as const, session: sessionId, requestId, ok, ...(value !== undefined ? { value } : {}), ...(error !== undefined ? { error } : {}) };
      holder.process.send(message);
    };
    if (!registered) return reply(false, undefined, `No host service "${String(name).slice(0, 100)}".`);
    const controller = new AbortController();
    const onExit = (): void => controller.abort();
    holder.process.once('exit', onExit);
    try {
      const value = await registered.service(payload, {
        notebookId: session.id,
        owner: session.owner,
        settings: session.listener.pluginSettings(registered.languageId),
        signal: controller.signal,
        ...(session.listener.updatePluginSettings
          ? { updateSettings: (change: SettingsChange) => session.listener.updatePluginSettings!(registered.languageId, change) }
          : {}),
      });
      reply(true, value);
    } catch (error) {
      reply(false, undefined, (error as Error)?.message ?? String(error));
    } finally {
      holder.process.off('exit', onExit);
    }
  }

  private onExit(holder: OwnerProcess, reason: string): void {
    holder.calls.failAll(reason);
    this.pool.remove(holder);
    if (holder.owner && this.byOwner.get(holder.owner) === holder) this.byOwner.delete(holder.owner);
    this.options.log(this.closed ? 'debug' : 'warn', `kernel process ${holder.process.pid} ended: ${reason}`);
    for (const session of [...holder.sessions.values()]) {
      holder.sessions.delete(session.id);
      session.closed = true;
      if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
      session.listener.onLost(reason, holder.process.lastEnteredCell(session.id));
    }
    if (!this.closed) this.fillPool();
  }

  /** Frees a slot for `owner` if the server is full, fairly (fair-share.ts), or throws the reason it cannot. */
  private makeRoomFor(owner: string): void {
    const decision = decideSlot<Slot>({
      owner,
      slots: [...this.sessions.values(), ...this.reserved],
      maxSlots: this.options.maxSessions,
      maxSlotsPerOwner: this.options.maxSessionsPerOwner,
    });
    if (decision.kind === 'admit') return;
    if (decision.kind === 'refuse') throw new KernelError(decision.message, { busy: true });
    if (!(decision.victim instanceof KernelSession)) {
      throw new KernelError('Another notebook is taking the last free kernel of this server: try again in a moment.', { busy: true });
    }
    this.options.log('info', 'kernel evicted', { notebook: decision.victim.id, owner: decision.victim.owner, busy: decision.victim.busy, for: owner });
    this.closeSession(decision.victim, decision.reason);
  }

  private watch(): void {
    const now = Date.now();
    const limit = this.options.processMemoryLimitMb * 1024 * 1024;
    for (const holder of [...this.pool.all(), ...this.byOwner.values()]) {
      const rss = holder.process.rssBytes();
      if (rss !== undefined && rss > limit) {
        holder.process.kill(`the kernel used more than ${this.options.processMemoryLimitMb} MB of memory`);
        continue;
      }
      if (now - holder.lastPong > Math.max(this.options.unresponsiveMs, this.options.watchIntervalMs * 2)) {
        holder.process.kill('the kernel stopped responding');
        continue;
      }
      holder.process.send({ t: 'ping', id: ++this.pingId });
      if (holder.owner && holder.isolation && holder.sessions.size === 0) holder.emptySince ??= now;
      else holder.emptySince = null;
      if (holder.owner && holder.emptySince !== null && now - holder.emptySince > 30_000) {
        // An owner's process with no notebook left goes away; a new one comes from the pool.
        if (this.byOwner.get(holder.owner) === holder) this.byOwner.delete(holder.owner);
        holder.process.kill('no notebook uses this kernel any more');
      }
    }
    for (const session of [...this.sessions.values()]) {
      if (!session.busy && now - session.lastUsed > this.options.idleSessionMs) {
        this.closeSession(session, 'the kernel was idle and was shut down');
      }
    }
  }

}

/** About 150 MB per live kernel, leaving a quarter of the machine to the server. */
export function defaultMaxSessions(): number {
  return Math.max(2, Math.floor((os.totalmem() * 0.75) / (150 * 1024 * 1024)));
}
