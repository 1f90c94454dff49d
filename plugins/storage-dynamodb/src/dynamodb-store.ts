import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
import { checkExpectedRevision, checkNotebookId, checkOwner, isValidNotebookId, lastRunOf, normalizeDocument } from '@rnb/core';
import { decodeBody, encodeBody } from './body';
import { BodyChunks, newBodyId, READ_ATTEMPTS } from './chunks';
import { clientConfig, type DynamoDbConnectionOptions } from './client';
import { CoeditDocuments } from './coedit';
import { ITEM_FORMAT, readHead, toHead, type Head } from './head';
import { DynamoDbHistoryStore } from './history';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';
import { ShareIndexBackfill, UnreadableNotebookError, type ShareBackfillResult } from './share-backfill';
import { DynamoDbShareIndex, sharesOf } from './share-index';
import { checkTableName, coeditKey, createTable, HEAD_PREFIX, headKey, PARTITION_KEY, SORT_KEY, tableError } from './table';
import { isConditionFailure, queryAll, type TableAccess } from './table-access';

export interface DynamoDbNotebookStoreOptions extends DynamoDbConnectionOptions {
  /** Table name (DYNAMODB_TABLE). */
  table: string;
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

const MAX_NAME = 10_000;

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
  /** The document client, table and `send` the parts below share. */
  private readonly access: TableAccess;
  private readonly chunks: BodyChunks;
  private readonly coedit: CoeditDocuments;
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
    this.access = { docs: this.docs, table: this.table, send };
    this.chunks = new BodyChunks({ ...this.access, log: this.log });
    this.coedit = new CoeditDocuments({ ...this.access, chunks: this.chunks, chunkBytes: this.chunkBytes });
    this.shareIndex = new DynamoDbShareIndex(this.access);
    this.backfill = new ShareIndexBackfill({
      ...this.access,
      index: this.shareIndex,
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
    this.history = new DynamoDbHistoryStore({ ...this.access, chunkBytes: this.chunkBytes });
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
        await this.chunks.delete(doc.owner, doc.id, bodyId, chunks.count);
        throw error;
      }
      // An earlier attempt whose answer was lost may have been ours.
      if ((await readHead(this.access, doc.owner, doc.id))?.bodyId === bodyId) return stored;
      await this.chunks.delete(doc.owner, doc.id, bodyId, chunks.count);
      throw new InvalidInputError(`A notebook with id "${doc.id}" exists already.`);
    }
  }

  async get(owner: string, id: string): Promise<NotebookDocument> {
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    // A save may replace the body between reading the head and its chunks: then read again.
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const head = await readHead(this.access, owner, id);
      if (!head) throw new NotFoundError('notebook', id);
      const chunks = await this.chunks.read(owner, id, head);
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
    const items = await queryAll(this.access, `list notebooks`, {
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
      const current = isConditionFailure(error) ? await readHead(this.access, doc.owner, doc.id).catch(() => undefined) : undefined;
      // An earlier attempt whose answer was lost may have been ours.
      if (current?.bodyId === bodyId) return { ...doc, revision: current.revision, createdAt: current.createdAt, updatedAt: current.updatedAt };
      await this.chunks.delete(doc.owner, doc.id, bodyId, chunks.count);
      if (!isConditionFailure(error)) throw error;
      if (!current) throw new NotFoundError('notebook', doc.id);
      throw new ConflictError(expected, current.revision);
    }
    await this.chunks.delete(doc.owner, doc.id, old.bodyId, old.chunks);
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
    // Every chunk of the notebook, also those a crashed writer left behind, and its co-editing document's pointer.
    await this.chunks.deleteKeys([...(await this.chunks.keysOfNotebook(owner, id)), coeditKey(owner, id)]);
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

  /** The co-editing document (the host's Yjs state): see ./coedit.ts. */
  loadCoedit(owner: string, id: string): Promise<Uint8Array | null> {
    return this.coedit.load(owner, id);
  }

  saveCoedit(owner: string, id: string, state: Uint8Array): Promise<void> {
    return this.coedit.save(owner, id, state);
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
      await this.chunks.put(doc.owner, doc.id, bodyId, chunks, `store notebook "${doc.id}"`);
    } catch (error) {
      await this.chunks.delete(doc.owner, doc.id, bodyId, chunks.length);
      throw error;
    }
    return { count: chunks.length, bytes: chunks.reduce((sum, c) => sum + c.length, 0) };
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
