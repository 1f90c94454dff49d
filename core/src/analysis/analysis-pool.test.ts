import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LanguageDefinition } from '../language/language';
import { AnalysisPool, tooComplexMessage } from './analysis-pool';

/**
 * A real analyser module, loaded by the real worker threads. What it does
 * depends on the cell's first word: `spin` never ends, `throw` throws, `exit`
 * ends its thread, `hog` fills its heap, `sleep` waits 900 ms without using
 * the CPU (as a thread waiting for a CPU does); anything else defines the names
 * before ` =` and says which thread it ran in.
 */
const ANALYSER = `
const { isMainThread, threadId } = require('node:worker_threads');
exports.analyse = (code) => {
  if (code.startsWith('spin')) for (;;) {}
  if (code.startsWith('throw')) throw new Error('bad cell');
  if (code.startsWith('exit')) process.exit(3);
  if (code.startsWith('sleep')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 900);
  if (code.startsWith('hog')) { const kept = []; for (;;) kept.push(new Array(1e5).fill(kept.length)); }
  return { defines: code.match(/\\w+(?= =)/g) || [], references: [], meta: { mainThread: isMainThread, threadId } };
};
`;

let dir: string;
let language: LanguageDefinition;
const pools: AnalysisPool[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-analysis-pool-'));
  fs.writeFileSync(path.join(dir, 'analyser.js'), ANALYSER);
  language = {
    id: 'toy',
    analyse: () => ({ defines: ['in_main_thread'], references: [] }),
    analyser: { module: path.join(dir, 'analyser.js') },
    runtime: { module: path.join(dir, 'unused-runtime.js') },
  };
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function pool(options: ConstructorParameters<typeof AnalysisPool>[0] = {}): AnalysisPool {
  const created = new AnalysisPool(options);
  pools.push(created);
  return created;
}

describe('AnalysisPool', () => {
  it('analyses in a worker thread while the event loop keeps turning, and a spinning cell gets the "too complex" error', async () => {
    const analysis = pool({ workers: 1, timeLimitMs: 300 });
    const normal = await analysis.analyse(language, 'a = 1');
    expect(normal.defines).toEqual(['a']);
    expect(normal.meta).toMatchObject({ mainThread: false });

    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const spun = await analysis.analyse(language, 'spin = forever');
    clearInterval(ticker);
    expect(spun.error?.message).toBe(tooComplexMessage(300));
    expect(spun.error?.message).toBe('This cell is too large or complex to analyse (took over 0.3 s). Split it into smaller cells.');
    // The timer ran during those 300 ms: the spinning analyser was on another thread.
    expect(ticks).toBeGreaterThan(3);
  });

  it('terminates and replaces the worker past the budget; the rest of the batch is still analysed', async () => {
    const analysis = pool({ workers: 1, timeLimitMs: 300 });
    const results = await analysis.analyseMany(['a = 1', 'b = 2', 'spin = 1', 'c = 3', 'd = 4'].map((code) => ({ language, code })));
    expect(results.map((r) => r.error?.message ?? r.defines.join())).toEqual(['a', 'b', tooComplexMessage(300), 'c', 'd']);
    expect(analysis.workersStarted).toBe(2);
    const first = results[0]!.meta as { threadId: number };
    const last = results[4]!.meta as { threadId: number };
    expect(last.threadId).not.toBe(first.threadId);
    expect(analysis.liveWorkers).toBe(1);
  });

  it('counts the budget in the thread\'s CPU time: a cell that waited (for a CPU, on a loaded machine) is not cut short', async () => {
    // Linux: the pool reads the worker thread's CPU time from /proc (elsewhere the budget is wall time).
    expect(process.platform).toBe('linux');
    const analysis = pool({ workers: 1, timeLimitMs: 300 });
    expect((await analysis.analyse(language, 'sleep = 1')).defines).toEqual(['sleep']);
    expect(analysis.workersStarted).toBe(1);
  });

  it('gives the cell an error when the analyser throws, exits its thread or runs out of memory; other cells are unaffected', async () => {
    const analysis = pool({ workers: 1, timeLimitMs: 20_000, workerHeapMb: 32 });
    const results = await analysis.analyseMany(['a = 1', 'throw it', 'b = 2', 'exit now', 'c = 3', 'hog memory', 'd = 4'].map((code) => ({ language, code })));
    expect(results[0]!.defines).toEqual(['a']);
    expect(results[1]!.error?.message).toBe('The toy analyser failed: bad cell');
    expect(results[2]!.defines).toEqual(['b']);
    expect(results[3]!.error?.message).toBe('The toy analyser could not analyse this cell: it stopped (exit code 3).');
    expect(results[4]!.defines).toEqual(['c']);
    expect(results[5]!.error?.message).toBe('The toy analyser could not analyse this cell: it ran out of memory.');
    expect(results[6]!.defines).toEqual(['d']);
    expect(analysis.workersStarted).toBe(3);
  });

  it('sends many cells in few messages, spread over the workers', async () => {
    const analysis = pool({ workers: 3, batchCells: 256 });
    const codes = Array.from({ length: 1000 }, (_, i) => `v${i} = ${i}`);
    const results = await analysis.analyseMany(codes.map((code) => ({ language, code })));
    expect(results.map((r) => r.defines[0])).toEqual(codes.map((_, i) => `v${i}`));
    expect(analysis.batchesSent).toBe(4);
    expect(new Set(results.map((r) => (r.meta as { threadId: number }).threadId)).size).toBe(2);
  });

  it('serves owners in turn: one owner\'s long queue does not hold another\'s cell behind it', async () => {
    const analysis = pool({ workers: 1, batchCells: 1 });
    const order: string[] = [];
    const busy = Array.from({ length: 20 }, (_, i) => analysis.analyse(language, `a${i} = 1`, 'alice').then(() => order.push(`alice ${i}`)));
    const other = analysis.analyse(language, 'b = 1', 'bob').then(() => order.push('bob'));
    await Promise.all([...busy, other]);
    expect(order.indexOf('bob')).toBeLessThanOrEqual(2);
  });

  it('warm() starts every worker ahead of need, and a replacement at once after a kill', async () => {
    const analysis = pool({ workers: 2, timeLimitMs: 300 });
    analysis.warm([language]);
    expect(analysis.liveWorkers).toBe(2);
    expect((await analysis.analyse(language, 'spin = 1')).error?.message).toBe(tooComplexMessage(300));
    expect(analysis.liveWorkers).toBe(2);
    expect(analysis.workersStarted).toBe(3);
    expect((await analysis.analyse(language, 'a = 1')).defines).toEqual(['a']);
  });

  it('leaves one worker free for other owners, whatever one owner sends', async () => {
    const analysis = pool({ workers: 2, timeLimitMs: 5000 });
    let aliceDone = 0;
    const alice = [analysis.analyse(language, 'spin = 1', 'alice'), analysis.analyse(language, 'spin = 2', 'alice')].map((p) => p.then(() => aliceDone++));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const bob = await analysis.analyse(language, 'b = 1', 'bob');
    expect(bob.defines).toEqual(['b']);
    expect(aliceDone).toBe(0);
    await analysis.close();
    await Promise.all(alice);
  });

  it('analyses in this thread a language that declares no analyser module, and blank cells', async () => {
    const analysis = pool();
    const { analyser: _module, ...inline } = language;
    expect((await analysis.analyse(inline, 'x = 1')).defines).toEqual(['in_main_thread']);
    expect(await analysis.analyse(language, '   \n')).toEqual({ defines: [], references: [] });
    expect(analysis.workersStarted).toBe(0);
  });

  it('answers cells still waiting when it closes, and refuses work afterwards with an error, not a hang', async () => {
    const analysis = pool({ workers: 1, timeLimitMs: 20_000 });
    const spinning = analysis.analyse(language, 'spin = 1');
    const waiting = analysis.analyse(language, 'a = 1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await analysis.close();
    expect((await spinning).error?.message).toMatch(/shutting down/);
    expect((await waiting).error?.message).toMatch(/shutting down/);
    expect((await analysis.analyse(language, 'b = 1')).error?.message).toMatch(/shutting down/);
  });
});
