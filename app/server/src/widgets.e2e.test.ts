/**
 * Widgets end to end with the real Python plugin (Pyodide in the sandboxed
 * kernel) and socket.io clients: a value set by one client reaches the
 * kernel, re-runs the readers of the widget's names (not the cell that made
 * it), reaches every client, is kept with the notebook (a reload, a new
 * kernel, a new server on the same storage), and bad values are refused.
 */
import pythonPlugin from '@rnb/plugin-python';
import sqlPlugin from '@rnb/plugin-sql';
import { KernelSession, MemoryNotebookStore } from '@rnb/core';
import { StaticTokenAuth, startTestServer, type TestClient, type TestServer } from './test-support/harness';

const DEFINING = 'from rnb import ui\nprint("defining cell ran")\nthreshold = ui.slider(0, 100, value=10, label="Threshold")\nthreshold';
const READER = 'doubled = threshold.value * 2\ndoubled';
const DESCENDANT = 'f"twice is {doubled}"';

describe('widgets bound to variables', () => {
  const store = new MemoryNotebookStore();
  let server: TestServer;
  let notebookId: string;
  let cells: { defining: string; reader: string; descendant: string; sql: string };

  beforeAll(async () => {
    server = await startTestServer({ plugins: [pythonPlugin(), sqlPlugin()], store });
    notebookId = (await server.request('POST', '/api/notebooks', { body: { name: 'widgets' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${notebookId}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${notebookId}/cells/${first}`, { body: { code: DEFINING } });
    const reader = (await server.request('POST', `/api/notebooks/${notebookId}/cells`, { body: { type: 'python', code: READER } })).body.cell_id as string;
    const descendant = (await server.request('POST', `/api/notebooks/${notebookId}/cells`, { body: { type: 'python', code: DESCENDANT } })).body.cell_id as string;
    const sql = (await server.request('POST', `/api/notebooks/${notebookId}/cells`, { body: { type: 'sql', code: 'SELECT {threshold} * 3 AS tripled' } })).body.cell_id as string;
    cells = { defining: first, reader, descendant, sql };
  }, 60_000);
  afterAll(() => server?.close());

  async function joined(on: TestServer = server): Promise<TestClient> {
    const client = on.connect(notebookId);
    await client.waitFor('authenticated');
    return client;
  }

  const widgetId = (): string => `${cells.defining}:0`;

  it('sets the value in the kernel, re-runs the readers and their descendants (never the defining cell), and tells every client', async () => {
    const first = await joined();
    const second = await joined();
    first.emit('run_cell', { cellId: cells.defining });
    await first.waitForStatus(cells.descendant, 'success', 60_000);
    await first.waitForStatus(cells.sql, 'success', 60_000);
    expect((await first.waitFor('cell_output', (p) => p.cellId === cells.defining)).output).toMatchObject({
      mime_type: 'application/vnd.rnb.widget+json',
      data: { widget_id: widgetId(), kind: 'slider', value: 10, props: { start: 0, stop: 100, step: 1, label: 'Threshold' } },
    });
    await second.waitForStatus(cells.descendant, 'success', 30_000);
    await second.waitForStatus(cells.sql, 'success', 30_000);
    first.clear();
    second.clear();

    expect(await first.ask('set_widget_value', { widget_id: widgetId(), value: 42 })).toEqual({ ok: true, value: { value: 42, names: ['threshold'] } });
    for (const client of [first, second]) {
      expect(await client.waitFor('widget_value')).toEqual({ cellId: cells.defining, widget_id: widgetId(), value: 42 });
      expect((await client.waitFor('cell_output', (p) => p.cellId === cells.reader, 30_000)).output).toEqual({ mime_type: 'text/plain', data: '84' });
      expect((await client.waitFor('cell_output', (p) => p.cellId === cells.descendant, 30_000)).output).toEqual({ mime_type: 'text/plain', data: "'twice is 84'" });
      // SQL reads the widget as its value.
      expect((await client.waitFor('cell_output', (p) => p.cellId === cells.sql, 30_000)).output.data).toMatchObject({ columns: ['tripled'], rows: [[126]] });
    }
    await first.waitForStatus(cells.descendant, 'success');
    expect(first.named('cell_status').filter((p) => p.cellId === cells.defining)).toEqual([]);
    expect(first.named('cell_stdout').filter((p) => p.cellId === cells.defining)).toEqual([]);

    // A reload shows the value the user set.
    const view = (await server.request('GET', `/api/notebooks/${notebookId}`)).body;
    expect(view.cells[0].outputs[0].data.value).toBe(42);
  }, 90_000);

  it('sends a later move and the run of its readers to the kernel in one message', async () => {
    const client = await joined();
    const calls = jest.spyOn(KernelSession.prototype, 'call');
    const runs = jest.spyOn(KernelSession.prototype, 'run');
    try {
      expect(await client.ask('set_widget_value', { widget_id: widgetId(), value: 43 })).toEqual({ ok: true, value: { value: 43, names: ['threshold'] } });
      expect((await client.waitFor('cell_output', (p) => p.cellId === cells.reader && p.output.data === '86', 30_000)).output.data).toBe('86');
      await client.waitForStatus(cells.descendant, 'success', 30_000);
      // No runtime call of its own: the value went ahead of the readers' plan, in the run's message.
      expect(calls.mock.calls.filter(([, method]) => method === 'set_widget_value')).toEqual([]);
      const withValue = runs.mock.calls.filter(([, , asks]) => asks?.some((ask) => ask.method === 'set_widget_value'));
      expect(withValue).toHaveLength(1);
      expect(withValue[0]![1].map((item) => item.cellId)).toEqual(expect.arrayContaining([cells.reader, cells.descendant]));
      expect(withValue[0]![1].map((item) => item.cellId)).not.toContain(cells.defining);
    } finally {
      calls.mockRestore();
      runs.mockRestore();
    }
  }, 60_000);

  it("answers a client that takes batches after the widget_value the move emitted (the page's slider relies on it)", async () => {
    const batched = server.connect(notebookId, { auth: { batch: true } });
    await batched.waitFor('authenticated');
    const widgetValues = () => (batched.named('events') as { events: { type: string; value?: unknown }[] }[]).flatMap((b) => b.events).filter((e) => e.type === 'widget_value');
    for (const value of [44, 45, 46]) {
      expect(await batched.ask('set_widget_value', { widget_id: widgetId(), value })).toEqual({ ok: true, value: { value, names: ['threshold'] } });
      expect(widgetValues().map((e) => e.value)).toContain(value);
    }
    // Settle before the next test: the last move's run (reader shows 92) must end, not an earlier move's.
    type Event = { type: string; cellId?: string; status?: string; output?: { data?: unknown } };
    const lastRunEnded = (): boolean => {
      const events = (batched.named('events') as { events: Event[] }[]).flatMap((b) => b.events);
      const shown = events.findIndex((e) => e.type === 'cell_output' && e.cellId === cells.reader && e.output?.data === '92');
      return shown >= 0 && events.slice(shown).some((e) => e.cellId === cells.descendant && e.status === 'success');
    };
    await batched.waitFor('events', lastRunEnded, 30_000);
    batched.close();
  }, 60_000);

  it('takes the same value over HTTP, snapped to the widget\'s step', async () => {
    const client = await joined();
    const answer = await server.request('PUT', `/api/notebooks/${notebookId}/widgets/${encodeURIComponent(widgetId())}`, { body: { value: 20.4 } });
    expect(answer).toMatchObject({ status: 200, body: { value: 20, names: ['threshold'] } });
    expect((await client.waitFor('cell_output', (p) => p.cellId === cells.reader, 30_000)).output.data).toBe('40');
    await client.waitForStatus(cells.descendant, 'success', 30_000);
  }, 60_000);

  it('refuses oversized, malformed and out-of-range values with clear errors', async () => {
    const client = await joined();
    expect(await client.ask('set_widget_value', { widget_id: widgetId(), value: 'x'.repeat(50_000) })).toEqual({
      error: { code: 'RNB_ERR_PAYLOAD_TOO_LARGE', message: 'The widget value has 50002 characters of JSON; a widget value takes at most 49152.' },
    });
    expect(await client.ask('set_widget_value', { value: 1 })).toMatchObject({ error: { code: 'RNB_ERR_INVALID_INPUT', message: expect.stringMatching(/^set_widget_value: .*widget_id/) } });
    expect(await client.ask('set_widget_value', { widget_id: 'no-colon', value: 1 })).toMatchObject({ error: { code: 'RNB_ERR_INVALID_INPUT', message: expect.stringMatching(/widget_id is "<defining cell id>:<index>"/) } });
    expect(await client.ask('set_widget_value', { widget_id: 'nope:0', value: 1 })).toMatchObject({ error: { code: 'RNB_ERR_CELL_NOT_FOUND' } });
    expect(await client.ask('set_widget_value', { widget_id: widgetId(), value: 200 })).toEqual({
      error: { code: 'RNB_ERR_RUNTIME_CALL_FAILED', message: expect.stringContaining('slider value 200 is outside 0..100') },
    });
    const http = await server.request('PUT', `/api/notebooks/${notebookId}/widgets/${encodeURIComponent(widgetId())}`, { body: { value: 'y'.repeat(50_000) } });
    expect(http).toMatchObject({ status: 413, body: { error: { code: 'RNB_ERR_PAYLOAD_TOO_LARGE' } } });
    expect((await server.request('PUT', `/api/notebooks/${notebookId}/widgets/${encodeURIComponent(widgetId())}`, { body: {} })).status).toBe(400);
    // The refused values changed nothing.
    expect((await server.request('GET', `/api/notebooks/${notebookId}`)).body.cells[0].outputs[0].data.value).toBe(20);
  }, 60_000);

  it('takes a file upload into the kernel as bytes, refusing one over the widget\'s max_size with its reason', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'upload' } })).body.notebook_id as string;
    const definer = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${definer}`, { body: { code: 'from rnb import ui\nupload = ui.file(max_size=1000, label="CSV")\nupload' } });
    const reader = (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'python', code: '[(f["name"], f["contents"].decode()) for f in upload.value]' } })).body.cell_id as string;
    const client = server.connect(id);
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: definer });
    await client.waitForStatus(reader, 'success', 60_000);
    client.clear();
    const file = (name: string, text: string) => ({ name, type: 'text/csv', size: text.length, data: Buffer.from(text).toString('base64') });
    expect(await client.ask('set_widget_value', { widget_id: `${definer}:0`, value: [file('a.csv', 'x,y\n1,2')] })).toMatchObject({ ok: true, value: { names: ['upload'] } });
    expect((await client.waitFor('cell_output', (p) => p.cellId === reader, 30_000)).output.data).toBe("[('a.csv', 'x,y\\n1,2')]");
    expect(await client.ask('set_widget_value', { widget_id: `${definer}:0`, value: [file('big.csv', 'z'.repeat(1500))] })).toEqual({
      error: { code: 'RNB_ERR_RUNTIME_CALL_FAILED', message: expect.stringContaining('big.csv has 1,500 bytes; this upload takes at most 1,000') },
    });
  }, 90_000);

  it('on a new kernel, a moved widget runs its defining cell, which applies the value', async () => {
    const client = await joined();
    client.emit('restart_kernel', {});
    await client.waitFor('kernel_restarted');
    client.clear();
    // The new kernel may have to load Pyodide first (no warm one left): a generous wait.
    expect(await client.ask('set_widget_value', { widget_id: widgetId(), value: 30 }, 60_000)).toEqual({ ok: true, value: { value: 30, names: [] } });
    expect((await client.waitFor('cell_output', (p) => p.cellId === cells.defining, 60_000)).output.data.value).toBe(30);
    expect((await client.waitFor('cell_output', (p) => p.cellId === cells.reader, 30_000)).output.data).toBe('60');
    await client.waitForStatus(cells.descendant, 'success', 30_000);
  }, 90_000);

  it('keeps the value with the notebook: a new server on the same storage runs the defining cell with it', async () => {
    await server.close();
    server = await startTestServer({ plugins: [pythonPlugin(), sqlPlugin()], store });
    const view = (await server.request('GET', `/api/notebooks/${notebookId}`)).body;
    expect(view.cells[0].outputs[0].data.value).toBe(30);
    const client = await joined();
    client.emit('run_cell', { cellId: cells.defining });
    expect((await client.waitFor('cell_output', (p) => p.cellId === cells.defining, 60_000)).output.data.value).toBe(30);
    expect((await client.waitFor('cell_output', (p) => p.cellId === cells.reader, 30_000)).output.data).toBe('60');
    await client.waitForStatus(cells.descendant, 'success', 30_000);
  }, 120_000);
});

describe('widget values and who may set them', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth: new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob' }) });
  });
  afterAll(() => server?.close());

  it("refuses another user's notebook as not found, over the socket and HTTP", async () => {
    const id = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: { name: 'private' } })).body.notebook_id as string;
    const cellId = (await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[0].id as string;
    const http = await server.request('PUT', `/api/notebooks/${id}/widgets/${encodeURIComponent(`${cellId}:0`)}`, { token: 'bob-token', body: { value: 1 } });
    expect(http).toMatchObject({ status: 404, body: { error: { code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' } } });
    const intruder = server.connect(id, { token: 'bob-token' });
    intruder.emit('set_widget_value', { widget_id: `${cellId}:0`, value: 1 });
    expect(await intruder.waitFor('error')).toMatchObject({ code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
  });
});
