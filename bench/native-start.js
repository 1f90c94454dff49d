// Start-up of the native Python runtime (PYTHON_RUNTIME=native, CPython in bubblewrap), through the whole server at a
// socket.io client, beside floors measured in the same run:
//  - cold start: a server with no warm kernel, a notebook's first `print(1)` → success at the client (target < 500 ms);
//  - warm start: a server whose warm pool's process said it is warm (its spare worker's CPython started and loaded the
//    runner), a new notebook's first `print(1)` → success at the client (target < 50 ms). The bench waits for the
//    kernel's own "warm" log line rather than a fixed sleep: on a loaded machine a sleep can end before the pool is warm,
//    and the figure then holds the warm-up (578 ms at load 30 with a 1.5 s sleep);
//  - the same cell run again in that notebook (what one cell costs once everything is open): the floor of a warm start;
//  - floors: `bwrap <the planned layers> python3 -I -c pass` (the sandbox and interpreter alone), the driver's start to
//    its runner loaded (the Python side of a cold start), and `node -e 0` (a kernel process's Node alone).
// The cold start's share spent loading the runtime in the kernel's worker comes from the kernel's own log line.
// Run: npm run build:ts && node bench/native-start.js [rounds=5]
'use strict';
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { percentile, ms, report, embeddedServer, messageLogger } = require('./lib');

const ROUNDS = Number(process.argv[2]) || 5;
const PYTHON = '/usr/bin/python3';
const median = (values) => percentile(values, 50);

async function startServer(warmProcesses, onLog) {
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  return embeddedServer({
    plugins: [pythonPlugin()],
    store: new MemoryNotebookStore(),
    logger: messageLogger(onLog),
    kernels: { warmProcesses },
    config: { PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: PYTHON },
  });
}

/** A one-cell notebook open at a socket.io client; `run()` times run_cell → success. */
async function notebook(host, code) {
  const { io } = require('socket.io-client');
  const view = await host.notebooks.service.createNotebook('local', { name: 'bench' });
  const cellId = view.cells[0].id;
  await host.notebooks.service.updateCell('local', view.id, cellId, { code });
  const socket = io(host.url, { auth: { notebookId: view.id }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  const run = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const onStatus = (payload) => {
        if (payload.cellId !== cellId || (payload.status !== 'success' && payload.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        if (payload.status === 'error') reject(new Error(`the cell failed: ${JSON.stringify(payload)}`));
        else resolve({ total: performance.now() - started });
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId });
    });
  return { run, close: () => socket.close() };
}

/** Resolves when a log line matches (the kernel's "warm after N ms"). */
function logWaiter() {
  const waiting = [];
  const seen = [];
  return {
    onLog: (message) => {
      seen.push(message);
      for (const w of waiting.splice(0)) (w.test.test(message) ? w.resolve(message) : waiting.push(w));
    },
    waitFor: (test, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const found = seen.find((m) => test.test(m));
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`no log line ${test} within ${timeoutMs} ms`)), timeoutMs);
        waiting.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      }),
  };
}

/** The command line the server plans for a notebook's CPython (bwrap with every layer, the interpreter, the driver). */
function plannedArgv() {
  const plugin = path.join(__dirname, '..', 'plugins', 'python');
  const { planNativeSandbox, DEFAULT_NATIVE_LIMITS } = require(path.join(plugin, 'dist', 'native', 'sandbox-plan.js'));
  const driverPath = path.join(plugin, 'python', 'native_driver.py');
  return planNativeSandbox({ executable: PYTHON, multiUser: false, allowUnsandboxed: false, tmpBytes: 64 << 20, limits: DEFAULT_NATIVE_LIMITS, driverPath }).argv;
}

function wallOf(command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${command} ${args.slice(-3).join(' ')} failed`);
  return performance.now() - started;
}

/** The driver alone: spawn → `ready` frame → runner `loaded` frame (the Python side of a cold start). */
function driverStart(argv) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore', 'pipe'], env: {}, cwd: '/' });
    const times = {};
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      buffer += text;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        const frame = JSON.parse(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
        if (frame.t === 'ready') times.ready = performance.now() - started;
        if (frame.t === 'loaded') {
          times.loaded = performance.now() - started;
          child.kill('SIGKILL');
          resolve(times);
        }
        if (frame.t === 'fail') reject(new Error(frame.error));
      }
    });
    child.stdin.write('{"op":"runner"}\n');
  });
}

(async () => {
  const argv = plannedArgv();
  const bwrapIndex = argv.indexOf(PYTHON);
  const sandboxPass = [...argv.slice(1, bwrapIndex), PYTHON, '-I', '-c', 'pass'];
  const cold = { total: [], runtimeLoad: [], spawnCall: [], ready: [], loaded: [] };
  const warm = { total: [] };
  const again = [];
  const warmups = [];
  const floors = { bwrapPass: [], driverReady: [], driverLoaded: [], node: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const coldLogs = logWaiter();
    const coldHost = await startServer(0, coldLogs.onLog);
    const first = await (await notebook(coldHost, 'print(1)')).run();
    cold.total.push(first.total);
    cold.runtimeLoad.push(Number(/runtime loaded in (\d+) ms/.exec(await coldLogs.waitFor(/the "python" runtime loaded in \d+ ms/))[1]));
    const timing = /spawn (\d+) ms, ready after (\d+) ms, runner loaded after (\d+) ms/.exec(await coldLogs.waitFor(/native CPython ready .*runner loaded after/));
    cold.spawnCall.push(Number(timing[1]));
    cold.ready.push(Number(timing[2]));
    cold.loaded.push(Number(timing[3]));
    await coldHost.close();

    const logs = logWaiter();
    const host = await startServer(1, logs.onLog);
    const warmLine = await logs.waitFor(/: warm after \d+ ms/);
    warmups.push(Number(/warm after (\d+)/.exec(warmLine)[1]));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the pool's process idle, as a server waiting for someone
    const nb = await notebook(host, 'print(1)');
    const taken = await nb.run();
    warm.total.push(taken.total);
    const rerun = [];
    for (let i = 0; i < 5; i++) rerun.push((await nb.run()).total);
    again.push(median(rerun));
    nb.close();
    await host.close();

    floors.bwrapPass.push(wallOf(argv[0], sandboxPass));
    const driver = await driverStart(argv);
    floors.driverReady.push(driver.ready);
    floors.driverLoaded.push(driver.loaded);
    floors.node.push(wallOf(process.execPath, ['-e', '0']));
  }
  report(`native CPython start-up at a socket.io client, median of ${ROUNDS} (load average ${require('node:os').loadavg()[0].toFixed(1)} at the end)`, {
    'cold start → first result (no warm kernel)': ms(median(cold.total)),
    '  cold: fastest and slowest round': `${ms(Math.min(...cold.total))} to ${ms(Math.max(...cold.total))}`,
    "  of which the worker loading the runtime (CPython's spawn → runner loaded)": ms(median(cold.runtimeLoad)),
    '    the spawn call in the worker': ms(median(cold.spawnCall)),
    "    spawn → the driver's ready (bwrap, interpreter, driver)": ms(median(cold.ready)),
    '    spawn → runner loaded': ms(median(cold.loaded)),
    'warm start → first result (pool process warm)': ms(median(warm.total)),
    '  warm: fastest and slowest round': `${ms(Math.min(...warm.total))} to ${ms(Math.max(...warm.total))}`,
    'the same cell again in that notebook': ms(median(again)),
    "the pool process's warm-up (its log)": ms(median(warmups)),
    'floor: bwrap (planned layers) python3 -I -c pass': ms(median(floors.bwrapPass)),
    'floor: driver spawn → ready': ms(median(floors.driverReady)),
    'floor: driver spawn → runner loaded': ms(median(floors.driverLoaded)),
    'floor: node -e 0': ms(median(floors.node)),
    'warm start / the same cell again': `${(median(warm.total) / median(again)).toFixed(2)}×`,
  });
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
