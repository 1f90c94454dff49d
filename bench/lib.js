// Small helpers shared by the benchmark scripts.
'use strict';

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function ms(value) {
  return `${value.toFixed(value < 1 ? 3 : 1)} ms`;
}

/** Proportional set size of a process (shared pages split among sharers), in bytes. */
function pssBytes(pid) {
  try {
    const text = require('node:fs').readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function report(name, figures) {
  console.log(`\n${name}`);
  for (const [label, value] of Object.entries(figures)) console.log(`  ${label.padEnd(48)} ${value}`);
}

module.exports = { percentile, ms, pssBytes, report };
