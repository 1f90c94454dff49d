// The floor of the Python chain: Pyodide alone in one Node process, the same 100 cells (x1 = x0 + 1, ...) as
// 100 `runPython` calls, no kernel, no scheduler, no socket. Prints one JSON line: {"loadMs", "medianMs", "times"}.
// Run: node bench/peers/pyodide-chain.js [cells=100] [rounds=10]
'use strict';
const path = require('node:path');

const CELLS = Number(process.argv[2]) || 100;
const ROUNDS = Number(process.argv[3]) || 10;

(async () => {
  const pyodideDir = path.dirname(require.resolve('pyodide/package.json'));
  const { loadPyodide } = require(path.join(pyodideDir, 'pyodide.js'));
  const loadStarted = performance.now();
  const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
  const loadMs = performance.now() - loadStarted;
  const globals = pyodide.globals;
  const codes = Array.from({ length: CELLS }, (_, i) => (i === 0 ? 'x0 = 0' : `x${i} = x${i - 1} + 1`));
  const times = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const started = performance.now();
    for (const code of codes) pyodide.runPython(code, { globals });
    if (round > 0) times.push(performance.now() - started); // the first round warms the compiler caches
  }
  if (globals.get(`x${CELLS - 1}`) !== CELLS - 1) throw new Error('the chain computed the wrong value');
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ loadMs, medianMs: times[Math.floor(times.length / 2)], times }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
