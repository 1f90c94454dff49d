/**
 * Issue 19 item 5, over HTTP on the real server: one notebook cannot grow
 * without bound (cells, code, stored outputs) and one user cannot fill the
 * storage (notebooks, bytes). Each refusal names its limit.
 */
import { MemoryNotebookStore } from '@rnb/core';
import { StaticTokenAuth, startTestServer, type TestServer } from './test-support/harness';

const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob' });

async function newNotebook(server: TestServer, token: string): Promise<{ status: number; id: string; body: any }> {
  const response = await server.request('POST', '/api/notebooks', { token, body: {} });
  return { status: response.status, id: response.body?.notebook_id, body: response.body };
}

describe('limits of one notebook', () => {
  let server: TestServer;
  const store = new MemoryNotebookStore();
  beforeAll(async () => {
    server = await startTestServer({
      auth,
      store,
      limits: { notebooks: { maxCells: 3, maxNotebookCodeChars: 2500, maxStoredOutputChars: 1200 } },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
  });

  it('refuses a cell past MAX_CELLS_PER_NOTEBOOK with 413, naming the limit', async () => {
    const { id } = await newNotebook(server, 'ann-token');
    for (let i = 0; i < 2; i++) expect((await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ann-token', body: { type: 'fake' } })).status).toBe(201);
    const refused = await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ann-token', body: { type: 'fake' } });
    expect(refused.status).toBe(413);
    expect(refused.body.error).toEqual({ code: 'RNB_ERR_NOTEBOOK_TOO_LARGE', message: 'A notebook holds at most 3 cells; this one is full.' });
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells).toHaveLength(3);
  });

  it('refuses code past MAX_NOTEBOOK_CODE_CHARS in all cells with 413, and changes nothing', async () => {
    const { id } = await newNotebook(server, 'ann-token');
    const cells: string[] = [(await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[0].id];
    for (let i = 0; i < 2; i++) cells.push((await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ann-token', body: { type: 'fake' } })).body.cell_id);
    const code = `x = "${'a'.repeat(990)}"`;
    expect((await server.request('PUT', `/api/notebooks/${id}/cells/${cells[0]}`, { token: 'ann-token', body: { code } })).status).toBe(200);
    expect((await server.request('PUT', `/api/notebooks/${id}/cells/${cells[1]}`, { token: 'ann-token', body: { code: code.replace('x', 'y') } })).status).toBe(200);
    const refused = await server.request('PUT', `/api/notebooks/${id}/cells/${cells[2]}`, { token: 'ann-token', body: { code: code.replace('x', 'z') } });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('RNB_ERR_NOTEBOOK_TOO_LARGE');
    expect(refused.body.error.message).toMatch(/at most 2,500 characters of code in all/);
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[2].code).toBe('');
    // Shrinking is always allowed.
    expect((await server.request('PUT', `/api/notebooks/${id}/cells/${cells[0]}`, { token: 'ann-token', body: { code: 'x = 1' } })).status).toBe(200);
  });

  it('stores a note instead of the largest outputs past MAX_NOTEBOOK_OUTPUT_CHARS; the save and the cells go on', async () => {
    const { id } = await newNotebook(server, 'ann-token');
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[0].id as string;
    const second = (await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ann-token', body: { type: 'fake' } })).body.cell_id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${first}`, { token: 'ann-token', body: { code: `print "${'b'.repeat(900)}"` } });
    await server.request('PUT', `/api/notebooks/${id}/cells/${second}`, { token: 'ann-token', body: { code: `print "${'c'.repeat(400)}"` } });
    for (const cell of [first, second]) expect((await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' })).status).toBe(202);
    await server.notebooks.service.whenIdle('ann', id);
    const live = (await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells;
    expect(live.map((c: { status: string }) => c.status)).toEqual(['success', 'success']);
    expect(live[0].stdout).toHaveLength(901);
    const stored = (await store.get('ann', id)).cells;
    expect(stored[0]!.stdout).toBe('');
    expect(stored[0]!.outputs).toEqual([{ mime_type: 'text/plain', data: 'Output of 1 KB not stored: a notebook keeps at most 1 KB of outputs in storage. Run the cell again to see it.' }]);
    expect(stored[1]!.stdout).toBe(`${'c'.repeat(400)}\n`);
  });
});

describe('limits of one user', () => {
  it('refuses a notebook past MAX_NOTEBOOKS_PER_USER with 409, and only for that user', async () => {
    const server = await startTestServer({ auth, limits: { notebooks: { maxNotebooksPerUser: 2 } } });
    try {
      for (let i = 0; i < 2; i++) expect((await newNotebook(server, 'ann-token')).status).toBe(201);
      const refused = await newNotebook(server, 'ann-token');
      expect(refused.status).toBe(409);
      expect(refused.body.error).toEqual({ code: 'RNB_ERR_QUOTA_EXCEEDED', message: 'You have 2 notebooks, the most one user may hold (2): delete some first.' });
      expect((await newNotebook(server, 'bob-token')).status).toBe(201);
      // Deleting one makes room again.
      const [first] = (await server.request('GET', '/api/notebooks', { token: 'ann-token' })).body.notebooks;
      expect((await server.request('DELETE', `/api/notebooks/${first.id}`, { token: 'ann-token' })).status).toBe(204);
      expect((await newNotebook(server, 'ann-token')).status).toBe(201);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('refuses growth past MAX_USER_BYTES with 409 naming the limit, while another user goes on', async () => {
    const server = await startTestServer({ auth, store: new MemoryNotebookStore(), limits: { notebooks: { maxUserBytes: 8 * 1024 } } });
    try {
      const { id } = await newNotebook(server, 'ann-token');
      let refused: any = null;
      for (let i = 0; i < 20 && !refused; i++) {
        const response = await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ann-token', body: { type: 'fake', code: `v${i} = "${'d'.repeat(1000)}"` } });
        if (response.status !== 201) refused = response;
      }
      expect(refused?.status).toBe(409);
      expect(refused.body.error.code).toBe('RNB_ERR_QUOTA_EXCEEDED');
      expect(refused.body.error.message).toMatch(/one user's notebooks may take at most 8 KB/);
      const bob = await newNotebook(server, 'bob-token');
      expect(bob.status).toBe(201);
      expect((await server.request('POST', `/api/notebooks/${bob.id}/cells`, { token: 'bob-token', body: { type: 'fake', code: 'x = 1' } })).status).toBe(201);
    } finally {
      await server.close();
    }
  }, 30_000);
});
