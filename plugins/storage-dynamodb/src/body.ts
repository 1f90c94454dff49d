import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { InvalidInputError, type NotebookDocument } from '@rnb/core';
import { normalizeDocument } from '@rnb/core';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/**
 * The part of a notebook kept outside its small head item: cells, the lazy
 * flag and the plugin settings. It is stored gzipped and cut into chunks,
 * so a notebook may exceed DynamoDB's 400 KB item limit, and no setting
 * (a connection string) ever sits in an item that a listing reads.
 */
export interface Body {
  lazy: boolean;
  settings: NotebookDocument['settings'];
  cells: NotebookDocument['cells'];
  app?: NotebookDocument['app'];
  /** Absent in bodies written before sharing: nobody. */
  shares?: NotebookDocument['shares'];
}

/** 1: the SQL connection string in a field of its own (`dbConnString`); 2: per-plugin `settings` (version 1 migrates on read). */
export const BODY_VERSION = 2;

export async function encodeBody(doc: NotebookDocument, chunkBytes: number, maxBytes: number): Promise<Buffer[]> {
  const json = JSON.stringify({ v: BODY_VERSION, lazy: doc.lazy, settings: doc.settings, cells: doc.cells, ...(doc.app ? { app: doc.app } : {}), ...(doc.shares?.length ? { shares: doc.shares } : {}) });
  const packed = await gzip(json, { level: 6 });
  if (packed.length > maxBytes) {
    throw new InvalidInputError(
      `Notebook "${doc.id}" is too large to store: ${mb(packed.length)} MB compressed, the limit is ${mb(maxBytes)} MB. Clear large outputs and save again.`,
    );
  }
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < packed.length; offset += chunkBytes) chunks.push(packed.subarray(offset, offset + chunkBytes));
  return chunks.length > 0 ? chunks : [packed];
}

/** Throws a plain Error with the reason when the body is damaged; the caller adds which notebook. */
export async function decodeBody(chunks: Uint8Array[]): Promise<Body> {
  let text: string;
  try {
    text = (await gunzip(Buffer.concat(chunks))).toString('utf8');
  } catch (error) {
    throw new Error(`its cells are not valid gzip (${(error as Error).message})`);
  }
  let raw: { v?: unknown } & Record<string, unknown>;
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (error) {
    throw new Error(`its cells are not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw.v !== 'number' || raw.v > BODY_VERSION) throw new Error(`its cells were written by a newer release (body version ${String(raw.v)}): upgrade the server`);
  const doc = normalizeDocument({ id: '', owner: '', name: '', lazy: raw.lazy, settings: raw.v === 1 ? version1Settings(raw.dbConnString) : raw.settings, cells: raw.cells, app: raw.app, shares: raw.shares }, 'stored body');
  return { lazy: doc.lazy, settings: doc.settings, cells: doc.cells, ...(doc.app ? { app: doc.app } : {}), ...(doc.shares ? { shares: doc.shares } : {}) };
}

/** A version 1 body's connection string, as the SQL plugin's setting. */
function version1Settings(connection: unknown): unknown {
  if (connection === null || connection === undefined || connection === '') return {};
  return { sql: { connection_string: connection } };
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
