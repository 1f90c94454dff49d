import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError, type NotebookShare, type PluginContext } from '@rnb/core';
import { sharesOf, type DynamoDbShareIndex } from './share-index';
import { HEAD_PREFIX, headKey, PARTITION_KEY, SORT_KEY } from './table';

/**
 * One-time back-fill of the share index ("shared with me", ./share-index.ts) for notebooks shared before it existed.
 *
 * Releases before the index kept a notebook's shares only in its body; their heads carry no `shares`, so such a
 * notebook was listed for the people it is shared with only after its owner saved it again. The back-fill scans the
 * table once (paged, one notebook at a time, so the server keeps serving meanwhile), and for each head:
 * - with `shares` (written by this release): writes its index items (idempotent puts; a crash between a save's head
 *   write and its index write is repaired the same way);
 * - without: reads the body's shares and, when there are any, writes the index items, then copies the shares into
 *   the head with a write conditioned on the revision it read and on the head still having no `shares`. A save in
 *   between (which writes both itself) makes the condition fail, and the save's shares stand.
 * Then it puts the marker item, so no instance scans again. Two instances starting at once may both scan: every write
 * is idempotent or conditional, and the marker is put with `attribute_not_exists`.
 */
export const SHARE_INDEX_MARKER: Readonly<Record<string, string>> = { [PARTITION_KEY]: 'rnb\u001fmeta', [SORT_KEY]: 'share-index-v1' };

/** A notebook's head or body the back-fill cannot read however often it tries: skipped (and logged), not retried. */
export class UnreadableNotebookError extends StorageError {}

export interface ShareBackfillOptions {
  docs: DynamoDBDocumentClient;
  table: string;
  index: DynamoDbShareIndex;
  send<T>(what: string, operation: () => Promise<T>): Promise<T>;
  /** The shares a notebook's body carries and the head revision that body belongs to; null when it is gone. */
  readBody(owner: string, id: string): Promise<{ shares: NotebookShare[]; revision: number } | null>;
  /** Items a scan page evaluates at most (default: DynamoDB's 1 MB pages). */
  pageItems?: number;
  log: PluginContext['log'];
}

export interface ShareBackfillResult {
  /** False when the marker said it was done already (no scan). */
  scanned: boolean;
  /** Notebooks whose shares were written to the index. */
  indexed: number;
  /** Notebooks skipped because their items are damaged (logged). */
  damaged: number;
  /** True when the credentials may not `Scan` the table (logged once; nothing was written, no marker). */
  scanRefused?: true;
}

/**
 * Runs the back-fill once per store: concurrent callers share one run; after a failure (logged) the next call runs it
 * again, after success every call resolves at once. `stop()` (the store closing) ends a run at its next notebook.
 */
export class ShareIndexBackfill {
  private running: Promise<ShareBackfillResult> | undefined;
  private stopped = false;

  constructor(private readonly options: ShareBackfillOptions) {}

  run(): Promise<ShareBackfillResult> {
    if (this.stopped) return Promise.reject(new StorageError('The DynamoDB notebook store is closed.'));
    const { log, table } = this.options;
    this.running ??= backfillShareIndex(this.options, () => this.stopped).then(
      (result) => {
        if (result.scanned) log('info', 'Share index back-filled for notebooks shared before it existed.', { table, indexed: result.indexed, damaged: result.damaged });
        return result;
      },
      (error: unknown) => {
        if (isAccessDenied(error)) {
          // Retrying cannot help: keep serving from the index (saves index their notebooks) and say what to grant.
          log('warn', 'The share index back-fill may not scan the table: notebooks shared before the index are listed only after their next save. Allow dynamodb:Scan on the table for one start to index them.', { table, error: String(error) });
          return { scanned: false, indexed: 0, damaged: 0, scanRefused: true } as const;
        }
        this.running = undefined;
        if (!this.stopped) log('warn', 'The share index back-fill failed; "shared with me" tries it again.', { table, error: String(error) });
        throw error;
      },
    );
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }
}

function isAccessDenied(error: unknown, depth = 0): boolean {
  const e = error as { name?: string; cause?: unknown } | null;
  if (e?.name === 'AccessDeniedException') return true;
  return depth < 3 && e?.cause !== undefined && isAccessDenied(e.cause, depth + 1);
}

async function backfillShareIndex(options: ShareBackfillOptions, stopped: () => boolean): Promise<ShareBackfillResult> {
  const { docs, table, send } = options;
  const marker = await send('read the share index marker', () => docs.send(new GetCommand({ TableName: table, Key: SHARE_INDEX_MARKER, ConsistentRead: true })));
  if (marker.Item) return { scanned: false, indexed: 0, damaged: 0 };
  const result: ShareBackfillResult = { scanned: true, indexed: 0, damaged: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await send('scan for notebooks shared before the share index', () =>
      docs.send(
        new ScanCommand({
          TableName: table,
          ConsistentRead: true,
          FilterExpression: 'begins_with(#sk, :head)',
          ProjectionExpression: '#pk, #sk, #shares',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, '#shares': 'shares' },
          ExpressionAttributeValues: { ':head': HEAD_PREFIX },
          ...(options.pageItems === undefined ? {} : { Limit: options.pageItems }),
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const head of page.Items ?? []) {
      if (stopped()) throw new StorageError('The share index back-fill stopped: the store is closing. It runs again at the next start.');
      const owner = String(head[PARTITION_KEY]);
      const id = String(head[SORT_KEY]).slice(HEAD_PREFIX.length);
      try {
        if (await backfillNotebook(options, owner, id, head)) result.indexed++;
      } catch (error) {
        if (!(error instanceof UnreadableNotebookError)) throw error;
        result.damaged++;
        options.log('warn', 'A damaged notebook was left out of the share index back-fill; it is indexed when it is saved again.', { owner, id, error: error.message });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  try {
    await send('write the share index marker', () =>
      docs.send(new PutCommand({ TableName: table, Item: { ...SHARE_INDEX_MARKER, doneAt: new Date().toISOString(), indexed: result.indexed }, ConditionExpression: `attribute_not_exists(${SORT_KEY})` })),
    );
  } catch (error) {
    // Another instance finished first: the same work, done.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
  return result;
}

/** True when the notebook is shared and its index items were written. */
async function backfillNotebook(options: ShareBackfillOptions, owner: string, id: string, head: Record<string, unknown>): Promise<boolean> {
  if (Array.isArray(head.shares)) {
    const shares = sharesOf(head);
    if (shares.length === 0) return false;
    await options.index.update(owner, id, [], shares);
    return true;
  }
  const body = await options.readBody(owner, id);
  if (!body || body.shares.length === 0) return false;
  // Index first: should the head write below fail or the process stop, an index item without shares in the head is
  // ignored by listing (it checks the head), and the next start does both again.
  await options.index.update(owner, id, [], body.shares);
  try {
    await options.send(`copy the shares of notebook "${id}" into its head`, () =>
      options.docs.send(
        new UpdateCommand({
          TableName: options.table,
          Key: headKey(owner, id),
          UpdateExpression: 'SET #shares = :shares',
          ConditionExpression: 'attribute_not_exists(#shares) AND revision = :revision',
          ExpressionAttributeNames: { '#shares': 'shares' },
          ExpressionAttributeValues: { ':shares': body.shares, ':revision': body.revision },
        }),
      ),
    );
  } catch (error) {
    // Saved (or deleted) since it was read: that write carried the current shares and their index items.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
  return true;
}
