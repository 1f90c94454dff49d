import { ConfigError, definePlugin, NotebookStore, type Plugin } from '@rnb/core';
import { DynamoDbNotebookStore, type DynamoDbNotebookStoreOptions } from './dynamodb-store';

export { DynamoDbNotebookStore, type DynamoDbNotebookStoreOptions } from './dynamodb-store';
export { ITEM_FORMAT } from './head';
export { SHARE_INDEX_MARKER, type ShareBackfillResult } from './share-backfill';
export { createTable, type CreateTableOptions, PARTITION_KEY, SORT_KEY } from './table';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';

/** Explicit options win over the host's configuration (DYNAMODB_TABLE, DYNAMODB_ENDPOINT, AWS_REGION, DYNAMODB_CREATE_TABLE). */
export interface DynamoDbStoragePluginOptions extends Partial<Omit<DynamoDbNotebookStoreOptions, 'log'>> {
  /** Create the table at start when it is missing (DYNAMODB_CREATE_TABLE; default false). */
  createTable?: boolean;
}

export const DEFAULT_TABLE = 'notebooks';
export const DEFAULT_REGION = 'us-east-1';

/** The DynamoDB storage plugin: provides core's NotebookStore token. */
export function dynamoDbStoragePlugin(options: DynamoDbStoragePluginOptions = {}): Plugin<{}, {}, NotebookStore> {
  let store: DynamoDbNotebookStore | undefined;
  return definePlugin<{}, {}, NotebookStore>({
    id: '@rnb/storage-dynamodb:store',
    description: 'Notebooks in a DynamoDB table (DYNAMODB_TABLE), one partition per owner.',
    provides: NotebookStore,
    async activate(context) {
      const config = context.config;
      const { createTable: create, ...rest } = options;
      const endpoint = options.endpoint ?? (config.DYNAMODB_ENDPOINT || undefined);
      if (endpoint !== undefined && !isHttpUrl(endpoint)) throw new ConfigError(`DYNAMODB_ENDPOINT must be an http(s) URL; got ${JSON.stringify(endpoint)}.`);
      const opened = new DynamoDbNotebookStore({
        ...rest,
        table: options.table ?? (config.DYNAMODB_TABLE || DEFAULT_TABLE),
        region: options.region ?? (config.AWS_REGION || DEFAULT_REGION),
        ...(endpoint === undefined ? {} : { endpoint }),
        log: context.log,
      });
      try {
        if (create ?? parseBoolean(config.DYNAMODB_CREATE_TABLE, 'DYNAMODB_CREATE_TABLE')) await opened.createTable();
        else await opened.check();
      } catch (error) {
        await opened.close();
        throw error;
      }
      store = opened;
      // Not awaited: serving starts at once; "shared with me" waits for it (errors are logged by the store).
      void opened.backfillShareIndex().catch(() => undefined);
      context.log('info', 'DynamoDB notebook storage ready.', { table: opened.table, region: options.region ?? config.AWS_REGION ?? DEFAULT_REGION, endpoint });
      return opened;
    },
    async deactivate() {
      await store?.close();
      store = undefined;
    },
  });
}

function parseBoolean(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '') return false;
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true' || normalized === '1') return true;
  if (normalized === 'false' || normalized === '0') return false;
  throw new ConfigError(`${name} must be "true" or "false"; got ${JSON.stringify(value)}.`);
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export default dynamoDbStoragePlugin;
