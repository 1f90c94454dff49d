import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { ConfigError, isNotebookError, StorageError } from '@rnb/core';
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from './retry';

/**
 * Table design: one partition per owner, so listing is a Query, never a Scan.
 *
 * | item     | pk    | sk                                 | attributes                                              |
 * |----------|-------|------------------------------------|---------------------------------------------------------|
 * | head     | owner | `nb#<id>`                          | id, name, createdAt, updatedAt, revision, bodyId, chunks, bodyBytes, format |
 * | chunk    | owner | `body#<id>#<bodyId>#<index:00000>` | data (binary: a slice of the gzipped cells)             |
 * | coedit   | owner | `coedit#<id>`                      | bodyId (`coedit-…`), chunks: the co-editing document's chunks, stored as body chunks |
 * | version  | owner | `hist#<id>#<version id>#<index:00000>` | data (a slice of the gzipped version); the first also at, chunks (./history.ts) |
 * | shared   | `rnb\u001fshared-with\u001f<user>` | `["<owner>","<id>"]` | owner, id: a notebook shared with the user (./share-index.ts) |
 *
 * A head also carries `shares` ([{ userId, role }]), the truth the share index is checked against.
 */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const HEAD_PREFIX = 'nb#';

export function headKey(owner: string, id: string): Record<string, string> {
  return { [PARTITION_KEY]: owner, [SORT_KEY]: `${HEAD_PREFIX}${id}` };
}

/** The pointer to a notebook's co-editing document (its bytes are chunks under `body#<id>#coedit-<gen>#`). */
export function coeditKey(owner: string, id: string): Record<string, string> {
  return { [PARTITION_KEY]: owner, [SORT_KEY]: `coedit#${id}` };
}

export function chunkPrefix(id: string, bodyId?: string): string {
  return bodyId === undefined ? `body#${id}#` : `body#${id}#${bodyId}#`;
}

export function chunkKey(owner: string, id: string, bodyId: string, index: number): Record<string, string> {
  return { [PARTITION_KEY]: owner, [SORT_KEY]: `${chunkPrefix(id, bodyId)}${String(index).padStart(5, '0')}` };
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export function checkTableName(table: unknown): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new ConfigError(`DYNAMODB_TABLE must be 3 to 255 letters, digits, "_", "-" or "."; got ${JSON.stringify(table)}.`);
  }
  return table;
}

export interface CreateTableOptions {
  /** How long to wait for the table to become ACTIVE (default 120 s). */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/**
 * Creates the notebook table when it is missing and waits until it is ACTIVE.
 * Safe to call from several instances at once: whoever loses the race sees
 * ResourceInUseException and waits like everyone else. An existing table
 * with another key schema is refused with a ConfigError.
 */
export async function createTable(client: DynamoDBClient, table: string, options: CreateTableOptions = {}): Promise<void> {
  checkTableName(table);
  const retry = options.retry ?? DEFAULT_RETRY;
  const timeoutMs = options.timeoutMs ?? 120_000;
  try {
    await withRetries(retry, `create table "${table}"`, () =>
      client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: PARTITION_KEY, AttributeType: 'S' },
            { AttributeName: SORT_KEY, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
            { AttributeName: SORT_KEY, KeyType: 'RANGE' },
          ],
        }),
      ),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw tableError(error, table, 'create');
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const description = await describe(client, table, retry);
    if (description?.TableStatus === 'ACTIVE') {
      checkKeySchema(description, table);
      return;
    }
    if (Date.now() > deadline) throw new StorageError(`The DynamoDB table "${table}" was not ACTIVE within ${timeoutMs} ms (status ${description?.TableStatus ?? 'missing'}).`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function describe(client: DynamoDBClient, table: string, retry: RetryPolicy): Promise<TableDescription | undefined> {
  try {
    return (await withRetries(retry, `describe table "${table}"`, () => client.send(new DescribeTableCommand({ TableName: table })))).Table;
  } catch (error) {
    // Just created elsewhere: DynamoDB may not show it for a moment.
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw tableError(error, table, 'describe');
  }
}

function checkKeySchema(description: TableDescription, table: string): void {
  const keys = Object.fromEntries((description.KeySchema ?? []).map((k) => [k.AttributeName, k.KeyType]));
  const types = Object.fromEntries((description.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  if (keys[PARTITION_KEY] !== 'HASH' || keys[SORT_KEY] !== 'RANGE' || types[PARTITION_KEY] !== 'S' || types[SORT_KEY] !== 'S' || Object.keys(keys).length !== 2) {
    throw new ConfigError(
      `The DynamoDB table "${table}" exists with another key schema (${JSON.stringify(description.KeySchema)}); ` +
        `notebooks need a string partition key "${PARTITION_KEY}" and a string sort key "${SORT_KEY}": choose another DYNAMODB_TABLE.`,
    );
  }
}

/** A DynamoDB failure as a StorageError that says what to do. */
export function tableError(error: unknown, table: string, action: string): Error {
  if (isNotebookError(error)) return error;
  const e = error as { name?: string; message?: string };
  switch (e.name) {
    case 'ResourceNotFoundException':
      return new StorageError(
        `Could not ${action}: the DynamoDB table "${table}" does not exist. Create it (DYNAMODB_CREATE_TABLE=true does so at start) or set DYNAMODB_TABLE.`,
        { cause: error },
      );
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'AccessDeniedException':
    case 'CredentialsProviderError':
      return new StorageError(`Could not ${action}: DynamoDB refused the AWS credentials (${e.name}: ${e.message}). Check the server's AWS credentials or role.`, { cause: error });
    default:
      return new StorageError(`Could not ${action} in DynamoDB table "${table}": ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, { cause: error });
  }
}
