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

/**
 * CPU time (user + system, ms) used so far by this process and every process below it (kernel processes, their
 * sandboxes): what a run costs in work, which a loaded machine does not inflate as it inflates wall time. Linux
 * only; 10 ms resolution (clock ticks), so take it over runs of tens of milliseconds or more.
 */
function treeCpuMs(root = process.pid) {
  const fs = require('node:fs');
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const children = new Map();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let ticks = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop();
    ticks += stats.get(pid)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

function report(name, figures) {
  console.log(`\n${name}`);
  for (const [label, value] of Object.entries(figures)) console.log(`  ${label.padEnd(48)} ${value}`);
}

module.exports = { treeCpuMs, percentile, ms, pssBytes, report };
