// The Python chain of 100 cells (x1 = x0 + 1, ...) end to end through a real socket.io client: from emitting
// run_cell on the root to the last cell's `success` status arriving at the client. Real Pyodide in the sandboxed kernel.
// Beside it, in the same run, the floor: Pyodide alone, the same cells as `runPython` calls in one process
// (bench/peers/pyodide-chain.js, run as a child process after ours so the two do not compete for a core).
// Run: npm run build:ts && [PYTHON_RUNTIME=native] node bench/server-python-chain.js [cells=100] [rounds=10]
// PROFILE_DIR=/tmp/prof: CPU profiles (V8 .cpuprofile) of the kernel process's threads and of this process, and each
// one's top functions by self time during the measured rounds only (bench/profile-top.js). The kernel then runs without
// Node's permission model (it refuses to write profiles); wall-clock samples on a loaded machine include time the thread
// waited for a core (a pipe write that wakes the reader shows as the write).
'use strict';
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { percentile, ms, report, embeddedServer, kernelProfileOptions } = require('./lib');

/** CPU seconds (user + system) of every process descending from this one: the kernel processes. */
function descendantsCpuSeconds() {
  const fs = require('node:fs');
  const parent = new Map();
  const cpu = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  for (const [pid, ticksOf] of cpu) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        ticks += ticksOf;
        break;
      }
    }
  }
  return ticks / 100; // USER_HZ
}

/** The inspector's profiler on this process (server and client), for the measured rounds only. */
async function startProfile() {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post('Profiler.stop');
      require('node:fs').writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const CELLS = Number(process.argv[2]) || 100;
const ROUNDS = Number(process.argv[3]) || 10;

(async () => {
  const { io } = require('socket.io-client');
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  const { silentLogger } = require('@rnb/server');
  const { profileDir, options: kernels } = kernelProfileOptions();
  // PYTHON_RUNTIME=native: the same chain on native CPython (Debian's /usr/bin/python3 in bubblewrap), for its profile.
  const config = process.env.PYTHON_RUNTIME === 'native' ? { PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: '/usr/bin/python3' } : {};
  const { notebooks, server } = await embeddedServer({ plugins: [pythonPlugin()], store: new MemoryNotebookStore(), logger: silentLogger, kernels, config });
  const url = `http://127.0.0.1:${server.address().port}`;

  const view = await notebooks.service.createNotebook('local', { name: 'chain' });
  const ids = [view.cells[0].id];
  await notebooks.service.updateCell('local', view.id, ids[0], { code: 'x0 = 0' });
  for (let i = 1; i < CELLS; i++) {
    const cell = await notebooks.service.createCell('local', view.id, { type: 'python', code: `x${i} = x${i - 1} + 1`, afterCellId: ids[i - 1] });
    ids.push(cell.id);
  }
  const last = ids[ids.length - 1];

  // As the page does, the client takes the notebook's events in batches (docs/protocol.md, "Event batches");
  // BATCH=0: one socket event each, as before.
  const batched = process.env.BATCH !== '0';
  const socket = io(url, { auth: { notebookId: view.id, batch: batched }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  const runOnce = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const onStatus = (payload) => {
        if (payload.cellId !== last || (payload.status !== 'success' && payload.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        socket.off('events', onEvents);
        if (payload.status === 'error') reject(new Error('the last cell failed'));
        else resolve(performance.now() - started);
      };
      const onEvents = ({ events }) => {
        for (const event of events) if (event.type === 'cell_status') onStatus(event);
      };
      socket.on('cell_status', onStatus);
      socket.on('events', onEvents);
      socket.emit('run_cell', { cellId: ids[0] });
    });

  const first = await runOnce(); // includes starting the kernel and loading Pyodide
  // Let the kernel process's warm spare worker (and the warm pool) finish loading: otherwise they take CPU from the runs.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SETTLE_MS ?? 10_000)));
  const times = [];
  const serverProfile = profileDir ? await startProfile() : null;
  const window = { from: Number(process.hrtime.bigint() / 1000n) };
  // CPU time, not wall time, is what a loaded machine does not inflate: the server's own and the kernel processes'.
  const cpuBefore = { server: process.cpuUsage(), kernels: descendantsCpuSeconds() };
  for (let round = 0; round < ROUNDS; round++) times.push(await runOnce());
  window.to = Number(process.hrtime.bigint() / 1000n);
  const serverCpu = process.cpuUsage(cpuBefore.server);
  const kernelCpuMs = ((descendantsCpuSeconds() - cpuBefore.kernels) * 1000) / ROUNDS;
  const serverCpuMs = (serverCpu.user + serverCpu.system) / 1000 / ROUNDS;
  const nb = await notebooks.service.getNotebook('local', view.id);
  if (nb.cells[nb.cells.length - 1].status !== 'success') throw new Error('chain did not finish');
  socket.close();
  if (profileDir) {
    // A kernel writes its profiles when it exits on its own (its stdin closed), not when killed.
    const manager = notebooks.kernels;
    const holders = [...manager.pool.all(), ...manager.byOwner.values()];
    for (const holder of holders) holder.process.child.stdin.end();
    await Promise.all(holders.map((holder) => (holder.process.alive ? new Promise((resolve) => holder.process.once('exit', resolve)) : undefined)));
  }
  await notebooks.close();
  server.close();
  const floor = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'peers', 'pyodide-chain.js'), String(CELLS), String(ROUNDS)], { encoding: 'utf8' }).trim().split('\n').pop());
  const ours = percentile(times, 50);
  report(`server: Python chain of ${CELLS} cells, run_cell on the root to the last result at a socket.io client (${batched ? "events in batches" : "one socket event each"})`, {
    'first run (kernel start + Pyodide load)': ms(first),
    [`re-run from the root: median of ${ROUNDS}`]: ms(percentile(times, 50)),
    're-run from the root: p95': ms(percentile(times, 95)),
    'per cell (median)': ms(percentile(times, 50) / CELLS),
    'CPU per re-run: kernel processes (10 ms ticks)': ms(kernelCpuMs),
    'CPU per re-run: server and client (this process)': ms(serverCpuMs),
    [`floor: Pyodide alone, ${CELLS} runPython calls (median)`]: ms(floor.medianMs),
    'ours / floor': `${(ours / floor.medianMs).toFixed(1)}×`,
    'per cell above the floor': ms((ours - floor.medianMs) / CELLS),
  });
  if (profileDir) {
    await serverProfile.stop(path.join(profileDir, `server-${process.pid}.cpuprofile`));
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the kernel writes its profiles as it exits
    console.log(`\nmeasured rounds: --from=${window.from} --to=${window.to} (node bench/profile-top.js ... ${profileDir}/*.cpuprofile)`);
    const { topFunctions, print } = require('./profile-top');
    for (const file of require('node:fs').readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
      const result = topFunctions(path.join(profileDir, file), { ...window, top: 20 });
      if (result.busyMs > 0) print(result);
    }
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
