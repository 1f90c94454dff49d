import type { KernelSession, SessionListener } from '../kernel/kernel-manager';
import { sizeText } from '../kernel/child/output-cap';
import type { CellReport, PlanItem } from '../kernel/protocol';
import type { Output } from '../model/types';
import { planRun } from '../scheduler/planner';
import type { NotebookEvent } from './events';
import type { NotebookSession } from './notebook-session';

/** How a notebook gets its kernel: the service hands the manager (or a cluster-aware wrapper) in. */
export interface KernelProvider {
  openSession(owner: string, notebookId: string, listener: SessionListener): Promise<KernelSession>;
}

const MAX_OUTPUTS_PER_CELL = 50;
const MAX_OUTPUT_CHARS_PER_CELL = 8 * 1024 * 1024;
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

  constructor(
    private readonly notebook: NotebookSession,
    private readonly kernels: KernelProvider,
    private readonly emit: (event: NotebookEvent) => void,
  ) {}

  get running(): boolean {
    return this.current !== null || this.roots.size > 0 || this.carried.size > 0;
  }

  /** Asks for a cell to run (with its descendants unless lazy) and its missing ancestors. */
  request(cellId: string): void {
    this.notebook.cell(cellId);
    this.roots.set(cellId, !this.notebook.lazy);
    this.kick();
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
    this.hasValue.delete(cellId);
    this.roots.delete(cellId);
    this.carried.delete(cellId);
  }

  interrupt(): void {
    this.roots.clear();
    this.carried.clear();
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
          cell.stdout = '';
          cell.outputs = [];
          cell.error = null;
          this.outputChars.set(cell.id, 0);
          this.notebook.setStatus(cell.id, 'running');
          break;
        case 'stdout': {
          const room = MAX_STDOUT_CHARS_PER_CELL - cell.stdout.length;
          if (room <= 0) break;
          const data = report.data.slice(0, room);
          cell.stdout += data;
          this.emit({ type: 'cell_stdout', cellId: cell.id, data });
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
            this.notebook.setStatus(cell.id, 'success');
          } else if (report.status === 'cancelled') {
            run.finished.delete(cell.id);
          } else {
            this.hasValue.delete(cell.id);
            const error = report.error ?? 'The cell failed.';
            cell.error = error;
            this.notebook.setStatus(cell.id, report.status === 'blocked' ? 'blocked' : 'error');
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
    this.emit({ type: 'kernel_restarted', reason });
    for (const id of lost) if (this.notebook.hasCell(id)) this.notebook.setStatus(id, 'stale');
    if (run) this.finishRun(run);
  }

  // ------------------------------------------------------------------------

  private hasEverRun(cellId: string): boolean {
    const status = this.notebook.cell(cellId).status;
    return status !== 'idle';
  }

  private finishRun(run: CurrentRun): void {
    if (this.current !== run) return;
    this.current = null;
    for (const id of run.cells) {
      if (run.finished.has(id) || !this.notebook.hasCell(id)) continue;
      if (run.interrupted) this.notebook.setStatus(id, 'stale');
      else this.carried.add(id);
    }
    this.notebook.scheduleSave();
    this.kick();
  }

  private kick(): void {
    if (this.current) {
      if (!this.current.cancelled && (this.roots.size > 0 || this.carried.size > 0)) {
        this.current.cancelled = true;
        this.kernel?.cancel(this.current.runId);
      }
      return;
    }
    if (this.opening) return;
    if (this.roots.size === 0 && this.carried.size === 0) return this.settle();
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
    });
    const lazyRoots = [...this.roots.entries()].filter(([, expand]) => !expand).map(([id]) => id);
    this.roots.clear();
    this.carried.clear();
    if (lazyRoots.length > 0) {
      for (const id of this.notebook.graph.descendants(lazyRoots)) if (!plan.runnable.some((p) => p.cellId === id)) this.invalidate([id]);
    }
    const blockedNames: string[] = [];
    for (const [id, reason] of plan.blocked) {
      const cell = this.notebook.cell(id);
      this.hasValue.delete(id);
      blockedNames.push(...cell.writes);
      if (cell.error !== reason || cell.status !== 'blocked') {
        cell.error = reason;
        this.notebook.setStatus(id, 'blocked');
        this.emit({ type: 'cell_error', cellId: id, error: reason });
      }
    }
    // A blocked cell keeps no value from an earlier run (a name defined twice is dropped for both cells).
    if (blockedNames.length > 0) this.kernel?.deleteNames([...new Set(blockedNames)]);
    if (plan.runnable.length === 0) return this.settle();
    const run: CurrentRun = { runId: this.nextRunId++, order: plan.runnable.map((p) => p.cellId), cells: new Set(plan.runnable.map((p) => p.cellId)), finished: new Set(), cancelled: false, interrupted: false };
    this.current = run;
    for (const { cellId } of plan.runnable) this.notebook.setStatus(cellId, 'queued');
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
