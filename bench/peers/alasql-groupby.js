// The floor of SQL over Python data: alasql alone on the same 100,000 rows as bench/sql-groupby.js, already plain
// JavaScript objects (no Pyodide, no kernel). Prints one JSON line: {"medianMs", "medianCpuMs", "times"}.
// Run: node bench/peers/alasql-groupby.js [rounds=10]
'use strict';
const alasql = require('alasql');

const ROUNDS = Number(process.argv[2]) || 10;
const regions = ['north', 'south', 'east', 'west'];
const sales = Array.from({ length: 100_000 }, (_, i) => ({ region: regions[i % 4], amount: i % 97 }));
const SQL = 'SELECT region, COUNT(*) AS n, SUM(amount) AS amount_sum FROM ? GROUP BY region ORDER BY region';
const times = [];
const cpuTimes = [];
for (let round = 0; round <= ROUNDS; round++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const rows = alasql(SQL, [sales]);
  const used = process.cpuUsage(cpu);
  if (round > 0) times.push(performance.now() - started);
  if (round > 0) cpuTimes.push((used.user + used.system) / 1000);
  if (rows.length !== 4) throw new Error('unexpected result');
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
console.log(JSON.stringify({ medianMs: times[Math.floor(times.length / 2)], medianCpuMs: cpuTimes[Math.floor(cpuTimes.length / 2)], times }));
