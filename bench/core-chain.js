// Scheduler + kernel-channel overhead: a chain of 1,000 fake-language cells re-run from the root.
// Run: npm run build:ts && node bench/core-chain.js
'use strict';
const { createTestKernel, notebookWith } = require('@rnb/core/testing');
const { percentile, ms, report } = require('./lib');

(async () => {
  const kernel = await createTestKernel();
  const codes = ['x0 = 0'];
  for (let i = 1; i < 1000; i++) codes.push(`x${i} = x${i - 1} + 1`);
  const nb = await notebookWith(kernel, 'bench', codes);
  await nb.run(0); // warm: kernel opened, every cell run once
  const times = [];
  for (let round = 0; round < 10; round++) {
    const started = performance.now();
    await nb.run(0);
    times.push(performance.now() - started);
  }
  const state = await nb.state();
  if (state[999].status !== 'success') throw new Error(`last cell is ${state[999].status}`);
  const median = percentile(times, 50);
  report('core: chain of 1,000 fake cells, run from the root until the last result', {
    'total (median of 10)': ms(median),
    'per cell': ms(median / 1000),
    'total (p95)': ms(percentile(times, 95)),
  });
  await kernel.close();
})();
