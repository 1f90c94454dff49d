import * as Y from 'yjs';
import { executeTool } from '../assistant/tools';
import { StaticTokenAuth, startTestServer, type TestClient, type TestServer } from '../test-support/harness';

/** ann owns the notebooks; ed is her editor, vic her viewer, bob has no share. */
const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'ed-token': 'ed', 'vic-token': 'vic', 'bob-token': 'bob' });

jest.setTimeout(60_000);

describe('sharing: editors edit and run in the owner\'s kernel, viewers only read', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth });
  });
  afterAll(() => server.close());

  async function sharedNotebook(): Promise<{ id: string; cell: string }> {
    const token = 'ann-token';
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'shared' } })).body.notebook_id as string;
    const cell = (await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token, body: { code: 'x = 1' } });
    expect((await server.request('PUT', `/api/notebooks/${id}/shares/ed`, { token, body: { role: 'editor' } })).status).toBe(200);
    const shared = await server.request('PUT', `/api/notebooks/${id}/shares/vic`, { token, body: { role: 'viewer' } });
    expect(shared.body).toEqual({ shares: [{ user_id: 'ed', role: 'editor' }, { user_id: 'vic', role: 'viewer' }] });
    return { id, cell };
  }

  async function joined(id: string, token: string): Promise<TestClient> {
    const client = server.connect(id, { token });
    await client.waitFor('authenticated');
    return client;
  }

  it('lets an editor edit and run (in the owner\'s kernel) and tells each their role', async () => {
    const { id, cell } = await sharedNotebook();
    const owner = await joined(id, 'ann-token');
    const edited = await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ed-token', body: { code: 'x = 2\nprint x' } });
    expect(edited.status).toBe(200);
    const editor = await joined(id, 'ed-token');
    expect(await editor.ask('run_cell', { cellId: cell })).toEqual({ ok: true });
    await owner.waitForStatus(cell, 'success');
    const seen = await server.request('GET', `/api/notebooks/${id}`, { token: 'ed-token' });
    expect([seen.body.role, seen.body.cells[0].stdout]).toEqual(['editor', '2\n']);
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.role).toBe('owner');
    // One kernel: the owner's (what the editor ran counts against the owner's share).
    expect(server.notebooks.kernels.sessionCount).toBeGreaterThan(0);
    // Shares, settings and deletion stay the owner's.
    const refused = await server.request('PUT', `/api/notebooks/${id}/shares/bob`, { token: 'ed-token', body: { role: 'editor' } });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'RNB_ERR_ROLE_FORBIDDEN']);
    expect((await server.request('DELETE', `/api/notebooks/${id}`, { token: 'ed-token' })).status).toBe(403);
  });

  it('refuses every write of a viewer: routes, socket events, runtime calls and assistant tools', async () => {
    const { id, cell } = await sharedNotebook();
    const viewer = await joined(id, 'vic-token');
    const owner = await joined(id, 'ann-token');
    // Reads work, and live events arrive.
    const seen = await server.request('GET', `/api/notebooks/${id}`, { token: 'vic-token' });
    expect([seen.status, seen.body.role, seen.body.cells[0].code]).toEqual([200, 'viewer', 'x = 1']);
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'x = 3' } });
    await viewer.waitFor('cell_updated', (p) => p.cellId === cell || p.cell?.id === cell);

    const writes: [string, string, unknown?][] = [
      ['PUT', `/api/notebooks/${id}/cells/${cell}`, { code: 'x = 666' }],
      ['POST', `/api/notebooks/${id}/cells`, { type: 'fake', code: 'y = 1' }],
      ['DELETE', `/api/notebooks/${id}/cells/${cell}`],
      ['POST', `/api/notebooks/${id}/cells/${cell}/move`, { index: 0 }],
      ['POST', `/api/notebooks/${id}/cells/${cell}/run`],
      ['POST', `/api/notebooks/${id}/run_all`],
      ['POST', `/api/notebooks/${id}/interrupt`],
      ['POST', `/api/notebooks/${id}/restart`],
      ['POST', `/api/notebooks/${id}/clear_outputs`],
      ['POST', `/api/notebooks/${id}/runtime/fake/echo`, { payload: 1 }],
      ['PUT', `/api/notebooks/${id}/name`, { name: 'mine now' }],
      ['PUT', `/api/notebooks/${id}/settings`, { lazy: true }],
      ['PUT', `/api/notebooks/${id}/app`, { published: true }],
      ['GET', `/api/notebooks/${id}/shares`],
      ['PUT', `/api/notebooks/${id}/shares/vic`, { role: 'editor' }],
      ['DELETE', `/api/notebooks/${id}`],
    ];
    for (const [method, path, body] of writes) {
      const answer = await server.request(method, path, { token: 'vic-token', ...(body !== undefined ? { body } : {}) });
      expect([method, path, answer.status, answer.body?.error?.code]).toEqual([method, path, 403, 'RNB_ERR_ROLE_FORBIDDEN']);
    }
    for (const [event, payload] of [['run_cell', { cellId: cell }], ['run_all', {}], ['interrupt', {}], ['restart_kernel', {}], ['clear_outputs', {}]] as const) {
      expect((await viewer.ask(event, payload)).error.code).toBe('RNB_ERR_ROLE_FORBIDDEN');
    }
    expect((await viewer.ask('runtime_call', { language: 'fake', method: 'echo', payload: 1 })).error.code).toBe('RNB_ERR_ROLE_FORBIDDEN');
    // Co-editing: a viewer follows the shared text (sync) but its keystrokes (a real Yjs update) are refused.
    const typed = new Y.Doc();
    const text = new Y.Text();
    typed.getMap('cells').set(cell, text);
    text.insert(0, 'x = 9');
    expect((await viewer.ask('yjs_update', { update: Y.encodeStateAsUpdate(typed) })).error.code).toBe('RNB_ERR_ROLE_FORBIDDEN');
    expect((await viewer.ask('yjs_sync', { state_vector: Y.encodeStateVector(new Y.Doc()) })).ok).toBe(true);
    expect((await viewer.ask('set_widget_value', { widget_id: `${cell}:0`, value: 1 })).error.code).toBe('RNB_ERR_ROLE_FORBIDDEN');
    // A live table's pages are outputs: a viewer may ask for them (the fake runtime has no such method: refused by it, not by the role).
    expect((await viewer.ask('runtime_call', { language: 'fake', method: 'table_page', payload: {} })).error.code).toBe('RNB_ERR_RUNTIME_CALL_FAILED');
    const scope = { owner: 'vic', notebookId: id, signal: new AbortController().signal };
    const deps = { commands: server.notebooks.commands, events: server.notebooks.events, runTimeoutMs: 5000 };
    const read = await executeTool({ id: 't0', name: 'get_notebook_state', input: {} }, scope, deps);
    expect(read.ok).toBe(true);
    for (const [name, input] of [['update_cell', { cell_id: cell, code: 'x = 9' }], ['create_cell', { type: 'fake', code: 'z = 1' }], ['delete_cell', { cell_id: cell }], ['run_cell', { cell_id: cell }], ['run_all', {}], ['restart_kernel', {}], ['clear_outputs', {}]] as const) {
      const outcome = await executeTool({ id: name, name, input }, scope, deps);
      // The model reads the refusal's message (tools report messages, not codes).
      expect([name, outcome.ok, JSON.parse(outcome.content).error]).toEqual([name, false, expect.stringContaining('shared with you as viewer')]);
    }
    const after = await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' });
    expect([after.body.name, after.body.cells.map((c: { code: string }) => c.code)]).toEqual(['shared', ['x = 3']]);
    expect(owner.named('error')).toEqual([]);
  });

  it('answers 404 to a user without a share, over HTTP and on sockets', async () => {
    const { id } = await sharedNotebook();
    const answer = await server.request('GET', `/api/notebooks/${id}`, { token: 'bob-token' });
    expect([answer.status, answer.body.error.code]).toEqual([404, 'RNB_ERR_NOTEBOOK_NOT_FOUND']);
    const stranger = server.connect(id, { token: 'bob-token' });
    expect((await stranger.waitFor('error')).code).toBe('RNB_ERR_NOTEBOOK_NOT_FOUND');
  });

  it('disconnects a revoked user\'s sockets at once, and they get 404 afterwards', async () => {
    const { id } = await sharedNotebook();
    const editor = await joined(id, 'ed-token');
    const viewer = await joined(id, 'vic-token');
    const revoked = await server.request('DELETE', `/api/notebooks/${id}/shares/ed`, { token: 'ann-token' });
    expect(revoked.body).toEqual({ shares: [{ user_id: 'vic', role: 'viewer' }] });
    await editor.waitFor('disconnect');
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ed-token' })).status).toBe(404);
    // The viewer stays.
    expect(viewer.disconnected).toBeNull();
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'vic-token' })).status).toBe(200);
  });

  it('lists the notebooks shared with a user with owner and role ("shared with me")', async () => {
    const { id } = await sharedNotebook();
    const forEd = (await server.request('GET', '/api/notebooks', { token: 'ed-token' })).body.notebooks;
    expect(forEd).toContainEqual(expect.objectContaining({ id, name: 'shared', owner: 'ann', role: 'editor' }));
    const forAnn = (await server.request('GET', '/api/notebooks', { token: 'ann-token' })).body.notebooks.find((n: { id: string }) => n.id === id);
    expect(forAnn.owner).toBeUndefined();
    expect((await server.request('GET', '/api/notebooks', { token: 'bob-token' })).body.notebooks.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it('refuses e-mail addresses when the sign-in cannot look them up, and sharing with oneself', async () => {
    const { id } = await sharedNotebook();
    const byEmail = await server.request('PUT', `/api/notebooks/${id}/shares/${encodeURIComponent('ed@example.com')}`, { token: 'ann-token', body: { role: 'viewer' } });
    expect([byEmail.status, byEmail.body.error.code]).toEqual([400, 'RNB_ERR_INVALID_INPUT']);
    const self = await server.request('PUT', `/api/notebooks/${id}/shares/ann`, { token: 'ann-token', body: { role: 'viewer' } });
    expect(self.status).toBe(400);
  });
});
