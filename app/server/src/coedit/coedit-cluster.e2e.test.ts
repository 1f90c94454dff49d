/**
 * Co-editing in cluster mode, for real: two server processes (dist/main.js), real redis-server and dynalite,
 * socket.io clients with real Yjs documents on both instances typing into one cell at once. The owner is
 * killed (-9) in the middle: every keystroke still ends in every client, in storage and in a fresh instance.
 */
import { pluginProject } from '../test-support/fixtures';
import { api, describeCluster, fakeNotebook, startDynalite, startInstance, startRedis, type Instance, type TestRedis } from '../test-support/cluster';
import { YjsSocketClient } from '../test-support/yjs-client';

jest.setTimeout(120_000);

const KEYSTROKES = 40;

function keystroke(client: number, n: number): string {
  return String.fromCharCode(0x4e00 + client * 1000 + n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describeCluster('co-editing across two instances (processes, real Redis and dynalite)', () => {
  let project: { dir: string; remove(): void };
  let redis: TestRedis;
  let dynamo: { endpoint: string; close(): Promise<void> };
  const instances: Instance[] = [];
  const clients: YjsSocketClient[] = [];
  const env = (): Record<string, string> => ({
    REDIS_URL: redis.url,
    NOTEBOOK_STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    DYNAMODB_TABLE: 'coedit-e2e',
    DYNAMODB_CREATE_TABLE: 'true',
    NOTEBOOK_LANGUAGES: 'rnb-test-fake',
    CLUSTER_LEASE_MS: '2000',
    LOG_LEVEL: 'info',
  });
  const start = async (): Promise<Instance> => {
    const instance = await startInstance(project.dir, env());
    instances.push(instance);
    return instance;
  };
  const join = (instance: Instance, notebookId: string): YjsSocketClient => {
    const client = new YjsSocketClient({ url: instance.url, notebookId });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    project = pluginProject();
    [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    await redis?.stop();
    await dynamo?.close();
    project?.remove();
  });

  it('keeps every keystroke of clients on both instances, through kill -9 of the owner', async () => {
    const [owner, other] = [await start(), await start()];
    try {
      const nb = await fakeNotebook(owner, ['']);
      const shared = nb.cells[0]!;
      // Two clients on the owner, two on the other instance (their updates are forwarded to the owner).
      const typists = [join(owner, nb.id), join(owner, nb.id), join(other, nb.id), join(other, nb.id)];
      await Promise.all(typists.map((c) => c.ready()));
      await Promise.all(typists.map((c) => c.until(() => c.text(shared) !== undefined)));

      let killed = false;
      await Promise.all(
        typists.map(async (client, i) => {
          for (let n = 0; n < KEYSTROKES; n++) {
            if (!killed && i === 0 && n === KEYSTROKES / 2) {
              // Half-way: the owner dies without a word; its clients move to the other instance.
              killed = true;
              owner.child.kill('SIGKILL');
              await owner.exited;
              typists[0]!.moveTo(other.url);
              typists[1]!.moveTo(other.url);
            }
            client.type(shared, Math.floor(Math.random() * (client.text(shared)!.length + 1)), keystroke(i, n));
            await sleep(Math.random() * 15);
          }
        }),
      );
      await Promise.all(typists.map((c) => c.acknowledged(60_000)));
      const expected = typists[2]!.text(shared)!;
      await Promise.all(typists.map((c) => c.until(() => c.text(shared) === expected, 30_000, 'the same text in every client')));
      const missing: string[] = [];
      for (let i = 0; i < typists.length; i++) for (let n = 0; n < KEYSTROKES; n++) if (!expected.includes(keystroke(i, n))) missing.push(`${i}:${n}`);
      expect(missing).toEqual([]);
      expect(expected).toHaveLength(typists.length * KEYSTROKES);
      for (let i = 0; i < typists.length; i++) for (let n = 0; n < KEYSTROKES; n++) expect(expected).toContain(keystroke(i, n));

      // The surviving instance hands the text to the notebook (storage)...
      const deadline = Date.now() + 20_000;
      while ((await api(other.url, 'GET', `/api/notebooks/${nb.id}`)).body.cells?.[0]?.code !== expected) {
        if (Date.now() > deadline) throw new Error('the stored code never became the typed text');
        await sleep(100);
      }
      for (const client of typists) client.close();

      // ...and a fresh instance, after the survivor stopped too, serves the same document.
      await other.stop('SIGTERM');
      const fresh = await start();
      const later = join(fresh, nb.id);
      await later.ready();
      expect(later.text(shared)).toBe(expected);
    } catch (error) {
      for (const [i, client] of clients.entries()) {
        // eslint-disable-next-line no-console
        console.log(`client ${i}: ${client.cells.size} cells, text length ${[...client.cells.values()].map((t) => t.length).join(',')}, pending structs ${client.doc.store.pendingStructs ? 'yes' : 'no'}`);
      }
      for (const [i, instance] of instances.entries()) {
        // eslint-disable-next-line no-console
        console.log(`instance ${i} log tail:\n${instance.output().split('\n').slice(-30).join('\n')}`);
      }
      throw error;
    }
  });
});
