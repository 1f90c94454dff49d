import { appNotebookOfDocument, isNotebookError, UnauthorizedError, type AppNotebook, type AppViewer, type Identity, type NotebookDocument, type NotebookStore } from '@rnb/core';
import { HostError } from '../errors';
import type { CommandResult, CommandRouter, NotebookCommand } from '../commands/command-router';

/** The kernel owner of every anonymous visitor of public apps: together they get one user's share, never more. */
export const ANONYMOUS_KERNEL_OWNER = 'rnb:public-app-viewers';

export interface AppHostOptions {
  /** Where notebooks are read (never written: a viewer's copy is never saved). */
  store: NotebookStore;
  /** Anyone, signed in or not, may open a published app (NOTEBOOK_PUBLIC_APPS). */
  publicApps: boolean;
}

/** Who may open an app, and as whom. */
export interface Admission {
  owner: string;
  viewer: AppViewer;
  document: NotebookDocument;
}

/**
 * Who may see a notebook as an app: its owner always; when the owner
 * published it, any signed-in user, and anyone at all when the operator
 * allows public apps. A published app's link names only the notebook, so the
 * owner comes from the store (`ownerOf`) or from a publication seen since start.
 */
export class AppHost {
  /** Notebook id → owner, learned when an owner changes app settings (for stores without ownerOf). */
  private readonly owners = new Map<string, string>();

  constructor(private readonly options: AppHostOptions) {}

  get publicApps(): boolean {
    return this.options.publicApps;
  }

  /** An owner changed the app settings of a notebook: remember whose it is. */
  noteOwner(notebookId: string, owner: string): void {
    this.owners.set(notebookId, owner);
  }

  /**
   * Lets `identity` (null: an anonymous visitor, `visitKey` tells visits apart) in, or throws
   * RNB_ERR_APP_NOT_FOUND (no such app, not published) or RNB_ERR_UNAUTHORIZED (sign in first).
   * `view`: the page's id of one open app view (a browser tab): a signed-in user's views are
   * sessions of their own, as marimo's `run` gives each tab its own; the same view reconnecting
   * finds its session. Without one, all of a user's connections share one session.
   */
  async admit(identity: Identity | null, notebookId: string, visitKey: string, view?: string): Promise<Admission> {
    const found = await this.load(notebookId, identity?.userId);
    if (!found) throw appNotFound(notebookId);
    const isOwner = identity !== null && identity.userId === found.owner;
    if (!isOwner) {
      if (found.document.app?.published !== true) throw appNotFound(notebookId);
      if (identity === null && !this.options.publicApps) throw new UnauthorizedError('Sign in to open this app.');
    }
    const viewer: AppViewer = identity
      ? { key: view === undefined ? `user:${identity.userId}` : `user:${identity.userId}\u0000view:${view}`, kernelOwner: identity.userId, isOwner }
      : { key: `visit:${visitKey}`, kernelOwner: ANONYMOUS_KERNEL_OWNER, isOwner: false };
    return { owner: found.owner, viewer, document: found.document };
  }

  /** The app as stored, as `identity` may see it (`GET /api/apps/{id}`). */
  async view(identity: Identity | null, notebookId: string): Promise<AppNotebook> {
    const { document, viewer } = await this.admit(identity, notebookId, 'http');
    return appNotebookOfDocument(document, viewer.isOwner);
  }

  /** Whether `userId` is a viewer (not the owner) of a published app with this id. */
  async isViewerOf(userId: string, notebookId: string): Promise<boolean> {
    const found = await this.load(notebookId, undefined).catch(() => null);
    return found !== null && found.owner !== userId && found.document.app?.published === true;
  }

  private async load(notebookId: string, caller: string | undefined): Promise<{ owner: string; document: NotebookDocument } | null> {
    const { store } = this.options;
    const candidates: string[] = [];
    const known = this.owners.get(notebookId);
    if (known) candidates.push(known);
    const stored = store.ownerOf ? await store.ownerOf(notebookId).catch(() => null) : null;
    if (stored && !candidates.includes(stored)) candidates.push(stored);
    // A store that cannot say whose a notebook is still finds the caller's own.
    if (caller !== undefined && !candidates.includes(caller)) candidates.push(caller);
    for (const owner of candidates) {
      try {
        return { owner, document: await store.get(owner, notebookId) };
      } catch (error) {
        if (!(isNotebookError(error) && error.code === 'RNB_ERR_NOTEBOOK_NOT_FOUND')) throw error;
      }
    }
    return null;
  }
}

export function appNotFound(notebookId: string): HostError {
  return new HostError(404, 'RNB_ERR_APP_NOT_FOUND', `No app "${notebookId.slice(0, 100)}": the notebook does not exist or its owner has not published it.`);
}

export function appReadOnly(notebookId: string): HostError {
  return new HostError(403, 'RNB_ERR_APP_READ_ONLY', `This notebook is shared with you as an app: open /app/${notebookId.slice(0, 100)} to use it. Only its owner can change, run or read it here.`);
}

/**
 * The command router every route and socket uses, refusing a published app's
 * viewers with RNB_ERR_APP_READ_ONLY where they would get "not found": the
 * store already answers "not found" to anyone but the owner, so nothing a
 * viewer sends reaches the notebook; this only makes the refusal clear.
 */
export function refusingAppViewers(commands: CommandRouter, apps: AppHost): CommandRouter {
  return {
    createNotebook: (owner, input) => commands.createNotebook(owner, input),
    listNotebooks: (owner) => commands.listNotebooks(owner),
    drain: (graceMs) => commands.drain(graceMs),
    async dispatch<C extends NotebookCommand>(owner: string, notebookId: string, command: C): Promise<CommandResult<C>> {
      try {
        return await commands.dispatch(owner, notebookId, command);
      } catch (error) {
        if (isNotebookError(error) && error.code === 'RNB_ERR_NOTEBOOK_NOT_FOUND' && (await apps.isViewerOf(owner, notebookId))) throw appReadOnly(notebookId);
        throw error;
      }
    },
  };
}
