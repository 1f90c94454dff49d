import pythonPlugin from '@rnb/plugin-python';
import { StaticTokenAuth, startTestServer, type TestServer } from '../test-support/harness';

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

/** Widgets in the app view: each signed-in viewer moves their own copy of a slider, in their own kernel. */
describe('widgets in an app of a Python notebook', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ plugins: [pythonPlugin()], auth: new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob', 'cat-token': 'cat' }) });
  });
  afterAll(() => server.close());

  it('two viewers\' sliders are independent: each sees only their own reader\'s result', async () => {
    const token = 'ann-token';
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'slider app' } })).body.notebook_id as string;
    const defining = (await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${defining}`, { token, body: { code: 'from rnb import ui\nthreshold = ui.slider(0, 100, value=10)\nthreshold' } });
    const reader = (await server.request('POST', `/api/notebooks/${id}/cells`, { token, body: { type: 'python', code: 'threshold.value * 2', after_cell_id: defining } })).body.cell_id as string;
    expect((await server.request('PUT', `/api/notebooks/${id}/app`, { token, body: { published: true } })).status).toBe(200);

    const bob = server.connect(id, { token: 'bob-token', auth: { app: true } });
    const cat = server.connect(id, { token: 'cat-token', auth: { app: true } });
    for (const viewer of [bob, cat]) {
      await viewer.waitFor('app_state');
      await viewer.ask('run_all', {});
      expect((await viewer.waitFor('cell_output', (p) => p.cellId === reader, 60_000)).output.data).toBe('20');
      await viewer.waitForStatus(reader, 'success', 30_000);
      viewer.clear();
    }
    const widgetId = `${defining}:0`;
    expect(await bob.ask('set_widget_value', { widget_id: widgetId, value: 30 }, 30_000)).toEqual({ ok: true, value: { value: 30, names: ['threshold'] } });
    expect(await cat.ask('set_widget_value', { widget_id: widgetId, value: 70 }, 30_000)).toEqual({ ok: true, value: { value: 70, names: ['threshold'] } });
    expect(await bob.waitFor('widget_value')).toEqual({ cellId: defining, widget_id: widgetId, value: 30 });
    expect(await cat.waitFor('widget_value')).toEqual({ cellId: defining, widget_id: widgetId, value: 70 });
    expect((await bob.waitFor('cell_output', (p) => p.cellId === reader, 30_000)).output.data).toBe('60');
    expect((await cat.waitFor('cell_output', (p) => p.cellId === reader, 30_000)).output.data).toBe('140');
    await bob.waitForStatus(reader, 'success', 30_000);
    await cat.waitForStatus(reader, 'success', 30_000);
    // Neither saw the other's value, and the defining cell never re-ran (only its readers).
    expect(bob.named('widget_value').map((p) => p.value)).toEqual([30]);
    expect(cat.named('widget_value').map((p) => p.value)).toEqual([70]);
    expect(bob.named('cell_output').map((p) => p.output.data)).toEqual(['60']);
    expect(cat.named('cell_output').map((p) => p.output.data)).toEqual(['140']);
    // The owner's notebook keeps its own value: a viewer's copy is never stored.
    const owner = await server.request('GET', `/api/notebooks/${id}`, { token });
    expect(JSON.stringify(owner.body)).not.toMatch(/"value":(30|70)\b/);
    bob.close();
    cat.close();
  }, 180_000);
});
