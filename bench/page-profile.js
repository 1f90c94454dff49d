// Where the notebook page spends its time (issue 25; the figures themselves: page-perf.js). A chain of N cells with
// outputs, in Debian's Chromium against the real server and the built page:
//   open | cascade             V8 CPU profile over CDP: self time per function, then inclusive time of components
//   trace-open | trace-cascade Chromium trace (devtools.timeline): time per renderer main-thread event (layout, paint…)
//   time-open | time-cascade   the time only (no profiler), to compare builds: RNB_WEB_DIST=<dist> for each
// "open": navigation to every cell in the page. "cascade": the chain re-run from its root, from the kernel's last
// result to the last cell's new value in the page, with the cell renders it took (the page's own counter: how well its
// socket events were batched, which load does not blur). An unminified build names the functions:
//   (cd app/web && npx vite build --minify false --outDir /tmp/dist-dev) && RNB_WEB_DIST=/tmp/dist-dev node bench/page-profile.js 250 cascade
// Run: node bench/page-profile.js [cells=1000] [mode=open]
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WEB_DIST = process.env.RNB_WEB_DIST ?? path.resolve(__dirname, '../app/web/dist');
const N = Number(process.argv[2]) || 1000;
const WHAT = process.argv[3] || 'open';
function chainText(cells) {
  const parts = ['v0 = 1\nv0'];
  for (let i = 1; i < cells; i++) parts.push(`v${i} = v${i - 1} + 1\nv${i}`);
  return parts.map((code) => `# %%\n${code}\n`).join('\n');
}
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
}
async function main() {
  const { chromium } = require('playwright-core');
  const { io } = require('socket.io-client');
  const { startServer, loadConfig } = require('@rnb/server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-prof-'));
  const token = crypto.randomBytes(18).toString('base64url');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NOTEBOOK_STORAGE: 'file', NOTEBOOK_DIR: dir, NOTEBOOK_AUTH: 'none', NOTEBOOK_TOKEN: token, LOG_LEVEL: 'warn' }, { defaultWebDir: WEB_DIST });
  const server = await startServer({ config });
  const base = `http://127.0.0.1:${server.port}/`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method, relative, body) => {
    const r = await fetch(`${base}api/notebooks${relative}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    const t = await r.text(); if (!r.ok) throw new Error(t); return t ? JSON.parse(t) : undefined;
  };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const { notebook_id: id } = await api('POST', '/import', { format: 'py', content: chainText(N), name: 'p' });
    const ids = (await api('GET', `/${id}`)).cells.map((c) => c.id);
    const socket = io(base.slice(0, -1), { auth: { notebookId: id, token }, transports: ['websocket'], reconnection: false });
    await new Promise((res, rej) => { socket.once('authenticated', res); socket.once('connect_error', rej); });
    const run = () => new Promise((resolve) => {
      const on = (e) => { if (e.cellId === ids[ids.length - 1] && e.status === 'success') { socket.off('cell_status', on); resolve(Date.now()); } };
      socket.on('cell_status', on); socket.emit('run_cell', { cellId: ids[0] });
    });
    await run();
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await page.goto(`${base}?token=${token}`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    const trace = WHAT.startsWith('trace-');
    const timeOnly = WHAT.startsWith('time-');
    const start = async () => timeOnly ? undefined : trace
      ? browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8.execute'] })
      : cdp.send('Profiler.start');
    const stop = async (label) => {
      if (timeOnly) return;
      if (trace) traceSummary(await browser.stopTracing());
      else summarise((await cdp.send('Profiler.stop')).profile, label);
    };
    if (WHAT.endsWith('open')) {
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
  } finally { await browser.close(); await server.stop(); fs.rmSync(dir, { recursive: true, force: true }); }
}
main().catch((e) => { console.error(e); process.exit(1); });
