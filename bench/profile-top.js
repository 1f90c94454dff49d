// The top functions of V8 CPU profiles (`node --cpu-prof` output, one file per thread), by self time, optionally only
// the samples inside a window of CLOCK_MONOTONIC microseconds (what `process.hrtime.bigint() / 1000n` reads; the
// profiles' timestamps use the same clock, so a bench can name the window of its measured rounds).
// --inclusive: by inclusive time (the function and what it calls), e.g. how much of a thread's time is under `run`.
// Run: node bench/profile-top.js [--from=µs] [--to=µs] [--top=25] [--inclusive] FILE.cpuprofile...
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** { name, total ms, rows: [{ label, selfMs, share }] } of one profile inside [from, to]. */
function topFunctions(file, { from = -Infinity, to = Infinity, top = 25, inclusive = false } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const selfUs = new Map();
  let time = profile.startTime;
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (time < from || time > to) continue;
    const node = nodes.get(profile.samples[i]);
    if (node.callFrame.functionName === '(idle)') {
      idleUs += delta;
      continue;
    }
    totalUs += delta;
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = inclusive ? parents.get(id) : undefined) {
      const label = labelOf(nodes.get(id).callFrame);
      if (seen.has(label)) continue; // recursion counts once
      seen.add(label);
      selfUs.set(label, (selfUs.get(label) ?? 0) + delta);
    }
  }
  const rows = [...selfUs.entries()]
    .filter(([label]) => !label.startsWith('(root)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([label, us]) => ({ label, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return { name: path.basename(file), busyMs: totalUs / 1000, idleMs: idleUs / 1000, rows };
}

function labelOf(frame) {
  return `${frame.functionName || '(anonymous)'} ${frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
}

function shorten(url) {
  const marks = ['/core/', '/plugins/', '/app/', '/node_modules/', 'node:'];
  for (const mark of marks) {
    const at = url.lastIndexOf(mark);
    if (at >= 0) return url.slice(at + (mark === 'node:' ? 0 : 1));
  }
  return url;
}

function print(result) {
  console.log(`\n${result.name}: busy ${result.busyMs.toFixed(1)} ms, idle ${result.idleMs.toFixed(1)} ms`);
  for (const row of result.rows) console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.selfMs.toFixed(1).padStart(8)} ms  ${row.label}`);
}

if (require.main === module) {
  const options = {};
  const files = [];
  for (const arg of process.argv.slice(2)) {
    const match = /^--(from|to|top)=(.+)$/.exec(arg);
    if (match) options[match[1]] = Number(match[2]);
    else if (arg === '--inclusive') options.inclusive = true;
    else files.push(arg);
  }
  for (const file of files) print(topFunctions(file, options));
}

module.exports = { topFunctions, print };
