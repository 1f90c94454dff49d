// Small helpers shared by the benchmark scripts.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function ms(value) {
  return `${value.toFixed(value < 1 ? 3 : 1)} ms`;
}

/** Proportional set size of a process (shared pages split among sharers), in bytes. */
function pssBytes(pid) {
  try {
    const text = require('node:fs').readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) used so far by this process and every process below it (kernel processes, their
 * sandboxes): what a run costs in work, which a loaded machine does not inflate as it inflates wall time. Linux
 * only; 10 ms resolution (clock ticks), so take it over runs of tens of milliseconds or more.
 */
function treeCpuMs(root = process.pid) {
  const fs = require('node:fs');
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const children = new Map();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let ticks = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop();
    ticks += stats.get(pid)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

function report(name, figures) {
  console.log(`\n${name}`);
  for (const [label, value] of Object.entries(figures)) console.log(`  ${label.padEnd(48)} ${value}`);
}

/**
 * A server Logger for benchmarks that wait for log lines (a kernel's "warm after N ms"): every message, of any level,
 * goes to `onMessage` as it is, nothing formatted or written. It says debug is off, so the server does not build the
 * debug lines it asks about first (one per socket event): those would be timed with the figure.
 */
function messageLogger(onMessage) {
  const logger = {
    level: 'info',
    log: (_level, message) => onMessage(message),
    debug: (message) => onMessage(message),
    info: (message) => onMessage(message),
    warn: (message) => onMessage(message),
    error: (message, fields) => {
      onMessage(message);
      console.error(message, fields ?? '');
    },
    child: () => logger,
    isEnabled: (level) => level !== 'debug',
  };
  return logger;
}

/**
 * createNotebookServer(options) embedded in a Koa app on a loopback port, as an embedding host runs it. `close()` stops
 * the notebooks (their kernels) and the HTTP server.
 */
async function embeddedServer(options) {
  const http = require('node:http');
  const Koa = require('koa');
  const { createNotebookServer } = require('@rnb/server');
  const notebooks = await createNotebookServer(options);
  const app = new Koa();
  app.use(notebooks.middleware);
  const server = http.createServer(app.callback());
  notebooks.attach(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    notebooks,
    server,
    url,
    async close() {
      await notebooks.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The whole server in this process (Koa, socket.io, the Python plugin, memory storage), a notebook whose cells are
 * `setup` run to success, and a socket.io client on it: what the page→runtime channel benchmarks (hover, completions)
 * measure through. `ask(method, payload)` sends a `runtime_call` and resolves with the answer and its round-trip time.
 */
async function pythonNotebookChannel(name, setup) {
  const http = require('node:http');
  const Koa = require('koa');
  const { io } = require('socket.io-client');
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  const { createNotebookServer, silentLogger } = require('@rnb/server');
  const { notebooks, server } = await embeddedServer({ plugins: [pythonPlugin()], store: new MemoryNotebookStore(), logger: silentLogger });
  const url = `http://127.0.0.1:${server.address().port}`;

  const view = await notebooks.service.createNotebook('local', { name });
  await notebooks.service.updateCell('local', view.id, view.cells[0].id, { code: setup[0] });
  let lastCellId = view.cells[0].id;
  for (const code of setup.slice(1)) lastCellId = (await notebooks.service.createCell('local', view.id, { type: 'python', code, afterCellId: lastCellId })).id;
  await notebooks.service.runAll('local', view.id);
  await notebooks.service.whenIdle('local', view.id);
  const nb = await notebooks.service.getNotebook('local', view.id);
  if (nb.cells.some((c) => c.status !== 'success')) throw new Error(`setup failed: ${nb.cells.map((c) => c.error).join(' ')}`);

  const socket = io(url, { auth: { notebookId: view.id }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  const ask = async (method, payload) => {
    const started = performance.now();
    const reply = await socket.timeout(5000).emitWithAck('runtime_call', { language: 'python', method, payload });
    const elapsed = performance.now() - started;
    if (reply.error) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return { elapsed, value: reply.value };
  };
  const close = async () => {
    socket.close();
    await notebooks.close();
    server.close();
  };
  return { notebooks, notebookId: view.id, lastCellId, socket, ask, close };
}

const CHROMIUM = process.env.RNB_CHROMIUM || '/usr/bin/chromium';
// RNB_WEB_DIST: another build of the page (an unminified one names its functions in a profile).
const WEB_DIST = process.env.RNB_WEB_DIST ? path.resolve(process.env.RNB_WEB_DIST) : path.join(__dirname, '..', 'app', 'web', 'dist');

/** Debian's Chromium through playwright-core, with the switches the browser tests use. */
async function launchChromium() {
  const fs = require('node:fs');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set RNB_CHROMIUM)`);
  if (!fs.existsSync(require('node:path').join(WEB_DIST, 'index.html'))) throw new Error('the page is not built: npm run build --workspace @rnb/web');
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

/**
 * The real host in this process as `rnb` starts it (`startServer` from the configuration: file storage in a temp folder,
 * the access token on) serving the built page (`RNB_WEB_DIST` for another build). `api(method, relative, body)` calls
 * `<base>api/...` with the token; `stop()` ends it and removes the folder.
 */
async function startPageHost(env = {}, name = 'page-bench') {
  const crypto = require('node:crypto');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { startServer, loadConfig } = require('@rnb/server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rnb-${name}-`));
  const token = crypto.randomBytes(18).toString('base64url');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NOTEBOOK_STORAGE: 'file', NOTEBOOK_DIR: path.join(dir, 'notebooks'), NOTEBOOK_AUTH: 'none', NOTEBOOK_TOKEN: token, LOG_LEVEL: 'warn', ...env }, { defaultWebDir: WEB_DIST });
  const server = await startServer({ config });
  const base = `http://127.0.0.1:${server.port}/`;
  return {
    base,
    token,
    dir,
    // The in-process notebook service, for steps a bench times without a client in between.
    service: server.notebooks.service,
    owner: 'local',
    api: (method, relative, body) => jsonRequest(`${base}api/${relative}`, method, body, token),
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON request (`Authorization: Bearer token` when given); throws on a status >= 400. */
async function jsonRequest(url, method, body, token) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * A notebook open in a new browser context, as a second person opens it: the tokened URL first (its cookie), then the
 * notebook; resolves once its first cell's editor is there and the page is online. `base` ends with `/`.
 */
async function openNotebookPage(browser, base, token, notebookId, viewport = { width: 1366, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(token ? `${base}?token=${token}` : base);
  await page.goto(`${base}${token ? `?token=${token}` : ''}#/n/${encodeURIComponent(notebookId)}`);
  await page.waitForSelector('section[data-cell-id] .cm-content');
  await page.waitForSelector('[data-connection="online"]');
  return page;
}


// ---- the benchmarks in Chromium that drive one page and a socket ----

/**
 * startPageHost for the benchmarks in Chromium that call the API by its full relative path (widget-latency.js,
 * widgets-200.js, live-table-sort.js): `call(method, 'api/...', body)` answers the JSON, whatever the status.
 */
async function startBenchServer(name, env = {}) {
  const host = await startPageHost(env, name);
  const call = async (method, relative, body) => {
    const response = await fetch(`${host.base}${relative}`, {
      method,
      headers: { authorization: `Bearer ${host.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return response.json();
  };
  return { ...host, call };
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
  const browser = await launchChromium();
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

/** One `runtime_call` ping round trip of the Python runtime over `socket`, in ms: the floor of a page's runtime call. */
async function pingRuntime(socket) {
  const started = performance.now();
  const reply = await socket.timeout(5000).emitWithAck('runtime_call', { language: 'python', method: 'ping', payload: null });
  if (reply.error) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return performance.now() - started;
}

/**
 * PROFILE_DIR: kernel-manager options that make each kernel process write CPU profiles there (null without it). The
 * kernel runs as another uid under Node's permission model, which refuses to write them: the folder is opened to
 * every uid and the permission model is off for these runs.
 */
function kernelProfileOptions() {
  const profileDir = process.env.PROFILE_DIR ? path.resolve(process.env.PROFILE_DIR) : null;
  if (!profileDir) return { profileDir: null, options: {} };
  fs.mkdirSync(profileDir, { recursive: true, mode: 0o777 });
  fs.chmodSync(profileDir, 0o777);
  return { profileDir, options: { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`], sandbox: { disablePermissionModel: true } } };
}

module.exports = {
  kernelProfileOptions, treeCpuMs, percentile, ms, pssBytes, report, embeddedServer, messageLogger, pythonNotebookChannel,
  WEB_DIST, launchChromium, startPageHost, jsonRequest, openNotebookPage,
  startBenchServer, createNotebook, openNotebookInChromium, connectNotebookSocket, pingRuntime,
};
