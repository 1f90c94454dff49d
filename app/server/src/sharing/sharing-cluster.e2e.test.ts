import { MemoryNotebookStore } from '@rnb/core';
import { createAdapter } from '@socket.io/redis-adapter';
import { connectRedis, closeRedis, type RedisClient } from '../cluster/redis-connection';
import { describeCluster, startRedis, type TestRedis } from '../test-support/cluster';
import { createLogger } from '../logger';
import { StaticTokenAuth, startTestServer, type TestServer } from '../test-support/harness';

/**
 * Revoking across instances: two servers whose sockets share one Redis adapter (and one store). The
 * owner revokes on A; the viewer's socket on B is closed at once (the adapter's fetchSockets).
 */
jest.setTimeout(60_000);

const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'vic-token': 'vic', 'ed-token': 'ed' });

describeCluster('sharing across instances', () => {
  let redis: TestRedis;
  const clients: RedisClient[] = [];
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    redis = await startRedis();
    const log = createLogger({ level: 'error' });
    const adapterOf = async (): Promise<ReturnType<typeof createAdapter>> => {
      const pub = await connectRedis({ url: redis.url, log, role: 'test-pub' });
      const sub = await connectRedis({ url: redis.url, log, role: 'test-sub' });
      clients.push(pub, sub);
      return createAdapter(pub, sub, { key: 'rnb-sharing-test' });
    };
    const store = new MemoryNotebookStore();
    a = await startTestServer({ auth, store, adapter: await adapterOf() });
    b = await startTestServer({ auth, store, adapter: await adapterOf() });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const client of clients) await closeRedis(client).catch(() => undefined);
    await redis?.stop();
  });

  it('closes the revoked user\'s socket on the other instance at once, and only theirs', async () => {
    const id = (await a.request('POST', '/api/notebooks', { token: 'ann-token', body: { name: 'across' } })).body.notebook_id as string;
    await a.request('PUT', `/api/notebooks/${id}/shares/vic`, { token: 'ann-token', body: { role: 'viewer' } });
    await a.request('PUT', `/api/notebooks/${id}/shares/ed`, { token: 'ann-token', body: { role: 'editor' } });
    const viewerOnB = b.connect(id, { token: 'vic-token' });
    const editorOnB = b.connect(id, { token: 'ed-token' });
    await viewerOnB.waitFor('authenticated');
    await editorOnB.waitFor('authenticated');
    await a.request('DELETE', `/api/notebooks/${id}/shares/vic`, { token: 'ann-token' });
    await viewerOnB.waitFor('disconnect');
    expect(editorOnB.disconnected).toBeNull();
  });
});
