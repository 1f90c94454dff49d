import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** What every part of the store needs to reach the table: the document client, the table and the store's `send`. */
export interface TableAccess {
  docs: DynamoDBDocumentClient;
  table: string;
  /** The store's retries and error messages (see DynamoDbNotebookStore). */
  send<T>(what: string, operation: () => Promise<T>): Promise<T>;
}

/** Every item a query matches, all pages, read strongly consistent. */
export async function queryAll(access: TableAccess, what: string, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await access.send(what, () => access.docs.send(new QueryCommand({ ...input, TableName: access.table, ConsistentRead: true, ExclusiveStartKey: start })));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Deletes the items, 25 per BatchWriteItem (the API's limit). */
export async function deleteKeys(access: TableAccess, what: string, keys: Record<string, string>[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let pending = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    // BatchWrite answers throttling per item, as UnprocessedItems: resend those with backoff.
    await access.send(what, async () => {
      const result = await access.docs.send(new BatchWriteCommand({ RequestItems: { [access.table]: pending } }));
      pending = (result.UnprocessedItems?.[access.table] ?? []) as typeof pending;
      if (pending.length > 0) throw Object.assign(new Error('unprocessed items'), { name: 'ProvisionedThroughputExceededException' });
    });
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
