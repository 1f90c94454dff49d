/**
 * DynamoDB's real faults, injected by a proxy in front of dynalite:
 * throttling (retried with backoff, then a clear error) and a write whose
 * answer is lost after it was applied (the retry must not report a conflict).
 */
import { sampleNotebook } from '@rnb/core/testing';
import { DynamoDbNotebookStore } from './dynamodb-store';
import { loadDynalite, startDynalite, startFaultProxy, type FaultProxy, type LocalDynamo } from './test-support/local-dynamo';

const available = loadDynalite() !== null;
if (!available && process.env.CI === 'true') throw new Error('dynalite is missing: the DynamoDB fault tests cannot run under CI. Run `npm install`.');
if (!available) console.warn('Skipped the DynamoDB fault tests: dynalite is not installed (npm install).');

(available ? describe : describe.skip)('DynamoDB storage faults', () => {
  let dynamo: LocalDynamo;
  let proxy: FaultProxy;
  let store: DynamoDbNotebookStore;
  const owner = 'user_faulty';

  beforeAll(async () => {
    dynamo = await startDynalite();
    await new DynamoDbNotebookStore({ table: 'faulty-notebooks', endpoint: dynamo.endpoint }).createTable();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(async () => {
    proxy = await startFaultProxy(dynamo.endpoint);
    store = new DynamoDbNotebookStore({ table: 'faulty-notebooks', endpoint: proxy.endpoint, retry: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 40 } });
  });
  afterEach(async () => {
    await store.close();
    await proxy.close();
  });

  it('retries throttled requests with backoff and succeeds', async () => {
    proxy.throttle(3);
    const doc = await store.create(sampleNotebook(owner));
    proxy.throttle(2, 'Query');
    expect((await store.get(owner, doc.id)).name).toBe(doc.name);
    expect((await store.list(owner)).map((s) => s.id)).toContain(doc.id);
    // 3 refused + the chunk write + the head write; then the head read, 2 refused Queries, the chunk Query.
    expect(proxy.seen.slice(0, 9)).toEqual(['PutItem', 'PutItem', 'PutItem', 'PutItem', 'PutItem', 'GetItem', 'Query', 'Query', 'Query']);
  });

  it('gives up after the last attempt with a StorageError that says what to do, and changes nothing', async () => {
    const doc = await store.create(sampleNotebook(owner, { name: 'before' }));
    proxy.throttle(100, 'UpdateItem');
    await expect(store.save({ ...doc, name: 'after' }, { expectedRevision: 0 })).rejects.toMatchObject({
      code: 'RNB_ERR_STORAGE',
      message: expect.stringMatching(/kept throttling .* \(5 attempts .*capacity/),
    });
    expect(proxy.seen.filter((op) => op === 'UpdateItem')).toHaveLength(5);
    expect(await store.get(owner, doc.id)).toMatchObject({ name: 'before', revision: 0 });
  });

  it('treats a save whose answer was lost as saved, not as a conflict with itself', async () => {
    const doc = await store.create(sampleNotebook(owner));
    proxy.dropResponse('UpdateItem');
    const saved = await store.save({ ...doc, name: 'applied once' }, { expectedRevision: 0 });
    expect(saved.revision).toBe(1);
    expect(proxy.seen.filter((op) => op === 'UpdateItem')).toHaveLength(2);
    expect(await store.get(owner, doc.id)).toMatchObject({ name: 'applied once', revision: 1 });
  });

  it('treats a create whose answer was lost as created, not as an existing id', async () => {
    proxy.dropResponse('PutItem', 2); // the first PutItem stores the cells, the second the head
    const doc = await store.create(sampleNotebook(owner, { name: 'created once' }));
    expect(await store.get(owner, doc.id)).toMatchObject({ name: 'created once', revision: 0 });
  });

  it('still refuses a real conflict after a retry', async () => {
    const doc = await store.create(sampleNotebook(owner));
    await store.save({ ...doc, name: 'other writer' }, { expectedRevision: 0 });
    proxy.throttle(1, 'UpdateItem');
    await expect(store.save({ ...doc, name: 'stale' }, { expectedRevision: 0 })).rejects.toMatchObject({ code: 'RNB_ERR_CONFLICT', currentRevision: 1 });
  });
});
