// `rnb run` on a 100-cell Python notebook, as a user runs it: a new process, real Pyodide kernel (restored from the build's
// snapshot). Figures: total wall time, and the time from starting the process to the first cell running (target < 1.5 s).
// Run: npm run build:ts && node bench/cli-run.js [cells=100] [rounds=3]
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { writePercentNotebook } = require('@rnb/core');
const { ms, percentile, report } = require('./lib');

const cells = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 3);
const MAIN = path.resolve(__dirname, '../app/cli/dist/main.js');

function notebookText() {
  // A chain: every cell reads the one before, so the run follows the graph end to end.
  return writePercentNotebook({
    name: 'Bench run',
    lazy: false,
    cells: Array.from({ length: cells }, (_, i) => ({ id: `c${i}`, type: 'python', code: i === 0 ? 'v0 = 1' : `v${i} = v${i - 1} + ${i}${i % 10 === 0 ? `\nprint(v${i})` : ''}` })),
  });
}

function once(file) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstCell = null;
    let text = '';
    const child = spawn(process.execPath, [MAIN, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      if (firstCell === null && text.includes('── cell')) firstCell = performance.now() - started;
    });
    child.stderr.on('data', (chunk) => { text += chunk.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve({ total: performance.now() - started, firstCell }) : reject(new Error(`rnb run exited ${code}: ${text.slice(-500)}`))));
  });
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-bench-cli-'));
  const file = path.join(dir, 'bench.py');
  fs.writeFileSync(file, notebookText());
  const results = [];
  try {
    for (let round = 0; round < rounds; round++) results.push(await once(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report(`rnb run, ${cells} Python cells in a chain (${rounds} runs, each a new process)`, {
    'total, median': ms(percentile(results.map((r) => r.total), 50)),
    'process start to first cell running, median': ms(percentile(results.map((r) => r.firstCell), 50)),
    'after the first cell, median': ms(percentile(results.map((r) => r.total - r.firstCell), 50)),
    'runs (total / first cell)': results.map((r) => `${Math.round(r.total)}/${Math.round(r.firstCell)}`).join(', '),
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
