import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  StorageError,
  checkExpectedRevision,
  checkNotebookId,
  checkOwner,
  isValidNotebookId,
  lastRunOf,
  normalizeDocument,
  appWithFile,
  documentFileOf,
  fileSettingsOf,
  readPercentNotebook,
  settingsWithFile,
  settingsWithPackages,
  writePercentNotebook,
  type ExternalChange,
  type IsSecretSetting,
  type NotebookDocument,
  type NotebookFile,
  type NotebookStore,
  type NotebookSummary,
  type PluginContext,
  type SaveOptions,
  type SharedNotebookSummary,
} from '@rnb/core';
import { CACHE_DIR, freshResults, hashText, parseRecord, recordOf, type CacheRecord } from './cache-record';

export interface FolderNotebookStoreOptions {
  /** The folder of `.py` notebooks (NOTEBOOK_DIR); created when missing. */
  dir: string;
  /** Who owns a `.py` file the store has no record of (one put in the folder by hand): the local user by default. */
  defaultOwner?: string;
  /** How long the watcher waits for a file to settle after an event (default 100 ms). */
  debounceMs?: number;
  log?: PluginContext['log'];
  /**
   * Which settings are secret (the loaded plugins' declarations): those stay in the cache folder, the others are
   * written in the file's header. Default: every setting but the packages is secret (nothing else reaches the file).
   */
  isSecret?: IsSecretSetting;
}

/** `<id>.py`: the file's name is the notebook's id. */
const NOTEBOOK_FILE = /^([A-Za-z0-9_-]{1,128})\.py$/;
export const DEFAULT_OWNER = 'local';
const LOOKS_LIKE_NOTEBOOK = /^(?:# \/\/\/ rnb|#\s*%%)/m;

interface Loaded {
  record: CacheRecord;
  file: NotebookFile;
}

/**
 * Notebooks as percent-format `.py` files in one folder (`<dir>/<id>.py`),
 * with revisions, owners, the connection string and last results in
 * `<dir>/.rnb-cache/<id>.json`. A file edited outside (an editor, `git pull`)
 * is adopted as the next revision; a file that does not parse is reported and
 * never written over. Saves of one notebook are serialised in this process;
 * two processes on one folder are not coordinated (one `rnb edit` per folder).
 */
export class FolderNotebookStore implements NotebookStore {
  readonly root: string;
  private readonly cacheDir: string;
  private readonly defaultOwner: string;
  private readonly debounceMs: number;
  private readonly log: PluginContext['log'];
  private readonly isSecret: IsSecretSetting;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** The hash of each file as this store last wrote or read it: the watcher ignores events that leave it so. */
  private readonly known = new Map<string, string>();
  private readonly listeners = new Set<(change: ExternalChange) => void>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private watcher: FSWatcher | null = null;
  private closed = false;

  private constructor(root: string, options: FolderNotebookStoreOptions) {
    this.root = root;
    this.cacheDir = path.join(root, CACHE_DIR);
    this.defaultOwner = options.defaultOwner ?? DEFAULT_OWNER;
    this.debounceMs = options.debounceMs ?? 100;
    this.log = options.log ?? (() => undefined);
    this.isSecret = options.isSecret ?? (() => true);
  }

  static async open(options: FolderNotebookStoreOptions): Promise<FolderNotebookStore> {
    if (typeof options.dir !== 'string' || options.dir.length === 0) throw new InvalidInputError('The notebook folder (NOTEBOOK_DIR) is empty.');
    const root = path.resolve(options.dir);
    const store = new FolderNotebookStore(root, options);
    try {
      await fsp.mkdir(store.cacheDir, { recursive: true, mode: 0o700 });
      // The cache holds secrets and outputs: keep it out of the repository the notebooks live in.
      await fsp.writeFile(path.join(store.cacheDir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
    } catch (error) {
      throw new StorageError(`Could not open the notebook folder ${root} (NOTEBOOK_DIR): ${(error as Error).message}`, { cause: error });
    }
    return store;
  }

  /** The file a notebook lives in. */
  fileOf(id: string): string {
    return path.join(this.root, `${id}.py`);
  }

  async create(document: NotebookDocument): Promise<NotebookDocument> {
    this.checkOpen();
    const doc = normalizeDocument(document);
    checkOwner(doc.owner);
    checkNotebookId(doc.id);
    return this.locked(doc.id, async () => {
      const now = new Date().toISOString();
      const stored: NotebookDocument = { ...doc, revision: 0, createdAt: now, updatedAt: now };
      const text = writePercentNotebook(documentFileOf(stored, this.isSecret));
      const file = this.fileOf(doc.id);
      const temp = `${path.join(this.root, `.${doc.id}.py`)}.tmp-${token()}`;
      this.known.set(doc.id, hashText(text));
      await writeNew(temp, text);
      try {
        // link refuses an existing name: two creators of one id cannot both win.
        await fsp.link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidInputError(`A notebook with id "${doc.id}" exists already (${file}).`);
        throw this.failure(error, `create notebook "${doc.id}"`);
      } finally {
        await fsp.unlink(temp).catch(() => undefined);
      }
      await this.writeRecord(recordOf(stored, hashText(text)));
      return stored;
    });
  }

  async get(owner: string, id: string): Promise<NotebookDocument> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    return this.locked(id, async () => documentOf(await this.load(owner, id), this.isSecret));
  }

  async list(owner: string): Promise<NotebookSummary[]> {
    this.checkOpen();
    checkOwner(owner);
    return this.scan((record) => ((record?.owner ?? this.defaultOwner) === owner ? {} : null));
  }

  /** "Shared with me": the notebooks of other owners whose cache record shares them with `userId`. */
  async listSharedWith(userId: string): Promise<SharedNotebookSummary[]> {
    this.checkOpen();
    checkOwner(userId);
    return this.scan((record) => {
      const owner = record?.owner ?? this.defaultOwner;
      const share = owner === userId ? undefined : record?.shares?.find((s) => s.userId === userId);
      return share ? { owner, role: share.role } : null;
    });
  }

  /**
   * The notebooks of the folder that `pick` keeps (it sees each one's cache record, null when there is none), as
   * summaries with what `pick` adds. A folder holds a person's or a repository's notebooks, so reading each record
   * on a listing costs little; a notebook without a record is the default owner's and shared with nobody.
   */
  private async scan<Extra extends object>(pick: (record: CacheRecord | null) => Extra | null): Promise<(NotebookSummary & Extra)[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.root);
    } catch (error) {
      throw this.failure(error, 'list notebooks');
    }
    const summaries: (NotebookSummary & Extra)[] = [];
    for (const name of names.sort()) {
      const id = NOTEBOOK_FILE.exec(name)?.[1];
      if (!id) continue;
      const record = this.readRecordSync(id);
      const extra = pick(record);
      if (!extra) continue;
      const file = this.fileOf(id);
      try {
        const text = readFileSync(file, 'utf8');
        // Modules beside the notebooks (helpers.py) are not listed: a notebook has the header or a `# %%` line.
        if (!LOOKS_LIKE_NOTEBOOK.test(text)) continue;
        const parsed = readPercentNotebook(text);
        const updatedAt = record && record.fileHash === hashText(text) ? record.updatedAt : statSync(file).mtime.toISOString();
        // The last run comes from the cache's results: a cell edited outside keeps its id, and with it its last run.
        const lastRunAt = record ? lastRunOf(Object.values(record.results)) : undefined;
        // Its size: the `.py` file and the cache record that holds its outputs.
        const bytes = Buffer.byteLength(text) + (record ? sizeOrZero(this.recordFile(id)) : 0);
        summaries.push({ id, name: parsed.name, updatedAt, bytes, ...(lastRunAt ? { lastRunAt } : {}), ...extra });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        const message = `${file} cannot be read: ${(error as Error).message}`;
        summaries.push({ id, name: `Unreadable notebook ${id}`, updatedAt: new Date(0).toISOString(), error: message, ...extra });
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
    return this.locked(doc.id, async () => {
      // Loading adopts an edit made outside and refuses a file that does not parse: it is never written over.
      const current = await this.load(doc.owner, doc.id);
      if (current.record.revision !== expected) throw new ConflictError(expected, current.record.revision);
      const now = new Date().toISOString();
      const stored: NotebookDocument = { ...doc, revision: expected + 1, createdAt: current.record.createdAt, updatedAt: now };
      const text = writePercentNotebook(documentFileOf(stored, this.isSecret));
      const hash = hashText(text);
      this.known.set(doc.id, hash);
      await this.replace(this.fileOf(doc.id), text, `save notebook "${doc.id}"`);
      await this.writeRecord(recordOf(stored, hash));
      return stored;
    });
  }

  async delete(owner: string, id: string): Promise<void> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    await this.locked(id, async () => {
      const record = this.readRecordSync(id);
      if ((record?.owner ?? this.defaultOwner) !== owner) throw new NotFoundError('notebook', id);
      try {
        await fsp.unlink(this.fileOf(id));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('notebook', id);
        throw this.failure(error, `delete notebook "${id}"`);
      }
      this.known.delete(id);
      await fsp.unlink(this.recordFile(id)).catch(() => undefined);
      await fsp.unlink(this.coeditFile(id)).catch(() => undefined);
    });
  }

  /** The co-editing document: `.rnb-cache/<id>.ydoc`, beside the cache record (never in the notebook's `.py`). */
  async loadCoedit(owner: string, id: string): Promise<Uint8Array | null> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    return this.locked(id, async () => {
      this.checkOwnedFile(owner, id);
      try {
        return new Uint8Array(await fsp.readFile(this.coeditFile(id)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw this.failure(error, `read the co-editing document of "${id}"`);
      }
    });
  }

  async saveCoedit(owner: string, id: string, state: Uint8Array): Promise<void> {
    this.checkOpen();
    checkOwner(owner);
    if (!isValidNotebookId(id)) throw new NotFoundError('notebook', String(id));
    await this.locked(id, async () => {
      this.checkOwnedFile(owner, id);
      await fsp.mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
      await this.replace(this.coeditFile(id), state, `save the co-editing document of "${id}"`);
    });
  }

  private checkOwnedFile(owner: string, id: string): void {
    const record = this.readRecordSync(id);
    if ((record?.owner ?? this.defaultOwner) !== owner || !existsSync(this.fileOf(id))) throw new NotFoundError('notebook', id);
  }

  private coeditFile(id: string): string {
    return path.join(this.cacheDir, `${id}.ydoc`);
  }

  /** Starts watching the folder at the first listener: an edit by another program reaches the listener once settled. */
  watch(listener: (change: ExternalChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.watcher && !this.closed) {
      this.watcher = watch(this.root, { persistent: false }, (_event, filename) => {
        const id = filename ? NOTEBOOK_FILE.exec(filename.toString())?.[1] : undefined;
        if (id) this.schedule(id);
      });
      this.watcher.on('error', (error) => this.log('warn', 'Watching the notebook folder failed; edits on disk are no longer picked up.', { dir: this.root, error: String(error) }));
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching();
    await Promise.all([...this.locks.values()].map((p) => p.catch(() => undefined)));
  }

  private schedule(id: string): void {
    const pending = this.timers.get(id);
    if (pending) clearTimeout(pending);
    // Editors write in several steps (truncate, write, rename): wait until the file settles.
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.check(id);
    }, this.debounceMs);
    timer.unref?.();
    this.timers.set(id, timer);
  }

  private async check(id: string): Promise<void> {
    let text: string;
    try {
      text = await fsp.readFile(this.fileOf(id), 'utf8');
    } catch {
      return; // removed or unreadable: the next open reports it
    }
    // An empty file is a write in progress (truncate, then write), not a notebook without cells: wait for the next event.
    if (text.length === 0) return;
    const hash = hashText(text);
    if (this.known.get(id) === hash) return; // our own write, or nothing new
    this.known.set(id, hash);
    const owner = this.readRecordSync(id)?.owner ?? this.defaultOwner;
    this.log('info', 'A notebook file changed on disk.', { file: this.fileOf(id) });
    for (const listener of this.listeners) {
      try {
        listener({ owner, notebookId: id });
      } catch {
        // one listener's failure must not stop the others
      }
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Reads the file and its record. A file the record does not describe was
   * edited outside: it becomes the next revision (its record is rewritten),
   * once it parses. One that does not parse is an error, and nothing is written.
   */
  private async load(owner: string, id: string): Promise<Loaded> {
    const file = this.fileOf(id);
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('notebook', id);
      throw this.failure(error, `read notebook "${id}"`);
    }
    const stored = this.readRecordSync(id);
    if ((stored?.owner ?? this.defaultOwner) !== owner) throw new NotFoundError('notebook', id);
    let parsed: NotebookFile;
    try {
      parsed = readPercentNotebook(text);
    } catch (error) {
      throw new StorageError(`Notebook "${id}" cannot be read: ${file} ${(error as Error).message}. The file is left as it is; fix it and save it again.`);
    }
    const hash = hashText(text);
    this.known.set(id, hash);
    if (stored && stored.fileHash === hash) return { record: stored, file: parsed };
    const now = new Date().toISOString();
    const adopted: CacheRecord = stored
      ? { ...stored, revision: stored.revision + 1, fileHash: hash, updatedAt: now }
      : recordOf({ id, owner, name: parsed.name, settings: {}, lazy: parsed.lazy, cells: [], revision: 0, createdAt: now, updatedAt: now }, hash);
    await this.writeRecord(adopted);
    return { record: adopted, file: parsed };
  }

  private recordFile(id: string): string {
    return path.join(this.cacheDir, `${id}.json`);
  }

  private readRecordSync(id: string): CacheRecord | null {
    try {
      return parseRecord(readFileSync(this.recordFile(id), 'utf8'), id);
    } catch {
      return null;
    }
  }

  private async writeRecord(record: CacheRecord): Promise<void> {
    await fsp.mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
    await this.replace(this.recordFile(record.id), JSON.stringify(record), `save the cache of notebook "${record.id}"`);
  }

  /** Writes aside, then renames over: readers see the old file or the new one, never a torn one. */
  private async replace(target: string, text: string | Uint8Array, action: string): Promise<void> {
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${token()}`);
    try {
      await writeNew(temp, text);
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.unlink(temp).catch(() => undefined);
      throw this.failure(error, action);
    }
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(fn);
    const tail = result.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return result;
  }

  private failure(error: unknown, action: string): Error {
    if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string' && String((error as { code: string }).code).startsWith('RNB_ERR_')) return error;
    const code = (error as NodeJS.ErrnoException)?.code;
    return new StorageError(`Could not ${action} in ${this.root}: ${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}.`, { cause: error });
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('The folder notebook store is closed.');
  }
}

function documentOf({ record, file }: Loaded, isSecret: IsSecretSetting): NotebookDocument {
  // The file is the truth for what it carries (an edit of its header, a `git pull`); the cache for the rest. A record
  // from before settings moved into files holds them all: those count until the file is next written.
  const fileSettings = record.settingsInFile ? file.settings : (file.settings ?? fileSettingsOf(record.settings, isSecret));
  const app = record.settingsInFile ? appWithFile(record.app, file.app) : record.app;
  return {
    id: record.id,
    owner: record.owner,
    name: file.name,
    settings: settingsWithPackages(settingsWithFile(record.settings, fileSettings, isSecret), file.packages ?? []),
    ...(app ? { app } : {}),
    lazy: file.lazy,
    cells: file.cells.map((cell) => ({ id: cell.id, type: cell.type, code: cell.code, ...(record.results[cell.id] ?? freshResults()) })),
    ...(Array.isArray(record.shares) && record.shares.length > 0 ? { shares: record.shares } : {}),
    revision: record.revision,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function sizeOrZero(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function writeNew(file: string, text: string | Uint8Array): Promise<void> {
  // Notebooks are the user's files (umask applies); the cache holds secrets and is the server's alone.
  const handle = await fsp.open(file, 'wx', file.includes(`${path.sep}${CACHE_DIR}${path.sep}`) ? 0o600 : 0o644);
  try {
    await (typeof text === 'string' ? handle.writeFile(text, 'utf8') : handle.writeFile(text));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function token(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}
