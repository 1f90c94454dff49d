import pythonPlugin from '@rnb/plugin-python';
import { startTestServer, type TestServer } from '../test-support/harness';

/** The app view on real Python (Pyodide in the sandboxed kernel): Stop ends `while True: pass`; errors lose their traceback. */
describe('an app of a Python notebook', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ plugins: [pythonPlugin()] });
  });
  afterAll(() => server.close());

  it('stops a viewer\'s endless loop and shows errors as their last line unless the author allows tracebacks', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'py app' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${first}`, { body: { code: 'def divide(a):\n    return a / 0\n\nratio = divide(1)' } });
    const loop = (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'python', code: 'while True:\n    pass' } })).body.cell_id as string;

    const app = server.connect(id, { auth: { app: true } });
    await app.waitFor('app_state');
    await app.ask('run_cell', { cellId: first });
    const short = await app.waitFor('cell_error', (p) => p.cellId === first, 60_000);
    expect(short.error).toBe('ZeroDivisionError: division by zero');

    await app.ask('run_cell', { cellId: loop });
    await app.waitForStatus(loop, 'running', 60_000);
    expect(await app.ask('interrupt', {})).toEqual({ ok: true });
    await app.waitForStatus(loop, 'error', 30_000);
    expect(app.named('cell_error').find((p) => p.cellId === loop).error).toMatch(/KeyboardInterrupt|interrupt/i);

    // With tracebacks allowed, a new viewer session shows the whole of it.
    await server.request('PUT', `/api/notebooks/${id}/app`, { body: { show_tracebacks: true } });
    app.close();
    const again = server.connect(id, { auth: { app: true } });
    await again.waitFor('app_state');
    await again.ask('run_cell', { cellId: first });
    const long = await again.waitFor('cell_error', (p) => p.cellId === first, 60_000);
    expect(long.error).toMatch(/divide[\s\S]*ZeroDivisionError: division by zero/);
  }, 120_000);
});
