// The page's dependency graph at 1,000 cells, in Debian's Chromium (playwright-core) against the real server and the built
// page: the time from clicking "Graph" to the graph drawn (two animation frames after the click, so React's commit, layout,
// pre-paint and paint are in), the time to re-highlight when another cell is selected, a zoom step, and a pan (the view
// scrolled by 600 px until the rows in view are redrawn). Target: draw < 200 ms. Each figure is the median of several
// rounds. Beside them, the floor measured in the same run: two animation frames with nothing to do (on a loaded machine,
// most of a small figure). RNB_GRAPH_TRACE=file.json also records one draw as a Chromium trace (chrome://tracing) and
// prints where its main-thread time went. Needs /usr/bin/chromium and the built page (npm run build --workspace @rnb/web).
// Run: npm run build:ts && npm run build --workspace @rnb/web && node bench/graph-render.js [cells=1000] [rounds=7]
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { percentile, ms, report } = require('./lib');

const CELLS = Number(process.argv[2]) || 1000;
const ROUNDS = Number(process.argv[3]) || 7;
const CHROMIUM = process.env.RNB_CHROMIUM ?? '/usr/bin/chromium';
// RNB_WEB_DIST: another build of the page (an older one, to compare); zoom and highlight are measured where it has them.
const WEB_DIST = process.env.RNB_WEB_DIST ?? path.resolve(__dirname, '../app/web/dist');

/** A percent-format notebook: a chain with branches (cell i reads cell i-1 and cell i/2), 1.5 arcs per cell. */
function notebookText(cells) {
  const parts = ['v0 = 1'];
  for (let i = 1; i < cells; i++) parts.push(i % 2 === 0 ? `v${i} = v${i - 1} + v${Math.floor(i / 2)}` : `v${i} = v${i - 1} + 1`);
  return parts.map((code) => `# %%\n${code}\n`).join('\n');
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('the page is not built: npm run build --workspace @rnb/web');
  const { chromium } = require('playwright-core');
  const { startServer, loadConfig } = require('@rnb/server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-graph-bench-'));
  const token = crypto.randomBytes(18).toString('base64url');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NOTEBOOK_STORAGE: 'file', NOTEBOOK_DIR: dir, NOTEBOOK_AUTH: 'none', NOTEBOOK_TOKEN: token, LOG_LEVEL: 'warn' }, { defaultWebDir: WEB_DIST });
  const server = await startServer({ config });
  const base = `http://127.0.0.1:${server.port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const response = await fetch(`${base}api/notebooks/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'py', content: notebookText(CELLS), name: `Graph of ${CELLS}` }),
    });
    if (response.status !== 201) throw new Error(`import failed: ${response.status} ${await response.text()}`);
    const { notebook_id: id } = await response.json();
    // Wide enough that opening the panel does not reflow the 1,000 cell editors beside it (their column keeps its
    // 1,000 px): the figure is the graph's own cost, not the cell list's.
    const page = await (await browser.newContext({ viewport: { width: 1800, height: 900 } })).newPage();
    await page.goto(`${base}?token=${token}#/n/${id}`);
    await page.waitForSelector('[data-connection="online"]', { timeout: 1_800_000 }).catch(async (error) => { await page.screenshot({ path: '/tmp/graph-bench-fail.png' }); throw error; });
    await page.waitForFunction((n) => document.querySelectorAll('section[data-cell-id]').length === n, CELLS, { timeout: 1_800_000 });

    const frames = 'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))';
    const timed = (action) => page.evaluate(`(async () => { const t0 = performance.now(); ${action}; await ${frames}; return performance.now() - t0; })()`);
    const toggle = `[...document.querySelectorAll('button')].find((b) => b.textContent === 'Graph').click()`;
    // The graph starts open at this width: close it, so that each round draws it from nothing.
    if ((await page.locator('.graph__svg').count()) > 0) await timed(toggle);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const breakdown = { script: [], layout: [], style: [] };
    const measured = async (action) => {
      const before = await metrics();
      const time = await timed(action);
      const after = await metrics();
      breakdown.script.push((after.ScriptDuration - before.ScriptDuration) * 1000);
      breakdown.layout.push((after.LayoutDuration - before.LayoutDuration) * 1000);
      breakdown.style.push((after.RecalcStyleDuration - before.RecalcStyleDuration) * 1000);
      return time;
    };
    const draws = [];
    const highlights = [];
    const zooms = [];
    const pans = [];
    const floor = [];
    // Until the rows drawn change (the graph re-renders once per frame at most, after the scroll event), then a frame.
    const panned = () => page.evaluate(`(async () => {
      const svg = () => document.querySelector('.graph__svg');
      const rows = svg().getAttribute('data-rows');
      const t0 = performance.now();
      document.querySelector('.graph__viewport').scrollTop += 600;
      while (svg().getAttribute('data-rows') === rows && performance.now() - t0 < 5000) await new Promise((r) => requestAnimationFrame(r));
      await ${frames};
      return performance.now() - t0;
    })()`);
    for (let round = 0; round < ROUNDS; round++) {
      floor.push(await timed(''));
      draws.push(await measured(toggle));
      if ((await page.locator('.graph__node').count()) === 0) throw new Error('the graph did not draw');
      // Selecting a cell (the focus entering it) re-highlights its ancestors and descendants. The focus event is
      // dispatched rather than the editor focused, so that the cell's own focus handling is not in the figure.
      const target = Math.floor(CELLS / 2) + round;
      const zoomable = (await page.locator('[aria-label="Zoom in"]').count()) > 0;
      if (zoomable) {
        highlights.push(await timed(`document.querySelectorAll('section[data-cell-id]')[${target}].dispatchEvent(new FocusEvent('focusin', { bubbles: true }))`));
        if ((await page.locator('.graph__node--selected, .graph__node--ancestor').count()) === 0) throw new Error('no highlight');
        zooms.push(await timed(`document.querySelector('[aria-label="Zoom in"]').click()`));
        await timed(`document.querySelector('[aria-label="Zoom out"]').click()`);
        pans.push(await panned());
      }
      await timed(toggle);
    }
    const drawn = await page.evaluate(toggle).then(() => page.locator('.graph__node').count());
    const elements = await page.locator('.graph__svg *').count();
    let traced = null;
    if (process.env.RNB_GRAPH_TRACE) {
      await timed(toggle);
      await browser.startTracing(page, { path: process.env.RNB_GRAPH_TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      await timed(toggle);
      await browser.stopTracing();
      traced = mainThreadTime(JSON.parse(fs.readFileSync(process.env.RNB_GRAPH_TRACE, 'utf8')));
    }
    report(`dependency graph in Chromium: ${CELLS} cells, ${Math.round(CELLS * 1.5)} arcs, ${ROUNDS} rounds`, {
      'open the graph, drawn (median)': ms(percentile(draws, 50)),
      'open the graph, drawn (max)': ms(Math.max(...draws)),
      '  of which script / layout / style (median)': `${ms(percentile(breakdown.script, 50))} / ${ms(percentile(breakdown.layout, 50))} / ${ms(percentile(breakdown.style, 50))}`,
      'select another cell, re-highlighted (median)': highlights.length ? ms(percentile(highlights, 50)) : 'n/a (no highlight in this build)',
      'zoom one step (median)': zooms.length ? ms(percentile(zooms, 50)) : 'n/a (no zoom in this build)',
      'pan 600 px, rows in view redrawn (median)': pans.length ? ms(percentile(pans, 50)) : 'n/a',
      'floor: two animation frames doing nothing (median)': ms(percentile(floor, 50)),
      'nodes in the page (the rows in view)': String(drawn),
      'SVG elements in the page': String(elements),
    });
    if (traced) report(`one draw traced (${process.env.RNB_GRAPH_TRACE}): renderer main thread, self time`, traced);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The renderer main thread's self time per event name in a trace, the largest first (with Layout, PrePaint, Paint). */
function mainThreadTime(trace) {
  const events = trace.traceEvents ?? trace;
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const complete = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`)).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const open = [];
  for (const event of complete) {
    while (open.length > 0 && open[open.length - 1].ts + open[open.length - 1].dur <= event.ts) open.pop();
    const parent = open[open.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - event.dur);
    self.set(event.name, (self.get(event.name) ?? 0) + event.dur);
    open.push(event);
  }
  return Object.fromEntries([...self].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, micros]) => [name, ms(micros / 1000)]));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
