// Issue 27's start-up figures, real Pyodide and alasql in core's sandboxed kernel:
//  - cold start: from the run to the first result with no warm kernel (a new process for the notebook), a Python notebook
//    (target < 600 ms) and a SQL-only notebook (which must not load Pyodide at all);
//  - the first notebook opened right after the server (kernel manager) started, while the warm pool's process is
//    still loading (target < 1.5 s);
// beside the floor measured in the same run: a new Node process loading Pyodide alone and running one cell
// (bench/peers/pyodide-chain.js 1 1, wall time).
// Wall time on this shared machine is mostly waiting for a core; the CPU time the kernel process used up to the first
// result (all its threads: the main one, the notebook's worker, V8's wasm compilers) is printed beside it.
// Run: npm run build:ts && node bench/cold-start.js [rounds=3]
'use strict';
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { createTestKernel, notebookWith } = require('@rnb/core/testing');
const { pythonLanguage } = require('@rnb/plugin-python');
const { createSqlLanguage } = require('@rnb/plugin-sql');
const { percentile, ms, report } = require('./lib');

const ROUNDS = Number(process.argv[2]) || 3;

/** CPU time (ms) a process has used so far, all threads. */
function cpuMs(pid) {
  try {
    const fields = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * The kernel's log lines, each with when it arrived here: where a cold start's time went (see `phasesOf`).
 * Wired as the kernel manager's `log` by each kernel this bench makes.
 */
const arrivals = [];
const logInto = (logs) => (_level, message) => {
  logs?.push(message);
  arrivals.push({ at: performance.now(), message });
};

/**
 * A cold Python start split up: the notebook and its cell made, then until the worker starts loading the runtime (the
 * kernel process spawned in its sandbox, Node and core's child code, the worker thread, the run message), the runtime's load
 * by its steps (the runtime's ready line: `module` Pyodide's JavaScript compiled with the build's code cache,
 * `pyodide` Pyodide restored from the snapshot, `files` the kernel's Python files, `modules` the kernel modules and rich
 * output, `hardening`, `rest`), then the cell until its result is here. Wall times; null if a line is missing.
 */
function phasesOf([started, made, finished], pid) {
  const mine = arrivals.filter((a) => a.at >= started && a.message.startsWith(`kernel ${pid}: `));
  const loaded = mine.find((a) => / the "python" runtime loaded in \d+ ms/.test(a.message));
  const ready = mine.find((a) => a.message.includes('Pyodide') && a.message.includes('; start: '));
  if (!loaded || !ready) return null;
  const loadMs = Number(/loaded in (\d+) ms/.exec(loaded.message)[1]);
  const phases = {
    // In a server that runs, its analysis workers are up: this bench's new service starts one for the cell.
    'the notebook and its cell made (a new service: its first analysis)': made - started,
    'the kernel process started, until the runtime load': loaded.at - loadMs - made,
  };
  for (const [, name, value] of ready.message.split('; start: ')[1].matchAll(/(\w+) (\d+) ms/g)) phases[`runtime: ${name}`] = Number(value);
  // The load's line comes with the cell's reports or just after them: never count a negative time.
  phases['the cell, to its result here'] = Math.max(0, finished - loaded.at);
  return phases;
}

async function firstResult(kernel, owner, code, type, expect) {
  const started = performance.now();
  const nb = await notebookWith(kernel, owner, [code], type);
  const made = performance.now();
  await nb.run(0);
  const finished = performance.now();
  // What a user waits for: the notebook is there (typed into), the kernel is not; from the run to its result. The
  // notebook's making is timed apart: each round's service is new, so it includes starting its analysis worker, which a
  // running server did when it started.
  const elapsed = finished - made;
  firstResult.withMaking = finished - started;
  firstResult.window = [started, made, finished];
  const [cell] = await nb.state();
  if (!expect(cell)) throw new Error(`unexpected result: ${JSON.stringify(cell)}`);
  firstResult.lastNotebook = nb.notebookId;
  firstResult.pid = kernel.manager.processMemory().find((p) => p.owner === owner).pid;
  firstResult.kernelCpuMs = cpuMs(firstResult.pid);
  return elapsed;
}

const median = (values) => percentile(values, 50);

(async () => {
  const python = [];
  const pythonWithMaking = [];
  const pythonCpu = [];
  const sqlOnly = [];
  const afterStart = [];
  const floor = [];
  const phases = [];
  let sqlLoadedPython = false;
  for (let round = 0; round < ROUNDS; round++) {
    const sql = createSqlLanguage();
    const logs = [];
    const cold = await createTestKernel({ languages: [pythonLanguage(), sql], manager: { warmProcesses: 0, log: logInto(logs) } });
    python.push(await firstResult(cold, `py${round}`, 'print(6 * 7)', 'python', (c) => c.stdout === '42\n'));
    pythonWithMaking.push(firstResult.withMaking);
    pythonCpu.push(firstResult.kernelCpuMs);
    // The log line of the load may arrive a moment after the result: let it in before reading the phases.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const split = phasesOf(firstResult.window, firstResult.pid);
    if (split) phases.push(split);
    sqlOnly.push(await firstResult(cold, `sql${round}`, 'SELECT 6 * 7 AS answer', 'sql', (c) => c.status === 'success'));
    const sqlNotebook = firstResult.lastNotebook;
    sqlLoadedPython ||= logs.some((m) => m.includes(`notebook ${sqlNotebook}: the "python" runtime loaded`));
    await cold.close();
    await sql.close?.();

    const startedAt = performance.now();
    const fresh = await createTestKernel({ languages: [pythonLanguage()] });
    await firstResult(fresh, 'first', 'print(6 * 7)', 'python', (c) => c.stdout === '42\n');
    afterStart.push(performance.now() - startedAt); // from the start of the kernel manager: the notebook's making included
    await fresh.close();

    const floorStarted = performance.now();
    execFileSync(process.execPath, [path.join(__dirname, 'peers', 'pyodide-chain.js'), '1', '1']);
    floor.push(performance.now() - floorStarted);
  }
  report(`cold start (median of ${ROUNDS}; real Pyodide + alasql in the sandboxed kernel)`, {
    'Python notebook, no warm kernel: run → first result': ms(median(python)),
    '  CPU time of its kernel process until then': ms(median(pythonCpu)),
    '  with the notebook made first in a new service': ms(median(pythonWithMaking)),
    'SQL-only notebook, no warm kernel: run → first result': ms(median(sqlOnly)),
    'SQL-only notebook loaded Pyodide': sqlLoadedPython ? 'yes' : 'no',
    'first notebook right after the server started': ms(median(afterStart)),
    'floor: new Node process, Pyodide alone, one cell': ms(median(floor)),
    'Python cold / floor': `${(median(python) / median(floor)).toFixed(2)}×`,
    'load average (1 min) at the end': os.loadavg()[0].toFixed(1),
  });
  if (phases.length > 0) {
    const breakdown = {};
    for (const name of Object.keys(phases[0])) breakdown[name] = ms(median(phases.map((p) => p[name] ?? NaN)));
    report(`where a Python cold start's time goes (wall, median of ${phases.length}; includes waiting for a core)`, breakdown);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
