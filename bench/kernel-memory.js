// Issue 27 (and 22): memory (PSS) of each further notebook of one owner, real Pyodide in core's sandboxed kernel
// (target < 35 MB; peers measured on this machine before: marimo 42.6 MB, Jupyter 53 MB a kernel), and where it goes.
// One owner's process holds one notebook and its warm spare; three more notebooks are opened in it (each takes the
// spare, a new spare loads); the figure is the mean growth. Each reading waits until the process is quiet (its CPU
// time stops growing), so a spare still loading, or garbage not yet collected, does not count as a notebook.
// With `--native` the same with PYTHON_RUNTIME=native (CPython in bubblewrap; its interpreters are children of the
// kernel process, so their PSS is added).
// Run: npm run build:ts && node bench/kernel-memory.js [--native]   (PYTHON_EXECUTABLE picks the native interpreter)
'use strict';
const fs = require('node:fs');
const { createTestKernel, notebookWith } = require('@rnb/core/testing');
const { pythonLanguage, nativePythonLanguage } = require('@rnb/plugin-python');
const { report } = require('./lib');

const NATIVE = process.argv.includes('--native');
const sleep = (t) => new Promise((r) => setTimeout(r, t));

/** CPU time (ms) of a process and its descendants that are still running. */
function treeCpuMs(pid) {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const fields = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // gone
    }
  }
  return total;
}

function descendants(pid) {
  const found = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === pid) found.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // gone
    }
  }
  return found;
}

function rollup(pid) {
  const fields = {};
  for (const p of [pid, ...(NATIVE ? descendants(pid) : [])]) {
    try {
      for (const line of fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8').split('\n')) {
        const match = /^(\w+):\s+(\d+) kB/.exec(line);
        if (match) fields[match[1]] = (fields[match[1]] ?? 0) + Number(match[2]) * 1024;
      }
    } catch {
      // gone
    }
  }
  return fields;
}

/** Waits until the process tree has used under 30 ms of CPU in 1.5 s (at most 60 s). */
async function quiet(pid) {
  const deadline = Date.now() + 60_000;
  let last = treeCpuMs(pid);
  while (Date.now() < deadline) {
    await sleep(1500);
    const now = treeCpuMs(pid);
    if (now - last < 30) return;
    last = now;
  }
}

(async () => {
  const language = NATIVE ? nativePythonLanguage({ executable: process.env.PYTHON_EXECUTABLE || 'python3' }).definition : pythonLanguage();
  const kernel = await createTestKernel({ languages: [language], manager: { warmProcesses: 0 } });
  const first = await notebookWith(kernel, 'owner', ['x = 1'], 'python');
  await first.run(0);
  const pid = kernel.manager.processMemory().find((p) => p.owner === 'owner').pid;
  await quiet(pid);
  const one = rollup(pid);
  const steps = [];
  for (let i = 0; i < 3; i++) {
    const further = await notebookWith(kernel, 'owner', ['y = 1'], 'python');
    await further.run(0);
    await quiet(pid);
    steps.push(rollup(pid));
  }
  const four = steps[2];
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const growth = (key) => mb((four[key] - one[key]) / 3);
  report(`memory per further notebook (${NATIVE ? 'native CPython in bubblewrap' : 'Pyodide'}; one owner's kernel process, PSS from /proc/<pid>/smaps_rollup)`, {
    'kernel process, 1 notebook + warm spare, PSS': mb(one.Pss),
    '... 2 notebooks + spare': mb(steps[0].Pss),
    '... 3 notebooks + spare': mb(steps[1].Pss),
    '... 4 notebooks + spare': mb(four.Pss),
    'each further notebook, PSS (mean of 3)': growth('Pss'),
    '  of which anonymous (heap, wasm memory)': growth('Pss_Anon'),
    '  of which file-backed': growth('Pss_File'),
    'target': '< 35 MB',
  });
  await kernel.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
