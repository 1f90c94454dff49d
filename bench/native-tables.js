// Tables crossing languages on the native Python runtime (CPython in bubblewrap), through the whole server at a socket.io
// client: a 100,000-row SQL result read by a Python cell (it arrives as a pandas DataFrame) and a 100,000-row DataFrame
// read by a SQL cell (SELECT COUNT(*)), beside floors measured in the same CPython: pandas.DataFrame.from_records on the
// rows already in Python, and DataFrame.to_dict("records").
// Needs bwrap and Debian's python3 with pandas (apt-get install -y bubblewrap python3-pandas).
// Run: npm run build:ts && node bench/native-tables.js [rows=100000] [rounds=5]
'use strict';
const { percentile, ms, report, embeddedServer } = require('./lib');

const ROWS = Number(process.argv[2]) || 100_000;
const ROUNDS = Number(process.argv[3]) || 5;
const PYTHON = '/usr/bin/python3';

async function startServer() {
  const { MemoryNotebookStore } = require('@rnb/core');
  const pythonPlugin = require('@rnb/plugin-python').default;
  const sqlPlugin = require('@rnb/plugin-sql').default;
  const { silentLogger } = require('@rnb/server');
  const { notebooks, server } = await embeddedServer({
    plugins: [pythonPlugin(), sqlPlugin()],
    store: new MemoryNotebookStore(),
    logger: silentLogger,
    kernels: { warmProcesses: 1 },
    config: { PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: PYTHON },
  });
  return { notebooks, server, url: `http://127.0.0.1:${server.address().port}` };
}

(async () => {
  const { io } = require('socket.io-client');
  const host = await startServer();
  const service = host.notebooks.service;
  const view = await service.createNotebook('local', { name: 'tables' });
  const cells = [
    ['python', `import pandas as pd, numpy as np\nsrc = pd.DataFrame({"id": np.arange(${ROWS}), "price": np.random.rand(${ROWS}), "name": ["n%d" % i for i in range(${ROWS})]})`],
    ['sql', '-- name: rows\nSELECT * FROM src'],
    ['python', 'n_rows = len(rows)\ntype(rows).__name__'],
    ['python', 'frame = src'],
    ['sql', 'SELECT COUNT(*) AS n FROM frame'],
    ['python', 'alone = 1'],
    ['python', [
      'import time, json',
      'records = src.to_dict("records")',
      'def best(f):',
      '    times = []',
      '    for _ in range(3):',
      '        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)',
      '    return min(times) * 1000',
      'print(json.dumps({"from_records": best(lambda: pd.DataFrame.from_records(records)), "to_dict": best(lambda: src.to_dict("records"))}))',
    ].join('\n')],
  ];
  const ids = [view.cells[0].id];
  await service.updateCell('local', view.id, ids[0], { code: cells[0][1] });
  for (let i = 1; i < cells.length; i++) ids.push((await service.createCell('local', view.id, { type: cells[i][0], code: cells[i][1], afterCellId: ids[i - 1] })).id);
  const socket = io(host.url, { auth: { notebookId: view.id }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve) => socket.once('authenticated', resolve));
  const stdout = {};
  socket.on('cell_stdout', (p) => (stdout[p.cellId] = (stdout[p.cellId] ?? '') + p.data));
  const run = (from, until = from) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const onStatus = (payload) => {
        if (payload.cellId !== ids[until] || (payload.status !== 'success' && payload.status !== 'error')) return;
        socket.off('cell_status', onStatus);
        if (payload.status === 'error') reject(new Error(`cell ${until} failed`));
        else resolve({ total: performance.now() - started, cell: payload.duration_ms });
      };
      socket.on('cell_status', onStatus);
      socket.emit('run_cell', { cellId: ids[from] });
    });
  await run(0, 2); // builds src, selects it into rows, reads rows
  const times = async (from, until) => {
    const list = [];
    for (let i = 0; i < ROUNDS; i++) list.push(await run(from, until));
    return { total: percentile(list.map((r) => r.total), 50), cell: percentile(list.map((r) => r.cell), 50) };
  };
  const sqlToPython = await times(2, 2);
  const pythonToSql = await times(3, 4);
  const trivial = await times(5, 5);
  await run(6);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const floor = JSON.parse(stdout[ids[6]].trim().split('\n').pop());
  report(`tables across languages on native CPython, ${ROWS.toLocaleString('en')} rows (id int, price float, name str), median of ${ROUNDS}, at a socket.io client`, {
    'SQL result -> Python cell (arrives as a DataFrame): the cell\'s run in the kernel (duration_ms)': ms(sqlToPython.cell),
    '  the same, end to end at the client': ms(sqlToPython.total),
    'floor: pandas.DataFrame.from_records on the rows already in CPython': ms(floor.from_records),
    'DataFrame -> SQL cell (SELECT COUNT(*) over it): the SQL cell\'s run in the kernel (duration_ms)': ms(pythonToSql.cell),
    '  the same, end to end at the client (after a trivial Python cell that rebinds the frame)': ms(pythonToSql.total),
    'floor: DataFrame.to_dict("records") in CPython': ms(floor.to_dict),
    'a trivial Python cell alone: in the kernel / end to end': `${ms(trivial.cell)} / ${ms(trivial.total)}`,
  });
  socket.close();
  await host.notebooks.close();
  host.server.close();
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
