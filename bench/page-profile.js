// Where the notebook page spends its time (issue 25; the figures themselves: page-perf.js). A chain of N cells with
// outputs, in Debian's Chromium against the real server and the built page:
//   open | cascade             V8 CPU profile over CDP: self time per function, then inclusive time of components
//   trace-open | trace-cascade Chromium trace (devtools.timeline): time per renderer main-thread event (layout, paint…)
//   typing | trace-typing      keys typed into a new last cell while the whole chain re-runs
//   idle-typing | trace-idle-typing  the same keys at 50 ms apart with nothing running
//   time-open | time-cascade   the time only (no profiler), to compare builds: RNB_WEB_DIST=<dist> for each
//   alloc-typing | alloc-cascade  V8's sampling heap profiler: bytes allocated per function (what feeds the minor GCs)
// "open": navigation to every cell in the page. "cascade": the chain re-run from its root, from the kernel's last
// result to the last cell's new value in the page, with the cell renders it took (the page's own counter: how well its
// socket events were batched, which load does not blur). An unminified build names the functions:
//   (cd app/web && npx vite build --minify false --outDir /tmp/dist-dev) && RNB_WEB_DIST=/tmp/dist-dev node bench/page-profile.js 250 cascade
// Run: node bench/page-profile.js [cells=1000] [mode=open]
'use strict';
const path = require('node:path');
const { startPageBench } = require('./lib-page');
const N = Number(process.argv[2]) || 1000;
const WHAT = process.argv[3] || 'open';
function summarise(profile, label) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas; let total = 0;
  const counts = new Map();
  profile.samples.forEach((id, i) => { counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)); });
  for (const [id, t] of counts) {
    const n = byId.get(id); const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${path.basename(f.url)}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + t); total += t;
  }
  console.log(`== ${label}: total ${(total / 1000).toFixed(0)} ms`);
  [...self].sort((a, b) => b[1] - a[1]).slice(0, 30).forEach(([k, t]) => console.log(`${(t / 1000).toFixed(1).padStart(8)} ms  ${k}`));
  // Inclusive time per function name (counted once per stack).
  const selfById = counts; const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, t] of selfById) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame; const key = `${f.functionName || '(anon)'} ${path.basename(f.url)}:${f.lineNumber}`;
      if (seen.has(key)) continue; seen.add(key); incl.set(key, (incl.get(key) ?? 0) + t);
    }
  }
  console.log('-- inclusive');
  [...incl].filter(([k]) => /^[A-Z]/.test(k) || /commit|render|flush|apply|onEvent/i.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 40).forEach(([k, t]) => console.log(`${(t / 1000).toFixed(1).padStart(8)} ms  ${k}`));
}
function traceSummary(buf) {
  const events = JSON.parse(buf.toString()).traceEvents;
  const main = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
  const sums = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || !main.includes(`${e.pid}:${e.tid}`)) continue;
    sums.set(e.name, (sums.get(e.name) ?? 0) + (e.dur ?? 0));
  }
  [...sums].sort((a, b) => b[1] - a[1]).slice(0, 30).forEach(([k, t]) => console.log(`${(t / 1000).toFixed(1).padStart(8)} ms  ${k}`));
  // What keeps a key waiting: the main thread's longest tasks.
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && main.includes(`${e.pid}:${e.tid}`)).map((e) => e.dur / 1000).sort((a, b) => b - a);
  console.log(`-- ${tasks.length} tasks; longest: ${tasks.slice(0, 12).map((t) => t.toFixed(0)).join(', ')} ms; over 50 ms: ${tasks.filter((t) => t > 50).length}`);
  // What the three longest tasks were made of: the events inside each that took 3 ms or more.
  const onMain = (e) => e.ph === 'X' && main.includes(`${e.pid}:${e.tid}`);
  const longest = events.filter((e) => onMain(e) && e.name === 'RunTask').sort((a, b) => b.dur - a.dur).slice(0, 3);
  for (const task of longest) {
    const inside = events.filter((e) => onMain(e) && e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur && (e.dur ?? 0) >= 3000);
    console.log(`   task ${(task.dur / 1000).toFixed(0)} ms: ${inside.map((e) => `${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : e.args?.data?.type ? `(${e.args.data.type})` : ''} ${(e.dur / 1000).toFixed(0)}`).join(', ')}`);
  }
}
/** Bytes allocated per function (self), from the sampling heap profiler's tree, and the total. */
function allocationSummary(profile, label) {
  const self = new Map();
  let total = 0;
  const walk = (node) => {
    const f = node.callFrame;
    const bytes = node.selfSize;
    if (bytes > 0) {
      const key = `${f.functionName || '(anon)'} ${path.basename(f.url)}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + bytes);
      total += bytes;
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  console.log(`== ${label}: ${(total / 1048576).toFixed(1)} MiB allocated (sampled)`);
  [...self].sort((a, b) => b[1] - a[1]).slice(0, 30).forEach(([k, b]) => console.log(`${(b / 1048576).toFixed(2).padStart(8)} MiB  ${k}`));
}
async function main() {
  const bench = await startPageBench('prof');
  const { base, api, browser } = bench;
  try {
    const { id, ids, socket, run: runFrom } = await bench.chainNotebook(N);
    const run = async () => (await runFrom(ids[0])).finished;
    const page = await bench.openPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    const trace = WHAT.startsWith('trace-');
    const timeOnly = WHAT.startsWith('time-');
    const alloc = WHAT.startsWith('alloc-');
    const start = async () => timeOnly ? undefined : trace
      ? browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8.execute'] })
      : alloc ? cdp.send('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
      : cdp.send('Profiler.start');
    const stop = async (label) => {
      if (timeOnly) return;
      if (trace) traceSummary(await browser.stopTracing());
      else if (alloc) allocationSummary((await cdp.send('HeapProfiler.stopSampling')).profile, label);
      else summarise((await cdp.send('Profiler.stop')).profile, label);
    };
    if (WHAT.endsWith('typing')) {
      // Keys typed into a new last cell while the whole chain re-runs (page-perf's third figure).
      await page.goto(`${base}#/n/${id}`);
      await page.waitForFunction((n) => document.querySelectorAll('section[data-cell-id]').length === n, N, { timeout: 120000 });
      for (let i = 0; i < 20; i++) { await page.keyboard.press('End'); await page.waitForTimeout(50); }
      await page.locator('.cells__add button').first().click();
      await page.waitForFunction(() => document.activeElement?.closest('.cm-editor'));
      await api('PUT', `/${id}/cells/${ids[0]}`, { code: `v0 = 5000\nv0` });
      await start();
      if (WHAT.endsWith('idle-typing')) {
        // The same keys with nothing running, at a typist's pace: what a key costs in a page this long.
        for (let i = 0; i < 4; i++) await page.keyboard.type('total = sum(range(10)) # typed', { delay: 50 });
      } else {
        const running = run();
        let done = false;
        void running.then(() => { done = true; });
        while (!done) await page.keyboard.type('total = sum(range(10)) # typed', { delay: 0 });
      }
      await stop('typing');
    } else if (WHAT.endsWith('open')) {
      await start();
      const t0 = Date.now();
      await page.goto(`${base}#/n/${id}`);
      await page.waitForFunction((n) => document.querySelectorAll('section[data-cell-id]').length === n, N, { timeout: 120000 });
      console.log('all cells after', Date.now() - t0);
      await page.waitForTimeout(500);
      await stop('open');
    } else {
      await page.goto(`${base}#/n/${id}`);
      await page.waitForFunction((n) => document.querySelectorAll('section[data-cell-id]').length === n, N, { timeout: 120000 });
      await page.waitForTimeout(1000);
      console.log('editors before', await page.locator('.cm-editor').count());
      await api('PUT', `/${id}/cells/${ids[0]}`, { code: `v0 = 5000\nv0` });
      await page.waitForTimeout(500);
      // Renders per cell during the cascade (the page's own counter): how well its events were batched, a count that
      // the machine's load does not blur as it does the time.
      await page.evaluate(() => { window.__rnbRenderCounts.reset(); window.__rnbRenderCounts.enabled = true; });
      await start();
      const shown = page.evaluate(({ n }) => new Promise((resolve) => {
        const check = () => {
          const cells = document.querySelectorAll('section[data-cell-id]');
          const l = cells[n - 1];
          if (l.getAttribute('data-status') === 'success' && (l.querySelector('.cell__outputs')?.textContent ?? '').includes(String(5000 + n - 1))) resolve(Date.now()); else requestAnimationFrame(check);
        };
        check();
      }), { n: N });
      const kernelDone = await run();
      const at = await shown;
      console.log('shown after kernel', at - kernelDone);
      const renders = await page.evaluate(() => [...window.__rnbRenderCounts.counts.values()]);
      console.log('cell renders', renders.reduce((a, b) => a + b, 0), 'cells rendered', renders.length, 'most of one cell', Math.max(0, ...renders));
      console.log('editors after', await page.locator('.cm-editor').count());
      await stop('cascade');
    }
    socket.close();
  } finally { await bench.close(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
