// What the notebook-page benchmarks in Chromium share (page-perf.js, page-profile.js): the real server (file storage in
// a temporary folder, the Python kernel) serving a built page, its API with the token, Debian's Chromium, and chain
// notebooks run once with a socket.io client on them. The host and Chromium are lib.js's (startPageHost, launchChromium).
'use strict';
const { WEB_DIST, launchChromium, startPageHost } = require('./lib');

/** A percent-format chain: each cell adds one to the one before and shows its value (an output per cell). */
function chainText(cells) {
  const parts = ['v0 = 1\nv0'];
  for (let i = 1; i < cells; i++) parts.push(`v${i} = v${i - 1} + 1\nv${i}`);
  return parts.map((code) => `# %%\n${code}\n`).join('\n');
}

/**
 * Starts the server on the built page and Chromium. `api(method, relative, body)` calls `/api/notebooks<relative>`;
 * `chainNotebook(cells)` imports a chain, runs it once (every cell gets its output) and returns its cell ids, a
 * socket.io client on it and `run(rootId)`, which re-runs from a cell and resolves with the root's `running` time and
 * the last cell's `success` time as that client saw them. `close()` stops all of it.
 */
async function startPageBench(name) {
  const { io } = require('socket.io-client');
  const host = await startPageHost({}, name);
  const { base, token } = host;
  // Relative to /api/notebooks, as the chain helpers below call it.
  const api = (method, relative, body) => host.api(method, `notebooks${relative}`, body);
  const browser = await launchChromium();

  async function chainNotebook(cells) {
    const { notebook_id: id } = await api('POST', '/import', { format: 'py', content: chainText(cells), name: `Chain of ${cells}` });
    const ids = (await api('GET', `/${id}`)).cells.map((c) => c.id);
    const socket = io(base.slice(0, -1), { auth: { notebookId: id, token }, transports: ['websocket'], reconnection: false });
    await new Promise((resolve, reject) => { socket.once('authenticated', resolve); socket.once('connect_error', reject); });
    const run = (root) => new Promise((resolve, reject) => {
      let started = null;
      const onStatus = (event) => {
        if (event.cellId === root && event.status === 'running' && started === null) started = Date.now();
        if (event.cellId !== ids[ids.length - 1] || (event.status !== 'success' && event.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        if (event.status === 'error') reject(new Error('the last cell failed'));
        else resolve({ started, finished: Date.now() });
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId: root });
    });
    await run(ids[0]);
    return { id, ids, socket, run };
  }

  /** A page in a fresh context with the token's cookie set (the notebook opens with a later `goto`). */
  async function openPage(viewport = { width: 1366, height: 900 }) {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${base}?token=${token}`);
    return page;
  }

  const close = async () => {
    await browser.close();
    await host.stop();
  };
  return { base, token, api, browser, chainNotebook, openPage, close, webDist: WEB_DIST };
}

module.exports = { startPageBench, chainText };
