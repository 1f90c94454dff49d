import { Worker } from 'node:worker_threads';
import type { Analysis, LanguageDefinition } from '../language/language';
import { compiledPath } from '../paths';
import { threadCpuMs } from './thread-cpu';
import { analyseSafely, cleanAnalysis } from '../session/analyse';
import type { AnalysisBatch, AnalysisItem, PreloadMessage, WorkerAnswer } from './worker-protocol';

export interface AnalysisPoolOptions {
  /** Worker threads at most (default 2). They start on first use. */
  workers?: number;
  /** Time one cell's analysis may take, ms (default 2000): past it the worker is terminated and replaced. */
  timeLimitMs?: number;
  /** At most this many cells per message to a worker (default 256). */
  batchCells?: number;
  /** At most this many characters of code per message to a worker (default 1,000,000). */
  batchChars?: number;
  /** Heap limit of each worker, MB (default 256): a blow-up kills the worker, not the server. */
  workerHeapMb?: number;
}

/** A cell waiting for, or in, a worker. */
interface Job {
  seq: number;
  language: LanguageDefinition;
  code: string;
  /** Whose cell (the notebook's owner): workers are shared round-robin between keys. */
  key: string;
  resolve(analysis: Analysis): void;
}

interface Slot {
  worker: Worker;
  /** Whose batch is in flight. */
  key: string;
  /** The batch in flight, empty when idle. */
  batch: Job[];
  /** Index in `batch` of the cell the worker is on (the first one not answered). */
  next: number;
  timer: NodeJS.Timeout | null;
  gone: boolean;
  /** It answered at least once: a worker that dies before is not restarted eagerly (no crash loop). */
  answered: boolean;
  /** The worker's thread id, to read its CPU time (Linux); null: the budget is wall time. */
  thread: number | null;
  /** When the current cell started (performance.now()). */
  cellStartedAt: number;
  /** A reading of the thread's CPU time, taken at most every CPU_READ_INTERVAL_MS at a cell's start. */
  cpuMark: { wall: number; cpu: number } | null;
}

const SHUTTING_DOWN = 'The server is shutting down: the cell was not analysed.';

/** A cell whose thread starves for CPU is still ended after this many budgets of wall time. */
const WALL_CAP_FACTOR = 5;
const CPU_READ_INTERVAL_MS = 100;

/** Time for a new worker to load an analyser module before its first cell's budget starts. */
const LOAD_ALLOWANCE_MS = 10_000;

/**
 * Analyses cells off the server's event loop: a few worker threads, owned by
 * core, load each language's analyser module (`LanguageDefinition.analyser`)
 * and analyse cells sent in batches. Each cell has a time budget; past it the
 * worker is terminated and replaced, the cell gets an error saying it is too
 * large or complex, and the other cells of the batch go to the next worker.
 * Queues are kept per key (owner) and served in turn, and one key never holds
 * every worker (when there are two or more): another user's edit finds a
 * free worker at once, whatever one user stores.
 *
 * A language that declares no analyser module is analysed in this thread
 * (`analyse`), as are blank cells.
 */
export class AnalysisPool {
  readonly timeLimitMs: number;
  private readonly maxWorkers: number;
  private readonly batchCells: number;
  private readonly batchChars: number;
  private readonly workerHeapMb: number;
  private readonly slots: Slot[] = [];
  /** Waiting jobs per key, in the order keys are served. */
  private readonly queues = new Map<string, Job[]>();
  private seq = 0;
  private closed = false;
  private pumpQueued = false;
  /** Analyser modules seen so far: a new worker loads them before it is needed. */
  private readonly knownAnalysers = new Map<string, { module: string; exportName: string }>();
  /** After warm(): every worker is started ahead of need, and a replaced one at once. */
  private warmed = false;
  private started = 0;
  private sent = 0;

  constructor(options: AnalysisPoolOptions = {}) {
    this.maxWorkers = Math.max(1, Math.floor(options.workers ?? 2));
    this.timeLimitMs = Math.max(1, options.timeLimitMs ?? 2000);
    this.batchCells = Math.max(1, options.batchCells ?? 256);
    this.batchChars = Math.max(1, options.batchChars ?? 1_000_000);
    this.workerHeapMb = Math.max(16, options.workerHeapMb ?? 256);
  }

  /** What `language` says about `code`. Never rejects: every failure is the analysis's `error`. */
  analyse(language: LanguageDefinition, code: string, key = ''): Promise<Analysis> {
    if (!language.analyser || code.trim().length === 0) return Promise.resolve(analyseSafely(language, code));
    if (this.closed) return Promise.resolve(failure(SHUTTING_DOWN));
    return new Promise<Analysis>((resolve) => {
      this.enqueue({ seq: ++this.seq, language, code, key, resolve }, false);
      // After this tick: the cells asked for together (a notebook being opened) leave together.
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        queueMicrotask(() => {
          this.pumpQueued = false;
          this.pump();
        });
      }
    });
  }

  /** Many cells at once (a notebook being opened): they travel to the workers in batches. */
  analyseMany(cells: readonly { language: LanguageDefinition; code: string }[], key = ''): Promise<Analysis[]> {
    return Promise.all(cells.map((cell) => this.analyse(cell.language, cell.code, key)));
  }

  /**
   * Starts every worker now and has each load these languages' analysers, so
   * that the first notebook opened does not wait for a thread to start.
   */
  warm(languages: readonly LanguageDefinition[]): void {
    if (this.closed) return;
    for (const language of languages) if (language.analyser) this.remember(language.analyser.module, language.analyser.export ?? 'analyse');
    if (this.knownAnalysers.size === 0) return;
    this.warmed = true;
    while (this.slots.length < this.maxWorkers) this.spawn();
  }

  /** Workers alive now. */
  get liveWorkers(): number {
    return this.slots.length;
  }

  /** Workers started so far (replacements included). */
  get workersStarted(): number {
    return this.started;
  }

  /** Messages sent to workers so far (each a batch of cells). */
  get batchesSent(): number {
    return this.sent;
  }

  /** Stops the workers; cells still waiting get an error. */
  async close(): Promise<void> {
    this.closed = true;
    for (const jobs of this.queues.values()) for (const job of jobs) job.resolve(failure(SHUTTING_DOWN));
    this.queues.clear();
    const slots = this.slots.splice(0);
    await Promise.all(slots.map(async (slot) => {
      slot.gone = true;
      if (slot.timer) clearTimeout(slot.timer);
      for (const job of slot.batch.slice(slot.next)) job.resolve(failure(SHUTTING_DOWN));
      await slot.worker.terminate();
    }));
  }

  private enqueue(job: Job, first: boolean): void {
    const queue = this.queues.get(job.key);
    if (!queue) this.queues.set(job.key, [job]);
    else if (first) queue.unshift(job);
    else queue.push(job);
  }

  private pump(): void {
    while (this.queues.size > 0 && !this.closed) {
      const key = this.nextKey();
      if (key === undefined) return;
      let slot = this.slots.find((s) => s.batch.length === 0);
      if (!slot && this.slots.length < this.maxWorkers) slot = this.spawn();
      if (!slot) return;
      this.dispatch(slot, key, this.takeBatch(key));
    }
  }

  /** The first key in line that may take one more worker: each leaves one worker for the others. */
  private nextKey(): string | undefined {
    const share = this.maxWorkers > 1 ? this.maxWorkers - 1 : 1;
    for (const key of this.queues.keys()) {
      if (this.slots.filter((s) => s.batch.length > 0 && s.key === key).length < share) return key;
    }
    return undefined;
  }

  /** The next batch of `key`'s cells, within the batch limits; the key then goes to the back of the line. */
  private takeBatch(key: string): Job[] {
    const queue = this.queues.get(key)!;
    const batch: Job[] = [];
    let chars = 0;
    while (queue.length > 0 && batch.length < this.batchCells && (batch.length === 0 || chars + queue[0]!.code.length <= this.batchChars)) {
      const job = queue.shift()!;
      chars += job.code.length;
      batch.push(job);
    }
    // That key goes to the back of the line.
    this.queues.delete(key);
    if (queue.length > 0) this.queues.set(key, queue);
    return batch;
  }

  private spawn(): Slot {
    const worker = new Worker(compiledPath(__dirname, 'analysis-worker.js'), {
      resourceLimits: { maxOldGenerationSizeMb: this.workerHeapMb },
      stdout: false,
      stderr: false,
    });
    this.started++;
    const slot: Slot = { worker, key: '', batch: [], next: 0, timer: null, gone: false, answered: false, thread: null, cellStartedAt: 0, cpuMark: null };
    worker.on('message', (answer: WorkerAnswer) => this.onAnswer(slot, answer));
    worker.on('error', (error) => {
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.replace(slot, outOfMemory ? 'it ran out of memory' : `it crashed: ${error.message}`);
    });
    worker.on('exit', (code) => this.replace(slot, `it stopped (exit code ${code})`));
    worker.unref();
    if (this.knownAnalysers.size > 0) worker.postMessage({ load: [...this.knownAnalysers.values()] } satisfies PreloadMessage);
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, key: string, batch: Job[]): void {
    slot.key = key;
    slot.batch = batch;
    slot.next = 0;
    const items: AnalysisItem[] = batch.map((job) => {
      const module = job.language.analyser!.module;
      const exportName = job.language.analyser!.export ?? 'analyse';
      this.remember(module, exportName);
      return { seq: job.seq, module, exportName, code: job.code };
    });
    // A busy worker keeps the process alive (a script awaiting an analysis); an idle one does not.
    slot.worker.ref();
    slot.timer = setTimeout(() => this.replace(slot, null), this.timeLimitMs + LOAD_ALLOWANCE_MS);
    this.sent++;
    slot.worker.postMessage({ items } satisfies AnalysisBatch);
  }

  private onAnswer(slot: Slot, answer: WorkerAnswer): void {
    if (slot.gone) return;
    slot.answered = true;
    if ('thread' in answer) {
      slot.thread = answer.thread;
      return;
    }
    if ('started' in answer) {
      // Modules are loaded: from now on each cell has its own budget.
      this.arm(slot);
      return;
    }
    const job = slot.batch[slot.next];
    if (!job || job.seq !== answer.seq) return;
    slot.next++;
    job.resolve('failure' in answer
      ? failure(`The ${job.language.id} analyser failed: ${answer.failure}`)
      : cleanAnalysis(job.language.id, answer.analysis));
    if (slot.next < slot.batch.length) {
      this.arm(slot);
      return;
    }
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.batch = [];
    slot.worker.unref();
    this.pump();
  }

  private remember(module: string, exportName: string): void {
    this.knownAnalysers.set(`${module}#${exportName}`, { module, exportName });
  }

  /** A cell starts: its budget is `timeLimitMs` of its thread's CPU time (wall time where that cannot be read). */
  private arm(slot: Slot): void {
    slot.cellStartedAt = performance.now();
    if (slot.thread !== null && (!slot.cpuMark || slot.cellStartedAt - slot.cpuMark.wall > CPU_READ_INTERVAL_MS)) {
      const cpu = threadCpuMs(slot.thread);
      slot.cpuMark = cpu === null ? null : { wall: slot.cellStartedAt, cpu };
    }
    this.checkBudgetIn(slot, this.timeLimitMs);
  }

  private checkBudgetIn(slot: Slot, delayMs: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.checkBudget(slot), delayMs);
  }

  /** Past the budget in wall time: ends the worker if the cell also used its budget of CPU (or starved for too long). */
  private checkBudget(slot: Slot): void {
    const wall = performance.now() - slot.cellStartedAt;
    const cpu = slot.thread !== null && slot.cpuMark ? threadCpuMs(slot.thread) : null;
    if (cpu !== null && slot.cpuMark && wall < WALL_CAP_FACTOR * this.timeLimitMs) {
      // Since the mark, less what the batch's earlier cells can have used (no more than the wall time before this one).
      const used = cpu - slot.cpuMark.cpu - (slot.cellStartedAt - slot.cpuMark.wall);
      if (used < this.timeLimitMs) {
        this.checkBudgetIn(slot, Math.max(50, this.timeLimitMs - used));
        return;
      }
    }
    this.replace(slot, null);
  }

  /**
   * Ends a worker that ran out of time (`reason` null) or died: the cell it was
   * on gets an error, the rest of its batch goes back to the front of the line.
   */
  private replace(slot: Slot, reason: string | null): void {
    if (slot.gone) return;
    slot.gone = true;
    if (slot.timer) clearTimeout(slot.timer);
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (reason === null) void slot.worker.terminate();
    const culprit = slot.batch[slot.next];
    if (culprit) {
      culprit.resolve(reason === null
        ? failure(tooComplexMessage(this.timeLimitMs))
        : failure(`The ${culprit.language.id} analyser could not analyse this cell: ${reason}.`));
    }
    const rest = slot.batch.slice(slot.next + 1);
    for (let i = rest.length - 1; i >= 0; i--) this.enqueue(rest[i]!, true);
    slot.batch = [];
    // The replacement starts now, not when the next cell needs it.
    if (this.warmed && !this.closed && slot.answered) this.spawn();
    this.pump();
  }
}

/** The cell's error when its analysis ran out of time. */
export function tooComplexMessage(timeLimitMs: number): string {
  const seconds = Math.round(timeLimitMs / 100) / 10;
  return `This cell is too large or complex to analyse (took over ${seconds} s). Split it into smaller cells.`;
}

function failure(message: string): Analysis {
  return { defines: [], references: [], error: { message } };
}
