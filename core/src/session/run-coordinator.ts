import type { SessionListener } from '../kernel/kernel-manager';
import type { GraphView } from '../graph/dependency-graph';
import type { Analysis } from '../language/language';
import type { CellEntered, CellReport, KernelVariable, PlanItem, RuntimeCallAsk } from '../kernel/protocol';
import type { JsonValue } from '../model/types';
import { planRun } from '../scheduler/planner';
import { kernelLostCellError, upstreamCellError, type CellError } from './cell-error';
import type { CellDocument, RunStates } from './cell-run-state';

/** What the coordinator asks of a notebook's kernel (the kernel manager's KernelSession is one). */
export interface RunKernel {
  readonly closed: boolean;
  /** Sends a plan; `calls` travel in the same message and are answered before it runs (one answer each, in order). */
  run(runId: number, plan: PlanItem[], calls?: readonly RuntimeCallAsk[]): Promise<JsonValue>[];
  cancel(runId: number): void;
  interrupt(): void;
  /** Forgets names, and what runtimes keep for these cells themselves (a live table of a deleted cell). */
  deleteNames(names: string[], cells?: string[]): void;
  call(language: string, method: string, payload: JsonValue): Promise<JsonValue>;
  close(): void;
}
import type { PluginSettingValues, SettingsChange } from '../settings/plugin-settings';
import type { NotebookEvent } from './events';
import { VariableList } from './variables';

/** How a notebook gets its kernel: the service hands the manager (or a cluster-aware wrapper) in. */
export interface KernelProvider {
  openSession(owner: string, notebookId: string, listener: SessionListener): Promise<RunKernel>;
}

/** What the coordinator needs of its notebook: the session is one, a test's table another. */
export interface RunHost {
  readonly id: string;
  readonly owner: string;
  /** Whose kernel runs the cells (the owner, or an app viewer for a viewer's copy) and under which session key. */
  readonly kernelOwner: string;
  readonly kernelSession: string;
  readonly lazy: boolean;
  /** The notebook's values for a plugin's settings, in clear (host services get them). */
  pluginSettings(pluginId: string): Readonly<PluginSettingValues>;
  /** Stores a change to a plugin's settings in the notebook (absent for an app viewer's copy). */
  updatePluginSettings?(pluginId: string, change: SettingsChange): Promise<unknown>;
  readonly graph: GraphView;
  /** The one owner of every cell's run state. */
  readonly states: RunStates;
  hasCell(cellId: string): boolean;
  cell(cellId: string): CellDocument;
  /** Every cell's id, in notebook order. */
  cellIds(): string[];
  /** How messages name a cell: `cell 3`. */
  label(cellId: string): string;
  /** Why the cell cannot run at all (its code does not parse, a cycle, a name defined twice), if so. */
  staticError(cellId: string): CellError | undefined;
  analysisOf(cellId: string): Analysis | undefined;
  /** Saves run results soon. */
  scheduleSave(): void;
}

interface CallBeforeRun {
  ask: RuntimeCallAsk;
  resolve(value: JsonValue): void;
  reject(error: unknown): void;
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
  private readonly roots = new Map<string, boolean>();
  private carried = new Set<string>();
  private current: CurrentRun | null = null;
  private kernel: RunKernel | null = null;
  private opening: Promise<RunKernel> | null = null;
  private nextRunId = 1;
  private idleWaiters: (() => void)[] = [];
  /** Names given a value from outside any cell since the last plan: their readers run, their definers do not. */
  private readonly setFromOutside = new Set<string>();
  /** Runtime calls that go to the kernel in the next run's message, answered before its plan runs. */
  private callsBeforeRun: CallBeforeRun[] = [];
  /** What the variable explorer shows: pushed after every run, never polled. */
  readonly variables: VariableList;

  constructor(
    private readonly notebook: RunHost,
    private readonly kernels: KernelProvider,
    /** Where the variable explorer's list goes (the session's events). */
    emit: (event: NotebookEvent) => void = () => undefined,
  ) {
    this.variables = new VariableList(notebook, emit);
  }

  private get states(): RunStates {
    return this.notebook.states;
  }

  get running(): boolean {
    return this.current !== null || this.hasWork();
  }

  private hasWork(): boolean {
    return this.roots.size > 0 || this.carried.size > 0 || this.setFromOutside.size > 0 || this.callsBeforeRun.length > 0;
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

  /**
   * Asks a runtime (a widget's new value) and re-runs the readers of `names` in one message to the
   * kernel, which answers the call before the plan runs: one trip, not an answer awaited and then a
   * run sent. `names` are what the caller expects the call to change (the answer to the same call
   * last time); a caller whose answer names others runs their readers with `runReadersOf`.
   */
  callThenRunReadersOf(ask: RuntimeCallAsk, names: readonly string[]): Promise<JsonValue> {
    return new Promise((resolve, reject) => {
      this.callsBeforeRun.push({ ask, resolve, reject });
      for (const name of names) this.setFromOutside.add(name);
      this.kick();
    });
  }

  /** Asks one language's runtime in this notebook's kernel a question, opening the kernel if there is none. */
  async callRuntime(language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    let kernel: RunKernel;
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
    this.states.restarted(reason, this.notebook.cellIds(), (id) => this.notebook.staticError(id) !== undefined);
    this.variables.cleared();
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
    for (const id of cellIds) this.states.invalidated(id);
  }

  /**
   * Names no cell defines any more (or whose definer changed): delete them in
   * the kernel, then re-run (or, lazily, mark stale) every cell that read them.
   */
  forgetNames(names: string[], except: string[]): void {
    if (names.length === 0) return;
    this.kernel?.deleteNames(names);
    this.variables.removed(names);
    const affected = new Set<string>();
    for (const name of names) {
      for (const id of this.notebook.graph.readersOf(name)) affected.add(id);
      for (const id of this.notebook.graph.definersOf(name)) affected.add(id);
    }
    for (const id of except) affected.delete(id);
    this.invalidate(affected);
    for (const id of affected) {
      if (!this.hasEverRun(id)) continue;
      if (this.notebook.lazy) this.states.stale(id);
      else this.roots.set(id, true);
    }
    this.kick();
  }

  cellDeleted(cellId: string): void {
    this.roots.delete(cellId);
    this.carried.delete(cellId);
    // Its names go by forgetNames; this drops what runtimes keep for the cell itself (live tables of its outputs).
    this.kernel?.deleteNames([], [cellId]);
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

  pluginSettings(pluginId: string): Readonly<PluginSettingValues> {
    return this.notebook.pluginSettings(pluginId);
  }

  readonly updatePluginSettings = async (pluginId: string, change: SettingsChange): Promise<void> => {
    // An app viewer's copy runs under its own session key: what its kernel installs is not the notebook's to keep.
    if (!this.notebook.updatePluginSettings || this.notebook.kernelSession !== this.notebook.id) throw new Error('This copy of the notebook cannot store settings.');
    await this.notebook.updatePluginSettings(pluginId, change);
  };

  onReports(runId: number, reports: CellReport[]): void {
    const run = this.current;
    if (!run || run.runId !== runId) return;
    for (const report of reports) {
      const id = report.cell;
      if (!run.cells.has(id) || !this.notebook.hasCell(id)) continue;
      if (report.k === 'start') this.states.started(id);
      else if (report.k === 'stdout') this.states.printed(id, report.data, report.stream);
      else if (report.k === 'output') this.states.output(id, report.output);
      else if (report.status === 'success') {
        run.finished.add(id);
        this.states.finished(id);
      } else if (report.status !== 'cancelled') {
        run.finished.add(id);
        // The kernel names cells by id; the user knows them by position.
        const upstream = report.status === 'blocked' ? this.upstreamFailure(run, id) : undefined;
        const error: CellError = upstream ?? { kind: report.status === 'blocked' ? 'upstream' : (report.errorKind ?? 'runtime'), message: report.error ?? 'The cell failed.' };
        if (!upstream && report.traceback !== undefined) error.traceback = report.traceback;
        this.states.failed(id, error);
      }
    }
  }

  onRunDone(runId: number): void {
    const run = this.current;
    if (!run || run.runId !== runId) return;
    this.finishRun(run);
  }

  onVariables(variables: KernelVariable[], truncated: boolean): void {
    this.variables.described(variables, truncated);
  }

  onLost(reason: string, lastEntered?: CellEntered): void {
    this.kernel = null;
    const run = this.current;
    // The kernel's cell-entered line (written by the worker itself before the cell) names the cell it was in, even
    // one that killed its process before its start report left; without one, the cell still "running" here.
    const entered = lastEntered && run && lastEntered.runId === run.runId && run.cells.has(lastEntered.cellId) && !run.finished.has(lastEntered.cellId) ? lastEntered.cellId : undefined;
    const culprit = entered ?? run?.order.find((id) => !run.finished.has(id) && this.states.status(id) === 'running');
    this.states.lost(reason, culprit);
    this.variables.cleared();
    if (!run) return;
    if (culprit) run.finished.add(culprit);
    run.interrupted = true;
    this.finishRun(run);
  }


  // ------------------------------------------------------------------------

  private hasEverRun(cellId: string): boolean {
    return this.states.status(cellId) !== 'idle';
  }

  private finishRun(run: CurrentRun): void {
    if (this.current !== run) return;
    this.current = null;
    const unfinished = run.order.filter((id) => !run.finished.has(id) && this.notebook.hasCell(id));
    // Cells a superseded run did not reach run in the next one. A run that ended by itself with cells
    // left (its worker died or was replaced) or was interrupted carries nothing: what it did not reach
    // waits for the user, so a cell that kills its kernel is not run again by itself.
    const superseded = run.cancelled && !run.interrupted;
    const failed = run.order.filter((id) => run.finished.has(id) && this.states.status(id) === 'error');
    const downstream = failed.length > 0 && !superseded ? this.notebook.graph.descendants(failed) : new Set<string>();
    for (const id of unfinished) {
      if (superseded) this.carried.add(id);
      else if (downstream.has(id)) this.blockBehind(id, failed);
      else this.states.notReached(id);
    }
    this.notebook.scheduleSave();
    this.kick();
  }

  /** Why the kernel did not run a cell: the first of its parents that failed in this run. */
  private upstreamFailure(run: CurrentRun, cellId: string): CellError | undefined {
    const failed = (id: string): boolean => run.finished.has(id) && ['error', 'blocked'].includes(this.states.status(id) ?? '');
    const blocker = [...this.notebook.graph.parents(cellId)].find((id) => this.notebook.hasCell(id) && failed(id));
    return blocker === undefined ? undefined : upstreamCellError(this.notebook.label(blocker), blocker);
  }

  /** Marks a cell that did not run because a cell it depends on failed in the same run. */
  private blockBehind(cellId: string, failed: string[]): void {
    const ancestors = this.notebook.graph.ancestors([cellId]);
    const blocker = failed.find((id) => ancestors.has(id)) ?? failed[0]!;
    this.states.failed(cellId, upstreamCellError(this.notebook.label(blocker), blocker));
  }

  private kick(): void {
    if (this.current) {
      if (!this.current.cancelled && this.hasWork()) {
        this.current.cancelled = true;
        this.kernel?.cancel(this.current.runId);
      }
      return;
    }
    if (this.opening) return;
    if (!this.hasWork()) return this.settle();
    void this.startRun();
  }

  private async startRun(): Promise<void> {
    const plan = planRun(this.notebook.graph, {
      roots: [...this.roots.entries()].filter(([, expand]) => expand).map(([id]) => id),
      withDescendants: true,
      carried: [...this.carried, ...[...this.roots.entries()].filter(([, expand]) => !expand).map(([id]) => id)],
      hasValue: (id) => this.states.inKernel(id),
      staticError: (id) => this.notebook.staticError(id),
      label: (id) => this.notebook.label(id),
      setFromOutside: { names: [...this.setFromOutside], withDescendants: !this.notebook.lazy },
    });
    this.setFromOutside.clear();
    const calls = this.callsBeforeRun;
    this.callsBeforeRun = [];
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
      blockedNames.push(...this.notebook.cell(id).writes);
      // Its status follows the reason's kind: its own code does not parse (error), or something else stops it (blocked).
      this.states.failed(id, reason, { unlessShown: true });
    }
    // A blocked cell keeps no value from an earlier run (a name defined twice is dropped for both cells).
    if (blockedNames.length > 0) this.kernel?.deleteNames([...new Set(blockedNames)]);
    if (plan.runnable.length === 0) {
      this.askAlone(calls);
      return this.settle();
    }
    const run: CurrentRun = { runId: this.nextRunId++, order: plan.runnable.map((p) => p.cellId), cells: new Set(plan.runnable.map((p) => p.cellId)), finished: new Set(), cancelled: false, interrupted: false };
    this.current = run;
    for (const { cellId } of plan.runnable) this.states.queued(cellId);
    const items: PlanItem[] = plan.runnable.map(({ cellId, parents }) => {
      const cell = this.notebook.cell(cellId);
      const analysis = this.notebook.analysisOf(cellId);
      const item: PlanItem = { cellId, language: cell.type, code: cell.code, defines: cell.writes, references: cell.reads, parents };
      if (analysis?.meta) item.meta = analysis.meta;
      // Values users set on this cell's widgets: its runtime applies them while the widget's arguments are unchanged.
      if (cell.widgets) item.meta = { ...item.meta, widgets: cell.widgets as unknown as JsonValue };
      return item;
    });
    let kernel: RunKernel;
    try {
      kernel = await this.ensureKernel();
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      for (const call of calls) call.reject(error instanceof Error ? error : new Error(message));
      for (const { cellId } of plan.runnable) {
        if (!this.notebook.hasCell(cellId)) continue;
        this.states.failed(cellId, kernelLostCellError(message));
        run.finished.add(cellId);
      }
      this.finishRun(run);
      return;
    }
    if (this.current !== run || run.interrupted) {
      this.askAlone(calls);
      if (this.current === run) this.finishRun(run);
      return;
    }
    const answers = kernel.run(run.runId, items, calls.map((call) => call.ask));
    calls.forEach((call, index) => (answers[index] ?? Promise.reject(new Error('The kernel took no call with the run.'))).then(call.resolve, call.reject));
    if (run.cancelled) kernel.cancel(run.runId);
  }

  /** Calls meant to travel with a run that did not go: asked on their own. */
  private askAlone(calls: readonly CallBeforeRun[]): void {
    for (const call of calls) this.callRuntime(call.ask.language, call.ask.method, call.ask.payload).then(call.resolve, call.reject);
  }

  private ensureKernel(): Promise<RunKernel> {
    if (this.kernel && !this.kernel.closed) return Promise.resolve(this.kernel);
    if (!this.opening) {
      this.opening = this.kernels.openSession(this.notebook.kernelOwner, this.notebook.kernelSession, this).then(
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
