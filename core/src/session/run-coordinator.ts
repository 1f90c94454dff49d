import type { KernelSession, SessionListener } from '../kernel/kernel-manager';
import { sizeText } from '../kernel/child/output-cap';
import type { JsonValue } from '../model/types';
import type { CellReport, PlanItem } from '../kernel/protocol';
import type { Output } from '../model/types';
import { planRun } from '../scheduler/planner';
import type { NotebookEvent } from './events';
import { upstreamErrorText } from './format';
import type { NotebookSession } from './notebook-session';

/** How a notebook gets its kernel: the service hands the manager (or a cluster-aware wrapper) in. */
export interface KernelProvider {
  openSession(owner: string, notebookId: string, listener: SessionListener): Promise<KernelSession>;
}

const MAX_OUTPUTS_PER_CELL = 50;
const MAX_OUTPUT_CHARS_PER_CELL = 8 * 1024 * 1024;
/** stdout and stderr together. */
const MAX_STDOUT_CHARS_PER_CELL = 1024 * 1024;

/** What a cell shows instead of the outputs past its budget: they never vanish silently. */
function droppedOutputNote(tooMany: boolean, size: number): Output {
  const text = tooMany
    ? `Further outputs not shown: a cell shows at most ${MAX_OUTPUTS_PER_CELL} outputs per run.`
    : `Output of ${sizeText(size)} not shown: a cell's outputs take at most ${sizeText(MAX_OUTPUT_CHARS_PER_CELL)} in all.`;
  return { mime_type: 'text/plain', data: text };
}

interface CurrentRun {
  runId: number;
  /** In plan order: the kernel runs them one after another. */
  order: string[];
  cells: Set<string>;
  finished: Set<string>;
  cancelled: boolean;
  interrupted: boolean;
}

/**
 * The reactive scheduler of one notebook: one queue, one run at a time. A
 * request during a run cancels the rest of that run (after the cell in
 * flight) and re-plans the union, so no cell runs twice for one edit and none
 * runs on stale inputs. A plan goes to the kernel in one message.
 */
export class RunCoordinator implements SessionListener {
  /** Cells whose current code ran successfully in the current kernel. */
  private readonly hasValue = new Set<string>();
  private readonly roots = new Map<string, boolean>();
  private carried = new Set<string>();
  private current: CurrentRun | null = null;
  private kernel: KernelSession | null = null;
  private opening: Promise<KernelSession> | null = null;
  private nextRunId = 1;
  private idleWaiters: (() => void)[] = [];
  private outputChars = new Map<string, number>();
  /** Queued cells that were `idle`: if their run ends before they start, they are `idle` again, not `stale`. */
  private readonly neverRan = new Set<string>();
  /** When the kernel reported each running cell's start (epoch ms), for the run's duration. */
  private readonly startedAt = new Map<string, number>();
  /** Names given a value from outside any cell since the last plan: their readers run, their definers do not. */
  private readonly setFromOutside = new Set<string>();

  constructor(
    private readonly notebook: NotebookSession,
    private readonly kernels: KernelProvider,
    private readonly emit: (event: NotebookEvent) => void,
  ) {}

  get running(): boolean {
    return this.current !== null || this.roots.size > 0 || this.carried.size > 0 || this.setFromOutside.size > 0;
  }

  /** Asks for a cell to run (with its descendants unless lazy) and its missing ancestors. */
  request(cellId: string): void {
    this.notebook.cell(cellId);
    this.roots.set(cellId, !this.notebook.lazy);
    this.kick();
  }

  /**
   * A value was set from outside any cell (a widget moved): re-run the cells
   * that read these names (with their descendants unless lazy), not the cells
   * that define them, which would overwrite the value.
   */
  runReadersOf(names: readonly string[]): void {
    for (const name of names) this.setFromOutside.add(name);
    this.kick();
  }

  /** Asks one language's runtime in this notebook's kernel a question, opening the kernel if there is none. */
  async callRuntime(language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    let kernel: KernelSession;
    try {
      kernel = await this.ensureKernel();
    } finally {
      // A run asked for while this call opened the kernel waited for it (kick does nothing while a kernel opens).
      this.kick();
    }
    return kernel.call(language, method, payload);
  }

  /**
   * Run all: every cell is a root, so the planner runs each once in
   * topological order and blocks what cannot run (and what is downstream of
   * it), lazy mode or not.
   */
  requestAll(): void {
    for (const id of this.notebook.cellIds()) this.roots.set(id, true);
    this.kick();
  }

  /**
   * Replaces this notebook's kernel: the run in progress stops (its worker is
   * terminated, so even a cell that ignores interrupts ends), the values go,
   * and a fresh kernel is opened. Every cell that ran is `stale`, its last
   * outputs kept; a cell that cannot run at all keeps its status and error.
   * A `cell_status` goes out for every cell, after `kernel_restarted`, so a
   * client that marks everything stale on that event ends up exact.
   */
  restart(reason: string): void {
    this.roots.clear();
    this.carried.clear();
    this.setFromOutside.clear();
    const run = this.current;
    if (run) run.interrupted = true;
    const old = this.kernel;
    this.kernel = null;
    old?.close();
    this.hasValue.clear();
    this.emit({ type: 'kernel_restarted', reason });
    for (const id of this.notebook.cellIds()) {
      const cell = this.notebook.cell(id);
      if (cell.status !== 'idle' && this.notebook.staticError(id) === undefined) cell.status = 'stale';
      this.emit({ type: 'cell_status', cellId: id, status: cell.status });
    }
    if (run) this.finishRun(run);
    else this.notebook.scheduleSave();
    // The replacement starts now rather than at the next run. A run asked for meanwhile waits
    // for it (kick does nothing while a kernel opens), so kick again once it is there.
    void this.ensureKernel().then(
      () => this.kick(),
      () => this.kick(),
    );
  }

  /** The values of these cells no longer match their code or inputs. */
  invalidate(cellIds: Iterable<string>): void {
    for (const id of cellIds) {
      this.hasValue.delete(id);
      const cell = this.notebook.hasCell(id) ? this.notebook.cell(id) : undefined;
      if (cell && cell.status !== 'idle' && cell.status !== 'blocked' && cell.status !== 'queued' && cell.status !== 'running') {
        this.notebook.setStatus(id, 'stale');
      }
    }
  }

  /**
   * Names no cell defines any more (or whose definer changed): delete them in
   * the kernel, then re-run (or, lazily, mark stale) every cell that read them.
   */
  forgetNames(names: string[], except: string[]): void {
    if (names.length === 0) return;
    this.kernel?.deleteNames(names);
    const affected = new Set<string>();
    for (const name of names) {
      for (const id of this.notebook.graph.readersOf(name)) affected.add(id);
      for (const id of this.notebook.graph.definersOf(name)) affected.add(id);
    }
    for (const id of except) affected.delete(id);
    this.invalidate(affected);
    for (const id of affected) {
      if (!this.hasEverRun(id)) continue;
      if (this.notebook.lazy) this.notebook.setStatus(id, 'stale');
      else this.roots.set(id, true);
    }
    this.kick();
  }

  cellDeleted(cellId: string): void {
    this.neverRan.delete(cellId);
    this.hasValue.delete(cellId);
    this.roots.delete(cellId);
    this.carried.delete(cellId);
  }

  interrupt(): void {
    this.roots.clear();
    this.carried.clear();
    this.setFromOutside.clear();
    if (!this.current || !this.kernel) return;
    this.current.interrupted = true;
    this.kernel.cancel(this.current.runId);
    this.kernel.interrupt();
  }

  whenIdle(): Promise<void> {
    if (!this.running && !this.opening) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.kernel?.close();
    this.kernel = null;
  }

  // SessionListener ---------------------------------------------------------

  dbConnectionString(): string | null {
    return this.notebook.dbConnectionString;
  }

  onReports(runId: number, reports: CellReport[]): void {
    const run = this.current;
    if (!run || run.runId !== runId) return;
    for (const report of reports) {
      if (!run.cells.has(report.cell) || !this.notebook.hasCell(report.cell)) continue;
      const cell = this.notebook.cell(report.cell);
      switch (report.k) {
        case 'start':
          this.neverRan.delete(cell.id);
          cell.stdout = '';
          cell.stderr = '';
          cell.outputs = [];
          cell.error = null;
          this.outputChars.set(cell.id, 0);
          this.startedAt.set(cell.id, Date.now());
          this.notebook.setStatus(cell.id, 'running');
          break;
        case 'stdout': {
          const room = MAX_STDOUT_CHARS_PER_CELL - cell.stdout.length - cell.stderr.length;
          if (room <= 0) break;
          const data = report.data.slice(0, room);
          if (report.stream === 'stderr') cell.stderr += data;
          else cell.stdout += data;
          this.emit({ type: 'cell_stdout', cellId: cell.id, data, stream: report.stream });
          break;
        }
        case 'output': {
          const size = JSON.stringify(report.output.data).length;
          const used = this.outputChars.get(cell.id) ?? 0;
          // Past the cell's budget the rest is dropped, but the cell says so once (used becomes Infinity).
          if (used === Number.POSITIVE_INFINITY) break;
          const full = cell.outputs.length >= MAX_OUTPUTS_PER_CELL || used + size > MAX_OUTPUT_CHARS_PER_CELL;
          const output = full ? droppedOutputNote(cell.outputs.length >= MAX_OUTPUTS_PER_CELL, size) : report.output;
          this.outputChars.set(cell.id, full ? Number.POSITIVE_INFINITY : used + size);
          cell.outputs.push(output);
          this.emit({ type: 'cell_output', cellId: cell.id, output });
          break;
        }
        case 'finish':
          run.finished.add(cell.id);
          if (report.status === 'success') {
            this.hasValue.add(cell.id);
            this.notebook.setStatus(cell.id, 'success', this.timingOf(cell.id));
          } else if (report.status === 'cancelled') {
            run.finished.delete(cell.id);
          } else {
            this.hasValue.delete(cell.id);
            // The kernel names cells by id; the user knows them by position.
            const error = (report.status === 'blocked' ? this.upstreamFailure(run, cell.id) : undefined) ?? report.error ?? 'The cell failed.';
            cell.error = error;
            this.notebook.setStatus(cell.id, report.status === 'blocked' ? 'blocked' : 'error', report.status === 'blocked' ? undefined : this.timingOf(cell.id));
            this.emit({ type: 'cell_error', cellId: cell.id, error });
          }
          break;
      }
    }
  }

  onRunDone(runId: number): void {
    const run = this.current;
    if (!run || run.runId !== runId) return;
    this.finishRun(run);
  }

  onLost(reason: string): void {
    this.kernel = null;
    // First: a page marks the cells whose values were in the kernel stale on this event; the statuses below are final.
    this.emit({ type: 'kernel_restarted', reason });
    const run = this.current;
    if (run) {
      // The kernel reports a cell's start at once, so a cell still "running" here is the one it was running.
      const culprit = run.order.find((id) => !run.finished.has(id) && this.notebook.hasCell(id) && this.notebook.cell(id).status === 'running');
      if (culprit) {
        const cell = this.notebook.cell(culprit);
        cell.error = `The kernel stopped while this cell ran: ${reason}`;
        this.notebook.setStatus(culprit, 'error');
        this.emit({ type: 'cell_error', cellId: culprit, error: cell.error });
        run.finished.add(culprit);
      }
      run.interrupted = true;
    }
    const lost = [...this.hasValue];
    this.hasValue.clear();
    for (const id of lost) if (this.notebook.hasCell(id)) this.notebook.setStatus(id, 'stale');
    if (run) this.finishRun(run);
  }

  // ------------------------------------------------------------------------

  /** When a cell's run ended and how long it took since the kernel reported its start; undefined when it did not start. */
  private timingOf(cellId: string): { endedAt: string; durationMs: number } | undefined {
    const started = this.startedAt.get(cellId);
    if (started === undefined) return undefined;
    this.startedAt.delete(cellId);
    const ended = Date.now();
    return { endedAt: new Date(ended).toISOString(), durationMs: ended - started };
  }

  private hasEverRun(cellId: string): boolean {
    const status = this.notebook.cell(cellId).status;
    return status !== 'idle';
  }

  private finishRun(run: CurrentRun): void {
    if (this.current !== run) return;
    this.current = null;
    const unfinished = run.order.filter((id) => !run.finished.has(id) && this.notebook.hasCell(id));
    // Cells a superseded run did not reach run in the next one. A run that ended by itself with cells
    // left (its worker died or was replaced) or was interrupted carries nothing: what it did not reach
    // waits for the user, so a cell that kills its kernel is not run again by itself.
    const superseded = run.cancelled && !run.interrupted;
    const failed = run.order.filter((id) => run.finished.has(id) && this.notebook.hasCell(id) && this.notebook.cell(id).status === 'error');
    const downstream = failed.length > 0 && !superseded ? this.notebook.graph.descendants(failed) : new Set<string>();
    for (const id of unfinished) {
      if (superseded) this.carried.add(id);
      else if (downstream.has(id)) this.blockBehind(id, failed);
      else this.notebook.setStatus(id, this.neverRan.delete(id) ? 'idle' : 'stale');
    }
    this.notebook.scheduleSave();
    this.kick();
  }

  /** Why the kernel did not run a cell: the first of its parents that failed in this run. */
  private upstreamFailure(run: CurrentRun, cellId: string): string | undefined {
    const failed = (id: string): boolean => run.finished.has(id) && ['error', 'blocked'].includes(this.notebook.cell(id).status);
    const blocker = [...this.notebook.graph.parents(cellId)].find((id) => this.notebook.hasCell(id) && failed(id));
    return blocker === undefined ? undefined : upstreamErrorText(this.notebook.label(blocker));
  }

  /** Marks a cell that did not run because a cell it depends on failed in the same run. */
  private blockBehind(cellId: string, failed: string[]): void {
    const ancestors = this.notebook.graph.ancestors([cellId]);
    const blocker = failed.find((id) => ancestors.has(id)) ?? failed[0]!;
    const cell = this.notebook.cell(cellId);
    this.hasValue.delete(cellId);
    cell.error = upstreamErrorText(this.notebook.label(blocker));
    this.notebook.setStatus(cellId, 'blocked');
    this.emit({ type: 'cell_error', cellId, error: cell.error });
  }

  private kick(): void {
    if (this.current) {
      if (!this.current.cancelled && (this.roots.size > 0 || this.carried.size > 0 || this.setFromOutside.size > 0)) {
        this.current.cancelled = true;
        this.kernel?.cancel(this.current.runId);
      }
      return;
    }
    if (this.opening) return;
    if (this.roots.size === 0 && this.carried.size === 0 && this.setFromOutside.size === 0) return this.settle();
    void this.startRun();
  }

  private async startRun(): Promise<void> {
    const plan = planRun(this.notebook.graph, {
      roots: [...this.roots.entries()].filter(([, expand]) => expand).map(([id]) => id),
      withDescendants: true,
      carried: [...this.carried, ...[...this.roots.entries()].filter(([, expand]) => !expand).map(([id]) => id)],
      hasValue: (id) => this.hasValue.has(id),
      staticError: (id) => this.notebook.staticError(id),
      label: (id) => this.notebook.label(id),
      setFromOutside: { names: [...this.setFromOutside], withDescendants: !this.notebook.lazy },
    });
    this.setFromOutside.clear();
    const lazyRoots = [...this.roots.entries()].filter(([, expand]) => !expand).map(([id]) => id);
    this.roots.clear();
    this.carried.clear();
    if (lazyRoots.length > 0) {
      for (const id of this.notebook.graph.descendants(lazyRoots)) if (!plan.runnable.some((p) => p.cellId === id)) this.invalidate([id]);
    }
    // Lazy: what depends on the readers of a value set from outside is stale, not run.
    if (plan.stale.size > 0) this.invalidate(plan.stale);
    const blockedNames: string[] = [];
    for (const [id, reason] of plan.blocked) {
      const cell = this.notebook.cell(id);
      this.hasValue.delete(id);
      blockedNames.push(...cell.writes);
      // A cell whose own code does not parse has an error; one stopped by another cell (or a graph problem) is blocked.
      const status = this.notebook.analysisOf(id)?.error ? 'error' : 'blocked';
      if (cell.error !== reason || cell.status !== status) {
        cell.error = reason;
        this.notebook.setStatus(id, status);
        this.emit({ type: 'cell_error', cellId: id, error: reason });
      }
    }
    // A blocked cell keeps no value from an earlier run (a name defined twice is dropped for both cells).
    if (blockedNames.length > 0) this.kernel?.deleteNames([...new Set(blockedNames)]);
    if (plan.runnable.length === 0) return this.settle();
    const run: CurrentRun = { runId: this.nextRunId++, order: plan.runnable.map((p) => p.cellId), cells: new Set(plan.runnable.map((p) => p.cellId)), finished: new Set(), cancelled: false, interrupted: false };
    this.current = run;
    for (const { cellId } of plan.runnable) {
      if (this.notebook.cell(cellId).status === 'idle') this.neverRan.add(cellId);
      this.notebook.setStatus(cellId, 'queued');
    }
    const items: PlanItem[] = plan.runnable.map(({ cellId, parents }) => {
      const cell = this.notebook.cell(cellId);
      const analysis = this.notebook.analysisOf(cellId);
      const item: PlanItem = { cellId, language: cell.type, code: cell.code, defines: cell.writes, references: cell.reads, parents };
      if (analysis?.meta) item.meta = analysis.meta;
      return item;
    });
    let kernel: KernelSession;
    try {
      kernel = await this.ensureKernel();
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      for (const { cellId } of plan.runnable) {
        if (!this.notebook.hasCell(cellId)) continue;
        const cell = this.notebook.cell(cellId);
        cell.error = message;
        this.notebook.setStatus(cellId, 'error');
        this.emit({ type: 'cell_error', cellId, error: message });
        run.finished.add(cellId);
      }
      this.finishRun(run);
      return;
    }
    if (this.current !== run) return;
    if (run.interrupted) return this.finishRun(run);
    kernel.run(run.runId, items);
    if (run.cancelled) kernel.cancel(run.runId);
  }

  private ensureKernel(): Promise<KernelSession> {
    if (this.kernel && !this.kernel.closed) return Promise.resolve(this.kernel);
    if (!this.opening) {
      this.opening = this.kernels.openSession(this.notebook.owner, this.notebook.id, this).then(
        (kernel) => {
          this.opening = null;
          this.kernel = kernel;
          return kernel;
        },
        (error: unknown) => {
          this.opening = null;
          throw error;
        },
      );
    }
    return this.opening;
  }

  private settle(): void {
    if (this.running || this.opening) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
