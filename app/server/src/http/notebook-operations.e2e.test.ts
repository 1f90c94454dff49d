import { StaticTokenAuth, startTestServer, type TestClient, type TestServer } from '../test-support/harness';

/**
 * Run all, restart the kernel and clear outputs through the real host: over
 * HTTP and as socket events, with the fake language in a real kernel.
 */
jest.setTimeout(60_000);

const ANN = 'ann-token';
const auth = new StaticTokenAuth({ [ANN]: 'ann', 'bob-token': 'bob' });

describe('run all, restart, clear outputs over HTTP and socket.io', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth });
  });
  afterAll(() => server.close());

  async function notebookWith(codes: string[]): Promise<{ id: string; cells: string[] }> {
    const id = (await server.request('POST', '/api/notebooks', { token: ANN, body: { name: 'operations' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body.cells[0].id as string;
    await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`, { token: ANN });
    const cells: string[] = [];
    for (const code of codes) {
      const created = await server.request('POST', `/api/notebooks/${id}/cells`, { token: ANN, body: { type: 'fake', code, ...(cells.length ? { after_cell_id: cells[cells.length - 1] } : {}) } });
      cells.push(created.body.cell_id);
    }
    return { id, cells };
  }

  async function joined(notebookId: string): Promise<TestClient> {
    const client = server.connect(notebookId, { token: ANN });
    await client.waitFor('authenticated');
    return client;
  }

  const cellsOf = async (id: string): Promise<{ status: string; stdout: string; outputs: unknown[]; error: string | null }[]> =>
    (await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body.cells;
  const idle = (id: string): Promise<void> => server.notebooks.service.whenIdle('ann', id);

  it('HTTP: run_all answers 202 and runs every cell; restart answers 200 and leaves them stale; clear_outputs answers 200 and empties them', async () => {
    const nb = await notebookWith(['print total', 'total = base * 2', 'base = 21']);
    const watcher = await joined(nb.id);

    const run = await server.request('POST', `/api/notebooks/${nb.id}/run_all`, { token: ANN });
    expect(run).toMatchObject({ status: 202, body: { queued: true } });
    await idle(nb.id);
    expect((await cellsOf(nb.id)).map((c) => c.status)).toEqual(['success', 'success', 'success']);
    expect((await cellsOf(nb.id))[0]!.stdout).toBe('42\n');

    const restart = await server.request('POST', `/api/notebooks/${nb.id}/restart`, { token: ANN });
    expect(restart).toMatchObject({ status: 200, body: { restarted: true } });
    await watcher.waitFor('kernel_restarted', (p) => p.reason === 'restarted by the user');
    const afterRestart = await cellsOf(nb.id);
    expect(afterRestart.map((c) => c.status)).toEqual(['stale', 'stale', 'stale']);
    expect(afterRestart[0]!.stdout).toBe('42\n');

    const clear = await server.request('POST', `/api/notebooks/${nb.id}/clear_outputs`, { token: ANN });
    expect(clear).toMatchObject({ status: 200, body: { cleared: true } });
    await watcher.waitFor('outputs_cleared');
    expect((await cellsOf(nb.id)).map((c) => [c.status, c.stdout])).toEqual([['stale', ''], ['stale', ''], ['stale', '']]);

    // Another user's notebook is "not found", for each of the three.
    for (const path of ['run_all', 'restart', 'clear_outputs']) {
      expect((await server.request('POST', `/api/notebooks/${nb.id}/${path}`, { token: 'bob-token' })).status).toBe(404);
    }
  });

  it('socket: run_all, restart_kernel and clear_outputs are acknowledged and every client sees their events', async () => {
    const nb = await notebookWith(['a = 5', 'print a * 2', 'a + 1']);
    const one = await joined(nb.id);
    const two = await joined(nb.id);

    expect(await one.ask('run_all', {})).toEqual({ ok: true });
    for (const cell of nb.cells) await two.waitForStatus(cell, 'success');
    expect(two.named('cell_stdout').map((p) => p.data).join('')).toBe('10\n');

    two.clear();
    expect(await one.ask('restart_kernel', {})).toEqual({ ok: true });
    await two.waitFor('kernel_restarted', (p) => p.reason === 'restarted by the user');
    for (const cell of nb.cells) await two.waitForStatus(cell, 'stale');
    // The values are gone: running the reader alone runs its definer first.
    two.clear();
    expect(await one.ask('run_cell', { cellId: nb.cells[1] })).toEqual({ ok: true });
    await two.waitForStatus(nb.cells[1]!, 'success');
    expect(two.named('cell_status').filter((p) => p.status === 'running').map((p) => p.cellId)).toEqual([nb.cells[0], nb.cells[1]]);

    expect(await one.ask('clear_outputs')).toEqual({ ok: true });
    await two.waitFor('outputs_cleared');
    expect((await cellsOf(nb.id)).every((c) => c.stdout === '' && c.outputs.length === 0)).toBe(true);

    // A payload is `{}` or nothing: anything else is refused, and nothing happens.
    expect(await one.ask('run_all', { cellId: nb.cells[0] })).toEqual({ error: { code: 'RNB_ERR_INVALID_INPUT', message: expect.stringContaining('run_all') } });
  });

  it('restart stops a run in progress: the running cell ends stale, a queued cell that never ran is idle, and the notebook is idle again', async () => {
    const nb = await notebookWith(['spin hard', 'late = 1']);
    const watcher = await joined(nb.id);
    watcher.emit('run_all', {});
    await watcher.waitForStatus(nb.cells[0]!, 'running');
    expect((await server.request('POST', `/api/notebooks/${nb.id}/restart`, { token: ANN })).status).toBe(200);
    await idle(nb.id);
    expect((await cellsOf(nb.id)).map((c) => c.status)).toEqual(['stale', 'idle']);
  });
});
