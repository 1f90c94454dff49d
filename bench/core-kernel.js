// Kernel start from the warm pool for a new notebook, and memory of idle kernel processes (fake runtime).
// Run: npm run build:ts && node bench/core-kernel.js
'use strict';
const { KernelManager } = require('@rnb/core');
const { fakeLanguage } = require('@rnb/core/testing');
const { percentile, ms, pssBytes, report } = require('./lib');

const listener = { onReports() {}, onRunDone() {}, onLost() {}, pluginSettings: () => ({}) };
const sleep = (t) => new Promise((r) => setTimeout(r, t));

(async () => {
  const manager = new KernelManager({ languages: [fakeLanguage()], warmProcesses: 1 });
  const newOwner = [];
  const sameOwner = [];
  for (let i = 0; i < 10; i++) {
    await sleep(800); // let the pool refill
    let started = performance.now();
    await manager.openSession(`owner${i}`, `nb${i}`, listener);
    newOwner.push(performance.now() - started);
    await sleep(300); // the spare worker inside the owner's process warms up
    started = performance.now();
    await manager.openSession(`owner${i}`, `nb${i}b`, listener);
    sameOwner.push(performance.now() - started);
  }
  await sleep(500);
  const processes = manager.processMemory();
  const owned = processes.filter((p) => p.owner);
  const pss = owned.map((p) => pssBytes(p.pid)).filter((v) => v !== undefined);
  report('core: kernel start and idle memory (fake runtime)', {
    'new owner, warm process from the pool (median)': ms(percentile(newOwner, 50)),
    'new owner (p95)': ms(percentile(newOwner, 95)),
    "owner's second notebook, warm worker (median)": ms(percentile(sameOwner, 50)),
    'idle kernel process, 2 notebooks, RSS (median)': `${(percentile(owned.map((p) => p.rssBytes), 50) / 2 ** 20).toFixed(1)} MB`,
    'idle kernel process, 2 notebooks, PSS (median)': `${(percentile(pss, 50) / 2 ** 20).toFixed(1)} MB`,
  });
  await manager.shutdown();
})();
