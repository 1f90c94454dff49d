// Fairness of kernel slots (issue 19, item 2): user A's trivial Python cell, run_cell → `success` at A's socket.io client,
// on an idle server and then while user B spins `while True: pass` in as many notebooks as the server lets it
// (MAX_KERNELS=3 with a login: 2 per user), in the same run. Real Pyodide in the sandboxed kernels.
// Run: npm run build:ts && node bench/fairness.js [runs=30]
'use strict';
const { percentile, ms, report, embeddedServer } = require('./lib');

const RUNS = Number(process.argv[2]) || 30;
const SPIN = 'while True:\n    pass';

class TokenAuth {
  constructor(tokens) {
    this.id = 'bench-tokens';
    this.requiresToken = true;
    this.tokens = tokens;
  }
  async authenticate(token) {
    const userId = token && this.tokens[token];
    if (!userId) throw Object.assign(new Error('Unknown token.'), { status: 401 });
    return { userId };
  }
}

(async () => {
  const { io } = require('socket.io-client');
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  const { kernelSettings, silentLogger } = require('@rnb/server');
  const kernels = kernelSettings({ auth: 'bench-tokens', maxKernels: 3, maxKernelsPerUser: undefined, cellTimeLimitSeconds: 0, kernelIdleSeconds: 1800 });
  const { notebooks, server } = await embeddedServer({
    plugins: [pythonPlugin()],
    store: new MemoryNotebookStore(),
    logger: silentLogger,
    auth: new TokenAuth({ a: 'ann', b: 'bob' }),
    kernels: { warmProcesses: 1, ...kernels },
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const service = notebooks.service;

  async function notebook(owner, codes) {
    const view = await service.createNotebook(owner, { name: 'fairness' });
    const ids = [view.cells[0].id];
    await service.updateCell(owner, view.id, ids[0], { code: codes[0] });
    for (const code of codes.slice(1)) ids.push((await service.createCell(owner, view.id, { type: 'python', code, afterCellId: ids[ids.length - 1] })).id);
    return { id: view.id, ids };
  }
  function connect(token, notebookId) {
    const socket = io(url, { auth: { notebookId, token }, transports: ['websocket'], reconnection: false, forceNew: true });
    return new Promise((resolve) => socket.once('authenticated', () => resolve(socket)));
  }
  /** run_cell → the cell's final status at the client. */
  function runOnce(socket, cellId) {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const onStatus = (payload) => {
        if (payload.cellId !== cellId || (payload.status !== 'success' && payload.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        if (payload.status === 'error') reject(new Error("A's cell failed"));
        else resolve(performance.now() - started);
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId });
    });
  }
  async function measure(socket, cellId) {
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(await runOnce(socket, cellId));
    return times;
  }

  const a = await notebook('ann', ['x = 1', 'y = x + 1']);
  const aSocket = await connect('a', a.id);
  const first = await runOnce(aSocket, a.ids[0]); // starts A's kernel and loads Pyodide
  const idle = await measure(aSocket, a.ids[1]);

  // B takes every kernel it may: each notebook spins until B is refused.
  const spinning = [];
  let refusal = null;
  while (!refusal && spinning.length < 10) {
    const b = await notebook('bob', [SPIN]);
    await service.runCell('bob', b.id, b.ids[0]);
    for (;;) {
      const cell = (await service.getNotebook('bob', b.id)).cells[0];
      if (cell.status === 'running') {
        spinning.push(b);
        break;
      }
      if (cell.status === 'error') {
        refusal = cell.error;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const saturated = await measure(aSocket, a.ids[1]);
  const stillSpinning = (await Promise.all(spinning.map((b) => service.getNotebook('bob', b.id)))).filter((nb) => nb.cells[0].status === 'running').length;
  const aLostItsKernel = (await service.getNotebook('ann', a.id)).cells[0].status !== 'success';

  report(`fairness: A's trivial cell (y = x + 1), run_cell → success at A's client, ${RUNS} runs each, MAX_KERNELS=3 with a login`, {
    "A's first run (kernel start + Pyodide load)": ms(first),
    'idle server: median': ms(percentile(idle, 50)),
    'idle server: p95': ms(percentile(idle, 95)),
    'idle server: max': ms(Math.max(...idle)),
    [`B spinning in ${spinning.length} kernels: median`]: ms(percentile(saturated, 50)),
    [`B spinning in ${spinning.length} kernels: p95`]: ms(percentile(saturated, 95)),
    [`B spinning in ${spinning.length} kernels: max`]: ms(Math.max(...saturated)),
    "B's cells still spinning after A's runs": String(stillSpinning),
    "A's kernel evicted": aLostItsKernel ? 'yes' : 'no',
    "B's next notebook": refusal ? `refused: ${refusal.slice(0, 90)}...` : 'not refused',
  });

  for (const b of spinning) await service.interrupt('bob', b.id);
  aSocket.close();
  await notebooks.close();
  server.closeAllConnections();
  server.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
