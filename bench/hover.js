// Hover docs and signature help through the whole server: a socket.io client sends `runtime_call` (method `inspect`) and waits
// for the acknowledgement carrying the answer (signature, docstring, type), on a warm kernel (real Pyodide in the sandboxed
// kernel process). Beside it, the floor measured in the same run: the same round trip for a no-op call (`ping`), interleaved.
// Target (issue 25): p95 < 100 ms. Run: npm run build:ts && node bench/hover.js [requests=300]
'use strict';
const http = require('node:http');
const { percentile, ms, report } = require('./lib');

const REQUESTS = Number(process.argv[2]) || 300;

/** What a user hovers or calls: a notebook function, a module function, a method, a builtin, a class, a plain value. */
const NAMES = ['scale', 'math.sqrt', 'frame.mean', 'print', 'Frame', 'my_variable', 'my_variable.append', 'json.dumps', 'sorted'];

(async () => {
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

  const view = await notebooks.service.createNotebook('local', { name: 'hover' });
  const setup = [
    'import math, json',
    'my_variable = [1, 2]',
    'def scale(values, factor: float = 2.0) -> list:\n    """Multiply every value by factor.\n\n    A longer explanation, as real docstrings have.\n    """\n    return [v * factor for v in values]',
    'class Frame:\n    """A table-like object."""\n    def __init__(self):\n        for i in range(40): setattr(self, f"col_{i}", i)\n    def mean(self, axis=0, skipna=True):\n        """Mean of the values over the axis."""\nframe = Frame()',
  ];
  await notebooks.service.updateCell('local', view.id, view.cells[0].id, { code: setup[0] });
  let after = view.cells[0].id;
  for (const code of setup.slice(1)) after = (await notebooks.service.createCell('local', view.id, { type: 'python', code, afterCellId: after })).id;
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

  // Warm, and check the answers are what the page shows.
  for (const name of NAMES) await ask('inspect', { name });
  const check = (await ask('inspect', { name: 'scale' })).value;
  if (check.signature !== '(values, factor: float = 2.0) -> list') throw new Error(`unexpected signature ${JSON.stringify(check)}`);

  const inspections = [];
  const floor = [];
  let docChars = 0;
  for (let i = 0; i < REQUESTS; i++) {
    // Interleaved, so both see the same machine load.
    const answer = await ask('inspect', { name: NAMES[i % NAMES.length] });
    inspections.push(answer.elapsed);
    docChars += answer.value?.doc?.length ?? 0;
    floor.push((await ask('ping', null)).elapsed);
  }

  report(`server: Python hover docs, runtime_call "inspect" from a socket.io client to its acknowledgement (${REQUESTS} requests, warm kernel)`, {
    'inspect: p50': ms(percentile(inspections, 50)),
    'inspect: p95 (target < 100 ms)': ms(percentile(inspections, 95)),
    'inspect: max': ms(Math.max(...inspections)),
    'floor, no-op call (ping): p50': ms(percentile(floor, 50)),
    'floor, no-op call (ping): p95': ms(percentile(floor, 95)),
    'docstring characters per answer (mean)': (docChars / REQUESTS).toFixed(0),
  });
  socket.close();
  await notebooks.close();
  server.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
