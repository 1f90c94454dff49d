import { randomBytes } from 'node:crypto';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  StorageError,
  type NotebookDocument,
  type NotebookShare,
  type NotebookStore,
  type NotebookSummary,
  type PluginContext,
  type SaveOptions,
  type SharedNotebookSummary,
} from '@rnb/core';
import { decodeBody, encodeBody } from './body';
import { checkExpectedRevision, checkNotebookId, checkOwner, isValidNotebookId, lastRunOf, normalizeDocument } from '@rnb/core';
import { DynamoDbHistoryStore } from './history';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';
import { ShareIndexBackfill, UnreadableNotebookError, type ShareBackfillResult } from './share-backfill';
import { DynamoDbShareIndex, sharesOf } from './share-index';
import { checkTableName, chunkKey, chunkPrefix, coeditKey, createTable, HEAD_PREFIX, headKey, PARTITION_KEY, SORT_KEY, tableError } from './table';

export interface DynamoDbNotebookStoreOptions {
  /** Table name (DYNAMODB_TABLE). */
  table: string;
  /** AWS region (AWS_REGION); default us-east-1. */
  region?: string;
  /** Endpoint override (DYNAMODB_ENDPOINT), e.g. a local DynamoDB-compatible server. */
  endpoint?: string;
  /** Static credentials; default: the AWS SDK's chain, or dummy ones for a loopback endpoint. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A client you configured yourself; region, endpoint and credentials are then ignored. */
  client?: DynamoDBClient;
  retry?: Partial<RetryPolicy>;
  /** Bytes of gzipped cells per item (default 350,000: under the 400 KB item limit with keys). */
  chunkBytes?: number;
  /** Largest gzipped body accepted (default 32 MB). */
  maxBodyBytes?: number;
  /** Items per page of the one-time share index back-fill's scan (default: DynamoDB's 1 MB pages); see ./share-backfill.ts. */
  backfillPageItems?: number;
  log?: PluginContext['log'];
}

/** Head items carry this; a newer release that changes the layout raises it. */
export const ITEM_FORMAT = 1;
const MAX_NAME = 10_000;
const READ_ATTEMPTS = 4;

interface Head {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
  bodyId: string;
  chunks: number;
  format: number;
}

/**
 * NotebookStore on DynamoDB (see ./table.ts for the item layout). A save
 * writes the new body's chunks under a fresh body id, then moves the head to
 * them with a write conditioned on the revision the caller read: of several
 * writers on one revision exactly one succeeds. Old chunks are deleted after;
 * a crash in between leaves only unreferenced chunks, never a broken notebook.
 * No transactions are needed (dynalite, used in tests, has none).
 */
export class DynamoDbNotebookStore implements NotebookStore {
  readonly table: string;
  readonly client: DynamoDBClient;
  private readonly docs: DynamoDBDocumentClient;
  private readonly retry: RetryPolicy;
  private readonly chunkBytes: number;
  private readonly maxBodyBytes: number;
  private readonly log: PluginContext['log'];
  private readonly ownsClient: boolean;
  private readonly shareIndex: DynamoDbShareIndex;
  private readonly backfill: ShareIndexBackfill;
  /** Versions of the notebooks (core's HistoryStore), in the same table; the host keeps history here. */
  readonly history: DynamoDbHistoryStore;

  constructor(options: DynamoDbNotebookStoreOptions) {
    this.table = checkTableName(options.table);
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new DynamoDBClient(clientConfig(options));
    this.docs = DynamoDBDocumentClient.from(this.client, { marshallOptions: { removeUndefinedValues: true } });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.chunkBytes = options.chunkBytes ?? 350_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.log = options.log ?? (() => undefined);
    const send = <T>(what: string, operation: () => Promise<T>): Promise<T> => this.send(what, operation);
    this.shareIndex = new DynamoDbShareIndex({ docs: this.docs, table: this.table, send });
    this.backfill = new ShareIndexBackfill({
      docs: this.docs,
      table: this.table,
      index: this.shareIndex,
      send,
      readBody: async (owner, id) => {
        try {
          const doc = await this.get(owner, id);
          return { shares: doc.shares ?? [], revision: doc.revision };
        } catch (error) {
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      },
      ...(options.backfillPageItems === undefined ? {} : { pageItems: options.backfillPageItems }),
      log: this.log,
    });
    this.history = new DynamoDbHistoryStore({ docs: this.docs, table: this.table, chunkBytes: this.chunkBytes, send });
  }

  /** Creates the table when missing (DYNAMODB_CREATE_TABLE); see {@link createTable}. */
  async createTable(timeoutMs?: number): Promise<void> {
    await createTable(this.client, this.table, { retry: this.retry, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  }

  /**
   * Fails fast with a StorageError when the table is missing or the
   * credentials are refused. Uses a read the store needs anyway, so an IAM
   * policy without DescribeTable suffices.
   */
  async check(): Promise<void> {
    await this.send('reach the notebook table', () => this.docs.send(new GetCommand({ TableName: this.table, Key: headKey('rnb:probe', 'probe') })));
  }

  async create(document: NotebookDocument): Promise<NotebookDocument> {
    const doc = this.checkDocument(document);
    checkNotebookId(doc.id);
    const now = new Date().toISOString();
    const stored: NotebookDocument = { ...doc, revision: 0, createdAt: now, updatedAt: now };
    const bodyId = newBodyId();
    const chunks = await this.putBody(doc, bodyId);
    // The last run sits on the head item beside the size, so that listing reads no body.
    const lastRunAt = lastRunOf(doc.cells);
    const item = { ...headKey(doc.owner, doc.id), id: doc.id, name: doc.name, createdAt: now, updatedAt: now, revision: 0, bodyId, chunks: chunks.count, bodyBytes: chunks.bytes, ...(lastRunAt ? { lastRunAt } : {}), format: ITEM_FORMAT, shares: doc.shares ?? [] };
    try {
      await this.send(`create notebook "${doc.id}"`, () => this.docs.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: `attribute_not_exists(${SORT_KEY})` })));
      await this.shareIndex.update(doc.owner, doc.id, [], doc.shares ?? []);
      return stored;
    } catch (error) {
      if (!isConditionFailure(error)) {
        await this.deleteBody(doc.owner, doc.id, bodyId, chunks.count);
        throw error;
      }
      // An earlier attempt whose answer was lost may have been ours.
      if ((await this.readHead(doc.owner, doc.id))?.bodyId === bodyId) return stored;
      await this.deleteBody(doc.owner, doc.id, bodyId, chunks.count);
      throw new InvalidInputError(`A notebook with id "${doc.id}" exists already.`);
    }
  }

  async get(owner: string, id: string): Promise<NotebookDocument> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    // A save may replace the body between reading the head and its chunks: then read again.
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const head = await this.readHead(owner, id);
      if (!head) throw new NotFoundError('notebook', id);
      const chunks = await this.readChunks(owner, id, head);
      if (!chunks) continue;
      try {
        const body = await decodeBody(chunks);
        return { id, owner, name: head.name, settings: body.settings, lazy: body.lazy, cells: body.cells, ...(body.app ? { app: body.app } : {}), ...(body.shares ? { shares: body.shares } : {}), revision: head.revision, createdAt: head.createdAt, updatedAt: head.updatedAt };
      } catch (error) {
        throw new UnreadableNotebookError(`Notebook "${id}" cannot be read from DynamoDB table "${this.table}": ${(error as Error).message}.`, { cause: error });
      }
    }
    throw new StorageError(`Notebook "${id}" changed too often while being read; try again.`);
  }

  async list(owner: string): Promise<NotebookSummary[]> {
    checkOwner(owner);
    const items = await this.query(`list notebooks`, {
      KeyConditionExpression: '#pk = :owner AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, '#id': 'id', '#name': 'name', '#updatedAt': 'updatedAt', '#bytes': 'bodyBytes', '#lastRunAt': 'lastRunAt' },
      ExpressionAttributeValues: { ':owner': owner, ':prefix': HEAD_PREFIX },
      // Only the summary: cells and the connection string are not in head items anyway.
      ProjectionExpression: '#id, #name, #updatedAt, #bytes, #lastRunAt',
    });
    // bodyBytes: the stored (gzipped) body, what per-user limits add up. lastRunAt: absent on notebooks never run
    // and on heads written before it was kept (until their next save).
    return items.map((item) => ({
      id: String(item.id),
      name: String(item.name),
      updatedAt: String(item.updatedAt),
      ...(typeof item.bodyBytes === 'number' ? { bytes: item.bodyBytes } : {}),
      ...(typeof item.lastRunAt === 'string' ? { lastRunAt: item.lastRunAt } : {}),
    }));
  }

  async save(document: NotebookDocument, options: SaveOptions): Promise<NotebookDocument> {
    const doc = this.checkDocument(document);
    const expected = checkExpectedRevision(options?.expectedRevision);
    if (!isValidNotebookId(doc.id)) throw new NotFoundError('notebook', doc.id);
    const now = new Date().toISOString();
    const bodyId = newBodyId();
    const chunks = await this.putBody(doc, bodyId);
    const lastRunAt = lastRunOf(doc.cells);
    let old: Head;
    let oldShares: NotebookShare[];
    try {
      const result = await this.send(`save notebook "${doc.id}"`, () =>
        this.docs.send(
          new UpdateCommand({
            TableName: this.table,
            Key: headKey(doc.owner, doc.id),
            UpdateExpression: `SET #name = :name, updatedAt = :now, revision = :next, bodyId = :bodyId, chunks = :chunks, bodyBytes = :bytes, #format = :format, #shares = :shares${lastRunAt ? ', lastRunAt = :lastRunAt' : ' REMOVE lastRunAt'}`,
            ConditionExpression: 'revision = :expected',
            ExpressionAttributeNames: { '#name': 'name', '#format': 'format', '#shares': 'shares' },
            ExpressionAttributeValues: { ':name': doc.name, ':now': now, ':next': expected + 1, ':bodyId': bodyId, ':chunks': chunks.count, ':bytes': chunks.bytes, ':format': ITEM_FORMAT, ':shares': doc.shares ?? [], ':expected': expected, ...(lastRunAt ? { ':lastRunAt': lastRunAt } : {}) },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      old = toHead(result.Attributes, doc.id);
      oldShares = sharesOf(result.Attributes);
    } catch (error) {
      const current = isConditionFailure(error) ? await this.readHead(doc.owner, doc.id).catch(() => undefined) : undefined;
      // An earlier attempt whose answer was lost may have been ours.
      if (current?.bodyId === bodyId) return { ...doc, revision: current.revision, createdAt: current.createdAt, updatedAt: current.updatedAt };
      await this.deleteBody(doc.owner, doc.id, bodyId, chunks.count);
      if (!isConditionFailure(error)) throw error;
      if (!current) throw new NotFoundError('notebook', doc.id);
      throw new ConflictError(expected, current.revision);
    }
    await this.deleteBody(doc.owner, doc.id, old.bodyId, old.chunks);
    await this.shareIndex.update(doc.owner, doc.id, oldShares, doc.shares ?? []);
    return { ...doc, revision: expected + 1, createdAt: old.createdAt, updatedAt: now };
  }

  async delete(owner: string, id: string): Promise<void> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    let shares: NotebookShare[];
    try {
      const result = await this.send(`delete notebook "${id}"`, () =>
        this.docs.send(new DeleteCommand({ TableName: this.table, Key: headKey(owner, id), ConditionExpression: `attribute_exists(${SORT_KEY})`, ReturnValues: 'ALL_OLD' })),
      );
      shares = sharesOf(result.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError('notebook', id);
      throw error;
    }
    // Every chunk of the notebook, also those a crashed writer left behind.
    const chunks = await this.query(`find the chunks of notebook "${id}"`, {
      KeyConditionExpression: '#pk = :owner AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':owner': owner, ':prefix': chunkPrefix(id) },
      ProjectionExpression: '#pk, #sk',
    });
    await this.deleteKeys([...chunks.map((c) => ({ [PARTITION_KEY]: String(c[PARTITION_KEY]), [SORT_KEY]: String(c[SORT_KEY]) })), coeditKey(owner, id)]);
    await this.shareIndex.update(owner, id, shares, []);
    // Its versions too (the host also forgets them; a notebook deleted by another path leaves none behind).
    await this.history.forget(owner, id);
  }

  /** "Shared with me": see ./share-index.ts. Waits for the one-time back-fill of notebooks shared before the index. */
  async listSharedWith(userId: string): Promise<SharedNotebookSummary[]> {
    checkOwner(userId);
    // A failed back-fill was logged; the index still lists everything saved since, and the next call tries again.
    await this.backfillShareIndex().catch(() => undefined);
    return this.shareIndex.list(userId);
  }

  /**
   * Indexes, once per table, the notebooks shared before the share index existed (./share-backfill.ts). The plugin
   * starts it at activation without waiting; "shared with me" waits for it. One run per store at a time; after a
   * failure the next call runs it again (every write is idempotent), after success it resolves at once.
   */
  backfillShareIndex(): Promise<ShareBackfillResult> {
    return this.backfill.run();
  }

  async close(): Promise<void> {
    // A back-fill in progress stops at its next notebook (no marker: the next start runs it again).
    await this.backfill.stop();
    if (this.ownsClient) this.client.destroy();
  }

  /**
   * The co-editing document, in the notebook's partition: chunks `body#<id>#coedit-<gen>#<index>` written first,
   * then the pointer item `coedit#<id>` moved to them, then the old chunks deleted (as a save's body). Deleting the
   * notebook removes both (the chunks share the notebook's body prefix).
   */
  async loadCoedit(owner: string, id: string): Promise<Uint8Array | null> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      if (!(await this.readHead(owner, id))) throw new NotFoundError('notebook', id);
      const pointer = await this.readCoeditPointer(owner, id);
      if (!pointer) return null;
      const chunks = await this.readChunks(owner, id, { bodyId: pointer.bodyId, chunks: pointer.chunks } as Head);
      if (chunks) return new Uint8Array(Buffer.concat(chunks));
    }
    throw new StorageError(`The co-editing document of "${id}" changed too often while being read; try again.`);
  }

  async saveCoedit(owner: string, id: string, state: Uint8Array): Promise<void> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    if (!(await this.readHead(owner, id))) throw new NotFoundError('notebook', id);
    const bodyId = `coedit-${newBodyId()}`;
    const data = Buffer.from(state);
    const parts: Buffer[] = [];
    for (let offset = 0; offset < data.length || parts.length === 0; offset += this.chunkBytes) parts.push(data.subarray(offset, offset + this.chunkBytes));
    await mapPool(parts, 8, (part, index) =>
      this.send(`store the co-editing document of "${id}"`, () => this.docs.send(new PutCommand({ TableName: this.table, Item: { ...chunkKey(owner, id, bodyId, index), data: part } }))),
    );
    const result = await this.send(`store the co-editing document of "${id}"`, () =>
      this.docs.send(new PutCommand({ TableName: this.table, Item: { ...coeditKey(owner, id), bodyId, chunks: parts.length }, ReturnValues: 'ALL_OLD' })),
    );
    const old = result.Attributes as { bodyId?: unknown; chunks?: unknown } | undefined;
    if (typeof old?.bodyId === 'string' && typeof old.chunks === 'number') await this.deleteBody(owner, id, old.bodyId, old.chunks);
    // The notebook may have been deleted meanwhile: then nothing of the document may stay.
    if (!(await this.readHead(owner, id))) {
      await this.deleteKeys([coeditKey(owner, id)]).catch(() => undefined);
      await this.deleteBody(owner, id, bodyId, parts.length);
      throw new NotFoundError('notebook', id);
    }
  }

  private async readCoeditPointer(owner: string, id: string): Promise<{ bodyId: string; chunks: number } | null> {
    const result = await this.send(`read the co-editing document of "${id}"`, () => this.docs.send(new GetCommand({ TableName: this.table, Key: coeditKey(owner, id), ConsistentRead: true })));
    const item = result.Item as { bodyId?: unknown; chunks?: unknown } | undefined;
    return typeof item?.bodyId === 'string' && typeof item.chunks === 'number' ? { bodyId: item.bodyId, chunks: item.chunks } : null;
  }

  private checkDocument(document: NotebookDocument): NotebookDocument {
    const doc = normalizeDocument(document);
    checkOwner(doc.owner);
    if (doc.name.length > MAX_NAME) throw new InvalidInputError(`A notebook name is at most ${MAX_NAME} characters; this one has ${doc.name.length}.`);
    return doc;
  }

  private async putBody(doc: NotebookDocument, bodyId: string): Promise<{ count: number; bytes: number }> {
    const chunks = await encodeBody(doc, this.chunkBytes, this.maxBodyBytes);
    try {
      await mapPool(chunks, 8, (data, index) =>
        this.send(`store notebook "${doc.id}"`, () => this.docs.send(new PutCommand({ TableName: this.table, Item: { ...chunkKey(doc.owner, doc.id, bodyId, index), data } }))),
      );
    } catch (error) {
      await this.deleteBody(doc.owner, doc.id, bodyId, chunks.length);
      throw error;
    }
    return { count: chunks.length, bytes: chunks.reduce((sum, c) => sum + c.length, 0) };
  }

  /** Best effort: chunks left behind are unreferenced and removed with the notebook. */
  private async deleteBody(owner: string, id: string, bodyId: string, count: number): Promise<void> {
    const keys = Array.from({ length: count }, (_, i) => chunkKey(owner, id, bodyId, i));
    await this.deleteKeys(keys).catch((error: unknown) => {
      this.log('warn', 'Old notebook chunks could not be deleted; they are removed when the notebook is.', { id, bodyId, error: String(error) });
    });
  }

  private async deleteKeys(keys: Record<string, string>[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      let pending = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      // BatchWrite answers throttling per item, as UnprocessedItems: resend those with backoff.
      await this.send('delete notebook chunks', async () => {
        const result = await this.docs.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = (result.UnprocessedItems?.[this.table] ?? []) as typeof pending;
        if (pending.length > 0) throw Object.assign(new Error('unprocessed items'), { name: 'ProvisionedThroughputExceededException' });
      });
    }
  }

  private async readHead(owner: string, id: string): Promise<Head | undefined> {
    const result = await this.send(`read notebook "${id}"`, () => this.docs.send(new GetCommand({ TableName: this.table, Key: headKey(owner, id), ConsistentRead: true })));
    return result.Item ? toHead(result.Item, id) : undefined;
  }

  /** The body's chunks in order, or null when some are gone (replaced by a concurrent save). */
  private async readChunks(owner: string, id: string, head: Head): Promise<Uint8Array[] | null> {
    const items = await this.query(`read notebook "${id}"`, {
      KeyConditionExpression: '#pk = :owner AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':owner': owner, ':prefix': chunkPrefix(id, head.bodyId) },
    });
    if (items.length !== head.chunks) return null;
    return items.map((item) => item.data as Uint8Array);
  }

  private async query(what: string, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.send(what, () => this.docs.send(new QueryCommand({ ...input, TableName: this.table, ConsistentRead: true, ExclusiveStartKey: start })));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async send<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(this.retry, what, operation);
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      throw tableError(error, this.table, what);
    }
  }
}

function toHead(item: Record<string, unknown> | undefined, id: string): Head {
  const format = Number(item?.format ?? 0);
  if (format > ITEM_FORMAT) throw new UnreadableNotebookError(`Notebook "${id}" was written by a newer release (item format ${format}): upgrade the server.`);
  if (!item || typeof item.bodyId !== 'string' || typeof item.revision !== 'number' || typeof item.chunks !== 'number') {
    throw new UnreadableNotebookError(`Notebook "${id}" has a damaged head item in DynamoDB (missing bodyId, revision or chunks).`);
  }
  return {
    id,
    name: String(item.name ?? ''),
    createdAt: String(item.createdAt ?? ''),
    updatedAt: String(item.updatedAt ?? ''),
    revision: item.revision,
    bodyId: item.bodyId,
    chunks: item.chunks,
    format,
  };
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

function newBodyId(): string {
  return randomBytes(9).toString('base64url');
}

export function clientConfig(options: Pick<DynamoDbNotebookStoreOptions, 'region' | 'endpoint' | 'credentials'>): DynamoDBClientConfig {
  // Retries are ours (./retry.ts): one policy, and conditional writes know when they are retried.
  const config: DynamoDBClientConfig = { region: options.region ?? 'us-east-1', maxAttempts: 1 };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  // A local DynamoDB-compatible server accepts any key; without this the SDK refuses to sign.
  else if (options.endpoint && isLoopback(options.endpoint) && !process.env.AWS_ACCESS_KEY_ID) config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  return config;
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
