// Hover docs and signature help through the whole server: a socket.io client sends `runtime_call` (method `inspect`) and waits
// for the acknowledgement carrying the answer (signature, docstring, type), on a warm kernel (real Pyodide in the sandboxed
// kernel process). Beside it, the floor measured in the same run: the same round trip for a no-op call (`ping`), interleaved.
// Target (issue 25): p95 < 100 ms. Run: npm run build:ts && node bench/hover.js [requests=300]
'use strict';
const { percentile, ms, report, pythonNotebookChannel } = require('./lib');

const REQUESTS = Number(process.argv[2]) || 300;

/** What a user hovers or calls: a notebook function, a module function, a method, a builtin, a class, a plain value. */
const NAMES = ['scale', 'math.sqrt', 'frame.mean', 'print', 'Frame', 'my_variable', 'my_variable.append', 'json.dumps', 'sorted'];

(async () => {
  const { ask, close } = await pythonNotebookChannel('hover', [
    'import math, json',
    'my_variable = [1, 2]',
    'def scale(values, factor: float = 2.0) -> list:\n    """Multiply every value by factor.\n\n    A longer explanation, as real docstrings have.\n    """\n    return [v * factor for v in values]',
    'class Frame:\n    """A table-like object."""\n    def __init__(self):\n        for i in range(40): setattr(self, f"col_{i}", i)\n    def mean(self, axis=0, skipna=True):\n        """Mean of the values over the axis."""\nframe = Frame()',
  ]);

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
  await close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
