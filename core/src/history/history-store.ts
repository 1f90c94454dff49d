import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** What a version keeps of a cell: its code, language and place (never outputs). */
export interface VersionCell {
  id: string;
  type: string;
  code: string;
}

/** Why a version was taken. */
export type VersionReason = 'run' | 'edit' | 'restore';

/** One snapshot of a notebook's cells, with who changed them since the one before. */
export interface NotebookVersion {
  /** Unique within the notebook; sortable by time. */
  id: string;
  /** ISO 8601. */
  at: string;
  /** User ids whose changes this version holds (the runner, for a run). */
  authors: string[];
  reason: VersionReason;
  cells: VersionCell[];
}

/** How many versions a notebook keeps: the newest `maxVersions`, none older than `maxAgeMs` (the newest always stays). */
export interface HistoryRetention {
  maxVersions: number;
  maxAgeMs: number;
}

/**
 * Where versions are kept, per notebook. Generic (not a storage plugin's job): the memory store for
 * tests and stores that keep nothing, the file store beside any storage that has a folder.
 */
export interface HistoryStore {
  /** Adds a version and drops those the retention no longer keeps. */
  append(owner: string, notebookId: string, version: NotebookVersion, retention: HistoryRetention): Promise<void>;
  /** Every kept version, oldest first. */
  list(owner: string, notebookId: string): Promise<NotebookVersion[]>;
  /** Forgets a notebook's history (the notebook was deleted). */
  forget(owner: string, notebookId: string): Promise<void>;
}

export function retain(versions: NotebookVersion[], retention: HistoryRetention, now = Date.now()): NotebookVersion[] {
  const newest = versions[versions.length - 1];
  const kept = versions.filter((v) => now - Date.parse(v.at) <= retention.maxAgeMs).slice(-Math.max(1, retention.maxVersions));
  return kept.length === 0 && newest ? [newest] : kept;
}

export class MemoryHistoryStore implements HistoryStore {
  private readonly versions = new Map<string, NotebookVersion[]>();

  async append(owner: string, notebookId: string, version: NotebookVersion, retention: HistoryRetention): Promise<void> {
    const key = `${owner}\u0000${notebookId}`;
    this.versions.set(key, retain([...(this.versions.get(key) ?? []), structuredClone(version)], retention));
  }

  async list(owner: string, notebookId: string): Promise<NotebookVersion[]> {
    return structuredClone(this.versions.get(`${owner}\u0000${notebookId}`) ?? []);
  }

  async forget(owner: string, notebookId: string): Promise<void> {
    this.versions.delete(`${owner}\u0000${notebookId}`);
  }
}

/**
 * Versions as one JSON file per notebook, `<dir>/<owner key>/<notebook id>.json`, replaced whole
 * (written aside, then renamed) at each append: a crash leaves the old list or the new one.
 * Appends of one notebook are serialised in this process.
 */
export class FileHistoryStore implements HistoryStore {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

  append(owner: string, notebookId: string, version: NotebookVersion, retention: HistoryRetention): Promise<void> {
    return this.serial(owner, notebookId, async () => {
      const file = this.fileOf(owner, notebookId);
      const next = retain([...(await this.read(file)), version], retention);
      await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fsp.writeFile(temp, JSON.stringify({ format: 'rnb-history', version: 1, versions: next }), { mode: 0o600 });
      await fsp.rename(temp, file);
    });
  }

  async list(owner: string, notebookId: string): Promise<NotebookVersion[]> {
    return this.read(this.fileOf(owner, notebookId));
  }

  forget(owner: string, notebookId: string): Promise<void> {
    return this.serial(owner, notebookId, () => fsp.rm(this.fileOf(owner, notebookId), { force: true }));
  }

  private async read(file: string): Promise<NotebookVersion[]> {
    try {
      const raw = JSON.parse(await fsp.readFile(file, 'utf8')) as { versions?: unknown };
      return Array.isArray(raw.versions) ? (raw.versions as NotebookVersion[]) : [];
    } catch (error) {
      // No history yet, or a damaged file: history is a convenience, never a reason to fail an edit.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return [];
      throw error;
    }
  }

  private fileOf(owner: string, notebookId: string): string {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(notebookId)) throw new Error('invalid notebook id');
    return path.join(this.dir, createHash('sha256').update(owner, 'utf8').digest('hex').slice(0, 32), `${notebookId}.json`);
  }

  private serial<T>(owner: string, notebookId: string, step: () => Promise<T>): Promise<T> {
    const key = `${owner}\u0000${notebookId}`;
    const run = (this.chains.get(key) ?? Promise.resolve()).then(step, step);
    this.chains.set(key, run.catch(() => undefined));
    return run;
  }
}
