import { StaticTokenAuth, startTestServer, type TestClient, type TestServer } from '../test-support/harness';

/** ann owns the notebooks; bob and cat are other signed-in users who open her apps. */
const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob', 'cat-token': 'cat' });
/** A name only the code holds: it must never reach a viewer while code is hidden. */
const MARKER = 'hidden_constant_42';

describe('apps: published notebooks, each viewer in a session of their own', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The fake runtime's `set` stands in for a widget setting a value.
    server = await startTestServer({ auth, appRuntimeMethods: ['set', 'echo'] });
  });
  afterAll(() => server.close());

  async function notebookWith(codes: string[]): Promise<{ id: string; cells: string[] }> {
    const token = 'ann-token';
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'app test' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string;
    await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`, { token });
    const cells: string[] = [];
    for (const code of codes) {
      const created = await server.request('POST', `/api/notebooks/${id}/cells`, { token, body: { type: 'fake', code, ...(cells.length ? { after_cell_id: cells[cells.length - 1] } : {}) } });
      cells.push(created.body.cell_id);
    }
    return { id, cells };
  }

  async function publish(id: string, settings: Record<string, boolean> = { published: true }): Promise<void> {
    const answer = await server.request('PUT', `/api/notebooks/${id}/app`, { token: 'ann-token', body: settings });
    expect(answer.status).toBe(200);
  }

  async function viewer(notebookId: string, token: string, view?: string): Promise<TestClient> {
    const client = server.connect(notebookId, { token, auth: { app: true, ...(view ? { view } : {}) } });
    await client.waitFor('app_state');
    return client;
  }

  it('stores the app settings with the notebook, changed by its owner only', async () => {
    const nb = await notebookWith(['x = 1']);
    const before = await server.request('GET', `/api/notebooks/${nb.id}`, { token: 'ann-token' });
    expect(before.body.app).toEqual({ show_code: false, show_tracebacks: false, published: false });
    const changed = await server.request('PUT', `/api/notebooks/${nb.id}/app`, { token: 'ann-token', body: { published: true, show_tracebacks: true } });
    expect(changed.body).toEqual({ show_code: false, show_tracebacks: true, published: true });
    expect((await server.request('GET', `/api/notebooks/${nb.id}`, { token: 'ann-token' })).body.app).toEqual(changed.body);
    const unknown = await server.request('PUT', `/api/notebooks/${nb.id}/app`, { token: 'ann-token', body: { published: 'yes' } });
    expect(unknown.body.error.code).toBe('RNB_ERR_INVALID_INPUT');
  });

  it('hides an unpublished app from everyone but its owner', async () => {
    const nb = await notebookWith(['x = 1']);
    expect((await server.request('GET', `/api/apps/${nb.id}`, { token: 'ann-token' })).status).toBe(200);
    const refused = await server.request('GET', `/api/apps/${nb.id}`, { token: 'bob-token' });
    expect([refused.status, refused.body.error.code]).toEqual([404, 'RNB_ERR_APP_NOT_FOUND']);
    const socket = server.connect(nb.id, { token: 'bob-token', auth: { app: true } });
    expect((await socket.waitFor('error')).code).toBe('RNB_ERR_APP_NOT_FOUND');
    // Signed-out visitors are not let in while the operator has not allowed public apps.
    await publish(nb.id);
    const anonymous = await server.request('GET', `/api/apps/${nb.id}`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'RNB_ERR_UNAUTHORIZED']);
  });

  it('refuses every write of a viewer with RNB_ERR_APP_READ_ONLY, over HTTP and on sockets', async () => {
    const nb = await notebookWith([`${MARKER} = 1`]);
    await publish(nb.id);
    const cell = nb.cells[0]!;
    const writes: [string, string, unknown?][] = [
      ['GET', `/api/notebooks/${nb.id}`],
      ['PUT', `/api/notebooks/${nb.id}/cells/${cell}`, { code: 'attack "exec"' }],
      ['POST', `/api/notebooks/${nb.id}/cells`, { type: 'fake', code: 'print "mine"' }],
      ['DELETE', `/api/notebooks/${nb.id}/cells/${cell}`],
      ['POST', `/api/notebooks/${nb.id}/cells/${cell}/move`, { index: 0 }],
      ['PUT', `/api/notebooks/${nb.id}/name`, { name: 'taken' }],
      ['PUT', `/api/notebooks/${nb.id}/settings`, { lazy: true }],
      ['PUT', `/api/notebooks/${nb.id}/app`, { show_code: true }],
      ['POST', `/api/notebooks/${nb.id}/cells/${cell}/run`],
      ['POST', `/api/notebooks/${nb.id}/run_all`],
      ['POST', `/api/notebooks/${nb.id}/restart`],
      ['POST', `/api/notebooks/${nb.id}/runtime/fake/echo`, { payload: 1 }],
      ['GET', `/api/notebooks/${nb.id}/export?format=py`],
      ['DELETE', `/api/notebooks/${nb.id}`],
    ];
    for (const [method, path, body] of writes) {
      const answer = await server.request(method, path, { token: 'bob-token', ...(body !== undefined ? { body } : {}) });
      expect([method, path, answer.status, answer.body?.error?.code]).toEqual([method, path, 403, 'RNB_ERR_APP_READ_ONLY']);
    }
    // The notebook's own socket (edits, its runs, its events with code) stays closed to a viewer.
    const notebookSocket = server.connect(nb.id, { token: 'bob-token' });
    expect((await notebookSocket.waitFor('error')).code).toBe('RNB_ERR_APP_READ_ONLY');
    // An app socket allows running and stopping the viewer's own session only.
    const app = await viewer(nb.id, 'bob-token');
    for (const event of ['restart_kernel', 'clear_outputs', 'update_cell', 'create_cell']) {
      const answer = await app.ask(event, {});
      expect([event, answer.error?.code]).toEqual([event, 'RNB_ERR_APP_READ_ONLY']);
    }
    // Runtime methods other than the ones outputs need (completions, inspection) would tell about hidden code.
    const completion = await app.ask('runtime_call', { language: 'fake', method: 'names', payload: { prefix: '' } });
    expect(completion.error?.code).toBe('RNB_ERR_APP_READ_ONLY');
    expect(await app.ask('runtime_call', { language: 'fake', method: 'echo', payload: 3 })).toEqual({ ok: true, value: 3 });
    const owner = await server.request('GET', `/api/notebooks/${nb.id}`, { token: 'ann-token' });
    expect(owner.body.cells.map((c: { code: string }) => c.code)).toEqual([`${MARKER} = 1`]);
    expect(owner.body.name).toBe('app test');
  });

  it('never shows a viewer the code while the author hides it, and shows it once allowed', async () => {
    const nb = await notebookWith([`${MARKER} = 7`, `print ${MARKER} * 2`, 'fail broken']);
    await publish(nb.id);
    // A markdown cell's text is the author's prose, not code: it is always there to render.
    await server.request('POST', `/api/notebooks/${nb.id}/cells`, { token: 'ann-token', body: { type: 'markdown', code: '# Results' } });
    const overHttp = await server.request('GET', `/api/apps/${nb.id}`, { token: 'bob-token' });
    expect(overHttp.body.cells).toHaveLength(4);
    expect(overHttp.body.cells[3]).toMatchObject({ type: 'markdown', markdown: '# Results' });
    expect(overHttp.body.cells.map((c: { code?: string }) => c.code)).toEqual([undefined, undefined, undefined, undefined]);
    expect(overHttp.body.is_owner).toBe(false);
    expect(overHttp.text).not.toContain(MARKER);
    const app = await viewer(nb.id, 'bob-token');
    expect(await app.ask('run_all', {})).toEqual({ ok: true });
    await app.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '14\n');
    await app.waitForStatus(nb.cells[2]!, 'error');
    expect(JSON.stringify(app.events)).not.toContain(MARKER);
    app.close();

    await publish(nb.id, { show_code: true });
    const shown = await server.request('GET', `/api/apps/${nb.id}`, { token: 'bob-token' });
    expect(shown.body.cells[0].code).toBe(`${MARKER} = 7`);
    const again = await viewer(nb.id, 'cat-token');
    expect(again.named('app_state')[0].notebook.cells[1].code).toBe(`print ${MARKER} * 2`);
  });

  it('gives each viewer a namespace of their own, apart from the owner\'s and each other\'s', async () => {
    const nb = await notebookWith(['x = 1', 'print x']);
    await publish(nb.id);
    const bob = await viewer(nb.id, 'bob-token');
    const cat = await viewer(nb.id, 'cat-token');
    await bob.ask('run_all', {});
    await cat.ask('run_all', {});
    await bob.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '1\n');
    await cat.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '1\n');
    await bob.waitForStatus(nb.cells[1]!, 'success');
    await cat.waitForStatus(nb.cells[1]!, 'success');
    // bob sets x as a widget would, then re-runs the reader in his session: only bob sees 5.
    expect(await bob.ask('runtime_call', { language: 'fake', method: 'set', payload: { name: 'x', value: 5 } })).toEqual({ ok: true, value: null });
    bob.clear();
    cat.clear();
    await bob.ask('run_cell', { cellId: nb.cells[1] });
    await bob.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '5\n');
    await cat.ask('run_cell', { cellId: nb.cells[1] });
    await cat.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '1\n');
    expect(cat.named('cell_stdout').map((p) => p.data)).not.toContain('5\n');
    // Nothing a viewer ran reached the owner's notebook or its storage.
    const owner = await server.request('GET', `/api/notebooks/${nb.id}`, { token: 'ann-token' });
    expect(owner.body.cells.map((c: { status: string; stdout: string }) => [c.status, c.stdout])).toEqual([['idle', ''], ['idle', '']]);
    // Each viewer's kernel runs in their own process and counts against their own share of the kernel limits.
    const owners = server.notebooks.kernels.processMemory().filter((p) => p.sessions > 0).map((p) => p.owner);
    expect(owners).toEqual(expect.arrayContaining(['bob', 'cat']));
    expect(owners).not.toContain('ann');
  });

  it('gives each view (browser tab) of one viewer a session of its own; a socket of the same view joins it', async () => {
    const nb = await notebookWith(['x = 1', 'print x']);
    await publish(nb.id);
    const before = server.notebooks.apps.size;
    const tab1 = await viewer(nb.id, 'bob-token', 'tab-one-0001');
    const tab2 = await viewer(nb.id, 'bob-token', 'tab-two-0002');
    const tab1Again = await viewer(nb.id, 'bob-token', 'tab-one-0001');
    expect(server.notebooks.apps.size).toBe(before + 2);
    await tab1.ask('run_all', {});
    await tab2.ask('run_all', {});
    await tab1.waitForStatus(nb.cells[1]!, 'success');
    await tab2.waitForStatus(nb.cells[1]!, 'success');
    expect(await tab1.ask('runtime_call', { language: 'fake', method: 'set', payload: { name: 'x', value: 7 } })).toEqual({ ok: true, value: null });
    tab2.clear();
    await tab1.ask('run_cell', { cellId: nb.cells[1] });
    // The same view's other socket is in that session: it sees the run; the other tab's session does not.
    await tab1Again.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '7\n');
    await tab2.ask('run_cell', { cellId: nb.cells[1] });
    await tab2.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === '1\n');
    expect(tab2.named('cell_stdout').map((p) => p.data)).not.toContain('7\n');
    // Both tabs' kernel sessions are bob's: his share of the kernel limits, as any of his notebooks.
    expect(server.notebooks.kernels.processMemory().filter((p) => p.owner === 'bob').reduce((n, p) => n + p.sessions, 0)).toBeGreaterThanOrEqual(2);
  });

  it('stops a viewer\'s long run with interrupt, in that viewer\'s session only', async () => {
    const nb = await notebookWith(['spin', 'print "after"']);
    await publish(nb.id);
    const bob = await viewer(nb.id, 'bob-token');
    const cat = await viewer(nb.id, 'cat-token');
    await bob.ask('run_all', {});
    await bob.waitForStatus(nb.cells[0]!, 'running');
    expect(await bob.ask('interrupt', {})).toEqual({ ok: true });
    const error = await bob.waitFor('cell_error', (p) => p.cellId === nb.cells[0]);
    expect(error.error).toMatch(/interrupt/i);
    await bob.waitForStatus(nb.cells[0]!, 'error');
    // cat's session heard nothing of bob's run.
    expect(cat.named('cell_status')).toEqual([]);
    // The viewer's kernel lives on.
    await bob.ask('run_cell', { cellId: nb.cells[1] });
    await bob.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === 'after\n');
  });

  it('closes a viewer\'s session when their last socket leaves', async () => {
    const nb = await notebookWith(['x = 1']);
    await publish(nb.id);
    const before = server.notebooks.apps.size;
    const bob = await viewer(nb.id, 'bob-token');
    expect(server.notebooks.apps.size).toBe(before + 1);
    bob.close();
    const deadline = Date.now() + 5000;
    while (server.notebooks.apps.size !== before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.notebooks.apps.size).toBe(before);
  });
});

describe('public apps (NOTEBOOK_PUBLIC_APPS)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth, publicApps: true });
  });
  afterAll(() => server.close());

  it('lets a signed-out visitor open a published app, and only a published one', async () => {
    const id = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: { name: 'public' } })).body.notebook_id as string;
    expect((await server.request('GET', `/api/apps/${id}`)).body.error.code).toBe('RNB_ERR_APP_NOT_FOUND');
    await server.request('PUT', `/api/notebooks/${id}/app`, { token: 'ann-token', body: { published: true } });
    const answer = await server.request('GET', `/api/apps/${id}`);
    expect([answer.status, answer.body.name]).toEqual([200, 'public']);
    const visitor = server.connect(id, { auth: { app: true } });
    expect((await visitor.waitFor('app_state')).notebook.name).toBe('public');
    // A visitor's writes are refused like any viewer's.
    expect((await visitor.ask('restart_kernel', {})).error.code).toBe('RNB_ERR_APP_READ_ONLY');
  });
});
