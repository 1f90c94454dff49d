import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fsp, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  StorageError,
  type NotebookDocument,
  type NotebookStore,
  type NotebookSummary,
  type PluginContext,
  type SaveOptions,
  type SharedNotebookSummary,
} from '@rnb/core';
import { ShareIndex } from './share-index';
import { checkExpectedRevision, checkNotebookId, checkOwner, isValidNotebookId, lastRunOf, normalizeDocument } from '@rnb/core';
import { DamagedFileError, parse, readSummaryPrefix, serialize } from './file-format';
import { errno, storageError } from './fs-errors';
import { exists, fsyncDir, token, writeDurable } from './fs-util';
import { headerOf, listRevisions, readdirOrNull, readHeadSync, revisionName, revisionsIn, type Revisions } from './revisions';

export interface FileNotebookStoreOptions {
  /** The folder holding every notebook (NOTEBOOK_DIR); created when missing. */
  dir: string;
  /** Earlier revisions kept beside the current one as a safety net (default 1). */
  keepRevisions?: number;
  log?: PluginContext['log'];
}

/** A listing entry; `error` is set when the notebook's file cannot be read. */
export interface FileNotebookSummary extends NotebookSummary {
  error?: string;
}

/** Temp and staging leftovers of a crashed process are removed once this old. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;
/** Notebooks summarised between two yields to the event loop while listing. */
const LIST_BATCH = 50;
const READ_ATTEMPTS = 5;
/** The co-editing document's file in a notebook's folder. */
const COEDIT_FILE = 'coedit.ydoc';

/**
 * Notebooks as JSON files: `<dir>/<owner key>/<notebook id>/rev-<n>.json`.
 *
 * Each save writes a complete new revision file: a temp file is written and
 * fsynced, then hard-linked to `rev-<n+1>.json`. `link` fails when the name
 * exists, so of any number of writers (threads, processes) based on revision
 * n exactly one gets n+1 and the others a ConflictError; no lock file, so no
 * stale lock after a crash. A crash leaves the old revision or the new one,
 * never a torn file: the name only appears once its content is on disk.
 * The owner key is a hash of the owner, so any owner string is a safe folder
 * name and case-insensitive file systems cannot mix two owners.
 */
export class FileNotebookStore implements NotebookStore {
  readonly root: string;
  private readonly keep: number;
  private readonly log: PluginContext['log'];
  private closed = false;
  private readonly shareIndex: ShareIndex;

  private constructor(root: string, options: FileNotebookStoreOptions) {
    this.root = root;
    this.keep = Math.max(0, Math.floor(options.keepRevisions ?? 1));
    this.log = options.log ?? (() => undefined);
    this.shareIndex = new ShareIndex(root);
  }

  /** Opens (and creates when missing) the notebook folder. A read-only folder still serves reads. */
  static async open(options: FileNotebookStoreOptions): Promise<FileNotebookStore> {
    if (typeof options.dir !== 'string' || options.dir.length === 0) throw new InvalidInputError('The notebook folder (NOTEBOOK_DIR) is empty.');
    const root = path.resolve(options.dir);
    try {
      await fsp.mkdir(root, { recursive: true, mode: 0o700 });
      if (!(await fsp.stat(root)).isDirectory()) throw new StorageError(`The notebook folder ${root} (NOTEBOOK_DIR) is a file, not a folder.`);
    } catch (error) {
      throw storageError(error, 'open the notebook folder (NOTEBOOK_DIR)', root);
    }
    const store = new FileNotebookStore(root, options);
    try {
      await fsp.access(root, fsConstants.W_OK);
    } catch {
      store.log('warn', 'The notebook folder is not writable: notebooks can be read, saving will fail.', { dir: root });
    }
    return store;
  }

  async create(document: NotebookDocument): Promise<NotebookDocument> {
    this.checkOpen();
    const doc = normalizeDocument(document);
    checkOwner(doc.owner);
    checkNotebookId(doc.id);
    const now = new Date().toISOString();
    const stored: NotebookDocument = { ...doc, revision: 0, createdAt: now, updatedAt: now };
    const ownerDir = this.ownerDir(doc.owner);
    const target = path.join(ownerDir, doc.id);
    const action = `create notebook "${doc.id}"`;
    try {
      await this.ensureOwnerDir(ownerDir);
      if (await exists(target)) throw alreadyExists(doc.id);
    } catch (error) {
      throw storageError(error, action, ownerDir);
    }
    // The notebook folder is built aside and renamed into place: it appears complete or not at all.
    const staging = path.join(ownerDir, `.new-${token()}`);
    try {
      await fsp.mkdir(staging, { mode: 0o700 });
      await writeDurable(path.join(staging, revisionName(0)), serialize(stored, { writeId: token(), ancestors: [] }));
      await fsyncDir(staging);
      try {
        await fsp.rename(staging, target);
      } catch (error) {
        if (errno(error) === 'EEXIST' || errno(error) === 'ENOTEMPTY') throw alreadyExists(doc.id);
        throw error;
      }
      await fsyncDir(ownerDir);
      await this.indexShares(stored);
      return stored;
    } catch (error) {
      await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw storageError(error, action, ownerDir);
    }
  }

  /** Whose notebook this is (a published app's link names only the notebook): one directory look-up per owner. */
  async ownerOf(id: string): Promise<string | null> {
    this.checkOpen();
    if (!isValidNotebookId(id)) return null;
    for (const entry of readdirOrNull(this.root) ?? []) {
      if (entry.startsWith('.')) continue;
      const dir = path.join(this.root, entry, id);
      const revision = revisionsIn(readdirOrNull(dir))?.numbers[0];
      if (revision === undefined) continue;
      const head = readHeadSync(path.join(dir, revisionName(revision)));
      const prefix = head ? readSummaryPrefix(head.text) : null;
      if (prefix && prefix.id === id) return prefix.owner;
    }
    return null;
  }

  async get(owner: string, id: string): Promise<NotebookDocument> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    const dir = this.notebookDir(owner, id);
    try {
      // A concurrent save may remove the revision we picked: then read the directory again.
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        const revisions = await listRevisions(dir);
        if (!revisions || revisions.numbers.length === 0) throw new NotFoundError('notebook', id);
        const [revision, previous] = revisions.numbers as [number, number | undefined];
        const file = path.join(dir, revisionName(revision));
        let text: string;
        try {
          text = await fsp.readFile(file, 'utf8');
        } catch (error) {
          if (errno(error) === 'ENOENT') continue;
          throw error;
        }
        return this.decode(text, file, { owner, id, revision }, previous === undefined ? undefined : path.join(dir, revisionName(previous)));
      }
      throw new StorageError(`Notebook "${id}" changed too often while being read; try again.`);
    } catch (error) {
      throw storageError(error, `read notebook "${id}"`, dir);
    }
  }

  async list(owner: string): Promise<FileNotebookSummary[]> {
    this.checkOpen();
    checkOwner(owner);
    const ownerDir = this.ownerDir(owner);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(ownerDir, { withFileTypes: true });
    } catch (error) {
      if (errno(error) === 'ENOENT') return [];
      throw storageError(error, 'list notebooks', ownerDir);
    }
    await this.sweep(ownerDir, entries.filter((e) => e.name.startsWith('.new-') || e.name.startsWith('.trash-')).map((e) => e.name));
    const ids = entries.filter((e) => e.isDirectory() && isValidNotebookId(e.name)).map((e) => e.name);
    // Synchronous reads in small batches: for many small reads they are several times faster than
    // round trips through libuv's thread pool, and yielding between batches keeps the server responsive.
    const summaries: FileNotebookSummary[] = [];
    for (let start = 0; start < ids.length; start += LIST_BATCH) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const id of ids.slice(start, start + LIST_BATCH)) {
        const summary = this.summary(ownerDir, owner, id);
        if (summary) summaries.push(summary);
      }
    }
    return summaries;
  }

  async save(document: NotebookDocument, options: SaveOptions): Promise<NotebookDocument> {
    this.checkOpen();
    const doc = normalizeDocument(document);
    checkOwner(doc.owner);
    const expected = checkExpectedRevision(options?.expectedRevision);
    if (!isValidNotebookId(doc.id)) throw new NotFoundError('notebook', doc.id);
    const dir = this.notebookDir(doc.owner, doc.id);
    try {
      const before = await listRevisions(dir);
      const current = before?.numbers[0];
      if (current === undefined) throw new NotFoundError('notebook', doc.id);
      if (current !== expected) throw new ConflictError(expected, current);
      const next = expected + 1;
      const now = new Date().toISOString();
      const base = headerOf(path.join(dir, revisionName(current)));
      const stored: NotebookDocument = { ...doc, revision: next, createdAt: base?.createdAt ?? now, updatedAt: now };
      const writeId = token();
      const temp = path.join(dir, `.tmp-${writeId}.json`);
      try {
        const ancestors = base?.writeId ? [base.writeId, ...(base.ancestors ?? [])] : [];
        await writeDurable(temp, serialize(stored, { writeId, ancestors }));
        await fsp.link(temp, path.join(dir, revisionName(next)));
      } catch (error) {
        if (errno(error) === 'EEXIST') throw new ConflictError(expected, (await listRevisions(dir))?.numbers[0] ?? next);
        if (errno(error) === 'ENOENT') throw new NotFoundError('notebook', doc.id);
        throw error;
      } finally {
        await fsp.unlink(temp).catch(() => undefined);
      }
      await fsyncDir(dir); // the new name must be durable before the save is reported
      const after = await this.confirm(dir, next, writeId, expected);
      await this.collect(dir, after, next);
      await this.indexShares(stored);
      return stored;
    } catch (error) {
      throw storageError(error, `save notebook "${doc.id}"`, dir);
    }
  }

  /** The notebooks other owners shared with `userId`, from the share index, each checked to exist. */
  async listSharedWith(userId: string): Promise<SharedNotebookSummary[]> {
    this.checkOpen();
    const result: SharedNotebookSummary[] = [];
    for (const entry of await this.shareIndex.list(userId)) {
      if (entry.owner === userId) continue;
      const summary = this.summary(this.ownerDir(entry.owner), entry.owner, entry.id);
      if (summary && !summary.error) result.push({ id: entry.id, name: summary.name, updatedAt: summary.updatedAt, owner: entry.owner, role: entry.role });
    }
    return result;
  }

  /** Keeps "shared with me" in step; a failure is logged, never fails the save (the file is the truth). */
  private async indexShares(doc: NotebookDocument): Promise<void> {
    await this.shareIndex.record(doc.owner, doc.id, doc.shares ?? []).catch((error: unknown) => this.log('warn', 'The share index could not be updated.', { notebook: doc.id, error: (error as Error)?.message }));
  }

  async delete(owner: string, id: string): Promise<void> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    const ownerDir = this.ownerDir(owner);
    // Renaming the folder away removes the notebook in one step; writers still
    // holding its old path then fail with "not found" instead of reviving it.
    const trash = path.join(ownerDir, `.trash-${token()}`);
    try {
      await fsp.rename(path.join(ownerDir, id), trash);
      await fsyncDir(ownerDir);
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') throw new NotFoundError('notebook', id);
      throw storageError(error, `delete notebook "${id}"`, ownerDir);
    }
    await this.shareIndex.record(owner, id, []).catch(() => undefined);
    await fsp.rm(trash, { recursive: true, force: true }).catch((error: unknown) => {
      this.log('warn', 'A deleted notebook\'s files could not be removed; they are removed at a later listing.', { path: trash, error: String(error) });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The co-editing document: `<notebook folder>/coedit.ydoc`, replaced atomically (temp file, fsync, rename). */
  async loadCoedit(owner: string, id: string): Promise<Uint8Array | null> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    const dir = this.notebookDir(owner, id);
    try {
      return new Uint8Array(await fsp.readFile(path.join(dir, COEDIT_FILE)));
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw storageError(error, `read the co-editing document of "${id}"`, dir);
      if (!(await exists(dir))) throw new NotFoundError('notebook', id);
      return null;
    }
  }

  async saveCoedit(owner: string, id: string, state: Uint8Array): Promise<void> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    const dir = this.notebookDir(owner, id);
    const temp = path.join(dir, `.tmp-${token()}.ydoc`);
    try {
      await writeDurable(temp, state);
      await fsp.rename(temp, path.join(dir, COEDIT_FILE));
      await fsyncDir(dir);
    } catch (error) {
      await fsp.unlink(temp).catch(() => undefined);
      if (errno(error) === 'ENOENT') throw new NotFoundError('notebook', id);
      throw storageError(error, `save the co-editing document of "${id}"`, dir);
    }
  }

  /**
   * After linking rev-<next>: newer revisions may exist already. Built on this
   * file, they are fine. Otherwise rev-<next> existed before and was collected
   * while this writer was paused, so its save was based on an old revision:
   * withdraw it. The newest file's ancestry tells which rev-<next> it descends
   * from; beyond its reach the safe answer is a conflict.
   */
  private async confirm(dir: string, next: number, writeId: string, expected: number): Promise<Revisions> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const after = await listRevisions(dir);
      if (!after) throw new NotFoundError('notebook', path.basename(dir));
      const newest = after.numbers[0] ?? next;
      if (newest <= next) return after;
      const header = headerOf(path.join(dir, revisionName(newest)));
      if (!header) continue; // collected meanwhile: look again
      const ancestor = header.ancestors?.[newest - next - 1];
      if (ancestor === writeId) return after;
      await fsp.unlink(path.join(dir, revisionName(next))).catch(() => undefined);
      throw new ConflictError(expected, newest);
    }
    throw new ConflictError(expected, (await listRevisions(dir))?.numbers[0] ?? next);
  }

  private summary(ownerDir: string, owner: string, id: string): FileNotebookSummary | null {
    const dir = path.join(ownerDir, id);
    let file = dir;
    try {
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        const revision = revisionsIn(readdirOrNull(dir))?.numbers[0];
        if (revision === undefined) return null;
        file = path.join(dir, revisionName(revision));
        const head = readHeadSync(file);
        if (head === null) continue; // collected by a concurrent save: look again
        const prefix = readSummaryPrefix(head.text);
        if (prefix && prefix.id === id && prefix.owner === owner && prefix.revision === revision) {
          return { id, name: prefix.name, updatedAt: prefix.updatedAt, ...sizeOf(file), ...(prefix.lastRunAt ? { lastRunAt: prefix.lastRunAt } : {}) };
        }
        // Not our compact layout (hand-edited, or a very long name): parse it all.
        const text = head.complete ? head.text : readFileSync(file, 'utf8');
        const doc = this.decode(text, file, { owner, id, revision });
        const lastRunAt = lastRunOf(doc.cells);
        return { id, name: doc.name, updatedAt: doc.updatedAt, bytes: Buffer.byteLength(text), ...(lastRunAt ? { lastRunAt } : {}) };
      }
      throw new StorageError(`Notebook "${id}" changed too often while being listed.`);
    } catch (error) {
      // One unreadable notebook must not hide the others: it is listed with its error.
      const message = error instanceof Error ? error.message : String(error);
      this.log('warn', 'A notebook cannot be read; it is listed with an error.', { id, file, error: message });
      let updatedAt = new Date(0).toISOString();
      try {
        updatedAt = statSync(file).mtime.toISOString();
      } catch {
        // keep the epoch: the file is gone or unreadable
      }
      return { id, name: `Unreadable notebook ${id}`, updatedAt, error: message };
    }
  }

  private decode(text: string, file: string, expected: { owner: string; id: string; revision: number }, previousFile?: string): NotebookDocument {
    const damaged = (reason: string): StorageError =>
      new StorageError(
        `Notebook "${expected.id}" cannot be read: ${file} ${reason}.` +
          (previousFile ? ` The previous revision is kept in ${previousFile}.` : ''),
      );
    let doc: NotebookDocument;
    try {
      doc = parse(text);
    } catch (error) {
      if (error instanceof DamagedFileError) throw damaged(error.newerVersion ? `was ${error.reason}` : `is damaged: ${error.reason}`);
      throw error;
    }
    if (doc.id !== expected.id || doc.owner !== expected.owner) throw damaged('belongs to another notebook or owner');
    if (doc.revision !== expected.revision) throw damaged(`holds revision ${doc.revision}, not ${expected.revision}`);
    return doc;
  }

  /** Removes revisions older than the ones kept, and temp files a crashed writer left. */
  private async collect(dir: string, revisions: Revisions, newest: number): Promise<void> {
    const removals: Promise<unknown>[] = [];
    for (const n of revisions.numbers) {
      if (n < newest - this.keep) removals.push(fsp.unlink(path.join(dir, revisionName(n))).catch(() => undefined));
    }
    const temps = revisions.entries.filter((name) => name.startsWith('.tmp-'));
    if (temps.length > 0) removals.push(this.sweep(dir, temps));
    await Promise.all(removals);
  }

  private async sweep(dir: string, names: string[]): Promise<void> {
    const cutoff = Date.now() - LEFTOVER_AGE_MS;
    await Promise.all(
      names.map(async (name) => {
        const full = path.join(dir, name);
        const stat = await fsp.lstat(full).catch(() => null);
        // A trash folder is always safe to remove; staging and temp files only once surely abandoned.
        if (stat && (name.startsWith('.trash-') || stat.mtimeMs < cutoff)) await fsp.rm(full, { recursive: true, force: true }).catch(() => undefined);
      }),
    );
  }

  private async ensureOwnerDir(ownerDir: string): Promise<void> {
    const created = await fsp.mkdir(ownerDir, { recursive: true, mode: 0o700 });
    if (created !== undefined) await fsyncDir(this.root);
  }

  private ownerDir(owner: string): string {
    return path.join(this.root, createHash('sha256').update(owner, 'utf8').digest('hex').slice(0, 32));
  }

  private notebookDir(owner: string, id: string): string {
    return path.join(this.ownerDir(owner), id);
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('The file notebook store is closed.');
  }
}

function alreadyExists(id: string): InvalidInputError {
  return new InvalidInputError(`A notebook with id "${id}" exists already.`);
}

/** The current revision's size (what per-user limits add up), when it can be read. */
function sizeOf(file: string): { bytes?: number } {
  try {
    return { bytes: statSync(file).size };
  } catch {
    return {};
  }
}
