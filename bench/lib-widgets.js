// What the widget benchmarks in Chromium share (widget-latency.js, widgets-200.js): a local server on a temporary
// folder serving the built page, its API, Chromium with the notebook open, and a socket.io client of the notebook.
// Kept apart from lib.js (the generic figures helpers) so each file has one job.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHROMIUM = process.env.RNB_CHROMIUM || '/usr/bin/chromium';
// RNB_WEB_DIST: another build of the page (an unminified one names its functions in a profile).
const WEB_DIR = process.env.RNB_WEB_DIST ? path.resolve(process.env.RNB_WEB_DIST) : path.join(__dirname, '..', 'app', 'web', 'dist');

/** A local server (auth none, file storage in a temporary folder) serving app/web/dist; `call` is its API with the token. */
async function startWidgetBenchServer(name) {
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error('app/web/dist is missing: npm run build --workspace @rnb/web');
  const { loadConfig, startServer } = require('@rnb/server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rnb-${name}-`));
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
  const stop = async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // `service`: the in-process notebook service, for steps a bench times without a client in between.
  return { base, token, call, stop, service: server.notebooks.service, owner: 'local' };
}

/** A notebook whose first cell holds `firstCode`; answers its id and the first cell's id. */
async function createNotebook(host, name, firstCode) {
  const id = (await host.call('POST', 'api/notebooks', { name })).notebook_id;
  const first = (await host.call('GET', `api/notebooks/${id}`)).cells[0].id;
  await host.call('PUT', `api/notebooks/${id}/cells/${first}`, { code: firstCode });
  return { id, first };
}

/** Chromium with one page of the notebook open and online; `initScript` runs in the page before its own scripts. */
async function openNotebookInChromium(host, notebookId, initScript) {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  if (initScript) await page.addInitScript(initScript);
  await page.goto(`${host.base}?token=${host.token}`);
  await page.goto(`${host.base}?token=${host.token}#/n/${notebookId}`);
  await page.waitForSelector('[data-connection="online"]');
  return { browser, page };
}

/** A socket.io client of the notebook, authenticated. */
async function connectNotebookSocket(host, notebookId) {
  const { io } = require('socket.io-client');
  const socket = io(host.base, { auth: { notebookId, token: host.token }, transports: ['websocket'], reconnection: false, extraHeaders: { authorization: `Bearer ${host.token}` } });
  await new Promise((resolve, reject) => {
    socket.once('authenticated', resolve);
    socket.once('error', (e) => reject(new Error(e.message)));
    socket.emit('authenticate', { token: host.token });
  });
  return socket;
}

module.exports = { startWidgetBenchServer, createNotebook, openNotebookInChromium, connectNotebookSocket };
