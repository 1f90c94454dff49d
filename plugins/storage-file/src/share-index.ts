import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { NotebookShare } from '@rnb/core';
import { errno } from './fs-errors';
import { token, writeDurable } from './fs-util';

/** One entry of the index: a notebook shared with a user. */
export interface SharedEntry {
  id: string;
  owner: string;
  role: NotebookShare['role'];
}

/**
 * "Shared with me" for the file store: `<dir>/.shared/<user key>/<notebook id>` holds the owner and
 * the role. The notebook's own file is the truth (access is decided from it); this index only lets a
 * user's list find notebooks of other owners without reading every file. It is rewritten when a
 * notebook's shares change, and a stale entry (a crash between the two writes) is corrected by the
 * next save of that notebook; listing skips entries whose notebook is gone.
 */
export class ShareIndex {
  private readonly dir: string;
  /** Notebook id → its shares as last indexed (JSON), so an ordinary save costs nothing here. */
  private readonly indexed = new Map<string, string>();

  constructor(root: string) {
    this.dir = path.join(root, '.shared');
  }

  async record(owner: string, id: string, shares: readonly NotebookShare[]): Promise<void> {
    const key = JSON.stringify(shares);
    if (this.indexed.get(id) === key) return;
    const wanted = new Map(shares.map((share) => [this.userDir(share.userId), share]));
    let users: string[] = [];
    try {
      users = await fsp.readdir(this.dir);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error;
    }
    // Entries of users who lost their share (or of an earlier owner of the id) go.
    for (const user of users) {
      const userDir = path.join(this.dir, user);
      if (!wanted.has(userDir)) await fsp.unlink(path.join(userDir, id)).catch(() => undefined);
    }
    for (const [userDir, share] of wanted) {
      await fsp.mkdir(userDir, { recursive: true, mode: 0o700 });
      // Written aside and renamed over the old entry: a reader sees the old role or the new one.
      const temp = path.join(userDir, `.tmp-${token()}`);
      await writeDurable(temp, JSON.stringify({ owner, role: share.role }));
      await fsp.rename(temp, path.join(userDir, id));
    }
    this.indexed.set(id, key);
  }

  async list(userId: string): Promise<SharedEntry[]> {
    const userDir = this.userDir(userId);
    let ids: string[];
    try {
      ids = (await fsp.readdir(userDir)).filter((name) => !name.startsWith('.'));
    } catch (error) {
      if (errno(error) === 'ENOENT') return [];
      throw error;
    }
    const entries: SharedEntry[] = [];
    for (const id of ids) {
      try {
        const raw = JSON.parse(await fsp.readFile(path.join(userDir, id), 'utf8')) as { owner?: unknown; role?: unknown };
        if (typeof raw.owner === 'string' && (raw.role === 'editor' || raw.role === 'viewer')) entries.push({ id, owner: raw.owner, role: raw.role });
      } catch {
        // A torn or removed entry: the notebook's next save writes it again.
      }
    }
    return entries;
  }

  private userDir(userId: string): string {
    return path.join(this.dir, createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 32));
  }
}
