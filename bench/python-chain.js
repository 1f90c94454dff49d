// Python through the scheduler and the sandboxed kernel: 100 chained cells re-run from the root (target < 150 ms),
// a new notebook's first result cold (< 3 s) and from a warm kernel (< 300 ms), and idle kernel memory (PSS).
// Run: npm run build:ts && node bench/python-chain.js
'use strict';
const { createTestKernel, notebookWith } = require('@rnb/core/testing');
const { pythonLanguage } = require('@rnb/plugin-python');
const { percentile, ms, pssBytes, report } = require('./lib');

const sleep = (t) => new Promise((r) => setTimeout(r, t));

async function firstResult(kernel, owner) {
  const started = performance.now();
  const nb = await notebookWith(kernel, owner, ['print(6 * 7)'], 'python');
  await nb.run(0);
  const elapsed = performance.now() - started;
  const [cell] = await nb.state();
  if (cell.stdout !== '42\n') throw new Error(`unexpected result: ${JSON.stringify(cell)}`);
  return elapsed;
}

(async () => {
  // Cold: no warm kernel at all, so the notebook waits for a new process (which restores the build's snapshot).
  const coldKernel = await createTestKernel({ languages: [pythonLanguage()], manager: { warmProcesses: 0 } });
  const cold = await firstResult(coldKernel, 'cold');
  await coldKernel.close();
  // A server just started: the warm pool's process is still loading when the first notebook arrives.
  const startedAt = performance.now();
  const kernel = await createTestKernel({ languages: [pythonLanguage()] });
  await firstResult(kernel, 'first');
  const firstAfterStart = performance.now() - startedAt;

  const warm = [];
  for (let i = 0; i < 5; i++) {
    await sleep(4000); // let the warm pool refill (a kernel process with Pyodide loaded in a spare worker)
    warm.push(await firstResult(kernel, `warm${i}`));
  }

  const codes = ['x0 = 0'];
  for (let i = 1; i < 100; i++) codes.push(`x${i} = x${i - 1} + 1`);
  codes[99] = 'x99 = x98 + 1\nx99';
  const nb = await notebookWith(kernel, 'chain', codes, 'python');
  await nb.run(0); // the notebook's kernel opened, every cell run once
  const times = [];
  for (let round = 0; round < 20; round++) {
    const started = performance.now();
    await nb.run(0);
    times.push(performance.now() - started);
  }
  const state = await nb.state();
  if (state[99].text !== '99') throw new Error(`last cell shows ${JSON.stringify(state[99])}`);

  // Memory: the chain owner's kernel process holds one idle notebook; open three more in it and take the mean growth
  // (one further notebook alone is noisy: it depends on when each worker's garbage is collected).
  await sleep(5000);
  const pssOf = (owner) => kernel.manager.processMemory().filter((p) => p.owner === owner).map((p) => pssBytes(p.pid)).find((v) => v !== undefined);
  const one = pssOf('chain');
  let two;
  for (let i = 0; i < 3; i++) {
    await notebookWith(kernel, 'chain', ['y = 1'], 'python').then((further) => further.run(0));
    await sleep(5000);
    if (i === 0) two = pssOf('chain');
  }
  const four = pssOf('chain');
  const mb = (b) => (b === undefined ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MB`);

  report('python: chain of 100 cells and kernel start (real Pyodide in the sandboxed kernel)', {
    '100-cell chain re-run from the root (median of 20)': ms(percentile(times, 50)),
    '100-cell chain (p95)': ms(percentile(times, 95)),
    'first result, cold (no warm kernel: new process + Pyodide)': ms(cold),
    'first result right after start (pool still loading)': ms(firstAfterStart),
    'first result, warm kernel (median of 5)': ms(percentile(warm, 50)),
    'idle kernel process, 1 notebook (+ warm spare), PSS': mb(one),
    'same process, 2 notebooks (+ warm spare), PSS': mb(two),
    'same process, 4 notebooks (+ warm spare), PSS': mb(four),
    'each further notebook, PSS (mean of 3)': one !== undefined && four !== undefined ? mb((four - one) / 3) : 'n/a',
  });
  await kernel.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
