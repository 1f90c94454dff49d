import type { CellReport } from '../protocol';

/**
 * What the kernel tells the user about the cell time limit (enforced by the supervisor, main.ts, because a spinning
 * worker cannot run its own timers): the error of a cell it stopped, and the reason when the cell would not stop.
 */
export class CellTimeLimit {
  /** The limit as people read it ("2 min", "1.5 s"). */
  readonly text: string;
  private readonly advice: string;

  constructor(limitMs: number, advice?: string) {
    this.text = formatDuration(limitMs);
    this.advice = advice ? ` ${advice}` : '';
  }

  /** The error of a cell the time limit stopped; the runtime's own (a KeyboardInterrupt traceback) shows where. */
  message(runtimeError: string | undefined): string {
    const stopped = `This cell ran longer than the cell time limit of ${this.text} and was stopped.${this.advice}`;
    return runtimeError ? `${stopped}\n\n${runtimeError}` : stopped;
  }

  /** Why the kernel restarted a cell past the limit that did not stop when interrupted (the session's reason). */
  get restartReason(): string {
    return `a cell ran longer than the cell time limit of ${this.text} and did not stop when interrupted, so the kernel was restarted`;
  }

  /** The error of that cell. */
  get restartCellError(): string {
    return `This cell ran longer than the cell time limit of ${this.text} and did not stop when interrupted, so its kernel was restarted: the notebook's values were lost.${this.advice}`;
  }

  /**
   * A report's frame text, when it is the finish of `cell` (the one the limit interrupted): with an error that says
   * so when the cell failed, as it was otherwise. Null for any other report.
   */
  finishOf(text: string, cell: string): string | null {
    const report = JSON.parse(text) as CellReport;
    if (report.k !== 'finish' || report.cell !== cell) return null;
    if (report.status !== 'error') return text;
    // The runtime's traceback (a KeyboardInterrupt) stays apart and says the rest; without one its message does.
    report.error = this.message(report.traceback === undefined ? report.error : undefined);
    report.errorKind = 'time-limit';
    return JSON.stringify(report);
  }
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(3))} s`;
}
