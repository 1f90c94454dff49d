import { createHash } from 'node:crypto';
import type { JsonValue, NotebookDocument, NotebookShare, StoredCell } from '@rnb/core';

/** The cache folder beside the notebooks: revisions, owners, secrets and last results, never in the `.py` files. */
export const CACHE_DIR = '.rnb-cache';
export const CACHE_FORMAT = 'rnb-folder-cache';
export const CACHE_VERSION = 1;

/** What a cell's last run left, kept by cell id. */
export type CellResults = Pick<StoredCell, 'status' | 'stdout' | 'stderr' | 'outputs' | 'error' | 'reads' | 'writes'>;

/** One notebook's record in the cache folder. */
export interface CacheRecord {
  format: typeof CACHE_FORMAT;
  version: number;
  id: string;
  owner: string;
  revision: number;
  /** sha256 of the `.py` text this record describes: another hash means the file was edited outside. */
  fileHash: string;
  createdAt: string;
  updatedAt: string;
  /** Secret: kept here, never in the notebook file. */
  dbConnString: string | null;
  results: { [cellId: string]: CellResults };
  /** Who the owner shared the notebook with (absent in older records: nobody); never in the `.py` file. */
  shares?: NotebookShare[];
}

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function recordOf(doc: NotebookDocument, fileHash: string): CacheRecord {
  const results: CacheRecord['results'] = {};
  for (const cell of doc.cells) {
    results[cell.id] = { status: cell.status, stdout: cell.stdout, stderr: cell.stderr, outputs: cell.outputs, error: cell.error, reads: cell.reads, writes: cell.writes };
  }
  return {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    id: doc.id,
    owner: doc.owner,
    revision: doc.revision,
    fileHash,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    dbConnString: doc.dbConnString,
    results,
    ...(doc.shares && doc.shares.length > 0 ? { shares: doc.shares } : {}),
  };
}

/** A record read back, or null when it is missing or not ours (then the file counts as new). */
export function parseRecord(text: string, id: string): CacheRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const record = raw as Partial<CacheRecord> | null;
  if (!record || typeof record !== 'object' || record.format !== CACHE_FORMAT || record.id !== id) return null;
  if (typeof record.owner !== 'string' || typeof record.revision !== 'number' || typeof record.fileHash !== 'string') return null;
  if (typeof record.version !== 'number' || record.version > CACHE_VERSION) return null;
  return {
    ...(record as CacheRecord),
    dbConnString: typeof record.dbConnString === 'string' ? record.dbConnString : null,
    results: record.results && typeof record.results === 'object' ? record.results : {},
  };
}

/** Results of a cell the file has and the cache does not know (added in an editor): never run. */
export function freshResults(): CellResults {
  return { status: 'idle', stdout: '', stderr: '', outputs: [] as { mime_type: string; data: JsonValue }[], error: null, reads: [], writes: [] };
}
