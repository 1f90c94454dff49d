import { ClerkAuthProvider } from '@rnb/auth-clerk';
import { startTestIssuer, type TestIssuer } from '@rnb/auth-clerk/testing';
import { startTestServer, statusesOf, type TestServer } from '../test-support/harness';

const now = (): number => Math.floor(Date.now() / 1000);

describe('auth on (Clerk tokens, JWKS served on 127.0.0.1)', () => {
  let issuer: TestIssuer;
  let server: TestServer;
  let alice: string;
  let bob: string;
  const publishableKey = `pk_test_${Buffer.from('clerk.example.test$').toString('base64')}`;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    issuer.users.push({ id: 'user_bob', first_name: 'Bob', last_name: 'Stone', primary_email_address_id: 'idn_bob', email_addresses: [{ id: 'idn_bob', email_address: 'bob@example.com' }] });
    const auth = new ClerkAuthProvider({ jwksUrl: issuer.jwksUrl, publishableKey, authorizedParties: ['http://app.test'], issuer: false, secretKey: issuer.secretKey, apiUrl: issuer.apiUrl });
    server = await startTestServer({ auth, limits: { authTimeoutMs: 400 } });
    alice = issuer.sign({ sub: 'user_alice', azp: 'http://app.test', exp: now() + 600 });
    bob = issuer.sign({ sub: 'user_bob', azp: 'http://app.test', exp: now() + 600 });
  });
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  async function notebookOf(token: string, codes: string[] = []): Promise<{ id: string; cells: string[] }> {
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'mine' } })).body.notebook_id as string;
    const cells = [(await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string];
    for (const code of codes) {
      cells.push((await server.request('POST', `/api/notebooks/${id}/cells`, { token, body: { type: 'fake', code, after_cell_id: cells[cells.length - 1] } })).body.cell_id);
    }
    return { id, cells };
  }

  it('shares by e-mail address (looked up in Clerk), and says clearly when no user has the address', async () => {
    const { id } = await notebookOf(alice);
    const shared = await server.request('PUT', `/api/notebooks/${id}/shares/${encodeURIComponent('Bob@Example.com')}`, { token: alice, body: { role: 'viewer' } });
    expect([shared.status, shared.body]).toEqual([200, { shares: [{ user_id: 'user_bob', role: 'viewer' }] }]);
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: bob })).body.role).toBe('viewer');
    const unknown = await server.request('PUT', `/api/notebooks/${id}/shares/${encodeURIComponent('carol@example.com')}`, { token: alice, body: { role: 'editor' } });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.message]).toEqual([400, 'RNB_ERR_INVALID_INPUT', 'No user has the e-mail address carol@example.com.']);
    const revoked = await server.request('DELETE', `/api/notebooks/${id}/shares/${encodeURIComponent('bob@example.com')}`, { token: alice });
    expect(revoked.body).toEqual({ shares: [] });
  });

  it('names the signed-in user for presence (GET /api/me): Clerk\'s first and last name', async () => {
    expect((await server.request('GET', '/api/me', { token: bob })).body).toEqual({ user_id: 'user_bob', name: 'Bob Stone' });
    expect((await server.request('GET', '/api/me', { token: alice })).body).toEqual({ user_id: 'user_alice', name: null });
    expect((await server.request('GET', '/api/me')).status).toBe(401);
  });

  it('tells the browser how to sign in', async () => {
    expect((await server.request('GET', '/api/config')).body).toMatchObject({ auth: 'clerk', clerk_publishable_key: publishableKey });
  });

  it.each([
    ['no token', {}],
    ['a malformed header', { headers: { authorization: 'Token abc' } }],
    ['a garbage token', { token: 'abc.def.ghi' }],
    ['an expired token', { token: 'EXPIRED' }],
    ['a token for another site', { token: 'OTHER_AZP' }],
  ])('answers %s with 401', async (_name, options: { token?: string; headers?: Record<string, string> }) => {
    const token = options.token === 'EXPIRED' ? issuer.sign({ exp: now() - 120, azp: 'http://app.test' }) : options.token === 'OTHER_AZP' ? issuer.sign({ azp: 'http://evil.test' }) : options.token;
    const res = await server.request('GET', '/api/notebooks', { ...options, ...(token ? { token } : {}) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('RNB_ERR_UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it("gives another user 404 on every endpoint of a notebook that is not theirs, and lists only one's own", async () => {
    const { id, cells } = await notebookOf(alice);
    const cell = cells[0]!;
    for (const [method, path, body] of [
      ['GET', `/api/notebooks/${id}`, undefined],
      ['PUT', `/api/notebooks/${id}/name`, { name: 'mine now' }],
      ['PUT', `/api/notebooks/${id}/db`, { connection_string: 'postgresql://x:y@h/d' }],
      ['PUT', `/api/notebooks/${id}/settings`, { lazy: true }],
      ['DELETE', `/api/notebooks/${id}`, undefined],
      ['POST', `/api/notebooks/${id}/cells`, { type: 'fake' }],
      ['PUT', `/api/notebooks/${id}/cells/${cell}`, { code: 'x = 666' }],
      ['DELETE', `/api/notebooks/${id}/cells/${cell}`, undefined],
      ['POST', `/api/notebooks/${id}/cells/${cell}/move`, { index: 0 }],
      ['POST', `/api/notebooks/${id}/cells/${cell}/run`, undefined],
      ['POST', `/api/notebooks/${id}/interrupt`, undefined],
    ] as const) {
      const res = await server.request(method, path, { token: bob, ...(body ? { body } : {}) });
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'RNB_ERR_NOTEBOOK_NOT_FOUND']);
    }
    const mine = await server.request('GET', `/api/notebooks/${id}`, { token: alice });
    expect(mine.body).toMatchObject({ name: 'mine', cells: [{ code: '' }] });
    expect((await server.request('GET', '/api/notebooks', { token: bob })).body.notebooks.map((n: { id: string }) => n.id)).not.toContain(id);
    expect((await server.request('GET', '/api/notebooks', { token: alice })).body.notebooks.map((n: { id: string }) => n.id)).toContain(id);
  });

  it('authenticates a socket with the authenticate event, and one with the handshake token', async () => {
    const nb = await notebookOf(alice, ['x = 1\nprint x']);
    const byEvent = server.connect(nb.id);
    await new Promise((resolve) => byEvent.socket.once('connect', () => resolve(undefined)));
    byEvent.emit('authenticate', { token: alice });
    await byEvent.waitFor('authenticated');
    const byHandshake = server.connect(nb.id, { token: alice });
    await byHandshake.waitFor('authenticated');
    byHandshake.emit('run_cell', { cellId: nb.cells[1] });
    await byEvent.waitFor('cell_stdout', (p) => p.data === '1\n');
  });

  it('sends nothing to a socket before it authenticates, ignores its commands, and drops it after the timeout', async () => {
    const nb = await notebookOf(alice, ['print "secret output"']);
    const member = server.connect(nb.id, { token: alice });
    await member.waitFor('authenticated');
    const lurker = server.connect(nb.id);
    await new Promise((resolve) => lurker.socket.once('connect', () => resolve(undefined)));
    lurker.emit('run_cell', { cellId: nb.cells[1] });
    lurker.emit('no_such_event', {});
    member.emit('run_cell', { cellId: nb.cells[1] });
    await member.waitForStatus(nb.cells[1]!, 'success');
    expect(statusesOf(member, nb.cells[1]!)).toBe('queued,running,success'); // ran once: the lurker's request was ignored
    const drop = await lurker.waitFor('disconnect');
    expect(drop).toBeDefined();
    // Before the drop it heard nothing but the reason for it.
    expect(lurker.events.map((e) => e.name)).toEqual(['error', 'disconnect']);
    expect(lurker.named('error')[0].message).toMatch(/Not authenticated/);
  });

  it('refuses a bad token over the socket with an error, then disconnects', async () => {
    const nb = await notebookOf(alice);
    const client = server.connect(nb.id, { token: issuer.sign({ sub: 'user_alice', azp: 'http://app.test', exp: now() - 120 }) });
    expect((await client.waitFor('error')).message).toMatch(/expired/);
    await client.waitFor('disconnect');
    const malformed = server.connect(nb.id);
    await new Promise((resolve) => malformed.socket.once('connect', () => resolve(undefined)));
    malformed.emit('authenticate', { tok: 'x' });
    expect((await malformed.waitFor('error')).code).toBe('RNB_ERR_UNAUTHORIZED');
    await malformed.waitFor('disconnect');
  });

  it("refuses user B's socket on user A's notebook, as not found", async () => {
    const nb = await notebookOf(alice, ['print "private"']);
    const intruder = server.connect(nb.id, { token: bob });
    expect((await intruder.waitFor('error')).code).toBe('RNB_ERR_NOTEBOOK_NOT_FOUND');
    await intruder.waitFor('disconnect');
    expect(intruder.named('authenticated')).toEqual([]);
  });

  it('keeps a socket whose token is refreshed in time, and stops one whose token expires', async () => {
    const nb = await notebookOf(alice, ['print "tick"']);
    const shortLived = (): string => issuer.sign({ sub: 'user_alice', azp: 'http://app.test', exp: now() + 2, nbf: now() - 5, iat: now() - 5 });
    const refreshed = server.connect(nb.id, { token: shortLived() });
    const expiring = server.connect(nb.id, { token: shortLived() });
    await refreshed.waitFor('authenticated');
    await expiring.waitFor('authenticated');
    expect(await refreshed.ask('refresh_auth', { token: issuer.sign({ sub: 'user_alice', azp: 'http://app.test', exp: now() + 600 }) })).toEqual({ ok: true });
    await refreshed.waitFor('auth_refreshed');
    expect((await expiring.waitFor('error', (p) => /expired/.test(p.message), 10_000)).code).toBe('RNB_ERR_UNAUTHORIZED');
    await expiring.waitFor('disconnect');
    // The refreshed one still works and still hears the notebook.
    refreshed.emit('run_cell', { cellId: nb.cells[1] });
    await refreshed.waitFor('cell_stdout', (p) => p.data === 'tick\n');
    expect(expiring.named('cell_stdout')).toEqual([]);
  });

  it("refuses refresh_auth with another user's token or a bad one", async () => {
    const nb = await notebookOf(alice);
    const switcher = server.connect(nb.id, { token: alice });
    await switcher.waitFor('authenticated');
    switcher.emit('refresh_auth', { token: bob });
    expect((await switcher.waitFor('error')).message).toMatch(/another user/);
    await switcher.waitFor('disconnect');
    const forger = server.connect(nb.id, { token: alice });
    await forger.waitFor('authenticated');
    forger.emit('refresh_auth', { token: 'x.y.z' });
    expect((await forger.waitFor('error')).code).toBe('RNB_ERR_UNAUTHORIZED');
    await forger.waitFor('disconnect');
  });

  it('never writes a token to the logs', () => {
    const logs = server.logs.join('\n');
    expect(logs).toContain('user_alice');
    expect(logs).not.toContain(alice);
    expect(logs).not.toContain(bob);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});
