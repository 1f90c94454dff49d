import { randomUUID } from 'node:crypto';
import type { HistoryRetention, HistoryStore, NotebookVersion, VersionCell, VersionReason } from '@rnb/core';
import type { CommandResult, CommandRouter, NotebookCommand } from '../commands/command-router';
import type { Logger } from '../logger';
import type { NotebookAccess } from '../sharing/notebook-access';
import { HostError } from '../errors';

export interface HistorySettings extends HistoryRetention {
  /** A version is taken this long after the last edit of a pause in typing (NOTEBOOK_HISTORY_PAUSE_SECONDS). */
  pauseMs: number;
}

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = { pauseMs: 30_000, maxVersions: 200, maxAgeMs: 30 * 24 * 3600 * 1000 };

// `coedit_update` is typing in the page (co-editing): without it a pause in typing there would take no version.
const EDITS = new Set<NotebookCommand['type']>(['create_cell', 'update_cell', 'delete_cell', 'move_cell', 'coedit_update']);
const RUNS = new Set<NotebookCommand['type']>(['run_cell', 'run_all']);

interface Pending {
  owner: string;
  authors: Set<string>;
  timer: NodeJS.Timeout;
}

/**
 * Takes versions of notebooks: at every run (the code that ran) and after a pause in typing, each
 * with who changed the cells since the last one; nothing when the cells are as in the last version.
 * It sits on the command router, so it sees every edit of every path (page, HTTP, assistant) with
 * its author, and runs after the access checks (a refused edit takes no version).
 */
export class HistoryRecorder {
  private readonly pending = new Map<string, Pending>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly commands: CommandRouter,
    private readonly store: HistoryStore,
    private readonly access: NotebookAccess,
    private readonly settings: HistorySettings,
    private readonly log: Logger,
  ) {}

  /** The router to hand to routes and sockets: each command goes on, then its version is taken or scheduled. */
  wrap(inner: CommandRouter): CommandRouter {
    return {
      createNotebook: (owner, input) => inner.createNotebook(owner, input),
      listNotebooks: (owner) => inner.listNotebooks(owner),
      drain: (graceMs) => inner.drain(graceMs),
      dispatch: async <C extends NotebookCommand>(caller: string, notebookId: string, command: C): Promise<CommandResult<C>> => {
        const result = await inner.dispatch(caller, notebookId, command);
        if (EDITS.has(command.type) || RUNS.has(command.type) || command.type === 'delete_notebook') {
          const owner = (await this.access.accessOf(caller, notebookId))?.owner ?? caller;
          if (command.type === 'delete_notebook') this.forget(owner, notebookId);
          else if (RUNS.has(command.type)) void this.snapshot(owner, notebookId, [caller], 'run');
          else this.edited(owner, notebookId, caller);
        }
        return result;
      },
    };
  }

  /** Every kept version, oldest first (the caller's access is checked by the route). */
  versions(owner: string, notebookId: string): Promise<NotebookVersion[]> {
    return this.store.list(owner, notebookId);
  }

  /** Takes a version now (pending typing included) and resolves once stored; `null` when nothing changed. */
  snapshot(owner: string, notebookId: string, by: readonly string[], reason: VersionReason): Promise<NotebookVersion | null> {
    const pending = this.pending.get(notebookId);
    const authors = new Set([...by, ...(pending?.authors ?? [])]);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(notebookId);
    return this.serial(notebookId, async () => {
      try {
        const view = await this.commands.dispatch(owner, notebookId, { type: 'get_notebook' });
        const cells: VersionCell[] = view.cells.map((cell) => ({ id: cell.id, type: cell.type, code: cell.code }));
        const previous = (await this.store.list(owner, notebookId)).at(-1);
        if (previous && JSON.stringify(previous.cells) === JSON.stringify(cells)) return null;
        const version: NotebookVersion = { id: `${Date.now().toString(36).padStart(9, '0')}-${randomUUID().slice(0, 8)}`, at: new Date().toISOString(), authors: [...authors].sort(), reason, cells };
        await this.store.append(owner, notebookId, version, this.settings);
        return version;
      } catch (error) {
        this.log.warn('taking a version failed', { notebook: notebookId, error: (error as Error)?.message });
        return null;
      }
    });
  }

  /**
   * Brings the notebook back to a version as ordinary edits sent through `via` as `caller` (so the
   * role is checked and every client sees each change): cells the version lacks are deleted, its cells
   * created (same ids) or changed, then put in its order. The state before is kept as a version first,
   * so restoring that one undoes the restore; the result is a new version (`restore`).
   */
  async restore(via: CommandRouter, caller: string, notebookId: string, versionId: string): Promise<NotebookVersion | null> {
    const { owner } = await this.access.authorize(caller, notebookId, 'edit');
    const target = (await this.store.list(owner, notebookId)).find((v) => v.id === versionId);
    if (!target) throw new HostError(404, 'RNB_ERR_VERSION_NOT_FOUND', `No version "${versionId.slice(0, 100)}" of this notebook: it may have been pruned (NOTEBOOK_HISTORY_MAX_VERSIONS, NOTEBOOK_HISTORY_MAX_AGE_DAYS).`);
    await this.snapshot(owner, notebookId, [], 'edit');
    const current = await via.dispatch(caller, notebookId, { type: 'get_notebook' });
    const wanted = new Set(target.cells.map((c) => c.id));
    const existing = new Map(current.cells.map((c) => [c.id, c]));
    for (const cell of current.cells) if (!wanted.has(cell.id)) await via.dispatch(caller, notebookId, { type: 'delete_cell', cellId: cell.id });
    let previous: string | null = null;
    for (const cell of target.cells) {
      const now = existing.get(cell.id);
      if (!now) await via.dispatch(caller, notebookId, { type: 'create_cell', cellType: cell.type, code: cell.code, afterCellId: previous, ...(previous === null ? { index: 0 } : {}), cellId: cell.id });
      else if (now.code !== cell.code || now.type !== cell.type) await via.dispatch(caller, notebookId, { type: 'update_cell', cellId: cell.id, code: cell.code, ...(now.type !== cell.type ? { cellType: cell.type } : {}) });
      previous = cell.id;
    }
    const order = (await via.dispatch(caller, notebookId, { type: 'get_notebook' })).cells.map((c) => c.id);
    for (const [index, cell] of target.cells.entries()) {
      if (order[index] === cell.id) continue;
      await via.dispatch(caller, notebookId, { type: 'move_cell', cellId: cell.id, index });
      order.splice(order.indexOf(cell.id), 1);
      order.splice(index, 0, cell.id);
    }
    return this.snapshot(owner, notebookId, [caller], 'restore');
  }

  /** Takes the versions still waiting for a pause (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = [...this.pending.entries()];
    await Promise.all(waiting.map(([id, p]) => this.snapshot(p.owner, id, [], 'edit')));
  }

  private edited(owner: string, notebookId: string, author: string): void {
    if (this.closed) return;
    const pending = this.pending.get(notebookId);
    if (pending) clearTimeout(pending.timer);
    const authors = pending?.authors ?? new Set<string>();
    authors.add(author);
    const timer = setTimeout(() => {
      // The pending authors go into the version (snapshot takes them).
      if (this.pending.get(notebookId)?.timer === timer) void this.snapshot(owner, notebookId, [], 'edit');
    }, this.settings.pauseMs);
    timer.unref?.();
    this.pending.set(notebookId, { owner, authors, timer });
  }

  private forget(owner: string, notebookId: string): void {
    const pending = this.pending.get(notebookId);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(notebookId);
    void this.serial(notebookId, () => this.store.forget(owner, notebookId));
  }

  private serial<T>(notebookId: string, step: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(notebookId) ?? Promise.resolve()).then(step, step);
    this.chains.set(notebookId, run.catch(() => undefined));
    return run;
  }
}
