import { sizeText } from '../kernel/child/output-cap';
import { CLEAR_OUTPUT_MIME, type Cell, type CellStatus, type Output, type OutputStream } from '../model/types';
import type { StoredCell } from '../storage/storage';
import { cellErrorText, kernelLostCellError, statusOfError, storedCellError, type CellError } from './cell-error';
import type { NotebookEvent } from './events';
import { settledStatus } from './format';

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

/** What a cell's runs left: everything about a cell that is not its document (id, type, code). */
export interface RunState {
  status: CellStatus;
  stdout: string;
  stderr: string;
  outputs: Output[];
  error: CellError | null;
  /** Its current code ran successfully in the current kernel, so the kernel holds its values. */
  inKernel: boolean;
  /** Queued while `idle`: if its run ends before it starts, it is `idle` again, not `stale`. */
  queuedFromIdle: boolean;
  /** Output characters of the current run; Infinity once past the budget (the cell said so once). */
  outputChars: number;
  /** The running cell asked to clear its outputs when its next text or output arrives (`clear_output(wait=True)`). */
  clearPending: boolean;
  /** When the kernel reported the current run's start (epoch ms); null when not running. */
  startedAtMs: number | null;
  /** When its last run ended (ISO 8601) and how long it took; null when it never ran to an end. */
  lastRunAt: string | null;
  durationMs: number | null;
}

/** A cell's document: what the user wrote and what analysis found in it. */
/** A cell's document: what the user wrote (and the widget values they set), never its run. */
export type CellDocument = Pick<StoredCell, 'id' | 'type' | 'code' | 'reads' | 'writes' | 'widgets'>;

/**
 * A cell's run-state transitions as a run drives them (the coordinator's view of {@link CellRunStates}):
 * each changes the state and emits its event.
 */
export interface RunStates {
  status(cellId: string): CellStatus | undefined;
  error(cellId: string): CellError | null;
  inKernel(cellId: string): boolean;
  /** A cell as the API shows it: its document and its run state. */
  view(cell: CellDocument): Cell;
  queued(cellId: string): void;
  started(cellId: string): void;
  printed(cellId: string, data: string, stream: OutputStream): void;
  output(cellId: string, output: Output): void;
  finished(cellId: string): void;
  failed(cellId: string, error: CellError, options?: { clearOutputs?: boolean; unlessShown?: boolean }): void;
  invalidated(cellId: string): void;
  stale(cellId: string): void;
  notReached(cellId: string): void;
  lost(reason: string, runningCell: string | undefined): void;
  restarted(reason: string, order: readonly string[], cannotRun: (cellId: string) => boolean): void;
}

/**
 * The one owner of every cell's run state. Each transition is one method
 * that changes the state and emits its event (the Observable runtime's
 * variable_pending/fulfilled/rejected is the model); nothing else writes a
 * status, printed text, outputs or an error.
 */
export class CellRunStates implements RunStates {
  private readonly states = new Map<string, RunState>();

  constructor(private readonly emit: (event: NotebookEvent) => void) {}

  /** A cell read from storage. A new session has a new kernel: what ran before has no values here. */
  load(cell: StoredCell): void {
    this.states.set(cell.id, {
      status: cell.status === 'success' ? 'stale' : settledStatus(cell.status),
      stdout: cell.stdout,
      stderr: cell.stderr,
      outputs: cell.outputs,
      error: storedCellError(cell.error, cell.errorDetail),
      inKernel: false,
      queuedFromIdle: false,
      clearPending: false,
      outputChars: 0,
      startedAtMs: null,
      lastRunAt: cell.lastRunAt ?? null,
      durationMs: cell.durationMs ?? null,
    });
  }

  /** A new cell: never run. */
  add(cellId: string): void {
    this.states.set(cellId, { status: 'idle', stdout: '', stderr: '', outputs: [], error: null, inKernel: false, queuedFromIdle: false, outputChars: 0, clearPending: false, startedAtMs: null, lastRunAt: null, durationMs: null });
  }

  remove(cellId: string): void {
    this.states.delete(cellId);
  }

  has(cellId: string): boolean {
    return this.states.has(cellId);
  }

  status(cellId: string): CellStatus | undefined {
    return this.states.get(cellId)?.status;
  }

  error(cellId: string): CellError | null {
    return this.states.get(cellId)?.error ?? null;
  }

  inKernel(cellId: string): boolean {
    return this.states.get(cellId)?.inKernel ?? false;
  }

  /** Cells whose values are in the kernel. */
  cellsInKernel(): string[] {
    return [...this.states].filter(([, s]) => s.inKernel).map(([id]) => id);
  }

  /** A cell as the API shows it: its document and its run state. */
  view(cell: CellDocument): Cell {
    const s = this.get(cell.id);
    const { id, type, code, reads, writes } = cell;
    const view: Cell = { id, type, code, status: s.status, stdout: s.stdout, stderr: s.stderr, outputs: s.outputs, error: s.error && cellErrorText(s.error), error_detail: s.error, reads, writes };
    if (s.lastRunAt !== null) {
      view.last_run_at = s.lastRunAt;
      view.duration_ms = s.durationMs;
    }
    return view;
  }

  /** A cell as storage keeps it: its status settled (queued and running mean something only while this process runs). */
  stored(cell: CellDocument): StoredCell {
    const s = this.get(cell.id);
    const { id, type, code, reads, writes } = cell;
    // Built in one literal: a notebook of thousands of cells is saved on every edit.
    const stored: StoredCell = { id, type, code, status: settledStatus(s.status), stdout: s.stdout, stderr: s.stderr, outputs: s.outputs, error: s.error && cellErrorText(s.error), reads, writes };
    if (s.error) stored.errorDetail = s.error;
    if (cell.widgets) stored.widgets = cell.widgets;
    if (s.lastRunAt !== null) {
      stored.lastRunAt = s.lastRunAt;
      stored.durationMs = s.durationMs;
    }
    return stored;
  }

  // Transitions -------------------------------------------------------------

  /** Planned in a run, waiting for the kernel. */
  queued(cellId: string): void {
    const s = this.get(cellId);
    if (s.status === 'idle') s.queuedFromIdle = true;
    this.setStatus(cellId, 'queued');
  }

  /** The kernel started it: last run's text, outputs and error go. */
  started(cellId: string): void {
    const s = this.get(cellId);
    s.queuedFromIdle = false;
    s.stdout = '';
    s.stderr = '';
    s.outputs = [];
    s.error = null;
    s.outputChars = 0;
    s.clearPending = false;
    s.startedAtMs = Date.now();
    this.setStatus(cellId, 'running');
  }

  /** Text the running cell wrote, within its budget. */
  printed(cellId: string, data: string, stream: OutputStream): void {
    const s = this.get(cellId);
    if (s.clearPending) this.clearShown(cellId);
    const room = MAX_STDOUT_CHARS_PER_CELL - s.stdout.length - s.stderr.length;
    if (room <= 0) return;
    const kept = data.slice(0, room);
    if (stream === 'stderr') s.stderr += kept;
    else s.stdout += kept;
    this.emit({ type: 'cell_stdout', cellId, data: kept, stream });
  }

  /** An output of the running cell; past its budget, one note says the rest is not shown. */
  output(cellId: string, output: Output): void {
    const s = this.get(cellId);
    if (output.mime_type === CLEAR_OUTPUT_MIME) {
      const data = output.data as { wait?: unknown } | null;
      if (data && typeof data === 'object' && data.wait === true) s.clearPending = true;
      else this.clearShown(cellId);
      return;
    }
    if (s.clearPending) this.clearShown(cellId);
    if (s.outputChars === Number.POSITIVE_INFINITY) return;
    const size = JSON.stringify(output.data).length;
    const tooMany = s.outputs.length >= MAX_OUTPUTS_PER_CELL;
    const full = tooMany || s.outputChars + size > MAX_OUTPUT_CHARS_PER_CELL;
    const shown = full ? droppedOutputNote(tooMany, size) : output;
    s.outputChars = full ? Number.POSITIVE_INFINITY : s.outputChars + size;
    s.outputs.push(shown);
    this.emit({ type: 'cell_output', cellId, output: shown });
  }

  /**
   * What the running cell showed so far goes (its `clear_output()`), budgets with it: a loop that redraws its progress
   * never reaches the cap on outputs.
   */
  private clearShown(cellId: string): void {
    const s = this.get(cellId);
    s.clearPending = false;
    s.stdout = '';
    s.stderr = '';
    s.outputs = [];
    s.outputChars = 0;
    this.emit({ type: 'cell_cleared', cellId });
  }

  /** Ran successfully: its values are in the kernel. */
  finished(cellId: string): void {
    this.get(cellId).inKernel = true;
    this.setStatus(cellId, 'success', this.timed(cellId));
  }

  /**
   * It failed or cannot run: its status follows the error's kind (`error`
   * for its own failure, `blocked` for another cell's), and it holds no values.
   * `clearOutputs`: a graph error hides the outputs of the code that no longer runs.
   * `unlessShown`: nothing is emitted when the cell already shows this error with this status.
   */
  failed(cellId: string, error: CellError, options: { clearOutputs?: boolean; unlessShown?: boolean } = {}): void {
    const s = this.get(cellId);
    s.inKernel = false;
    const status = statusOfError(error.kind);
    const text = cellErrorText(error);
    if (options.unlessShown && s.status === status && s.error !== null && cellErrorText(s.error) === text) return;
    s.error = error;
    if (options.clearOutputs) s.outputs = [];
    // A run that started and failed is timed; a cell blocked by another never started.
    this.setStatus(cellId, status, status === 'error' ? this.timed(cellId) : false);
    this.emit({ type: 'cell_error', cellId, error: text, detail: error });
  }

  /**
   * Its error is known (or known gone) before it is announced: an edited cell
   * is saved with it, then the cell event (or {@link errorAnnounced}) tells.
   */
  recordError(cellId: string, error: CellError | null): void {
    this.get(cellId).error = error;
  }

  /** Tells what {@link recordError} recorded. */
  errorAnnounced(cellId: string): void {
    const error = this.get(cellId).error;
    this.emit(error ? { type: 'cell_error', cellId, error: cellErrorText(error), detail: error } : { type: 'cell_error', cellId, error: null });
  }

  /** Its shown error no longer holds: `cell_error` with `error: null` tells the page to drop it. */
  errorCleared(cellId: string): void {
    const s = this.get(cellId);
    if (s.error === null) return;
    s.error = null;
    this.emit({ type: 'cell_error', cellId, error: null });
  }

  /**
   * Its values no longer match its code or inputs. A cell never run, or one
   * blocked, queued or running, keeps its status: the status says more.
   */
  invalidated(cellId: string): void {
    const s = this.states.get(cellId);
    if (!s) return;
    s.inKernel = false;
    if (s.status !== 'idle' && s.status !== 'blocked' && s.status !== 'queued' && s.status !== 'running') this.setStatus(cellId, 'stale');
  }

  /** Marked stale whatever it showed (its graph error went; lazily, a name it read changed). */
  stale(cellId: string): void {
    this.get(cellId).inKernel = false;
    this.setStatus(cellId, 'stale');
  }

  /** Its run ended before the kernel reached it: as it was before it was queued. */
  notReached(cellId: string): void {
    const s = this.get(cellId);
    const wasIdle = s.queuedFromIdle;
    s.queuedFromIdle = false;
    this.setStatus(cellId, wasIdle ? 'idle' : 'stale');
  }

  /**
   * The kernel went away: `kernel_restarted` first (a page marks the cells whose values were in the kernel stale
   * on it; the statuses after it are final), then the cell it was running has the error, and what it held is stale.
   */
  lost(reason: string, runningCell: string | undefined): void {
    this.emit({ type: 'kernel_restarted', reason });
    if (runningCell !== undefined) this.failed(runningCell, kernelLostCellError(`The kernel stopped while this cell ran: ${reason}`));
    for (const [id, s] of this.states) {
      if (!s.inKernel) continue;
      s.inKernel = false;
      this.setStatus(id, 'stale');
    }
  }

  /**
   * The kernel was replaced: every cell that ran is `stale` except those
   * that cannot run at all; a `cell_status` goes out for every cell, so a
   * client that marks everything stale on `kernel_restarted` ends up exact.
   */
  restarted(reason: string, order: readonly string[], cannotRun: (cellId: string) => boolean): void {
    this.emit({ type: 'kernel_restarted', reason });
    for (const id of order) {
      const s = this.get(id);
      s.inKernel = false;
      if (s.status !== 'idle' && !cannotRun(id)) s.status = 'stale';
      this.emit({ type: 'cell_status', cellId: id, status: s.status });
    }
  }

  /** Every cell's printed text and outputs emptied; errors and statuses stay. Saved, then told ({@link outputsCleared}). */
  clearOutputs(): void {
    for (const s of this.states.values()) {
      s.stdout = '';
      s.stderr = '';
      s.outputs = [];
    }
  }

  /** Tells what {@link clearOutputs} did, once it is saved. */
  outputsCleared(): void {
    this.emit({ type: 'outputs_cleared' });
  }

  /** While loading: the status a stored cell gets from what the graph and analysis say now (no events: no one listens yet). */
  loadedAs(cellId: string, error: CellError | null): void {
    const s = this.get(cellId);
    if (error) {
      s.status = statusOfError(error.kind);
      s.error = error;
    } else if (s.status === 'blocked' && s.error !== null && (s.error.kind === 'cycle' || s.error.kind === 'multiple-definitions')) {
      // Stored blocked by a graph error the graph no longer has.
      s.status = 'stale';
      s.error = null;
    }
  }

  /** `timed`: the run that just ended was timed, so the status event carries when it ended and how long it took. */
  private setStatus(cellId: string, status: CellStatus, timed = false): void {
    const s = this.get(cellId);
    if (s.status === status && !timed) return;
    s.status = status;
    if (timed && s.lastRunAt !== null && s.durationMs !== null) this.emit({ type: 'cell_status', cellId, status, last_run_at: s.lastRunAt, duration_ms: s.durationMs });
    else this.emit({ type: 'cell_status', cellId, status });
  }

  /** Ends the timing of the cell's current run (from the kernel's start report); false when it did not start. */
  private timed(cellId: string): boolean {
    const s = this.get(cellId);
    if (s.startedAtMs === null) return false;
    const ended = Date.now();
    s.lastRunAt = new Date(ended).toISOString();
    s.durationMs = ended - s.startedAtMs;
    s.startedAtMs = null;
    return true;
  }

  private get(cellId: string): RunState {
    const s = this.states.get(cellId);
    if (!s) throw new Error(`No run state for cell ${cellId}.`);
    return s;
  }
}
