// The Python chain of 100 cells (x1 = x0 + 1, ...) end to end through a real socket.io client: from emitting
// run_cell on the root to the last cell's `success` status arriving at the client. Real Pyodide in the sandboxed kernel.
// Beside it, in the same run, the floor: Pyodide alone, the same cells as `runPython` calls in one process
// (bench/peers/pyodide-chain.js, run as a child process after ours so the two do not compete for a core).
// Run: npm run build:ts && node bench/server-python-chain.js [cells=100] [rounds=10]
'use strict';
const http = require('node:http');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { percentile, ms, report } = require('./lib');

const CELLS = Number(process.argv[2]) || 100;
const ROUNDS = Number(process.argv[3]) || 10;

(async () => {
  const Koa = require('koa');
  const { io } = require('socket.io-client');
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  const { createNotebookServer, silentLogger } = require('@rnb/server');
  const notebooks = await createNotebookServer({ plugins: [pythonPlugin()], store: new MemoryNotebookStore(), logger: silentLogger });
  const app = new Koa();
  app.use(notebooks.middleware);
  const server = http.createServer(app.callback());
  notebooks.attach(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  const view = await notebooks.service.createNotebook('local', { name: 'chain' });
  const ids = [view.cells[0].id];
  await notebooks.service.updateCell('local', view.id, ids[0], { code: 'x0 = 0' });
  for (let i = 1; i < CELLS; i++) {
    const cell = await notebooks.service.createCell('local', view.id, { type: 'python', code: `x${i} = x${i - 1} + 1`, afterCellId: ids[i - 1] });
    ids.push(cell.id);
  }
  const last = ids[ids.length - 1];

  const socket = io(url, { auth: { notebookId: view.id }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  const runOnce = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const onStatus = (payload) => {
        if (payload.cellId !== last || (payload.status !== 'success' && payload.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        if (payload.status === 'error') reject(new Error('the last cell failed'));
        else resolve(performance.now() - started);
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId: ids[0] });
    });

  const first = await runOnce(); // includes starting the kernel and loading Pyodide
  const times = [];
  for (let round = 0; round < ROUNDS; round++) times.push(await runOnce());
  const nb = await notebooks.service.getNotebook('local', view.id);
  if (nb.cells[nb.cells.length - 1].status !== 'success') throw new Error('chain did not finish');
  socket.close();
  await notebooks.close();
  server.close();
  const floor = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'peers', 'pyodide-chain.js'), String(CELLS), String(ROUNDS)], { encoding: 'utf8' }).trim().split('\n').pop());
  const ours = percentile(times, 50);
  report(`server: Python chain of ${CELLS} cells, run_cell on the root to the last result at a socket.io client`, {
    'first run (kernel start + Pyodide load)': ms(first),
    [`re-run from the root: median of ${ROUNDS}`]: ms(percentile(times, 50)),
    're-run from the root: p95': ms(percentile(times, 95)),
    'per cell (median)': ms(percentile(times, 50) / CELLS),
    [`floor: Pyodide alone, ${CELLS} runPython calls (median)`]: ms(floor.medianMs),
    'ours / floor': `${(ours / floor.medianMs).toFixed(1)}×`,
    'per cell above the floor': ms((ours - floor.medianMs) / CELLS),
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
