import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { retain, StorageError, type HistoryRetention, type HistoryStore, type NotebookVersion } from '@rnb/core';
import { PARTITION_KEY, SORT_KEY } from './table';
import { deleteKeys, queryAll, type TableAccess } from './table-access';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** Version ids are the host's (`<time base36>-<random>`): sortable, and never holding the key's `#`. */
const VERSION_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

export function historyPrefix(id: string): string {
  return `hist#${id}#`;
}

export interface DynamoDbHistoryOptions extends TableAccess {
  /** Bytes of a gzipped version per item (under the 400 KB item limit). */
  chunkBytes: number;
}

/**
 * Versions of notebooks (core's HistoryStore) in the notebook table, in the owner's partition beside the notebook:
 * one version is `hist#<notebook id>#<version id>#<index>` items holding its gzipped JSON (`data`), the first also
 * `at` and `chunks`. Version ids sort by time, so a Query lists a notebook's history oldest first. An append writes
 * the new version's items, then deletes the versions the retention no longer keeps; a crash in between leaves extra
 * old versions that the next append deletes. Notebooks stored before history was kept here simply have none.
 */
export class DynamoDbHistoryStore implements HistoryStore {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly options: DynamoDbHistoryOptions) {}

  append(owner: string, notebookId: string, version: NotebookVersion, retention: HistoryRetention): Promise<void> {
    if (!VERSION_ID.test(version.id)) return Promise.reject(new StorageError(`A version id may not be stored: ${JSON.stringify(version.id.slice(0, 100))}.`));
    return this.serial(owner, notebookId, async () => {
      const packed = await gzip(JSON.stringify(version), { level: 6 });
      const parts: Buffer[] = [];
      for (let offset = 0; offset < packed.length; offset += this.options.chunkBytes) parts.push(packed.subarray(offset, offset + this.options.chunkBytes));
      for (const [index, data] of parts.entries()) {
        const item = { ...this.key(owner, notebookId, version.id, index), data, ...(index === 0 ? { at: version.at, chunks: parts.length } : {}) };
        await this.options.send(`store a version of notebook "${notebookId}"`, () => this.options.docs.send(new PutCommand({ TableName: this.options.table, Item: item })));
      }
      // Retention: keep what `retain` keeps of the versions' times, delete the items of the others.
      const items = await this.query(`list the versions of notebook "${notebookId}"`, owner, notebookId, true);
      const versions = items.filter((item) => typeof item.at === 'string').map((item) => ({ id: versionIdOf(String(item[SORT_KEY]), notebookId), at: String(item.at) }));
      const kept = new Set(retain(versions.map((v) => ({ ...v, authors: [], reason: 'edit' as const, cells: [] })), retention).map((v) => v.id));
      // Every item of a version not kept (also pieces of a version whose first item is gone).
      const doomed = items.filter((item) => !kept.has(versionIdOf(String(item[SORT_KEY]), notebookId)));
      await this.deleteKeys(doomed.map((item) => ({ [PARTITION_KEY]: owner, [SORT_KEY]: String(item[SORT_KEY]) })));
    });
  }

  async list(owner: string, notebookId: string): Promise<NotebookVersion[]> {
    const items = await this.query(`read the versions of notebook "${notebookId}"`, owner, notebookId, false);
    const byVersion = new Map<string, { chunks: number; parts: Buffer[] }>();
    for (const item of items) {
      const id = versionIdOf(String(item[SORT_KEY]), notebookId);
      const entry = byVersion.get(id) ?? { chunks: 0, parts: [] };
      if (typeof item.chunks === 'number') entry.chunks = item.chunks;
      entry.parts.push(Buffer.from(item.data as Uint8Array));
      byVersion.set(id, entry);
    }
    const versions: NotebookVersion[] = [];
    for (const [, entry] of byVersion) {
      // A version being written (or half deleted) is skipped: history is a convenience, never a reason to fail.
      if (entry.chunks === 0 || entry.parts.length !== entry.chunks) continue;
      try {
        versions.push(JSON.parse((await gunzip(Buffer.concat(entry.parts))).toString('utf8')) as NotebookVersion);
      } catch {
        // a damaged version: left out
      }
    }
    return versions;
  }

  forget(owner: string, notebookId: string): Promise<void> {
    return this.serial(owner, notebookId, async () => {
      const items = await this.query(`forget the versions of notebook "${notebookId}"`, owner, notebookId, true);
      await this.deleteKeys(items.map((item) => ({ [PARTITION_KEY]: owner, [SORT_KEY]: String(item[SORT_KEY]) })));
    });
  }

  private key(owner: string, notebookId: string, versionId: string, index: number): Record<string, string> {
    return { [PARTITION_KEY]: owner, [SORT_KEY]: `${historyPrefix(notebookId)}${versionId}#${String(index).padStart(5, '0')}` };
  }

  /** The notebook's history items in key order; `keysOnly`: without the data. */
  private async query(what: string, owner: string, notebookId: string, keysOnly: boolean): Promise<Record<string, unknown>[]> {
    const input: Omit<QueryCommandInput, 'TableName'> = {
      KeyConditionExpression: '#pk = :owner AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, ...(keysOnly ? { '#at': 'at' } : {}) },
      ExpressionAttributeValues: { ':owner': owner, ':prefix': historyPrefix(notebookId) },
      ...(keysOnly ? { ProjectionExpression: '#sk, #at' } : {}),
    };
    return queryAll(this.options, what, input);
  }

  private deleteKeys(keys: Record<string, string>[]): Promise<void> {
    return deleteKeys(this.options, 'delete old versions', keys);
  }

  private serial<T>(owner: string, notebookId: string, step: () => Promise<T>): Promise<T> {
    const key = `${owner}\u0000${notebookId}`;
    const run = (this.chains.get(key) ?? Promise.resolve()).then(step, step);
    this.chains.set(key, run.catch(() => undefined));
    return run;
  }
}

function versionIdOf(sortKey: string, notebookId: string): string {
  return sortKey.slice(historyPrefix(notebookId).length).split('#')[0]!;
}
