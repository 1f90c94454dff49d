import { InvalidInputError, type NotebookDocument } from '@rnb/core';
import { lastRunOf, normalizeDocument } from '@rnb/core';

/**
 * Marks our files; `version` grows when the layout of a file changes, so a later release can migrate.
 * 1: the SQL connection string in a field of its own; 2: per-plugin `settings` (version 1 files migrate on read).
 */
export const FORMAT = 'rnb-notebook';
export const FORMAT_VERSION = 2;

/** Why a file could not be read as a notebook. */
export class DamagedFileError extends Error {
  constructor(readonly reason: string, readonly newerVersion = false) {
    super(reason);
    this.name = 'DamagedFileError';
  }
}

/**
 * Which save wrote a revision file, and the writeIds of the revisions it
 * descends from, newest first (at most {@link ANCESTRY}). A writer that finds
 * newer revisions after its own uses it to tell "built on mine" (saved) from
 * "built on another rev-<n>" (its save was based on an old revision: conflict).
 */
export interface Lineage {
  writeId: string;
  ancestors: string[];
}

export const ANCESTRY = 16;

/**
 * One notebook revision as it sits in a file. The summary fields come first,
 * in a fixed order and without whitespace, so a listing reads them from the
 * first few KB of the file (see {@link readSummaryPrefix}) instead of parsing
 * every cell of every notebook.
 */
export function serialize(doc: NotebookDocument, lineage: Lineage): string {
  return JSON.stringify({
    format: FORMAT,
    version: FORMAT_VERSION,
    id: doc.id,
    owner: doc.owner,
    name: doc.name,
    revision: doc.revision,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    // Read by listings from the file's first bytes, like the name (absent when no cell ran).
    lastRunAt: lastRunOf(doc.cells),
    writeId: lineage.writeId,
    ancestors: lineage.ancestors.slice(0, ANCESTRY),
    lazy: doc.lazy,
    settings: doc.settings,
    cells: doc.cells,
    ...(doc.app ? { app: doc.app } : {}),
    // Absent in older files (and when nobody is shared with): no shares.
    ...(doc.shares && doc.shares.length > 0 ? { shares: doc.shares } : {}),
  });
}

export function parse(text: string): NotebookDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DamagedFileError(`not valid JSON (${(error as Error).message})`);
  }
  const record = raw as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || record.format !== FORMAT) throw new DamagedFileError(`not a notebook file (no "format": "${FORMAT}")`);
  checkVersion(record.version);
  if (typeof record.revision !== 'number' || !Number.isSafeInteger(record.revision)) throw new DamagedFileError('no revision number');
  try {
    return normalizeDocument(migrateVersion1(record), 'file');
  } catch (error) {
    if (error instanceof InvalidInputError) throw new DamagedFileError(error.message);
    throw error;
  }
}

/** Version 1 kept the notebook's SQL connection string as `dbConnString`: it becomes `settings.sql.connection_string`. */
export function migrateVersion1(record: Record<string, unknown>): Record<string, unknown> {
  if (record.settings !== undefined || !('dbConnString' in record)) return record;
  const { dbConnString: connection, ...rest } = record;
  return { ...rest, settings: typeof connection === 'string' && connection !== '' ? { sql: { connection_string: connection } } : {} };
}

export interface SummaryPrefix {
  id: string;
  owner: string;
  name: string;
  revision: number;
  updatedAt: string;
  lastRunAt?: string;
}

const JSON_STRING = '"(?:[^"\\\\]|\\\\.)*"';
const PREFIX = new RegExp(
  `^\\{"format":"${FORMAT}","version":(\\d+),"id":(${JSON_STRING}),"owner":(${JSON_STRING}),"name":(${JSON_STRING}),` +
    `"revision":(\\d+),"createdAt":(${JSON_STRING}),"updatedAt":(${JSON_STRING}),(?:"lastRunAt":(${JSON_STRING}),)?`,
);

/**
 * The summary fields from the start of a file that {@link serialize} wrote,
 * or null when the text does not start that way (a hand-edited file, or a
 * name longer than the prefix that was read): the caller then parses it all.
 */
export function readSummaryPrefix(head: string): SummaryPrefix | null {
  const match = PREFIX.exec(head);
  if (!match) return null;
  checkVersion(Number(match[1]));
  return {
    id: JSON.parse(match[2]!) as string,
    owner: JSON.parse(match[3]!) as string,
    name: JSON.parse(match[4]!) as string,
    revision: Number(match[5]),
    updatedAt: JSON.parse(match[7]!) as string,
    ...(match[8] ? { lastRunAt: JSON.parse(match[8]) as string } : {}),
  };
}

export interface Header extends Partial<Lineage> {
  createdAt: string;
}

const LINEAGE = new RegExp(`^"writeId":(${JSON_STRING}),"ancestors":(\\[(?:${JSON_STRING},?)*\\]),`);

/** createdAt and lineage from a file's prefix, read without parsing the cells. */
export function readHeader(head: string): Header | null {
  const match = PREFIX.exec(head);
  if (!match) return null;
  const header: Header = { createdAt: JSON.parse(match[6]!) as string };
  const lineage = LINEAGE.exec(head.slice(match[0].length));
  if (lineage) {
    header.writeId = JSON.parse(lineage[1]!) as string;
    header.ancestors = JSON.parse(lineage[2]!) as string[];
  }
  return header;
}

function checkVersion(version: unknown): void {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new DamagedFileError('no format version');
  if (version > FORMAT_VERSION) {
    throw new DamagedFileError(`written by a newer release (format version ${version}; this one reads up to ${FORMAT_VERSION}): upgrade the server`, true);
  }
}
