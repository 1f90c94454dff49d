/** Leases and the command bus against a real redis-server, in this process (two "instances" = two lease tables). */
import { MemoryNotebookStore, type ExternalChange, type NotebookStore } from '@rnb/core';
import { silentLogger } from '../logger';
import { describeCluster, startRedis, type TestRedis } from '../test-support/cluster';
import { CommandBus, type RemoteOutcome, type RemoteRequest } from './command-bus';
import { LeaseFencedStore } from './fenced-store';
import { closeRedis, connectRedis, type RedisClient } from './redis-connection';
import { RedisLeases } from './redis-lease';

describeCluster('Redis leases and command bus', () => {
  let redis: TestRedis;
  const clients: RedisClient[] = [];
  const leaseTables: RedisLeases[] = [];
  const connect = async (): Promise<RedisClient> => {
    const client = await connectRedis({ url: redis.url, log: silentLogger, role: 'test' });
    clients.push(client);
    return client;
  };
  const leases = async (instanceId: string, ttlMs: number, lost: string[] = []): Promise<RedisLeases> => {
    const table = new RedisLeases({ redis: await connect(), instanceId, ttlMs, log: silentLogger, onLost: (id) => lost.push(id) });
    leaseTables.push(table);
    return table;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const table of leaseTables) table.stop();
    await Promise.all(clients.map(closeRedis));
    await redis?.stop();
  });

  it('gives a notebook to one instance at a time, with a fencing number that grows with each new owner', async () => {
    const a = await leases('a', 600);
    const b = await leases('b', 600);
    const [first, second] = await Promise.all([a.acquire('nb1'), b.acquire('nb1')]);
    const winner = first.acquired ? a : b;
    expect([first.acquired, second.acquired].sort()).toEqual([false, true]);
    expect(first.acquired ? first : second).toMatchObject({ fence: 1, prior: 'none' });
    expect(first.acquired ? second : first).toMatchObject({ holder: winner.instanceId });
    // Renewed while its owner lives: still not free long after the TTL.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const loser = winner === a ? b : a;
    expect(await loser.acquire('nb1')).toMatchObject({ acquired: false });

    await winner.release('nb1');
    expect(await loser.acquire('nb1')).toEqual({ acquired: true, fence: 2, prior: 'released' });
    expect(loser.fence('nb1')).toBe(2);
  });

  it('lets a dead owner\'s lease expire; the old owner cannot renew over the new one and hears it lost', async () => {
    const lost: string[] = [];
    const old = await leases('old', 400, lost);
    const next = await leases('next', 400);
    expect(await old.acquire('nb2')).toMatchObject({ acquired: true, fence: 1 });
    old.stop(); // "paused": no renewals
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(old.isHeld('nb2')).toBe(false); // its validity ran out before Redis's expiry
    expect(await next.acquire('nb2')).toEqual({ acquired: true, fence: 2, prior: 'expired' });
    // The old owner wakes up: its renewal finds another owner, so it lets go.
    await (old as unknown as { renewAll(): Promise<void> }).renewAll();
    expect(lost).toEqual(['nb2']);
    await old.release('nb2');
    expect(await next.holder('nb2')).toMatchObject({ holder: 'next' });
  });

  it('keeps its leases through a Redis restart that lost every key', async () => {
    const lost: string[] = [];
    const owner = await leases('survivor', 1500, lost);
    expect(await owner.acquire('nb3')).toMatchObject({ acquired: true });
    await redis.stop();
    await redis.restart();
    for (let i = 0; i < 40 && (await owner.holder('nb3').catch(() => null)) === null; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await owner.holder('nb3')).toMatchObject({ holder: 'survivor' });
    expect(lost).toEqual([]);
  });

  it('refuses a save from an owner whose lease ran out, before it reaches storage', async () => {
    const owner = await leases('saver', 400);
    const store = new LeaseFencedStore(new MemoryNotebookStore(), owner);
    const now = new Date().toISOString();
    const doc = await store.create({ id: 'nb4', owner: 'u', name: 'n', settings: {}, lazy: false, cells: [], revision: 0, createdAt: now, updatedAt: now });
    await owner.acquire('nb4');
    const saved = await store.save({ ...doc, name: 'mine' }, { expectedRevision: 0 });
    owner.stop();
    await new Promise((resolve) => setTimeout(resolve, 450));
    await expect(store.save({ ...saved, name: 'late' }, { expectedRevision: saved.revision })).rejects.toMatchObject({ status: 409, code: 'RNB_ERR_CONFLICT' });
    expect((await store.get('u', 'nb4')).name).toBe('mine');
  });

  it('passes every store method through, watch included: a watching store still tells the service of edits on disk', async () => {
    const owner = await leases('watcher', 600);
    const heard: string[] = [];
    let tell: ((change: ExternalChange) => void) | null = null;
    const watching: NotebookStore = Object.assign(new MemoryNotebookStore(), { watch: (listener: (change: ExternalChange) => void) => ((tell = listener), () => (tell = null)) });
    const store = new LeaseFencedStore(watching, owner);
    expect(new LeaseFencedStore(new MemoryNotebookStore(), owner).watch).toBeUndefined();
    const stop = store.watch!((change) => heard.push(change.notebookId));
    tell!({ owner: 'u', notebookId: 'nb5' });
    stop();
    expect(heard).toEqual(['nb5']);
    expect(tell).toBeNull();
  });

  it('answers a forwarded request once however often it arrives, and says so when it is not the owner', async () => {
    const owner = new CommandBus({ pub: await connect(), sub: await connect(), instanceId: 'owner', log: silentLogger });
    const asker = new CommandBus({ pub: await connect(), sub: await connect(), instanceId: 'asker', log: silentLogger });
    let runs = 0;
    await owner.start(async (request, accept): Promise<RemoteOutcome> => {
      if (request.notebookId === 'elsewhere') return { kind: 'not_owner' };
      accept();
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { kind: 'result', value: { ran: runs } };
    });
    await asker.start(async () => ({ kind: 'not_owner' }));
    const request: RemoteRequest = { id: 'r1', from: 'asker', owner: 'u', notebookId: 'nb', command: { type: 'run_cell', cellId: 'c1' } };
    const timing = { acceptMs: 1000, resultMs: 5000 };
    expect(await asker.request('owner', request, timing)).toEqual({ kind: 'result', value: { ran: 1 } });
    expect(await asker.request('owner', request, timing)).toEqual({ kind: 'result', value: { ran: 1 } });
    expect(runs).toBe(1);
    expect(await asker.request('owner', { ...request, id: 'r2', notebookId: 'elsewhere' }, timing)).toEqual({ kind: 'not_owner' });
    expect(await asker.request('nobody', { ...request, id: 'r3' }, { acceptMs: 200, resultMs: 1000 })).toEqual({ kind: 'no_answer' });
    await owner.close();
    await asker.close();
  });
});
