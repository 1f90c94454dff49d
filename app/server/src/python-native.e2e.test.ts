import { spawnSync } from 'node:child_process';
import pythonPlugin from '@rnb/plugin-python';
import sqlPlugin from '@rnb/plugin-sql';
import { describeNeeding } from '@rnb/core/testing';
import { startTestServer, type TestServer } from './test-support/harness';

const PYTHON = '/usr/bin/python3';

function missing(): string | null {
  if (spawnSync('bwrap', ['--version']).status !== 0) return 'bubblewrap is not installed (apt-get install -y bubblewrap)';
  if (spawnSync(PYTHON, ['-c', 'import numpy, pandas, matplotlib']).status !== 0) return `${PYTHON} lacks numpy, pandas or matplotlib (apt-get install -y python3-numpy python3-pandas python3-matplotlib)`;
  return null;
}

/** PYTHON_RUNTIME=native through the real server: HTTP edits, a socket client, pandas, SQL reading a DataFrame, a plot. */
describeNeeding('with the native Python runtime', missing(), () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ plugins: [pythonPlugin(), sqlPlugin()], config: { PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: PYTHON } });
  }, 60_000);
  afterAll(() => server.close());

  it('runs pandas, a SQL cell over the DataFrame, a Python cell over the SQL result, and a matplotlib plot', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'native' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
    await server.request('PUT', `/api/notebooks/${id}/cells/${first.id}`, {
      body: { code: 'import pandas as pd\ndf = pd.DataFrame({"city": ["Oslo", "Lima", "Pune"], "people": [709000, 10000000, 7000000]})\ndf' },
    });
    const add = async (type: string, code: string): Promise<string> => (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type, code } })).body.cell_id as string;
    const sql = await add('sql', '-- name: big\nSELECT city, people FROM df WHERE people > 1000000 ORDER BY people');
    const back = await add('python', 'print(type(big).__name__, list(big["city"]))');
    const plot = await add('python', 'import matplotlib.pyplot as plt\nplt.bar(df["city"], df["people"])\nNone');

    const client = server.connect(id);
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: first.id });
    const table = await client.waitFor('cell_output', (p) => p.cellId === first.id, 60_000);
    expect(table.output).toEqual({
      mime_type: 'application/vnd.notebook.table+json',
      data: { type: 'table', columns: ['city', 'people'], rows: [['Oslo', 709000], ['Lima', 10000000], ['Pune', 7000000]] },
      // dtypes, the index's width and pandas' own text (plugins/python/README.md, "Rich output").
      metadata: expect.objectContaining({ column_types: ['object', 'int64'], index_columns: 0 }),
    });
    const selected = await client.waitFor('cell_output', (p) => p.cellId === sql, 30_000);
    expect(selected.output.data.rows).toEqual([['Pune', 7000000], ['Lima', 10000000]]);
    expect((await client.waitFor('cell_stdout', (p) => p.cellId === back, 30_000)).data).toBe("DataFrame ['Pune', 'Lima']\n");
    const png = await client.waitFor('cell_output', (p) => p.cellId === plot, 30_000);
    expect(png.output.mime_type).toBe('image/png');
    expect(Buffer.from(png.output.data as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
    await client.waitForStatus(plot, 'success');
    expect(server.logs.some((line) => line.includes('native CPython'))).toBe(true);
  }, 90_000);

  it('gives a Python cell a SQL result as a DataFrame (NULL as missing) and SQL a DataFrame with NaN, dates and strings as rows', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'tables' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
    await server.request('PUT', `/api/notebooks/${id}/cells/${first.id}`, {
      body: { code: 'import pandas as pd\nframe = pd.DataFrame({"n": [1, 2, 3], "x": [0.5, float("nan"), float("inf")], "day": pd.to_datetime(["2024-01-02", None, "2024-03-04"]), "s": ["a", None, "c"]})' },
    });
    const add = async (type: string, code: string): Promise<string> => (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type, code } })).body.cell_id as string;
    const sql = await add('sql', '-- name: picked\nSELECT n, x, s FROM frame ORDER BY n');
    const back = await add('python', 'print(type(picked).__name__, list(picked.columns), picked["n"].tolist(), picked["x"].isna().tolist(), picked["s"].tolist())');
    const client = server.connect(id);
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: first.id });
    const selected = await client.waitFor('cell_output', (p) => p.cellId === sql, 30_000);
    expect(selected.output.data.rows).toEqual([[1, 0.5, 'a'], [2, null, null], [3, null, 'c']]);
    expect((await client.waitFor('cell_stdout', (p) => p.cellId === back, 30_000)).data).toBe("DataFrame ['n', 'x', 's'] [1, 2, 3] [False, True, True] ['a', None, 'c']\n");
    const days = await add('sql', 'SELECT day FROM frame ORDER BY n');
    client.emit('run_cell', { cellId: days });
    const dates = await client.waitFor('cell_output', (p) => p.cellId === days, 30_000);
    expect(dates.output.data.rows).toEqual([['2024-01-02T00:00:00'], [null], ['2024-03-04T00:00:00']]);
  }, 90_000);
});
