import { closeSync, promises as fsp, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { parse, readHeader, type Header } from './file-format';
import { errno } from './fs-errors';

/** Reading a notebook folder's `rev-<n>.json` files. */
export const REVISION_FILE = /^rev-(\d{1,15})\.json$/;
/** Bytes read from each file when listing: the summary fields are at the start of the file. */
export const HEAD_BYTES = 16 * 1024;

export interface Revisions {
  /** Revision numbers present, newest first. */
  numbers: number[];
  entries: string[];
}

export async function listRevisions(dir: string): Promise<Revisions | null> {
  try {
    return revisionsIn(await fsp.readdir(dir));
  } catch (error) {
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null;
    throw error;
  }
}

export function readdirOrNull(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch (error) {
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null;
    throw error;
  }
}

export function revisionsIn(entries: string[] | null): Revisions | null {
  if (!entries) return null;
  const numbers: number[] = [];
  for (const name of entries) {
    const match = REVISION_FILE.exec(name);
    if (match) numbers.push(Number(match[1]));
  }
  return { numbers: numbers.sort((a, b) => b - a), entries };
}

export function revisionName(revision: number): string {
  return `rev-${revision}.json`;
}

/** The first HEAD_BYTES of a file, or null when it vanished (collected by a concurrent save). */
export function readHeadSync(file: string): { text: string; complete: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const buffer = Buffer.allocUnsafe(HEAD_BYTES);
    const bytesRead = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return { text: buffer.toString('utf8', 0, bytesRead), complete: bytesRead < HEAD_BYTES };
  } finally {
    closeSync(fd);
  }
}

/**
 * createdAt and lineage of a revision file, from its first bytes (a page-cache
 * read: synchronous is cheaper). Null when it is gone or unreadable.
 */
export function headerOf(file: string): Header | null {
  try {
    const head = readHeadSync(file);
    if (!head) return null;
    const header = readHeader(head.text);
    if (header) return header;
    const createdAt = parse(head.complete ? head.text : readFileSync(file, 'utf8')).createdAt;
    return createdAt ? { createdAt } : null;
  } catch {
    return null; // a damaged revision: a save replaces it, with a fresh createdAt
  }
}
