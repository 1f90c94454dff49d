// `rnb run` on a 100-cell Python notebook, as a user runs it: a new process, real Pyodide kernel (restored from the build's
// snapshot). Figures: total wall time, and the time from starting the process to the first cell running (target < 1.5 s),
// with the CPU the process tree used by then. Floors, measured in the same rounds (so their ratio to `rnb run` holds on a
// loaded machine): a Node process that does nothing, and a Node process that restores the build's Pyodide snapshot and
// runs one line of Python (what a kernel cannot do without).
// Run: npm run build:ts && node bench/cli-run.js [cells=100] [rounds=3]
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { writePercentNotebook } = require('@rnb/core');
const { ms, percentile, report, treeCpuMs } = require('./lib');

const cells = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 3);
// RNB_CLI: another build's app/cli/dist/main.js, to compare two builds in one run.
const MAIN = process.env.RNB_CLI ? path.resolve(process.env.RNB_CLI) : path.resolve(__dirname, '../app/cli/dist/main.js');

function notebookText() {
  // A chain: every cell reads the one before, so the run follows the graph end to end.
  return writePercentNotebook({
    name: 'Bench run',
    lazy: false,
    cells: Array.from({ length: cells }, (_, i) => ({ id: `c${i}`, type: 'python', code: i === 0 ? 'v0 = 1' : `v${i} = v${i - 1} + ${i}${i % 10 === 0 ? `\nprint(v${i})` : ''}` })),
  });
}

// The Pyodide floor: the build's snapshot restored as a kernel restores it (plugins/python/src/runtime/snapshot-restore.ts).
const PYTHON_DIST = path.resolve(__dirname, '../plugins/python/dist');
const PYODIDE_FLOOR = `
const path = require('node:path');
const { usableSnapshot } = require(${JSON.stringify(path.join(PYTHON_DIST, 'snapshot/make-snapshot.js'))});
const { loadSnapshotSparsely } = require(${JSON.stringify(path.join(PYTHON_DIST, 'runtime/snapshot-restore.js'))});
const dir = path.dirname(require.resolve('pyodide/package.json', { paths: [${JSON.stringify(path.dirname(PYTHON_DIST))}] }));
const snapshot = usableSnapshot(dir);
if (!snapshot) throw new Error('no usable Pyodide snapshot: npm run build:ts');
const { loadPyodide } = require(path.join(dir, 'pyodide.js'));
loadSnapshotSparsely(snapshot, (bytes) => loadPyodide({ indexURL: dir + path.sep, env: { HOME: '/home/pyodide' }, _loadSnapshot: bytes }))
  .then(({ value }) => { value.runPython('1 + 1'); process.stdout.write('ready'); });
`;

/** Wall time of a process until it prints `marker` (or exits, without one), and the CPU its tree used by then. */
function timed(args, marker) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let reached = null;
    let cpu = null;
    let text = '';
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: __dirname });
    child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      if (reached === null && marker && text.includes(marker)) {
        reached = performance.now() - started;
        cpu = treeCpuMs(child.pid);
      }
    });
    child.stderr.on('data', (chunk) => { text += chunk.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve({ total: performance.now() - started, reached: reached ?? performance.now() - started, cpu }) : reject(new Error(`${args.join(' ').slice(0, 80)} exited ${code}: ${text.slice(-500)}`))));
  });
}

function once(file) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstCell = null;
    let firstCellCpu = null;
    let text = '';
    const child = spawn(process.execPath, [MAIN, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      if (firstCell === null && text.includes('── cell')) {
        firstCell = performance.now() - started;
        firstCellCpu = treeCpuMs(child.pid);
      }
    });
    child.stderr.on('data', (chunk) => { text += chunk.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve({ total: performance.now() - started, firstCell, firstCellCpu }) : reject(new Error(`rnb run exited ${code}: ${text.slice(-500)}`))));
  });
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-bench-cli-'));
  const file = path.join(dir, 'bench.py');
  fs.writeFileSync(file, notebookText());
  const results = [];
  const nodeFloor = [];
  const pyodideFloor = [];
  try {
    for (let round = 0; round < rounds; round++) {
      nodeFloor.push(await timed(['-e', '0'], null));
      pyodideFloor.push(await timed(['-e', PYODIDE_FLOOR], 'ready'));
      results.push(await once(file));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const median = (values) => ms(percentile(values, 50));
  report(`rnb run, ${cells} Python cells in a chain (${rounds} runs, each a new process)`, {
    'total, median': median(results.map((r) => r.total)),
    'process start to first cell running, median': median(results.map((r) => r.firstCell)),
    'CPU of its process tree by then, median': median(results.map((r) => r.firstCellCpu)),
    'after the first cell, median': median(results.map((r) => r.total - r.firstCell)),
    'runs (total / first cell)': results.map((r) => `${Math.round(r.total)}/${Math.round(r.firstCell)}`).join(', '),
    'floor: node -e 0, median': median(nodeFloor.map((r) => r.total)),
    'floor: Node + Pyodide snapshot restore + 1 line, median': median(pyodideFloor.map((r) => r.reached)),
    'floor: its CPU, median': median(pyodideFloor.map((r) => r.cpu)),
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
