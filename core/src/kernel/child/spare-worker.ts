import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CELL_ENTERED_FD, type KernelLimits, type KernelMessage, type RuntimeLoad } from '../protocol';
import { RUNNING_SLOT_BYTES } from './plan-runner';
import { createReportRing, ReportRingReader } from './report-ring';
import type { WorkerInit, WorkerOut } from './worker';

/** The worker's running-cell slot (plan-runner.ts): which cell of which run, since when. */
export interface RunningSlot {
  ids: Int32Array;
  startedAt: Float64Array;
}

/** A worker thread started for the next notebook (or for one that waits), with what the supervisor shares with it. */
export interface Spare {
  worker: Worker;
  interrupt: Int32Array;
  runningSlot: RunningSlot;
  reports: ReportRingReader;
  /** Settles once the worker's runtimes loaded: undefined, or why it failed. */
  loaded: Promise<string | undefined>;
  /** Sends the worker's log lines out as the process's until a notebook takes it (then the session's own do). */
  logUntilBound: (message: WorkerOut) => void;
}

export interface SpareOptions {
  runtimes: RuntimeLoad[];
  limits: KernelLimits;
  /** Started for a notebook that waits: it loads each language at first use instead of all at once. */
  waitedOn: boolean;
  /** The languages the worker loads at once; any other loads at its first use. */
  preload: string[];
  /** The worker's record in the cell-entered file: one per worker the process ever starts. */
  enteredSlot: number;
  send: (message: KernelMessage) => void;
}

export function startWorker({ runtimes, limits, waitedOn, preload, enteredSlot, send }: SpareOptions): Spare {
  const buffer = new SharedArrayBuffer(4);
  const runningSlot = new SharedArrayBuffer(RUNNING_SLOT_BYTES);
  const reportRing = createReportRing();
  const init: WorkerInit = { runtimes, limits, interruptBuffer: buffer, runningSlot, reportRing, enteredFd: CELL_ENTERED_FD, enteredSlot, waitedOn, preload };
  const worker = new Worker(path.join(__dirname, 'worker.js'), {
    workerData: init,
    env: {},
    stdout: true,
    stderr: true,
    // A small young generation: its semi-spaces stay resident per worker (one per notebook) once used (4 MB: 6.6 MB
    // less PSS per notebook than the default, measured; building 100,000 objects in a worker showed no difference).
    resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb, maxYoungGenerationSizeMb: 4 },
  });
  // Stray console output of a runtime is not the protocol; drop it.
  worker.stdout.resume();
  worker.stderr.resume();
  // Until a notebook takes it, the spare's own log lines (its runtimes loading) go out as the process's.
  const logUntilBound = (message: WorkerOut): void => {
    if (message.w === 'log') send({ t: 'log', level: message.level, message: message.message });
  };
  worker.on('message', logUntilBound);
  const loaded = new Promise<string | undefined>((resolve) => {
    const onMessage = (message: WorkerOut): void => {
      if (message.w === 'loaded') {
        worker.off('message', onMessage);
        resolve(undefined);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', (error) => resolve(`the worker failed while loading: ${error.message}`));
    worker.once('exit', (code) => resolve(`the worker exited while loading (code ${code})`));
  });
  const slot = { ids: new Int32Array(runningSlot, 0, 2), startedAt: new Float64Array(runningSlot, 8, 1) };
  return { worker, interrupt: new Int32Array(buffer), runningSlot: slot, reports: new ReportRingReader(reportRing), loaded, logUntilBound };
}
