/**
 * The one-time back-fill of the share index (./share-backfill.ts) against dynalite: notebooks written as releases
 * before the index wrote them (shares only in the body, none in the head, no index items) are listed under "shared
 * with me" without being saved; a marker item stops later scans; two instances starting at once both end right.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NotebookStore, PluginHost, type NotebookShare } from '@rnb/core';
import { sampleCell, sampleNotebook } from '@rnb/core/testing';
import { DynamoDbNotebookStore } from './dynamodb-store';
import dynamoDbStoragePlugin from './index';
import { SHARE_INDEX_MARKER } from './share-backfill';
import { sharePartition } from './share-index';
import { loadDynalite, startDynalite, startFaultProxy, type FaultProxy, type LocalDynamo } from './test-support/local-dynamo';

const available = loadDynalite() !== null;
if (!available && process.env.CI === 'true') throw new Error('dynalite is missing: the DynamoDB share back-fill tests cannot run under CI. Run `npm install`.');
if (!available) console.warn('Skipped the DynamoDB share back-fill tests: dynalite is not installed (npm install).');

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const owner = 'user_owner';

(available ? describe : describe.skip)('DynamoDB share index back-fill', () => {
  let dynamo: LocalDynamo;
  let proxy: FaultProxy;
  let raw: DynamoDBDocumentClient;
  let table: string;
  let tables = 0;
  const opened: DynamoDbNotebookStore[] = [];

  /** A store whose requests go through the proxy, so the test sees (and may hold) each operation. */
  const openStore = (options: { backfillPageItems?: number } = {}): DynamoDbNotebookStore => {
    const store = new DynamoDbNotebookStore({ table, endpoint: proxy.endpoint, ...options });
    opened.push(store);
    return store;
  };
  const scans = (): number => proxy.seen.filter((operation) => operation === 'Scan').length;

  /** A notebook as the release before the share index stored it: shares in the gzipped body only. */
  async function writeSharedBeforeIndex(id: string, shares: NotebookShare[], bodyVersion: 1 | 2 = 2): Promise<void> {
    const cells = [sampleCell({ code: `x_${id} = 1` })];
    const body = bodyVersion === 1 ? { v: 1, lazy: false, dbConnString: null, cells, shares } : { v: 2, lazy: false, settings: {}, cells, ...(shares.length ? { shares } : {}) };
    const data = gzipSync(JSON.stringify(body));
    const at = '2026-11-01T10:00:00.000Z';
    await raw.send(new PutCommand({ TableName: table, Item: { pk: owner, sk: `body#${id}#old${id}#00000`, data } }));
    await raw.send(new PutCommand({ TableName: table, Item: { pk: owner, sk: `nb#${id}`, id, name: `old ${id}`, createdAt: at, updatedAt: at, revision: 3, bodyId: `old${id}`, chunks: 1, bodyBytes: data.length, format: 1 } }));
  }

  beforeAll(async () => {
    dynamo = await startDynalite();
    raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }));
  });
  afterAll(async () => {
    raw.destroy();
    await dynamo.close();
  });
  beforeEach(async () => {
    proxy = await startFaultProxy(dynamo.endpoint);
    table = `backfill-${process.pid}-${++tables}-${randomBytes(3).toString('hex')}`;
    await new DynamoDbNotebookStore({ table, endpoint: dynamo.endpoint }).createTable();
    proxy.seen.length = 0;
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await proxy.close();
  });

  it('lists notebooks shared before the index under "shared with me" at start, without any save', async () => {
    await writeSharedBeforeIndex('legacy1', [{ userId: 'bob', role: 'editor' }], 1);
    await writeSharedBeforeIndex('legacy2', [{ userId: 'bob', role: 'viewer' }, { userId: 'carol', role: 'editor' }]);
    await writeSharedBeforeIndex('private', []);
    // A head that carries its shares but whose index item was lost (a crash between the two writes).
    await raw.send(new PutCommand({ TableName: table, Item: { pk: 'user_other', sk: 'nb#crashed', id: 'crashed', name: 'crashed', createdAt: 'x', updatedAt: 'x', revision: 0, bodyId: 'b', chunks: 1, format: 1, shares: [{ userId: 'bob', role: 'viewer' }] } }));

    const host = new PluginHost({ config: { DYNAMODB_TABLE: table, DYNAMODB_ENDPOINT: proxy.endpoint } }).register(dynamoDbStoragePlugin());
    await host.start();
    try {
      const store = host.get(NotebookStore);
      const forBob = await store.listSharedWith!('bob');
      expect(forBob.map(({ id, owner: by, role }) => ({ id, owner: by, role })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'crashed', owner: 'user_other', role: 'viewer' },
        { id: 'legacy1', owner, role: 'editor' },
        { id: 'legacy2', owner, role: 'viewer' },
      ]);
      expect((await store.listSharedWith!('carol')).map((s) => s.id)).toEqual(['legacy2']);
      // Nothing was saved: same revision, same body; the head now carries the body's shares.
      const legacy = await store.get(owner, 'legacy2');
      expect(legacy.revision).toBe(3);
      expect(legacy.cells[0]?.code).toBe('x_legacy2 = 1');
      const head = (await raw.send(new GetCommand({ TableName: table, Key: { pk: owner, sk: 'nb#legacy2' } }))).Item;
      expect(head?.shares).toEqual([{ userId: 'bob', role: 'viewer' }, { userId: 'carol', role: 'editor' }]);
      expect((await raw.send(new GetCommand({ TableName: table, Key: { pk: owner, sk: 'nb#private' } }))).Item?.shares).toBeUndefined();

      // Revoking afterwards works as for any notebook: the save sees the head's shares and drops bob's index item.
      await store.save({ ...legacy, shares: [{ userId: 'carol', role: 'editor' }] }, { expectedRevision: 3 });
      expect((await store.listSharedWith!('bob')).map((s) => s.id).sort()).toEqual(['crashed', 'legacy1']);
      expect((await raw.send(new GetCommand({ TableName: table, Key: { pk: sharePartition('bob'), sk: JSON.stringify([owner, 'legacy2']) } }))).Item).toBeUndefined();
    } finally {
      await host.stop();
    }
  });

  it('writes a marker after a paged scan, so a later start does not scan again', async () => {
    for (let i = 0; i < 5; i++) await writeSharedBeforeIndex(`nb${i}`, [{ userId: 'bob', role: 'viewer' }]);
    const first = openStore({ backfillPageItems: 2 });
    expect(await first.backfillShareIndex()).toEqual({ scanned: true, indexed: 5, damaged: 0 });
    // 10 items (5 heads, 5 chunks): several pages of 2.
    expect(scans()).toBeGreaterThanOrEqual(5);
    expect((await raw.send(new GetCommand({ TableName: table, Key: SHARE_INDEX_MARKER }))).Item).toMatchObject({ indexed: 5 });

    await writeSharedBeforeIndex('late', [{ userId: 'bob', role: 'viewer' }]); // what only a scan would find
    const scansBefore = scans();
    const second = openStore({ backfillPageItems: 2 });
    expect(await second.backfillShareIndex()).toEqual({ scanned: false, indexed: 0, damaged: 0 });
    expect((await second.listSharedWith('bob')).map((s) => s.id).sort()).toEqual(['nb0', 'nb1', 'nb2', 'nb3', 'nb4']);
    expect(scans()).toBe(scansBefore);
    // Once done, a store answers from its memory: no second read of the marker either.
    await first.listSharedWith('bob');
    expect(scans()).toBe(scansBefore);
  });

  it('ends right when two instances start at once', async () => {
    for (let i = 0; i < 6; i++) await writeSharedBeforeIndex(`both${i}`, [{ userId: i % 2 ? 'bob' : 'carol', role: 'editor' }]);
    const [a, b] = [openStore({ backfillPageItems: 3 }), openStore({ backfillPageItems: 3 })];
    const results = await Promise.all([a.backfillShareIndex(), b.backfillShareIndex()]);
    for (const result of results) expect(result.damaged).toBe(0);
    for (const store of [a, b]) {
      expect((await store.listSharedWith('bob')).map((s) => s.id).sort()).toEqual(['both1', 'both3', 'both5']);
      expect((await store.listSharedWith('carol')).map((s) => s.id).sort()).toEqual(['both0', 'both2', 'both4']);
    }
    expect((await raw.send(new GetCommand({ TableName: table, Key: SHARE_INDEX_MARKER }))).Item).toBeDefined();
    const third = openStore();
    expect((await third.backfillShareIndex()).scanned).toBe(false);
  });

  it('keeps serving while it scans, and a save made before the scan reaches a notebook stands', async () => {
    await writeSharedBeforeIndex('racing', [{ userId: 'bob', role: 'editor' }]);
    await writeSharedBeforeIndex('steady', [{ userId: 'bob', role: 'viewer' }]);
    const releaseScan = proxy.hold('Scan');
    const host = new PluginHost({ config: { DYNAMODB_TABLE: table, DYNAMODB_ENDPOINT: proxy.endpoint } }).register(dynamoDbStoragePlugin());
    await host.start(); // serving starts with the scan still held
    try {
      const store = host.get(NotebookStore);
      let listed = false;
      const sharedWithBob = store.listSharedWith!('bob').then((list) => {
        listed = true;
        return list;
      });
      expect((await store.list(owner)).map((s) => s.id).sort()).toEqual(['racing', 'steady']);
      // The owner revokes bob (and adds carol) while the back-fill waits for its scan.
      const racing = await store.get(owner, 'racing');
      await store.save({ ...racing, shares: [{ userId: 'carol', role: 'viewer' }] }, { expectedRevision: racing.revision });
      expect(listed).toBe(false);
      releaseScan();
      expect((await sharedWithBob).map((s) => s.id)).toEqual(['steady']);
      expect((await store.listSharedWith!('carol')).map((s) => s.id)).toEqual(['racing']);
    } finally {
      await host.stop();
    }
  });

  it('lets a save by another instance between reading a body and copying its shares win', async () => {
    await writeSharedBeforeIndex('racing', [{ userId: 'bob', role: 'editor' }]);
    const releaseCopy = proxy.hold('UpdateItem');
    const backfilling = openStore();
    const run = backfilling.backfillShareIndex();
    // Wait until the back-fill has read bob from the body and tries to copy it into the head.
    while (!proxy.seen.includes('UpdateItem')) await new Promise((resolve) => setTimeout(resolve, 10));
    const other = new DynamoDbNotebookStore({ table, endpoint: dynamo.endpoint });
    try {
      const racing = await other.get(owner, 'racing');
      await other.save({ ...racing, shares: [{ userId: 'carol', role: 'viewer' }] }, { expectedRevision: racing.revision });
    } finally {
      await other.close();
    }
    releaseCopy();
    expect((await run).indexed).toBe(1);
    const head = (await raw.send(new GetCommand({ TableName: table, Key: { pk: owner, sk: 'nb#racing' } }))).Item;
    expect(head?.shares).toEqual([{ userId: 'carol', role: 'viewer' }]);
    expect(await backfilling.listSharedWith('bob')).toEqual([]);
    expect((await backfilling.listSharedWith('carol')).map((s) => s.id)).toEqual(['racing']);
  });

  it('keeps serving from the index when the credentials may not Scan (the deploy role), without retrying', async () => {
    await writeSharedBeforeIndex('unscanned', [{ userId: 'bob', role: 'editor' }]);
    const saved = await openStore().create({ ...sampleNotebook(owner), shares: [{ userId: 'bob', role: 'viewer' }] });
    proxy.refuse(100, 'Scan', 'AccessDeniedException');
    const logged: string[] = [];
    const store = new DynamoDbNotebookStore({ table, endpoint: proxy.endpoint, log: (level, message) => logged.push(`${level}: ${message}`) });
    opened.push(store);
    expect((await store.listSharedWith('bob')).map((s) => s.id)).toEqual([saved.id]);
    expect(await store.backfillShareIndex()).toEqual({ scanned: false, indexed: 0, damaged: 0, scanRefused: true });
    expect(scans()).toBe(1);
    expect(logged.filter((line) => line.includes('dynamodb:Scan'))).toHaveLength(1);
    expect((await raw.send(new GetCommand({ TableName: table, Key: SHARE_INDEX_MARKER }))).Item).toBeUndefined();
  });

  it('leaves a damaged notebook out (logged) and still finishes', async () => {
    await writeSharedBeforeIndex('good', [{ userId: 'bob', role: 'viewer' }]);
    await raw.send(new PutCommand({ TableName: table, Item: { pk: owner, sk: 'body#broken#x#00000', data: Buffer.from('not gzip') } }));
    await raw.send(new PutCommand({ TableName: table, Item: { pk: owner, sk: 'nb#broken', id: 'broken', name: 'broken', createdAt: 'x', updatedAt: 'x', revision: 0, bodyId: 'x', chunks: 1, format: 1 } }));
    const store = openStore();
    expect(await store.backfillShareIndex()).toEqual({ scanned: true, indexed: 1, damaged: 1 });
    expect((await store.listSharedWith('bob')).map((s) => s.id)).toEqual(['good']);
  });

  it('stops without a marker when the store closes mid-scan, and the next start finishes the work', async () => {
    await writeSharedBeforeIndex('later', [{ userId: 'bob', role: 'editor' }]);
    const releaseScan = proxy.hold('Scan');
    const closing = openStore();
    const run = closing.backfillShareIndex();
    const closed = closing.close();
    releaseScan();
    await expect(run).rejects.toThrow('closing');
    await closed;
    expect((await raw.send(new GetCommand({ TableName: table, Key: SHARE_INDEX_MARKER }))).Item).toBeUndefined();
    const next = openStore();
    expect((await next.listSharedWith('bob')).map((s) => s.id)).toEqual(['later']);
  });
});
