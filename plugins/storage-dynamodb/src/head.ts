import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { UnreadableNotebookError } from './share-backfill';
import { headKey } from './table';
import type { TableAccess } from './table-access';

/** Head items carry this; a newer release that changes the layout raises it. */
export const ITEM_FORMAT = 1;

/** A notebook's head item (see ./table.ts): its summary and which body chunks are current. */
export interface Head {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
  bodyId: string;
  chunks: number;
  format: number;
}

/** The notebook's head, read strongly consistent; undefined when there is none. */
export async function readHead(access: TableAccess, owner: string, id: string): Promise<Head | undefined> {
  const result = await access.send(`read notebook "${id}"`, () => access.docs.send(new GetCommand({ TableName: access.table, Key: headKey(owner, id), ConsistentRead: true })));
  return result.Item ? toHead(result.Item, id) : undefined;
}

export function toHead(item: Record<string, unknown> | undefined, id: string): Head {
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
