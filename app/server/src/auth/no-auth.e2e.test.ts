import * as os from 'node:os';
import { startTestServer, type TestServer } from '../test-support/harness';

describe('without sign-in (NOTEBOOK_AUTH=none): one local user', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('names the local user by the OS account that runs the server (GET /api/me)', async () => {
    const me = await server.request('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user_id: 'local', name: os.userInfo().username });
  });

  it('refuses sharing by e-mail address with a message saying sharing needs sign-in', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'mine' } })).body.notebook_id as string;
    const shared = await server.request('PUT', `/api/notebooks/${id}/shares/${encodeURIComponent('ann@example.com')}`, { body: { role: 'viewer' } });
    expect([shared.status, shared.body.error.code]).toEqual([400, 'RNB_ERR_INVALID_INPUT']);
    expect(shared.body.error.message).toMatch(/Sharing needs sign-in: this server has one local user/);
  });
});
