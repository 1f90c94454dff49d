/**
 * One analysis worker thread: loads language analyser modules on first use
 * and analyses the cells of each batch in order, answering cell by cell so
 * that the pool knows which cell is running when its time budget runs out.
 * It runs no user code: analysers only read the code as text.
 */
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { currentThreadId } from './thread-cpu';
import type { AnalysisBatch, PreloadMessage, WorkerAnswer } from './worker-protocol';

try {
  // This thread only (on Linux a thread has its own nice value): analysis is background work, and on a busy machine
  // the server's event loop, which answers every request, gets the CPU first. The pool counts each cell's budget in
  // this thread's CPU time, so waiting for a CPU does not count against a cell.
  os.setPriority(0, os.constants.priority.PRIORITY_LOW);
} catch {
  // Not permitted here: analysis then shares the CPU equally.
}
parentPort?.postMessage({ thread: currentThreadId() } satisfies WorkerAnswer);

type AnalyserFunction = (code: string) => unknown;
const analysers = new Map<string, AnalyserFunction>();

function analyserOf(module: string, exportName: string): AnalyserFunction {
  const key = `${module}#${exportName}`;
  let analyser = analysers.get(key);
  if (!analyser) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(module) as { [name: string]: unknown };
    const candidate = loaded[exportName] ?? (exportName === 'default' ? loaded : undefined);
    if (typeof candidate !== 'function') throw new Error(`${module} has no function export "${exportName}"`);
    analyser = candidate as AnalyserFunction;
    analysers.set(key, analyser);
  }
  return analyser;
}

parentPort?.on('message', (message: AnalysisBatch | PreloadMessage) => {
  if ('load' in message) {
    for (const spec of message.load) {
      try {
        analyserOf(spec.module, spec.exportName);
      } catch {
        // Reported with the first cell that needs it.
      }
    }
    return;
  }
  const batch = message;
  // Load the batch's analysers first: the pool starts each cell's time budget after this.
  for (const item of batch.items) {
    try {
      analyserOf(item.module, item.exportName);
    } catch {
      // Reported with the cell below.
    }
  }
  parentPort!.postMessage({ started: true } satisfies WorkerAnswer);
  for (const item of batch.items) {
    let answer: WorkerAnswer;
    try {
      answer = { seq: item.seq, analysis: analyserOf(item.module, item.exportName)(item.code) };
    } catch (error) {
      answer = { seq: item.seq, failure: error instanceof Error ? error.message : String(error) };
    }
    try {
      parentPort!.postMessage(answer);
    } catch (error) {
      // An analysis that cannot be cloned (a function in `meta`...): the cell gets an error instead.
      parentPort!.postMessage({ seq: item.seq, failure: `its answer cannot be sent: ${(error as Error).message}` } satisfies WorkerAnswer);
    }
  }
});
