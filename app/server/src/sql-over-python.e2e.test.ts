/**
 * SQL over Python values through the real server, at a socket.io client, with real Pyodide and alasql in the
 * sandboxed kernel: a Python list of dicts crosses by columns (plugins/python/python/rnb_columns.py) and the
 * SQL cell's rows are built from them once per definition (plugins/sql/src/runtime/alasql-runner.ts).
 */
import pythonPlugin from '@rnb/plugin-python';
import sqlPlugin from '@rnb/plugin-sql';
import { startTestServer, type TestServer } from './test-support/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ plugins: [pythonPlugin(), sqlPlugin()] });
}, 60_000);
afterAll(() => server.close());

it('a SQL cell reads a Python list of dicts with None, NaN, dates, nested and mixed values, and reads it afresh when the list is defined again', async () => {
  const id = (await server.request('POST', '/api/notebooks', { body: { name: 'sql over python' } })).body.notebook_id as string;
  const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
  const define = (code: string) => server.request('PUT', `/api/notebooks/${id}/cells/${first.id}`, { body: { code } });
  await define(
    'import datetime\n' +
      'sales = [{"region": ["north", "south"][i % 2], "amount": i, "ratio": float("nan") if i == 3 else i / 2, "when": datetime.date(2024, 1, i + 1),\n' +
      '          "extra": None if i % 2 else {"k": [i]}, "mixed": [1, "one", None, True][i % 4]} for i in range(6)]',
  );
  const add = async (code: string): Promise<string> => (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'sql', code } })).body.cell_id as string;
  const totals = await add('SELECT region, COUNT(*) AS n, SUM(amount) AS amount_sum FROM sales GROUP BY region ORDER BY region');
  const rows = await add('SELECT * FROM sales WHERE amount < 4 ORDER BY amount');
  const client = server.connect(id);
  await client.waitFor('authenticated');
  client.emit('run_cell', { cellId: first.id });

  const grouped = await client.waitFor('cell_output', (p) => p.cellId === totals, 60_000);
  expect(grouped.output.data).toEqual({ type: 'table', columns: ['region', 'n', 'amount_sum'], rows: [['north', 3, 6], ['south', 3, 9]] });
  const all = await client.waitFor('cell_output', (p) => p.cellId === rows, 60_000);
  expect(all.output.data).toEqual({
    type: 'table',
    columns: ['region', 'amount', 'ratio', 'when', 'extra', 'mixed'],
    rows: [
      ['north', 0, 0, '2024-01-01', '{"k":[0]}', 1],
      ['south', 1, 0.5, '2024-01-02', null, 'one'],
      ['north', 2, 1, '2024-01-03', '{"k":[2]}', null],
      ['south', 3, 'NaN', '2024-01-04', null, true],
    ],
  });

  // The list defined again: the SQL cells see the new rows, never the ones built for the last definition.
  await define('sales = [{"region": "east", "amount": 100, "ratio": 1.0, "when": None, "extra": None, "mixed": "x"}]');
  client.emit('run_cell', { cellId: first.id });
  const again = await client.waitFor('cell_output', (p) => p.cellId === totals && p.output.data.rows[0]?.[0] === 'east', 60_000);
  expect(again.output.data.rows).toEqual([['east', 1, 100]]);
  const fresh = await client.waitFor('cell_output', (p) => p.cellId === rows && p.output.data.rows.length === 0, 60_000);
  expect(fresh.output.data.rows).toEqual([]);
}, 120_000);
