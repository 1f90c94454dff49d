/**
 * The page → runtime channel end to end: a socket.io client asks the fake
 * language's runtime in the notebook's real kernel process, with the answer
 * in the acknowledgement; HTTP has the same call as a route.
 */
import { StaticTokenAuth, startTestServer, type TestClient, type TestServer } from '../test-support/harness';

const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob' });

describe('runtime calls over socket.io and HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth, kernels: { warmProcesses: 1, limits: { runtimeCallTimeoutMs: 500, interruptGraceMs: 60_000 } } });
  });
  afterAll(() => server.close());

  async function notebookWith(codes: string[]): Promise<{ id: string; cells: string[] }> {
    const token = 'ann-token';
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'runtime calls' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string;
    await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`, { token });
    const cells: string[] = [];
    for (const code of codes) cells.push((await server.request('POST', `/api/notebooks/${id}/cells`, { token, body: { type: 'fake', code } })).body.cell_id);
    return { id, cells };
  }

  async function joined(notebookId: string, token = 'ann-token'): Promise<TestClient> {
    const client = server.connect(notebookId, { token });
    await client.waitFor('authenticated');
    return client;
  }

  it("gives the owner the runtime's answer, over the socket and over HTTP", async () => {
    const nb = await notebookWith(['my_value = 1', 'my_other = 2']);
    const client = await joined(nb.id);
    expect(await client.ask('runtime_call', { language: 'fake', method: 'echo', payload: { q: [1, 'two', null] } })).toEqual({ ok: true, value: { q: [1, 'two', null] } });
    client.emit('run_cell', { cellId: nb.cells[0] });
    client.emit('run_cell', { cellId: nb.cells[1] });
    await client.waitForStatus(nb.cells[1]!, 'success');
    expect(await client.ask('runtime_call', { language: 'fake', method: 'names', payload: { prefix: 'my_' } })).toEqual({ ok: true, value: ['my_other', 'my_value'] });
    // A null answer is an answer.
    expect(await client.ask('runtime_call', { language: 'fake', method: 'set', payload: { name: 'z', value: 1 } })).toEqual({ ok: true, value: null });

    const http = await server.request('POST', `/api/notebooks/${nb.id}/runtime/fake/names`, { token: 'ann-token', body: { payload: { prefix: 'my_v' } } });
    expect(http).toMatchObject({ status: 200, body: { value: ['my_value'] } });
  });

  it("is 404 for another user's notebook", async () => {
    const nb = await notebookWith(['a = 1']);
    const http = await server.request('POST', `/api/notebooks/${nb.id}/runtime/fake/echo`, { token: 'bob-token', body: { payload: 1 } });
    expect(http).toMatchObject({ status: 404, body: { error: { code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' } } });
    const intruder = server.connect(nb.id, { token: 'bob-token' });
    intruder.emit('runtime_call', { language: 'fake', method: 'echo', payload: 1 });
    expect(await intruder.waitFor('error')).toMatchObject({ code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
    expect(intruder.named('authenticated')).toEqual([]);
  });

  it('refuses an oversized request, an unknown language and a malformed one, in the acknowledgement only', async () => {
    const nb = await notebookWith(['a = 1']);
    const client = await joined(nb.id);
    const big = await client.ask('runtime_call', { language: 'fake', method: 'echo', payload: 'x'.repeat(70_000) });
    expect(big).toEqual({ error: { code: 'RNB_ERR_PAYLOAD_TOO_LARGE', message: expect.stringMatching(/at most 65536/) } });
    expect(await client.ask('runtime_call', { language: 'cobol', method: 'echo' })).toMatchObject({ error: { code: 'RNB_ERR_UNKNOWN_LANGUAGE' } });
    expect(await client.ask('runtime_call', { language: 'fake', method: 'nonsense' })).toMatchObject({ error: { code: 'RNB_ERR_RUNTIME_CALL_FAILED' } });
    expect(client.named('error')).toEqual([]);
    expect(await client.ask('runtime_call', { language: 'fake' })).toMatchObject({ error: { code: 'RNB_ERR_INVALID_INPUT' } });
    const http = await server.request('POST', `/api/notebooks/${nb.id}/runtime/fake/echo`, { token: 'ann-token', body: { payload: 'x'.repeat(70_000) } });
    expect(http).toMatchObject({ status: 413, body: { error: { code: 'RNB_ERR_PAYLOAD_TOO_LARGE' } } });
  });

  it('times out a runtime that never answers, and the kernel still runs cells with its values', async () => {
    const nb = await notebookWith(['kept = 20', 'print kept * 2']);
    const client = await joined(nb.id);
    client.emit('run_cell', { cellId: nb.cells[0] });
    // The reader runs too (autorun): wait for it, so the call meets an idle kernel (during a run it would be "busy").
    await client.waitForStatus(nb.cells[1]!, 'success');
    client.clear();
    // The reader's `success` reaches this client a moment before the kernel has closed the run: a call in that moment
    // is answered "busy" (as any call during a run), so it is asked again until it meets the idle kernel.
    let answer = await client.ask('runtime_call', { language: 'fake', method: 'hang' });
    for (let attempt = 0; attempt < 20 && (answer as { error?: { code?: string } }).error?.code === 'RNB_ERR_RUNTIME_BUSY'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await client.ask('runtime_call', { language: 'fake', method: 'hang' });
    }
    expect(answer).toEqual({ error: { code: 'RNB_ERR_RUNTIME_TIMEOUT', message: expect.stringMatching(/within 500 ms/) } });
    client.emit('run_cell', { cellId: nb.cells[1] });
    await client.waitForStatus(nb.cells[1]!, 'success');
    expect(client.named('cell_stdout').map((p) => p.data).join('')).toBe('40\n');
    expect(client.named('kernel_restarted')).toEqual([]);
  });

  it('re-runs the readers of a value set through a runtime call, not its definer (the run_readers_of command)', async () => {
    const nb = await notebookWith(['t = 1', 'print t * 2']);
    const client = await joined(nb.id);
    client.emit('run_cell', { cellId: nb.cells[0] });
    await client.waitForStatus(nb.cells[1]!, 'success');
    client.clear();
    expect(await client.ask('runtime_call', { language: 'fake', method: 'set', payload: { name: 't', value: 21 } })).toEqual({ ok: true, value: null });
    await server.notebooks.commands.dispatch('ann', nb.id, { type: 'run_readers_of', names: ['t'] });
    await client.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '42\n');
    await client.waitForStatus(nb.cells[1]!, 'success');
    expect(client.named('cell_status').filter((p) => p.cellId === nb.cells[0])).toEqual([]);
  });

  it('is refused as busy while a cell computes, and answered again once it stopped', async () => {
    const nb = await notebookWith(['spin']);
    const client = await joined(nb.id);
    client.emit('run_cell', { cellId: nb.cells[0] });
    await client.waitForStatus(nb.cells[0]!, 'running');
    expect(await client.ask('runtime_call', { language: 'fake', method: 'echo', payload: 1 })).toMatchObject({ error: { code: 'RNB_ERR_RUNTIME_BUSY' } });
    await client.ask('interrupt', {});
    await client.waitForStatus(nb.cells[0]!, 'error');
    expect(await client.ask('runtime_call', { language: 'fake', method: 'echo', payload: 2 })).toEqual({ ok: true, value: 2 });
  });
});
