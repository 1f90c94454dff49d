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

/**
 * The whole server in this process (Koa, socket.io, the Python plugin, memory storage), a notebook whose cells are
 * `setup` run to success, and a socket.io client on it: what the page→runtime channel benchmarks (hover, completions)
 * measure through. `ask(method, payload)` sends a `runtime_call` and resolves with the answer and its round-trip time.
 */
async function pythonNotebookChannel(name, setup) {
  const http = require('node:http');
  const Koa = require('koa');
  const { io } = require('socket.io-client');
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  const { createNotebookServer, silentLogger } = require('@rnb/server');
  const notebooks = await createNotebookServer({ plugins: [pythonPlugin()], store: new MemoryNotebookStore(), logger: silentLogger });
  const app = new Koa();
  app.use(notebooks.middleware);
  const server = http.createServer(app.callback());
  notebooks.attach(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  const view = await notebooks.service.createNotebook('local', { name });
  await notebooks.service.updateCell('local', view.id, view.cells[0].id, { code: setup[0] });
  let lastCellId = view.cells[0].id;
  for (const code of setup.slice(1)) lastCellId = (await notebooks.service.createCell('local', view.id, { type: 'python', code, afterCellId: lastCellId })).id;
  await notebooks.service.runAll('local', view.id);
  await notebooks.service.whenIdle('local', view.id);
  const nb = await notebooks.service.getNotebook('local', view.id);
  if (nb.cells.some((c) => c.status !== 'success')) throw new Error(`setup failed: ${nb.cells.map((c) => c.error).join(' ')}`);

  const socket = io(url, { auth: { notebookId: view.id }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  const ask = async (method, payload) => {
    const started = performance.now();
    const reply = await socket.timeout(5000).emitWithAck('runtime_call', { language: 'python', method, payload });
    const elapsed = performance.now() - started;
    if (reply.error) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return { elapsed, value: reply.value };
  };
  const close = async () => {
    socket.close();
    await notebooks.close();
    server.close();
  };
  return { notebooks, notebookId: view.id, lastCellId, socket, ask, close };
}

module.exports = { treeCpuMs, percentile, ms, pssBytes, report, pythonNotebookChannel };
