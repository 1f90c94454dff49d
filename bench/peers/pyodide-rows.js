// The floor of the Python half of bench/sql-groupby.js: Pyodide alone in one Node process builds the same list of
// 100,000 dicts (no kernel, no conversion, no SQL). Prints one JSON line: {"medianMs", "medianCpuMs", "times"}.
// Run: node bench/peers/pyodide-rows.js [rounds=5]
'use strict';
const path = require('node:path');

const ROUNDS = Number(process.argv[2]) || 5;
const PYTHON = 'sales = [{"region": ["north", "south", "east", "west"][i % 4], "amount": i % 97} for i in range(100_000)]';

(async () => {
  const pyodideDir = path.dirname(require.resolve('pyodide/package.json'));
  const { loadPyodide } = require(path.join(pyodideDir, 'pyodide.js'));
  const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
  const times = [];
  const cpuTimes = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    pyodide.runPython(PYTHON);
    const used = process.cpuUsage(cpu);
    if (round > 0) times.push(performance.now() - started);
    if (round > 0) cpuTimes.push((used.user + used.system) / 1000);
  }
  if (pyodide.runPython('len(sales)') !== 100_000) throw new Error('unexpected list');
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  console.log(JSON.stringify({ medianMs: times[Math.floor(times.length / 2)], medianCpuMs: cpuTimes[Math.floor(cpuTimes.length / 2)], times }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
