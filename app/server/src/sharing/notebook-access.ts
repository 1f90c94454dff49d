import { isNotebookError, NotFoundError, type NotebookShare, type NotebookStore, type NotebookSummary } from '@rnb/core';
import type { NotebookRole, ShareRole } from '@rnb/core/wire';
import type { CommandResult, CommandRouter, NotebookCommand } from '../commands/command-router';
import { HostError } from '../errors';
import { DEFAULT_APP_RUNTIME_METHODS } from '../apps/app-socket';

/** What a caller wants to do with a notebook; each role allows some. */
export type NotebookAction = 'read' | 'run' | 'edit' | 'own';

const ALLOWED: Record<NotebookRole, ReadonlySet<NotebookAction>> = {
  owner: new Set(['read', 'run', 'edit', 'own']),
  editor: new Set(['read', 'run', 'edit']),
  viewer: new Set(['read']),
};

/**
 * The action each command needs. `runtime_call` (completions, inspection) is `run`: it executes in the
 * owner's kernel (Python's completer evaluates attribute look-ups), so a viewer may not; the methods
 * outputs call on their own ({@link VIEWER_RUNTIME_METHODS}) are `read`. Settings of the
 * notebook itself (name, database, app view, lazy mode), its deletion and its shares are the owner's.
 */
export const COMMAND_ACTION: Record<NotebookCommand['type'], NotebookAction> = {
  open_notebook: 'read',
  get_notebook: 'read',
  rename_notebook: 'own',
  set_plugin_settings: 'own',
  set_lazy: 'own',
  set_app_settings: 'own',
  delete_notebook: 'own',
  get_shares: 'own',
  set_share: 'own',
  create_cell: 'edit',
  update_cell: 'edit',
  delete_cell: 'edit',
  move_cell: 'edit',
  run_cell: 'run',
  interrupt: 'run',
  run_all: 'run',
  restart_kernel: 'run',
  clear_outputs: 'run',
  runtime_call: 'run',
  run_readers_of: 'run',
  // A widget's value is set in the kernel and re-runs its readers.
  set_widget_value: 'run',
  // Co-editing: a viewer follows the live text (sync) but never types into it (update).
  coedit_sync: 'read',
  coedit_update: 'edit',
};

/**
 * Runtime methods that only read what outputs show (a live table's pages, a liveness check): a viewer
 * may call them, as an app viewer may, so live tables page for viewers too.
 */
export const VIEWER_RUNTIME_METHODS: ReadonlySet<string> = new Set(DEFAULT_APP_RUNTIME_METHODS);

/** The action a command needs of its caller. */
export function actionOf(command: NotebookCommand): NotebookAction {
  if (command.type === 'runtime_call' && VIEWER_RUNTIME_METHODS.has(command.method)) return 'read';
  return COMMAND_ACTION[command.type];
}

/** Whom a notebook belongs to and what the caller is in it. */
export interface Access {
  owner: string;
  role: NotebookRole;
}

export interface NotebookAccessOptions {
  store: NotebookStore;
  /** How long another instance's share change may go unseen here (cluster mode); this instance's own changes apply at once. */
  sharesTtlMs?: number;
}

/**
 * The one place that decides, per notebook, whether a user may read, edit or run it, and as whom
 * (the owner: the kernel and its share are always the owner's). Routes, socket events, assistant
 * tools and the runtime channel all go through {@link enforcingShares}; a new socket event (the
 * co-editing sync) asks {@link NotebookAccess.authorize} directly. A user with no share gets
 * "not found", as if the notebook did not exist.
 */
export class NotebookAccess {
  /** Notebook id → owner: an id never changes hands. */
  private readonly owners = new Map<string, string>();
  private readonly shares = new Map<string, { shares: NotebookShare[]; readAt: number }>();
  private readonly revokedListeners = new Set<(notebookId: string, userId: string) => void>();

  constructor(private readonly options: NotebookAccessOptions) {}

  /** Whether sharing works with this store: it must say whose a notebook is. */
  get supported(): boolean {
    return typeof this.options.store.ownerOf === 'function';
  }

  /** The caller's access, or null when the notebook does not exist for them. */
  async accessOf(userId: string, notebookId: string): Promise<Access | null> {
    const owner = await this.ownerOf(notebookId);
    if (owner === null || owner === userId) return { owner: owner ?? userId, role: 'owner' };
    const share = (await this.sharesOf(owner, notebookId)).find((s) => s.userId === userId);
    return share ? { owner, role: share.role } : null;
  }

  /**
   * The caller's access when it allows `action`. Throws "not found" when the caller has no share,
   * and RNB_ERR_ROLE_FORBIDDEN (403) when the role does not allow the action.
   */
  async authorize(userId: string, notebookId: string, action: NotebookAction): Promise<Access> {
    const access = await this.accessOf(userId, notebookId);
    if (!access) throw new NotFoundError('notebook', notebookId);
    if (!ALLOWED[access.role].has(action)) throw roleForbidden(access.role, action);
    return access;
  }

  /** The notebooks shared with `userId`, as list entries. */
  async sharedWith(userId: string): Promise<(NotebookSummary & { owner: string; role: ShareRole })[]> {
    return this.options.store.listSharedWith ? this.options.store.listSharedWith(userId) : [];
  }

  /** The owner changed the shares on this instance: use them at once, and tell who lost access. */
  sharesChanged(notebookId: string, before: readonly NotebookShare[], after: NotebookShare[]): void {
    this.shares.set(notebookId, { shares: after, readAt: Date.now() });
    for (const old of before) if (!after.some((s) => s.userId === old.userId)) for (const listener of this.revokedListeners) listener(notebookId, old.userId);
  }

  /** Calls `listener` when a user's share of a notebook is revoked (their sockets must go). */
  onRevoked(listener: (notebookId: string, userId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private async ownerOf(notebookId: string): Promise<string | null> {
    const known = this.owners.get(notebookId);
    if (known !== undefined) return known;
    if (!this.options.store.ownerOf) return null;
    const owner = await this.options.store.ownerOf(notebookId).catch(() => null);
    if (owner !== null) this.owners.set(notebookId, owner);
    return owner;
  }

  private async sharesOf(owner: string, notebookId: string): Promise<NotebookShare[]> {
    const cached = this.shares.get(notebookId);
    if (cached && Date.now() - cached.readAt < (this.options.sharesTtlMs ?? 2000)) return cached.shares;
    try {
      const shares = (await this.options.store.get(owner, notebookId)).shares ?? [];
      this.shares.set(notebookId, { shares, readAt: Date.now() });
      return shares;
    } catch (error) {
      if (isNotebookError(error) && error.code === 'RNB_ERR_NOTEBOOK_NOT_FOUND') {
        this.owners.delete(notebookId);
        this.shares.delete(notebookId);
        return [];
      }
      throw error;
    }
  }
}

export function roleForbidden(role: NotebookRole, action: NotebookAction): HostError {
  const what = action === 'own' ? "change the notebook's settings, shares or existence (the owner's)" : action === 'edit' ? 'edit cells' : action === 'run' ? 'run code or ask the kernel' : 'read it';
  return new HostError(403, 'RNB_ERR_ROLE_FORBIDDEN', `This notebook is shared with you as ${role}: you cannot ${what}.`);
}

/**
 * The command router every route, socket and assistant tool uses: a command of a user the notebook is
 * shared with runs as the owner (their kernel, their share) once the role allows it.
 */
export function enforcingShares(commands: CommandRouter, access: NotebookAccess): CommandRouter {
  return {
    createNotebook: (owner, input) => commands.createNotebook(owner, input),
    async listNotebooks(caller) {
      const [own, shared] = await Promise.all([commands.listNotebooks(caller), access.sharedWith(caller)]);
      return [...own, ...shared];
    },
    drain: (graceMs) => commands.drain(graceMs),
    async dispatch<C extends NotebookCommand>(caller: string, notebookId: string, command: C): Promise<CommandResult<C>> {
      const granted = await access.authorize(caller, notebookId, actionOf(command));
      if (command.type === 'set_share' || command.type === 'get_shares') {
        const before = command.type === 'set_share' ? await commands.dispatch(granted.owner, notebookId, { type: 'get_shares' }) : [];
        const result = await commands.dispatch(granted.owner, notebookId, command);
        if (command.type === 'set_share') access.sharesChanged(notebookId, before, result as CommandResult<{ type: 'set_share'; userId: string; role: null }>);
        return result;
      }
      const result = await commands.dispatch(granted.owner, notebookId, command);
      if (command.type === 'get_notebook') return { ...(result as CommandResult<{ type: 'get_notebook' }>), role: granted.role } as CommandResult<C>;
      return result;
    },
  };
}
