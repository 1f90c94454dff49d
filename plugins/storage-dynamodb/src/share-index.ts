import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { NotebookShare, SharedNotebookSummary } from '@rnb/core';
import { headKey, PARTITION_KEY, SORT_KEY } from './table';
import { queryAll, type TableAccess } from './table-access';

/**
 * "Shared with me" on DynamoDB without a secondary index (so existing tables need no change): for each user a
 * notebook is shared with, an item in that user's share partition `rnb\u001fshared-with\u001f<user>`, sort key
 * `[owner, id]` as JSON. The notebook's head item carries its shares (`shares`) and is the truth: listing reads each
 * candidate's head and keeps it only when the head still shares it with the user, so an entry left by a crash between
 * the head write and the index write, or by a notebook shared before this index existed and unshared since, is
 * harmless. Notebooks shared before the index existed are indexed once per table by ./share-backfill.ts.
 */
export function sharePartition(userId: string): string {
  return `rnb\u001fshared-with\u001f${userId}`;
}

export class DynamoDbShareIndex {
  constructor(private readonly options: TableAccess) {}

  /** After a head write: entries for the users the notebook is shared with now, none for those it no longer is. */
  async update(owner: string, id: string, before: readonly NotebookShare[], after: readonly NotebookShare[]): Promise<void> {
    const now = new Set(after.map((share) => share.userId));
    const gone = before.filter((share) => !now.has(share.userId));
    for (const share of after) {
      await this.options.send(`index the shares of notebook "${id}"`, () =>
        this.options.docs.send(new PutCommand({ TableName: this.options.table, Item: { ...this.key(share.userId, owner, id), owner, id } })),
      );
    }
    for (let i = 0; i < gone.length; i += 25) {
      const requests = gone.slice(i, i + 25).map((share) => ({ DeleteRequest: { Key: this.key(share.userId, owner, id) } }));
      await this.options.send(`index the shares of notebook "${id}"`, () => this.options.docs.send(new BatchWriteCommand({ RequestItems: { [this.options.table]: requests } })));
    }
  }

  async list(userId: string): Promise<SharedNotebookSummary[]> {
    const items = await queryAll(this.options, 'list the notebooks shared with a user', {
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      ExpressionAttributeValues: { ':pk': sharePartition(userId) },
    });
    const entries: { owner: string; id: string }[] = [];
    for (const item of items) if (typeof item.owner === 'string' && typeof item.id === 'string') entries.push({ owner: item.owner, id: item.id });
    const summaries: SharedNotebookSummary[] = [];
    for (const { owner, id } of entries) {
      if (owner === userId) continue;
      const head = (await this.options.send(`read notebook "${id}"`, () => this.options.docs.send(new GetCommand({ TableName: this.options.table, Key: headKey(owner, id), ConsistentRead: true })))).Item;
      const share = sharesOf(head).find((s) => s.userId === userId);
      if (!head || !share) continue;
      summaries.push({ id, name: String(head.name ?? ''), updatedAt: String(head.updatedAt ?? ''), ...(typeof head.bodyBytes === 'number' ? { bytes: head.bodyBytes } : {}), owner, role: share.role });
    }
    return summaries;
  }

  private key(userId: string, owner: string, id: string): Record<string, string> {
    return { [PARTITION_KEY]: sharePartition(userId), [SORT_KEY]: JSON.stringify([owner, id]) };
  }
}

/** The shares a head item carries (none for a head written before heads carried them). */
export function sharesOf(head: Record<string, unknown> | undefined): NotebookShare[] {
  const raw = head?.shares;
  if (!Array.isArray(raw)) return [];
  return raw.filter((s): s is NotebookShare => typeof s?.userId === 'string' && (s.role === 'editor' || s.role === 'viewer')).map((s) => ({ userId: s.userId, role: s.role }));
}
