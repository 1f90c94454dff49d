import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryRetention, NotebookVersion } from '@rnb/core';
import { sampleNotebook } from '@rnb/core/testing';
import { DynamoDbNotebookStore } from './index';
import { sharePartition } from './share-index';
import { loadDynalite, startDynalite, type LocalDynamo } from './test-support/local-dynamo';

const available = loadDynalite() !== null;
if (!available && process.env.CI === 'true') throw new Error('dynalite is missing: the DynamoDB storage tests cannot run under CI. Run `npm install`.');
const describeWithDynalite = available ? describe : describe.skip;

let server: Promise<LocalDynamo> | undefined;
const local = (): Promise<LocalDynamo> => (server ??= startDynalite());
afterAll(async () => {
  if (server) await (await server).close();
});

const owner = 'user_hist';
const keepAll: HistoryRetention = { maxVersions: 100, maxAgeMs: 365 * 86_400_000 };
let tables = 0;

function version(n: number, code: string, at = new Date(Date.now() - (100 - n) * 1000).toISOString()): NotebookVersion {
  return { id: `${String(n).padStart(9, '0')}-abcd${n}`, at, authors: ['ann'], reason: n % 2 === 0 ? 'run' : 'edit', cells: [{ id: 'c1', type: 'python', code }] };
}

describeWithDynalite('DynamoDB: history and "shared with me" in the notebook table', () => {
  let table: string;
  let endpoint: string;
  const opened: DynamoDbNotebookStore[] = [];
  /** A store on the table, as a (re)started server opens it. */
  const open = (options: { chunkBytes?: number } = {}): DynamoDbNotebookStore => {
    const store = new DynamoDbNotebookStore({ table, endpoint, region: 'us-east-1', ...options });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    endpoint = (await local()).endpoint;
    table = `history-${process.pid}-${++tables}`;
    await open().createTable();
  });
  afterEach(async () => {
    await opened[0]!.client.send(new DeleteTableCommand({ TableName: table }));
    for (const store of opened.splice(0)) await store.close();
  });

  it('keeps versions in the table: a new store on it (a restart) lists them oldest first, a large one in several items', async () => {
    const first = open({ chunkBytes: 1000 });
    const doc = await first.create(sampleNotebook(owner));
    const large = Array.from({ length: 2000 }, (_, i) => `x${i} = ${(i * 7919) % 10007}`).join('\n');
    await first.history.append(owner, doc.id, version(1, 'x = 1'), keepAll);
    await first.history.append(owner, doc.id, version(2, large), keepAll);
    await first.history.append(owner, doc.id, version(3, 'x = 3'), keepAll);
    await first.close();

    const restarted = open();
    const versions = await restarted.history.list(owner, doc.id);
    expect(versions.map((v) => v.cells[0]!.code)).toEqual(['x = 1', large, 'x = 3']);
    expect(versions[1]).toEqual(version(2, large, versions[1]!.at));
    // Another owner's notebook of the same id has none.
    expect(await restarted.history.list('someone-else', doc.id)).toEqual([]);
  });

  it('keeps only what the retention keeps (count and age), deleting every item of the others', async () => {
    const store = open({ chunkBytes: 200 });
    const doc = await store.create(sampleNotebook(owner));
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await store.history.append(owner, doc.id, version(1, 'too old '.repeat(100), old), keepAll);
    const retention: HistoryRetention = { maxVersions: 2, maxAgeMs: 86_400_000 };
    for (let n = 2; n <= 5; n++) await store.history.append(owner, doc.id, version(n, `x = ${n} `.repeat(60)), retention);
    expect((await store.history.list(owner, doc.id)).map((v) => v.id)).toEqual([version(4, '').id, version(5, '').id]);
    const items = await itemsWithPrefix(`hist#${doc.id}#`);
    expect(new Set(items.map((sk) => sk.split('#')[2]))).toEqual(new Set([version(4, '').id, version(5, '').id]));
  });

  it('a notebook stored before history was kept here has none; deleting a notebook deletes its versions', async () => {
    const store = open();
    const doc = await store.create(sampleNotebook(owner));
    expect(await store.history.list(owner, doc.id)).toEqual([]);
    await store.history.append(owner, doc.id, version(1, 'x = 1'), keepAll);
    await store.delete(owner, doc.id);
    expect(await itemsWithPrefix(`hist#${doc.id}#`)).toEqual([]);
  });

  it('lists a notebook shared before the share index existed without a save (back-fill, ./share-backfill.test.ts), and after a save', async () => {
    const store = open();
    const doc = await store.create({ ...sampleNotebook(owner), name: 'older', shares: [{ userId: 'bob', role: 'viewer' }] });
    // As an earlier release left it: the shares only in the body, no index entry, none in the head.
    const raw = documents();
    await raw.send(new UpdateCommand({ TableName: table, Key: { pk: owner, sk: `nb#${doc.id}` }, UpdateExpression: 'REMOVE shares' }));
    await raw.send(new DeleteCommand({ TableName: table, Key: { pk: sharePartition('bob'), sk: JSON.stringify([owner, doc.id]) } }));
    raw.destroy();
    expect(await store.listSharedWith('bob')).toEqual([expect.objectContaining({ id: doc.id, name: 'older', owner, role: 'viewer' })]);
    expect((await store.get(owner, doc.id)).shares).toEqual([{ userId: 'bob', role: 'viewer' }]);
    await store.save({ ...(await store.get(owner, doc.id)), name: 'older, saved again' }, { expectedRevision: 0 });
    expect(await store.listSharedWith('bob')).toEqual([expect.objectContaining({ id: doc.id, name: 'older, saved again', owner, role: 'viewer' })]);
  });

  function documents(): DynamoDBDocumentClient {
    return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  }

  async function itemsWithPrefix(prefix: string): Promise<string[]> {
    const raw = documents();
    try {
      const result = await raw.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :o AND begins_with(sk, :p)', ExpressionAttributeValues: { ':o': owner, ':p': prefix }, ConsistentRead: true }));
      return (result.Items ?? []).map((item) => String(item.sk));
    } finally {
      raw.destroy();
    }
  }
});
