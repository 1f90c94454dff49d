// Python completions through the whole server: a socket.io client sends `runtime_call` (method `complete`) and waits for the
// acknowledgement carrying the answer, on a warm kernel (real Pyodide in the sandboxed kernel process). Beside it, the floor:
// the same round trip for a no-op call (`ping`), so the figure splits into the channel's cost and the completer's.
// Target (issue 20): p95 < 50 ms. Run: npm run build:ts && node bench/completions.js [requests=300]
'use strict';
const { percentile, ms, report, pythonNotebookChannel } = require('./lib');

const REQUESTS = Number(process.argv[2]) || 300;

/** What a user types, as the page sends it: the text before the cursor. */
const TYPED = [
  'import math\nx = math.sq',
  'y = my_va',
  'frame.',
  'frame.me',
  'total = su',
  'pri',
  'math.',
  'import math\nfor i in range(3):\n    print(math.fl',
];

(async () => {
  const { notebooks, notebookId, lastCellId, socket, ask, close } = await pythonNotebookChannel('completions', [
    'import math',
    'my_value = 1\nmy_variable = [1, 2]',
    // A table-like object: 40 columns as attributes plus methods, like a DataFrame's dir().
    'class Frame:\n    def __init__(self):\n        for i in range(40): setattr(self, f"col_{i}", i)\n    def mean(self): pass\n    def median(self): pass\nframe = Frame()',
  ]);
  const complete = (code) => ask('complete', { code, cursor: [...code].length });

  // Warm: the completer's modules imported, the socket's path hot.
  for (const code of TYPED) await complete(code);
  const check = (await complete('import math\nx = math.sq')).value;
  if (!check.options.some((o) => o.label === 'sqrt')) throw new Error('no sqrt offered');

  const completions = [];
  const floor = [];
  let options = 0;
  for (let i = 0; i < REQUESTS; i++) {
    // Interleaved, so both see the same machine load.
    const answer = await complete(TYPED[i % TYPED.length]);
    completions.push(answer.elapsed);
    options += answer.value.options.length;
    floor.push((await ask('ping', null)).elapsed);
  }
  // A completion while a cell computes: Pyodide cannot answer until the cell ends, so the kernel refuses it as busy.
  const spin = (await notebooks.service.createCell('local', notebookId, { type: 'python', code: 'import time\n_t = time.time()\nwhile time.time() - _t < 3: pass', afterCellId: lastCellId })).id;
  socket.emit('run_cell', { cellId: spin });
  await new Promise((resolve) => {
    const onStatus = (p) => p.cellId === spin && p.status === 'running' && (socket.off('cell_status', onStatus), resolve());
    socket.on('cell_status', onStatus);
  });
  const busyStarted = performance.now();
  const busy = await socket.timeout(5000).emitWithAck('runtime_call', { language: 'python', method: 'complete', payload: { code: 'my_va', cursor: 5 } });
  const busyMs = performance.now() - busyStarted;
  if (busy.error?.code !== 'RNB_ERR_RUNTIME_BUSY') throw new Error(`expected busy, got ${JSON.stringify(busy)}`);
  await notebooks.service.whenIdle('local', notebookId);

  report(`server: Python completions, runtime_call "complete" from a socket.io client to its acknowledgement (${REQUESTS} requests, warm kernel)`, {
    'complete: p50': ms(percentile(completions, 50)),
    'complete: p95 (target < 50 ms)': ms(percentile(completions, 95)),
    'complete: max': ms(Math.max(...completions)),
    'floor, no-op call (ping): p50': ms(percentile(floor, 50)),
    'floor, no-op call (ping): p95': ms(percentile(floor, 95)),
    'options per answer (mean)': (options / REQUESTS).toFixed(1),
    'while a cell computes: refused as busy after': ms(busyMs),
  });
  await close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
