// The native Python runtime (CPython in bubblewrap, PYTHON_RUNTIME=native) against Pyodide, in the same run, each through
// the whole server at a socket.io client: the 100-cell chain (x1 = x0 + 1, ...), a pure-Python loop, a numpy-heavy cell,
// cold start to the first result with and without a warm kernel, interrupt latency, and the memory (PSS) of each further
// notebook's CPython.
// Needs bwrap and Debian's python3 with numpy (apt-get install -y bubblewrap python3-numpy python3-pandas python3-matplotlib).
// Run: npm run build:ts && node bench/native-python.js [cells=100] [rounds=10] [--native-only] [--chain-only]  (--native-only skips Pyodide: ratios n/a; --chain-only stops after the chain)
'use strict';
const fs = require('node:fs');
const { percentile, ms: msOf, pssBytes, report, embeddedServer, messageLogger } = require('./lib');
const ms = (value) => (value === undefined ? 'n/a' : msOf(value));

const CELLS = Number(process.argv[2]) || 100;
const ROUNDS = Number(process.argv[3]) || 10;
const PYTHON = '/usr/bin/python3';
const LOOP = 'total = 0\nfor i in range(2_000_000):\n    total += i * i % 7\ntotal';
const NUMPY = 'import numpy as np\nm = np.arange(1_000_000, dtype=np.float64).reshape(1000, 1000)\nfloat((m @ m.T).sum() + np.sort(np.sin(m).ravel())[::1000].sum())';

/** The server; `warm` resolves when its warm pool's process says its spare worker has every language loaded. */
async function startServer(runtime, warmProcesses) {
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  let onWarm;
  const warm = new Promise((resolve) => (onWarm = resolve));
  const { notebooks, server } = await embeddedServer({
    plugins: [pythonPlugin()],
    store: new MemoryNotebookStore(),
    logger: messageLogger((message) => / warm after \d+ ms/.test(message) && onWarm()),
    kernels: { warmProcesses },
    config: { PYTHON_RUNTIME: runtime, PYTHON_EXECUTABLE: PYTHON },
  });
  return { notebooks, server, url: `http://127.0.0.1:${server.address().port}`, warm };
}

async function notebook(host, codes) {
  const { io } = require('socket.io-client');
  const view = await host.notebooks.service.createNotebook('local', { name: 'bench' });
  const ids = [view.cells[0].id];
  await host.notebooks.service.updateCell('local', view.id, ids[0], { code: codes[0] });
  for (let i = 1; i < codes.length; i++) {
    ids.push((await host.notebooks.service.createCell('local', view.id, { type: 'python', code: codes[i], afterCellId: ids[i - 1] })).id);
  }
  const socket = io(host.url, { auth: { notebookId: view.id }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  /** run_cell on `ids[from]` until `ids[until]` reports success at the client, in ms. */
  const run = (from = 0, until = ids.length - 1) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const onStatus = (payload) => {
        if (payload.cellId !== ids[until] || (payload.status !== 'success' && payload.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        if (payload.status === 'error') reject(new Error(`cell failed: ${codes[until].slice(0, 60)}`));
        else resolve(performance.now() - started);
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId: ids[from] });
    });
  /** Starts the (spinning) first cell, waits `afterMs`, emits interrupt: ms until its `error` status reaches the client. */
  const interrupt = (afterMs) =>
    new Promise((resolve, reject) => {
      let sent = 0;
      const onStatus = (payload) => {
        if (payload.cellId !== ids[0]) return;
        if (payload.status === 'running' && !sent) {
          setTimeout(() => {
            sent = performance.now();
            socket.emit('interrupt', {});
          }, afterMs);
        } else if (payload.status === 'error' || payload.status === 'success') {
          socket.off('cell_status', onStatus);
          if (payload.status === 'success' || !sent) reject(new Error('the cell was not interrupted'));
          else resolve(performance.now() - sent);
        }
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId: ids[0] });
    });
  return { run, interrupt, close: () => socket.close() };
}

async function median(run, rounds) {
  await run(); // warm
  const times = [];
  for (let i = 0; i < rounds; i++) times.push(await run());
  return percentile(times, 50);
}

async function measure(runtime) {
  const figures = {};
  // Cold: no warm kernel; the notebook waits for a kernel process and its runtime.
  const cold = await startServer(runtime, 0);
  figures.cold = await (await notebook(cold, ['print(1)'])).run();
  await cold.notebooks.close();
  cold.server.close();

  const host = await startServer(runtime, 1);
  // The pool's process warm (its log says so), then idle a moment, as a server waiting for someone. A fixed sleep used to
  // end before the pool was warm on a loaded machine, and the figure then held the rest of the warm-up (578 ms at load 30).
  await Promise.race([host.warm, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  figures.warm = await (await notebook(host, ['print(1)'])).run();
  const chain = await notebook(host, Array.from({ length: CELLS }, (_, i) => (i === 0 ? 'x0 = 0' : `x${i} = x${i - 1} + 1`)));
  figures.chain = await median(chain.run, ROUNDS);
  if (process.argv.includes('--chain-only')) {
    await host.notebooks.close();
    host.server.close();
    return figures;
  }
  figures.loop = await median((await notebook(host, [LOOP])).run, 3);
  try {
    figures.numpy = await median((await notebook(host, [NUMPY])).run, 3);
  } catch (error) {
    figures.numpy = null; // Pyodide here has no numpy wheels (they cannot be downloaded on these machines)
  }
  const spinner = await notebook(host, ['while True: pass']);
  const stops = [];
  for (let i = 0; i < 5; i++) stops.push(await spinner.interrupt(300));
  figures.interrupt = percentile(stops, 50);
  if (runtime === 'native') {
    const before = driverPss();
    const extra = [];
    for (let i = 0; i < 5; i++) extra.push(await notebook(host, ['import sys\nlen(sys.modules)']));
    for (const nb of extra) await nb.run();
    const after = driverPss();
    figures.pssPerNotebook = (after.total - before.total) / Math.max(1, after.count - before.count);
  }
  await host.notebooks.close();
  host.server.close();
  return figures;
}

/** PSS of every native driver's CPython on the machine (seen from outside the sandboxes). */
function driverPss() {
  let total = 0;
  let count = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes('/opt/rnb/native_driver.py') || cmdline.startsWith('/usr/bin/bwrap')) continue;
    total += pssBytes(Number(name)) ?? 0;
    count++;
  }
  return { total, count };
}

(async () => {
  const native = await measure('native');
  const pyodide = process.argv.includes('--native-only') ? {} : await measure('pyodide');
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');
  report(`native CPython (bubblewrap) vs Pyodide, same run, at a socket.io client`, {
    [`chain of ${CELLS} cells, median of ${ROUNDS}: native`]: ms(native.chain),
    [`chain of ${CELLS} cells: Pyodide`]: ms(pyodide.chain),
    'chain: native / Pyodide': ratio(native.chain, pyodide.chain),
    'pure-Python loop (2M iterations): native': ms(native.loop),
    'pure-Python loop: Pyodide': ms(pyodide.loop),
    'pure-Python loop: native / Pyodide': ratio(native.loop, pyodide.loop),
    'numpy cell (1000² matmul, sin, sort): native': native.numpy === null ? 'failed' : ms(native.numpy),
    'numpy cell: Pyodide': pyodide.numpy === null ? 'n/a (no numpy wheels here)' : ms(pyodide.numpy),
    'numpy cell: native / Pyodide': ratio(native.numpy, pyodide.numpy),
    'cold start to first result, no warm kernel: native': ms(native.cold),
    'cold start to first result, no warm kernel: Pyodide': ms(pyodide.cold),
    'first result of a new notebook, warm kernel: native (one round; median: bench/native-start.js)': ms(native.warm),
    'first result of a new notebook, warm kernel: Pyodide': ms(pyodide.warm),
    'interrupt of `while True: pass` to error at the client, median of 5: native': ms(native.interrupt),
    'interrupt: Pyodide': ms(pyodide.interrupt),
    'PSS of each further notebook\'s CPython': native.pssPerNotebook === undefined ? 'n/a' : `${(native.pssPerNotebook / 1024 / 1024).toFixed(1)} MB`,
  });
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
