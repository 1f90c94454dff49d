import { createHash } from 'node:crypto';
import type { JsonValue, NotebookDocument, NotebookSettings, NotebookShare, StoredCell } from '@rnb/core';
import type { AppSettings } from '@rnb/core/wire';

/** The cache folder beside the notebooks: revisions, owners, secrets and last results, never in the `.py` files. */
export const CACHE_DIR = '.rnb-cache';
export const CACHE_FORMAT = 'rnb-folder-cache';
/** 1: the SQL connection string in a field of its own (`dbConnString`); 2: per-plugin `settings` (1 migrates on read). */
export const CACHE_VERSION = 2;

/** What a cell's last run left, kept by cell id. */
export type CellResults = Pick<StoredCell, 'status' | 'stdout' | 'stderr' | 'outputs' | 'error' | 'errorDetail' | 'reads' | 'writes' | 'widgets' | 'lastRunAt' | 'durationMs'>;

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
  /** Per-plugin settings, secrets among them: kept here, never in the notebook file. */
  settings: NotebookSettings;
  /** The app view's settings (absent: the defaults); kept here, the file holds only code. */
  app?: AppSettings;
  results: { [cellId: string]: CellResults };
  /**
   * Set by records written since the file's header carries the non-secret settings and the app view's: the file is
   * their truth. Absent in older records, whose own settings count until the file is written again.
   */
  settingsInFile?: true;
  /** Who the owner shared the notebook with (absent in older records: nobody); never in the `.py` file. */
  shares?: NotebookShare[];
}

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function recordOf(doc: NotebookDocument, fileHash: string): CacheRecord {
  const results: CacheRecord['results'] = {};
  for (const cell of doc.cells) {
    const kept: CellResults = { status: cell.status, stdout: cell.stdout, stderr: cell.stderr, outputs: cell.outputs, error: cell.error, reads: cell.reads, writes: cell.writes };
    if (cell.errorDetail) kept.errorDetail = cell.errorDetail;
    if (cell.widgets) kept.widgets = cell.widgets;
    if (cell.lastRunAt) {
      kept.lastRunAt = cell.lastRunAt;
      kept.durationMs = cell.durationMs ?? null;
    }
    results[cell.id] = kept;
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
    settings: doc.settings,
    ...(doc.app ? { app: doc.app } : {}),
    settingsInFile: true,
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
  const { dbConnString: legacyConnection, settingsInFile, ...rest } = record as CacheRecord & { dbConnString?: unknown };
  return {
    ...rest,
    ...(settingsInFile === true ? { settingsInFile: true } : {}),
    version: CACHE_VERSION,
    settings: record.version < 2 ? version1Settings(legacyConnection) : settingsOf(record.settings),
    app: appOf(record.app),
    results: record.results && typeof record.results === 'object' ? record.results : {},
  };
}

/** Version 1 kept the SQL connection string as `dbConnString`: it becomes `settings.sql.connection_string`. */
function version1Settings(connection: unknown): NotebookSettings {
  return typeof connection === 'string' && connection !== '' ? { sql: { connection_string: connection } } : {};
}

/** The settings of a record, keeping only plugin → field → string, number or boolean (the store's save checked them). */
function settingsOf(raw: unknown): NotebookSettings {
  const settings: NotebookSettings = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return settings;
  for (const [plugin, fields] of Object.entries(raw as Record<string, unknown>)) {
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) continue;
    const kept: NotebookSettings[string] = {};
    for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[field] = value;
    }
    if (Object.keys(kept).length > 0) settings[plugin] = kept;
  }
  return settings;
}

/** Results of a cell the file has and the cache does not know (added in an editor): never run. */
export function freshResults(): CellResults {
  return { status: 'idle', stdout: '', stderr: '', outputs: [] as { mime_type: string; data: JsonValue }[], error: null, reads: [], writes: [] };
}

/** App settings as the record holds them, or undefined when absent or malformed (the defaults then apply). */
function appOf(raw: unknown): AppSettings | undefined {
  const app = raw as Partial<AppSettings> | null | undefined;
  if (!app || typeof app !== 'object') return undefined;
  if (typeof app.show_code !== 'boolean' || typeof app.show_tracebacks !== 'boolean' || typeof app.published !== 'boolean') return undefined;
  return { show_code: app.show_code, show_tracebacks: app.show_tracebacks, published: app.published };
}
