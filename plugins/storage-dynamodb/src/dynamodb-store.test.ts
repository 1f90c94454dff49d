import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { NotebookStore, PluginHost, SecretBox, withSealedSecrets } from '@rnb/core';
import { describeStorageConformance, sampleCell, sampleNotebook, type StorageConformanceFixture } from '@rnb/core/testing';
import dynamoDbStoragePlugin, { createTable, DynamoDbNotebookStore } from './index';
import { loadDynalite, startDynalite, type LocalDynamo } from './test-support/local-dynamo';

const available = loadDynalite() !== null;
if (!available && process.env.CI === 'true') throw new Error('dynalite is missing: the DynamoDB storage tests cannot run under CI. Run `npm install`.');
const describeWithDynalite = available ? describe : describe.skip;
if (!available) console.warn('Skipped the DynamoDB storage tests: dynalite is not installed (npm install).');

let server: Promise<LocalDynamo> | undefined;
const local = (): Promise<LocalDynamo> => (server ??= startDynalite());
afterAll(async () => {
  if (server) await (await server).close();
});

let tables = 0;
/** Text gzip cannot shrink much, so sizes stay what the test says. */
const noise = (length: number): string => randomBytes(Math.ceil((length * 3) / 4)).toString('base64').slice(0, length);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function freshStore(options: { maxBodyBytes?: number; chunkBytes?: number } = {}): Promise<{ store: DynamoDbNotebookStore; cleanup(): Promise<void> }> {
  const { endpoint } = await local();
  const table = `notebooks-${process.pid}-${++tables}`;
  const store = new DynamoDbNotebookStore({ table, endpoint, region: 'us-east-1', ...options });
  await store.createTable();
  return {
    store,
    cleanup: async () => {
      await store.client.send(new DeleteTableCommand({ TableName: table }));
      await store.close();
    },
  };
}

/** Rewrites a fresh notebook's one body chunk as a version 1 body, as releases before plugin settings wrote it. */
async function withLegacyWriter(fixture: Awaited<ReturnType<typeof freshStore>>): Promise<StorageConformanceFixture> {
  return {
    ...fixture,
    writeLegacyNotebook: async (old) => {
      await fixture.store.create(sampleNotebook(old.owner, { id: old.id, name: old.name, cells: old.cells }));
      const raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: (await local()).endpoint, region: 'us-east-1', credentials }));
      try {
        const items = await raw.send(new QueryCommand({
          TableName: fixture.store.table,
          KeyConditionExpression: 'pk = :o AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':o': old.owner, ':p': `body#${old.id}#` },
        }));
        const [chunk] = items.Items ?? [];
        if (!chunk || (items.Items ?? []).length !== 1) throw new Error('expected one body chunk');
        const data = gzipSync(JSON.stringify({ v: 1, lazy: false, dbConnString: old.connectionString, cells: old.cells }));
        await raw.send(new PutCommand({ TableName: fixture.store.table, Item: { ...chunk, data } }));
      } finally {
        raw.destroy();
      }
    },
  };
}

if (available) describeStorageConformance('dynamodb (dynalite)', async () => withLegacyWriter(await freshStore()), { hasLegacyLayout: true, listsSharedWith: true });

describeWithDynalite('DynamoDbNotebookStore items', () => {
  let fixture: Awaited<ReturnType<typeof freshStore>>;
  let raw: DynamoDBDocumentClient;
  const owner = 'user_2dynamo';

  beforeEach(async () => {
    fixture = await freshStore();
    raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: (await local()).endpoint, region: 'us-east-1', credentials }));
  });
  afterEach(async () => {
    raw.destroy();
    await fixture.cleanup();
  });

  async function itemsOf(who: string): Promise<Record<string, unknown>[]> {
    const result = await raw.send(new QueryCommand({ TableName: fixture.store.table, KeyConditionExpression: 'pk = :o', ExpressionAttributeValues: { ':o': who } }));
    return result.Items ?? [];
  }

  it('keeps a small head item per notebook, in the owner\'s partition, without cells or connection string', async () => {
    const doc = await fixture.store.create(sampleNotebook(owner, { settings: { sql: { connection_string: 'postgresql://u:secret@h/db' } } }));
    const items = await itemsOf(owner);
    const head = items.find((i) => i.sk === `nb#${doc.id}`)!;
    expect(head).toMatchObject({ pk: owner, id: doc.id, name: doc.name, revision: 0, chunks: 1, format: 1 });
    expect(Object.keys(head).sort()).toEqual(['bodyBytes', 'bodyId', 'chunks', 'createdAt', 'format', 'id', 'name', 'pk', 'revision', 'shares', 'sk', 'updatedAt']);
    expect(JSON.stringify(head)).not.toContain('secret');
    expect(items.filter((i) => String(i.sk).startsWith(`body#${doc.id}#`))).toHaveLength(1);
  });

  it('behind the host\'s secret sealing, no item holds the connection string\'s password, even gunzipped (issue 19 item 11)', async () => {
    const sealed = withSealedSecrets(fixture.store, SecretBox.fromText(SecretBox.generateText()));
    const secret = 'postgresql://ann:hunter2-very-secret@203.0.113.5/sales';
    const doc = await sealed.create(sampleNotebook(owner, { settings: { sql: { connection_string: secret } } }));
    await sealed.save({ ...doc, name: 'renamed' }, { expectedRevision: 0 });
    expect((await sealed.get(owner, doc.id)).settings.sql?.connection_string).toBe(secret);
    const items = await itemsOf(owner);
    const bodies = items.filter((i) => String(i.sk).startsWith('body#')).map((i) => gunzipSync(Buffer.from(i.data as Uint8Array)).toString('utf8'));
    expect(bodies.join('')).toContain('rnb-secret:v1:');
    expect(JSON.stringify(items) + bodies.join('')).not.toContain('hunter2');
  });

  it('splits a large notebook into chunk items under 400 KB, and removes the old chunks after a save', async () => {
    const cells = [sampleCell({ stdout: noise(1_200_000) })];
    const doc = await fixture.store.create(sampleNotebook(owner, { cells }));
    const chunks = (await itemsOf(owner)).filter((i) => String(i.sk).startsWith('body#'));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) expect((chunk.data as Uint8Array).length).toBeLessThanOrEqual(350_000);
    expect((await fixture.store.get(owner, doc.id)).cells).toEqual(cells);
    await fixture.store.save({ ...doc, cells: [sampleCell()] }, { expectedRevision: 0 });
    const after = (await itemsOf(owner)).filter((i) => String(i.sk).startsWith('body#'));
    expect(after).toHaveLength(1);
  });

  it('refuses a notebook above the size limit with a clear invalid-input error, and stores nothing', async () => {
    const small = await freshStore({ maxBodyBytes: 64 * 1024 });
    try {
      const doc = sampleNotebook(owner, { cells: [sampleCell({ stdout: noise(200_000) })] });
      await expect(small.store.create(doc)).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT', message: expect.stringContaining('too large') });
      await expect(small.store.get(owner, doc.id)).rejects.toMatchObject({ code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
    } finally {
      await small.cleanup();
    }
  });

  it('deletes every chunk of a notebook, also chunks a crashed writer left behind', async () => {
    const doc = await fixture.store.create(sampleNotebook(owner));
    const other = await fixture.store.create(sampleNotebook(owner));
    await raw.send(new PutCommand({ TableName: fixture.store.table, Item: { pk: owner, sk: `body#${doc.id}#orphan#00000`, data: Buffer.from('x') } }));
    await fixture.store.delete(owner, doc.id);
    const left = (await itemsOf(owner)).map((i) => String(i.sk));
    expect(left.filter((sk) => sk.includes(doc.id))).toEqual([]);
    expect(left.filter((sk) => sk.includes(other.id))).toHaveLength(2);
  });

  it('reports damaged cells and a newer item format as StorageErrors naming the notebook', async () => {
    const doc = await fixture.store.create(sampleNotebook(owner));
    const chunk = (await itemsOf(owner)).find((i) => String(i.sk).startsWith('body#'))!;
    await raw.send(new PutCommand({ TableName: fixture.store.table, Item: { ...chunk, data: Buffer.from('not gzip') } }));
    await expect(fixture.store.get(owner, doc.id)).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining(`"${doc.id}"`) });
    await raw.send(new UpdateCommand({ TableName: fixture.store.table, Key: { pk: owner, sk: `nb#${doc.id}` }, UpdateExpression: 'SET #f = :f', ExpressionAttributeNames: { '#f': 'format' }, ExpressionAttributeValues: { ':f': 9 } }));
    await expect(fixture.store.get(owner, doc.id)).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('newer release') });
  });

  it('lets exactly one of two store instances (two clients) win a save on the same revision', async () => {
    const second = new DynamoDbNotebookStore({ table: fixture.store.table, endpoint: (await local()).endpoint });
    try {
      const doc = await fixture.store.create(sampleNotebook(owner));
      const results = await Promise.allSettled([fixture.store.save({ ...doc, name: 'a' }, { expectedRevision: 0 }), second.save({ ...doc, name: 'b' }, { expectedRevision: 0 })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['RNB_ERR_CONFLICT']);
      expect((await second.get(owner, doc.id)).revision).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('refuses a name too long for a head item', async () => {
    await expect(fixture.store.create(sampleNotebook(owner, { name: 'n'.repeat(10_001) }))).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
  });
});

describeWithDynalite('DynamoDB table and plugin', () => {
  it('creates the table once when several instances call createTable at the same time', async () => {
    const slow = await startDynalite({ createTableMs: 300 });
    const clients = Array.from({ length: 5 }, () => new DynamoDBClient({ endpoint: slow.endpoint, region: 'us-east-1', credentials }));
    try {
      await Promise.all(clients.map((client) => createTable(client, 'shared-notebooks')));
      const store = new DynamoDbNotebookStore({ table: 'shared-notebooks', client: clients[0]! });
      const doc = await store.create(sampleNotebook('someone'));
      expect((await store.list('someone')).map((s) => s.id)).toEqual([doc.id]);
      await createTable(clients[1]!, 'shared-notebooks'); // again, on an ACTIVE table
    } finally {
      for (const client of clients) client.destroy();
      await slow.close();
    }
  });

  it('refuses a table whose key schema is not the notebook design', async () => {
    const { endpoint } = await local();
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
    try {
      const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
      await client.send(new CreateTableCommand({ TableName: 'wrong-schema', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
      await expect(createTable(client, 'wrong-schema')).rejects.toMatchObject({ code: 'RNB_ERR_CONFIG', message: expect.stringContaining('another key schema') });
    } finally {
      client.destroy();
    }
  });

  it('says what to do when the table does not exist', async () => {
    const store = new DynamoDbNotebookStore({ table: 'missing-table', endpoint: (await local()).endpoint });
    try {
      await expect(store.check()).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('DYNAMODB_CREATE_TABLE=true') });
      await expect(store.list('x')).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('"missing-table" does not exist') });
    } finally {
      await store.close();
    }
  });

  it('provides the NotebookStore token from the configuration names, creating the table on request', async () => {
    const { endpoint } = await local();
    const config = { DYNAMODB_TABLE: 'plugin-notebooks', DYNAMODB_ENDPOINT: endpoint, AWS_REGION: 'eu-west-1', DYNAMODB_CREATE_TABLE: 'true' };
    const host = new PluginHost({ config }).register(dynamoDbStoragePlugin());
    await host.start();
    try {
      const store = host.get(NotebookStore);
      const doc = await store.create(sampleNotebook('local'));
      expect((await store.get('local', doc.id)).name).toBe(doc.name);
      expect((store as DynamoDbNotebookStore).table).toBe('plugin-notebooks');
    } finally {
      await host.stop();
    }
  });

  it.each([
    [{ DYNAMODB_CREATE_TABLE: 'yes' }, 'DYNAMODB_CREATE_TABLE'],
    [{ DYNAMODB_ENDPOINT: 'not a url' }, 'DYNAMODB_ENDPOINT'],
    [{ DYNAMODB_TABLE: 'x' }, 'DYNAMODB_TABLE'],
    [{ DYNAMODB_TABLE: 'never-created' }, 'DYNAMODB_CREATE_TABLE=true'],
  ])('stops the host at start on bad configuration %j', async (config, named) => {
    const { endpoint } = await local();
    const host = new PluginHost({ config: { DYNAMODB_ENDPOINT: endpoint, ...config } }).register(dynamoDbStoragePlugin());
    await expect(host.start()).rejects.toThrow(named);
  });
});
