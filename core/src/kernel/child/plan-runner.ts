/**
 * Runs a plan in the kernel worker, cell by cell, with nothing per cell that waits for (or wakes) another thread:
 * reports go into the shared report ring (report-ring.ts), the running cell is named in a shared slot, one abort
 * controller serves the whole plan, and a runtime that can run ahead (another process: native CPython) is told the
 * cells coming so it runs them without a round trip per cell.
 */
import type { CellRun, LanguageRuntime } from '../../language/runtime-api';
import type { CellReport, KernelLimits, PlanItem } from '../protocol';
import { CellOutput } from './cell-output';
import { errorText } from './errors';
import type { MapNamespace } from './namespace';
import type { ReportRingWriter } from './report-ring';
import type { Runtimes } from './runtimes';

/**
 * The shared slot naming the running cell: Int32 [runId, plan index + 1] (0 between cells), then the cell's start
 * (Date.now()) as a Float64 at byte 8. Written before each cell, never waited on: the supervisor reads it for the
 * time limit, interrupts and a worker that died.
 */
export const RUNNING_SLOT_BYTES = 16;

export interface PlanHost {
  runtimes: Runtimes;
  namespace: MapNamespace;
  limits: KernelLimits;
  interruptView: Int32Array;
  runningSlot: SharedArrayBuffer;
  reports: ReportRingWriter;
  /** Tells the server, before the cell runs, which cell this worker enters (it survives the whole process dying). */
  enterCell(session: string, runId: number, cellId: string): void;
  isCancelled(runId: number): boolean;
  log(level: 'warn', message: string): void;
}

/** The cell as a runtime sees it. */
function cellRunOf(item: PlanItem): CellRun {
  const cell: CellRun = { cellId: item.cellId, code: item.code, defines: item.defines, references: item.references };
  if (item.meta) cell.meta = item.meta;
  return cell;
}

export class PlanRunner {
  /** The running cell's abort controller (the `interrupt` message aborts it). */
  abortCurrent: AbortController | null = null;
  private readonly slotIds: Int32Array;
  private readonly slotStart: Float64Array;
  /**
   * The abort signal of the running cell: one per plan (each cell's race adds a reaction to it, freed with the plan),
   * a new one within the plan only after an interrupt used it up.
   */
  private planAbort: { controller: AbortController; aborted: Promise<never> } | null = null;

  constructor(private readonly host: PlanHost) {
    this.slotIds = new Int32Array(host.runningSlot, 0, 2);
    this.slotStart = new Float64Array(host.runningSlot, 8, 1);
  }

  /** A cell's previous values go before it runs or is blocked: a failed or blocked cell leaves no stale value. */
  forget(names: readonly string[]): void {
    if (names.length === 0) return;
    for (const name of names) this.host.namespace.delete(name);
    for (const runtime of this.host.runtimes.all()) {
      try {
        runtime.deleteNames?.(names);
      } catch (error) {
        this.host.log('warn', `deleteNames failed: ${errorText(error)}`);
      }
    }
  }

  async run(session: string, runId: number, plan: PlanItem[]): Promise<void> {
    const { host } = this;
    const failed = new Set<number>();
    const report = (r: CellReport): void => host.reports.write(runId, r);
    this.planAbort = null;
    let announcedUntil = 0;
    for (let index = 0; index < plan.length; index++) {
      const item = plan[index]!;
      if (host.isCancelled(runId)) {
        report({ k: 'finish', cell: item.cellId, status: 'cancelled' });
        continue;
      }
      const blocker = item.parents.find((p) => failed.has(p));
      if (blocker !== undefined) {
        failed.add(index);
        this.forget(item.defines);
        report({ k: 'finish', cell: item.cellId, status: 'blocked', error: `Not run: upstream cell ${plan[blocker]!.cellId} did not succeed.` });
        continue;
      }
      let runtime = host.runtimes.loadedRuntime(item.language);
      if (!runtime) {
        try {
          runtime = await host.runtimes.runtimeFor(item.language);
        } catch (error) {
          failed.add(index);
          report({ k: 'finish', cell: item.cellId, status: 'error', error: errorText(error) });
          continue;
        }
      }
      if (index >= announcedUntil && runtime.runAhead) announcedUntil = this.announceRunAhead(runtime, plan, index, failed);
      this.forget(item.defines);
      Atomics.store(host.interruptView, 0, 0);
      const abort = this.currentAbort();
      this.abortCurrent = abort.controller;
      const io = new CellOutput(item.cellId, abort.controller.signal, report, host.limits);
      this.slotStart[0] = Date.now();
      Atomics.store(this.slotIds, 0, runId);
      Atomics.store(this.slotIds, 1, index + 1);
      // If this cell kills the whole process at once, the server must still know which cell it was: the line goes
      // straight to the server from this thread. The start report itself waits in the ring like any other.
      host.enterCell(session, runId, item.cellId);
      report({ k: 'start', cell: item.cellId });
      try {
        await Promise.race([Promise.resolve().then(() => runtime.run(cellRunOf(item), io)), abort.aborted]);
        io.close();
        report({ k: 'finish', cell: item.cellId, status: 'success' });
      } catch (error) {
        io.close();
        failed.add(index);
        report({ k: 'finish', cell: item.cellId, status: 'error', ...host.runtimes.failure(error, item.language) });
      } finally {
        Atomics.store(this.slotIds, 1, 0);
        this.abortCurrent = null;
      }
    }
    this.planAbort = null;
  }

  /**
   * Tells a runtime that can run ahead (LanguageRuntime.runAhead) the cells from `start` on that it will run next:
   * consecutive cells of its language whose parents outside them have all succeeded. Returns the index after them.
   */
  private announceRunAhead(runtime: LanguageRuntime, plan: readonly PlanItem[], start: number, failed: ReadonlySet<number>): number {
    const language = plan[start]!.language;
    let end = start;
    while (end < plan.length && plan[end]!.language === language && plan[end]!.parents.every((p) => p >= start || !failed.has(p))) end++;
    if (end - start < 2) return end;
    const cells = plan.slice(start, end);
    try {
      runtime.runAhead!(cells.map(cellRunOf), cells.map((item) => item.parents.filter((p) => p >= start).map((p) => p - start)));
    } catch (error) {
      // Each cell still gets its run call, which reports the failure where it belongs.
      this.host.log('warn', `runAhead failed: ${errorText(error)}`);
    }
    return end;
  }

  private currentAbort(): { controller: AbortController; aborted: Promise<never> } {
    if (this.planAbort && !this.planAbort.controller.signal.aborted) return this.planAbort;
    const controller = new AbortController();
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason ?? new Error('KeyboardInterrupt')), { once: true }),
    );
    aborted.catch(() => undefined); // raced against each cell; unobserved once the plan ends
    this.planAbort = { controller, aborted };
    return this.planAbort;
  }
}
