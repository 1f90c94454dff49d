import pythonPlugin from '@rnb/plugin-python';
import { startTestServer, type TestServer } from './test-support/harness';

/** The real Python plugin (Pyodide in the sandboxed kernel) end to end: HTTP edits, socket run, streamed stdout. */
describe('with the real Python plugin', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ plugins: [pythonPlugin()] });
  });
  afterAll(() => server.close());

  it('runs a Python cell and its descendant, streaming stdout and errors to the socket', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'py' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
    expect(first.type).toBe('python');
    const edited = await server.request('PUT', `/api/notebooks/${id}/cells/${first.id}`, { body: { code: 'x = 41' } });
    expect(edited.body).toMatchObject({ writes: ['x'], reads: [] });
    const second = (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'python', code: 'print(x + 1)\nx * 2' } })).body;
    expect(second.cell).toMatchObject({ reads: ['x'], writes: [] });
    const third = (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'python', code: 'y = x / 0' } })).body;

    const client = server.connect(id);
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: first.id });
    expect((await client.waitFor('cell_stdout', (p) => p.cellId === second.cell_id, 60_000)).data).toBe('42\n');
    expect((await client.waitFor('cell_output', (p) => p.cellId === second.cell_id)).output).toMatchObject({ mime_type: 'text/plain', data: '82' });
    const failed = await client.waitFor('cell_error', (p) => p.cellId === third.cell_id);
    expect(failed.error).toMatch(/ZeroDivisionError/);
    // Structured too: the message apart from the runtime's traceback, which is the text users read.
    expect(failed.detail).toMatchObject({ kind: 'runtime', message: 'ZeroDivisionError: division by zero', traceback: failed.error });
    expect(failed.detail.traceback).toMatch(/^Traceback \(most recent call last\):\n {2}File "<cell [^>]+>", line 1, in <module>/);
    await client.waitForStatus(second.cell_id, 'success');
    const cells = (await server.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(cells[2]).toMatchObject({ status: 'error', error: failed.error, error_detail: failed.detail });
    expect(cells[0]).toMatchObject({ error: null, error_detail: null });
  }, 90_000);
});
