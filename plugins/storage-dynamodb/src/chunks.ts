import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PluginContext } from '@rnb/core';
import { chunkKey, chunkPrefix, PARTITION_KEY, SORT_KEY } from './table';
import { deleteKeys, queryAll, type TableAccess } from './table-access';

/**
 * Reads of a notebook's chunks (its body, or its co-editing document) try this often: a save may replace them
 * between reading the item that points at them and reading them.
 */
export const READ_ATTEMPTS = 4;

/** Which chunks hold a body: the `bodyId` in their keys and how many there are. */
export interface ChunkPointer {
  bodyId: string;
  chunks: number;
}

export interface BodyChunksOptions extends TableAccess {
  log: PluginContext['log'];
}

/** A fresh random body id: chunks of a new body never overwrite those a reader may still be reading. */
export function newBodyId(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * The chunk items `body#<id>#<bodyId>#<index>` of a notebook's partition (./table.ts): a body, or the co-editing
 * document's bytes, cut into slices under the 400 KB item limit.
 */
export class BodyChunks {
  constructor(private readonly options: BodyChunksOptions) {}

  /** Writes the slices, eight at a time. */
  async put(owner: string, id: string, bodyId: string, parts: readonly Uint8Array[], what: string): Promise<void> {
    const { docs, table, send } = this.options;
    await mapPool(parts, 8, (data, index) => send(what, () => docs.send(new PutCommand({ TableName: table, Item: { ...chunkKey(owner, id, bodyId, index), data } }))));
  }

  /** The chunks in order, or null when some are gone (replaced by a concurrent save). */
  async read(owner: string, id: string, pointer: ChunkPointer): Promise<Uint8Array[] | null> {
    const items = await queryAll(this.options, `read notebook "${id}"`, {
      KeyConditionExpression: '#pk = :owner AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':owner': owner, ':prefix': chunkPrefix(id, pointer.bodyId) },
    });
    if (items.length !== pointer.chunks) return null;
    return items.map((item) => item.data as Uint8Array);
  }

  /** Best effort: chunks left behind are unreferenced and removed with the notebook. */
  async delete(owner: string, id: string, bodyId: string, count: number): Promise<void> {
    const keys = Array.from({ length: count }, (_, i) => chunkKey(owner, id, bodyId, i));
    await this.deleteKeys(keys).catch((error: unknown) => {
      this.options.log('warn', 'Old notebook chunks could not be deleted; they are removed when the notebook is.', { id, bodyId, error: String(error) });
    });
  }

  /** Every chunk of the notebook, also those a crashed writer left behind: for deleting the notebook. */
  async keysOfNotebook(owner: string, id: string): Promise<Record<string, string>[]> {
    const items = await queryAll(this.options, `find the chunks of notebook "${id}"`, {
      KeyConditionExpression: '#pk = :owner AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':owner': owner, ':prefix': chunkPrefix(id) },
      ProjectionExpression: '#pk, #sk',
    });
    return items.map((c) => ({ [PARTITION_KEY]: String(c[PARTITION_KEY]), [SORT_KEY]: String(c[SORT_KEY]) }));
  }

  /** Deletes chunk items (and pointer items beside them) in batches; throws when it cannot. */
  deleteKeys(keys: Record<string, string>[]): Promise<void> {
    return deleteKeys(this.options, 'delete notebook chunks', keys);
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
