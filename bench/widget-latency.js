// Widgets in Chromium: a slider moved (a real ArrowRight key press in the page) → the new output of a trivial cell
// reading it, visible in the page's DOM: set_widget_value over the socket, the value set in Pyodide, the reader re-run,
// its output broadcast and rendered. Timed inside the page, from the slider's `input` event to the reader's new text
// (then one animation frame, so the figure includes a paint). Beside it, the floor measured in the same run: the
// runtime-call round trip of a no-op (`ping`) from a socket.io client, the channel a widget value travels, and the
// server's part alone (a socket.io client's set_widget_value → the reader's cell_output event).
// Target (issue 24): p95 < 50 ms for a trivial reader on a warm Pyodide. Run: npm run build:ts &&
// npm run build --workspace @rnb/web && node bench/widget-latency.js [moves=50]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { percentile, ms, report } = require('./lib');

const MOVES = Number(process.argv[2]) || 50;
const CHROMIUM = process.env.RNB_CHROMIUM || '/usr/bin/chromium';
const WEB_DIR = path.join(__dirname, '..', 'app', 'web', 'dist');

(async () => {
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error('app/web/dist is missing: npm run build --workspace @rnb/web');
  const { chromium } = require('playwright-core');
  const { io } = require('socket.io-client');
  const { loadConfig, startServer } = require('@rnb/server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-widget-bench-'));
  const token = `bench-${Date.now()}`;
  const config = loadConfig(
    { PORT: '0', HOST: '127.0.0.1', NOTEBOOK_STORAGE: 'file', NOTEBOOK_DIR: dir, NOTEBOOK_AUTH: 'none', NOTEBOOK_TOKEN: token, LOG_LEVEL: 'warn' },
    { defaultWebDir: WEB_DIR },
  );
  const server = await startServer({ config });
  const base = `http://127.0.0.1:${server.port}/`;
  const call = async (method, relative, body) => {
    const response = await fetch(`${base}${relative}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return response.json();
  };
  const id = (await call('POST', 'api/notebooks', { name: 'widget latency' })).notebook_id;
  const first = (await call('GET', `api/notebooks/${id}`)).cells[0].id;
  await call('PUT', `api/notebooks/${id}/cells/${first}`, { code: `from rnb import ui\nthreshold = ui.slider(0, ${MOVES + 100}, value=0, label="Threshold")\nthreshold` });
  await call('POST', `api/notebooks/${id}/cells`, { type: 'python', code: 'f"[v={threshold.value}]"' });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await page.goto(`${base}?token=${token}`);
  await page.goto(`${base}?token=${token}#/n/${id}`);
  await page.waitForSelector('[data-connection="online"]');
  await call('POST', `api/notebooks/${id}/cells/${first}/run`);
  await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[1]?.querySelector('.cell__outputs')?.textContent?.includes('[v=0]'), null, { timeout: 120_000 });
  const slider = page.getByRole('slider', { name: 'Threshold' });
  await slider.focus();

  // In the page: the time from the slider's input event to the reader showing `[v=<value>]`, plus one frame.
  await page.evaluate(() => {
    const input = document.querySelector('section[data-cell-id] input[type="range"]');
    window.__moved = 0;
    input.addEventListener('input', () => (window.__moved = performance.now()), { capture: true });
    window.__shown = (value) =>
      new Promise((resolve) => {
        const reader = () => document.querySelectorAll('section[data-cell-id]')[1];
        const done = () => requestAnimationFrame(() => resolve(performance.now() - window.__moved));
        const check = () => reader()?.querySelector('.cell__outputs')?.textContent?.includes(`[v=${value}]`);
        if (check()) return done();
        const observer = new MutationObserver(() => {
          if (!check()) return;
          observer.disconnect();
          done();
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
  });

  const socket = io(base, { auth: { notebookId: id, token }, transports: ['websocket'], reconnection: false, extraHeaders: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    socket.once('authenticated', resolve);
    socket.once('error', (e) => reject(new Error(e.message)));
    socket.emit('authenticate', { token });
  });
  const ping = async () => {
    const started = performance.now();
    const reply = await socket.timeout(5000).emitWithAck('runtime_call', { language: 'python', method: 'ping', payload: null });
    if (reply.error) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return performance.now() - started;
  };

  const moves = [];
  const floor = [];
  const warmup = 5;
  for (let i = 1; i <= MOVES + warmup; i++) {
    const shown = page.evaluate((v) => window.__shown(v), i);
    await page.keyboard.press('ArrowRight');
    const elapsed = await shown;
    if (i > warmup) moves.push(elapsed);
    // Interleaved, so both see the same machine load; the notebook is idle by now.
    if (i > warmup) floor.push(await ping());
  }

  // The server's part, from a socket.io client: set_widget_value sent → the reader's new cell_output received.
  const readerId = (await call('GET', `api/notebooks/${id}`)).cells[1].id;
  const serverPart = [];
  for (let i = MOVES + warmup + 1; i <= 2 * MOVES + warmup; i++) {
    const started = performance.now();
    const output = new Promise((resolve) => {
      const onOutput = (p) => {
        if (p.cellId !== readerId || !String(p.output.data).includes(`[v=${i}]`)) return;
        socket.off('cell_output', onOutput);
        resolve(performance.now() - started);
      };
      socket.on('cell_output', onOutput);
    });
    const ack = await socket.timeout(5000).emitWithAck('set_widget_value', { widget_id: `${first}:0`, value: i });
    if (ack.error) throw new Error(`${ack.error.code}: ${ack.error.message}`);
    serverPart.push(await output);
    await page.evaluate((v) => window.__shown(v), i);
  }

  report(`web: slider moved (ArrowRight in Chromium) → a trivial reader's new output in the page (${MOVES} moves, warm Pyodide)`, {
    'move → output visible: p50': ms(percentile(moves, 50)),
    'move → output visible: p95 (target < 50 ms)': ms(percentile(moves, 95)),
    'move → output visible: max': ms(Math.max(...moves)),
    'server part (socket set → reader output): p50': ms(percentile(serverPart, 50)),
    'server part: p95': ms(percentile(serverPart, 95)),
    'floor, runtime_call ping round trip: p50': ms(percentile(floor, 50)),
    'floor, runtime_call ping round trip: p95': ms(percentile(floor, 95)),
  });
  socket.close();
  await browser.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
