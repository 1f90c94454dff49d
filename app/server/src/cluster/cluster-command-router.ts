import { randomUUID } from 'node:crypto';
import { KernelError, type NewNotebookInput, type NotebookService, type NotebookSummary, type NotebookView } from '@rnb/core';
import type { CommandResult, CommandRouter, NotebookCommand } from '../commands/command-router';
import { LocalCommandRouter } from '../commands/local-command-router';
import { HostError, toErrorResponse } from '../errors';
import type { NotebookEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import type { CoeditHub } from '../coedit/coedit-hub';
import type { CommandBus, RemoteError, RemoteOutcome, RemoteRequest } from './command-bus';
import type { PriorOwner, RedisLeases } from './redis-lease';

export interface ClusterCommandRouterOptions {
  service: NotebookService;
  events: NotebookEventBus;
  log: Logger;
  leases: RedisLeases;
  bus: CommandBus;
  /** This instance's co-editing documents (those of the notebooks it owns). */
  coedit?: CoeditHub;
  /** How long the owner has to acknowledge a forwarded command before it is taken for dead (default 1.5 s). */
  acceptTimeoutMs?: number;
  /** How long an acknowledged command may take (default 60 s). */
  resultTimeoutMs?: number;
  /** How long one command may spend finding an owner (default 3 lease TTLs, at least 10 s). */
  routeTimeoutMs?: number;
}

/** An error answered by the owning instance: same code, status and message as if it had happened here. */
export class RemoteCommandError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: RemoteError['details'];
  constructor(error: RemoteError) {
    super(error.message);
    this.name = 'RemoteCommandError';
    this.status = error.status;
    this.code = error.code;
    this.details = error.details;
  }
}

const REASONS: Record<Exclude<PriorOwner, 'none'>, string> = {
  released: 'the kernel was shut down (idle, or its server stopped); it restarts on next run',
  expired: 'the server running this notebook stopped responding; another server took the notebook over',
};

/**
 * Cluster mode's front door: a command runs on the instance holding the
 * notebook's lease. Free notebooks are taken (loading them from shared
 * storage and fencing the previous owner), held ones run here through the
 * local router, others are forwarded to their owner and answered back. A
 * forwarded command runs at most once: it is retried elsewhere only when the
 * owner never acknowledged it.
 */
export class ClusterCommandRouter implements CommandRouter {
  private readonly local: LocalCommandRouter;
  /** Notebooks being taken over: commands for them wait until the notebook is loaded. */
  private readonly adopting = new Map<string, Promise<boolean>>();
  /** Commands running here per notebook: their lease is not let go under them. */
  private readonly inFlight = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private draining = false;
  private readonly acceptMs: number;
  private readonly resultMs: number;
  private readonly routeMs: number;

  constructor(private readonly options: ClusterCommandRouterOptions) {
    this.local = new LocalCommandRouter(options.service, options.events, options.log, options.coedit ?? null);
    this.acceptMs = options.acceptTimeoutMs ?? 1500;
    this.resultMs = options.resultTimeoutMs ?? 60_000;
    this.routeMs = options.routeTimeoutMs ?? Math.max(10_000, options.leases.ttlMs * 3);
    // Leases of notebooks this instance no longer holds in memory (released, failed to open) go back.
    this.sweeper = setInterval(() => this.sweep(), Math.max(100, options.leases.ttlMs));
    this.sweeper.unref();
  }

  /** Core released a notebook (idle, deleted, fenced): its lease goes too. */
  notebookReleased(notebookId: string): void {
    if (!this.adopting.has(notebookId)) void this.options.leases.release(notebookId);
  }

  /** The lease was lost to another instance: forget our copy without saving over the new owner's. */
  leaseLost(notebookId: string): void {
    this.options.coedit?.forget(notebookId);
    void this.options.service.release(notebookId).catch(() => undefined);
  }

  /** Answers a command another instance forwarded to us. */
  handleRemote = async (request: RemoteRequest, accept: () => void): Promise<RemoteOutcome> => {
    await this.adopting.get(request.notebookId)?.catch(() => false);
    if (!this.options.leases.isHeld(request.notebookId)) return { kind: 'not_owner' };
    accept();
    try {
      const value = await this.runHere(request.owner, request.notebookId, request.command);
      return { kind: 'result', value: value ?? null };
    } catch (error) {
      const mapped = toErrorResponse(error);
      if (mapped.internal) this.options.log.error('forwarded command failed', { notebook: request.notebookId, command: request.command.type, error: (error as Error)?.message });
      const { code, message, ...details } = mapped.body.error;
      return { kind: 'error', error: { status: mapped.status, code, message, ...(Object.keys(details).length > 0 ? { details } : {}) } };
    }
  };

  async createNotebook(owner: string, input: NewNotebookInput): Promise<NotebookView> {
    this.checkOpen();
    const view = await this.local.createNotebook(owner, input);
    // A new id: nobody else can hold it, so the creating instance owns it.
    const claim = await this.options.leases.acquire(view.id);
    if (!claim.acquired) await this.options.service.release(view.id);
    return view;
  }

  listNotebooks(owner: string): Promise<NotebookSummary[]> {
    this.checkOpen();
    return this.local.listNotebooks(owner);
  }

  async dispatch<C extends NotebookCommand>(owner: string, notebookId: string, command: C): Promise<CommandResult<C>> {
    this.checkOpen();
    const request: RemoteRequest = { id: randomUUID(), from: this.options.leases.instanceId, owner, notebookId, command };
    const deadline = Date.now() + this.routeMs;
    for (;;) {
      const route = await this.route(owner, notebookId);
      if (route === 'here') return (await this.runHere(owner, notebookId, command)) as CommandResult<C>;
      const outcome = await this.options.bus.request(route.holder, request, { acceptMs: this.acceptMs, resultMs: this.resultMs });
      // A runtime's answer may be null; other commands' "nothing" travels as null and is undefined again here.
      if (outcome.kind === 'result') return (command.type === 'runtime_call' ? outcome.value : (outcome.value ?? undefined)) as CommandResult<C>;
      if (outcome.kind === 'lost') {
        throw new KernelError('The server running this notebook stopped answering while it handled your request (it may have been done): reload and try again.', { busy: true });
      }
      const shuttingDown = outcome.kind === 'error' && outcome.error.code === 'RNB_ERR_SHUTTING_DOWN';
      if (outcome.kind === 'error' && !shuttingDown) throw new RemoteCommandError(outcome.error);
      if (Date.now() > deadline) throw new KernelError('No server could take this notebook in time: try again in a moment.', { busy: true });
      // Silent owner: dead (its lease runs out within a TTL) or stalled (it answers the repeat, run once by request id).
      if (outcome.kind === 'no_answer') await this.waitForExpiry(notebookId, route.holder, Math.min(deadline, Date.now() + this.options.leases.ttlMs));
      else await sleep(shuttingDown ? 200 : 25);
      if (this.draining) this.checkOpen();
    }
  }

  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.sweeper);
    await this.local.drain(graceMs);
  }

  /** Where the notebook's commands run now: here (lease held, notebook loaded) or on its holder. */
  private async route(owner: string, notebookId: string): Promise<'here' | { holder: string }> {
    for (;;) {
      const adopting = this.adopting.get(notebookId);
      if (adopting) {
        await adopting.catch(() => false);
        continue;
      }
      if (this.options.leases.isHeld(notebookId)) return 'here';
      if (this.draining) this.checkOpen();
      const claim = this.options.leases.acquire(notebookId).catch((error: unknown) => {
        throw new KernelError("The cluster's Redis does not answer: try again in a moment.", { busy: true, cause: error });
      });
      const adoption = claim.then(async (result) => {
        if (!result.acquired) return false;
        await this.adopt(owner, notebookId, result.fence, result.prior);
        return true;
      });
      this.adopting.set(notebookId, adoption);
      try {
        await adoption;
      } finally {
        this.adopting.delete(notebookId);
      }
      const result = await claim;
      if (result.acquired) return 'here';
      if (result.holder !== this.options.leases.instanceId) return { holder: result.holder };
      // Redis says ours but our validity lapsed (a stall): the next renewal settles it either way.
      await sleep(20);
    }
  }

  /**
   * We hold a lease for a notebook someone else ran before: load it fresh from
   * storage (core's takeOver writes it once, so the old owner's saves are
   * refused) and tell its clients the kernel is new. A first use just opens it.
   */
  private async adopt(owner: string, notebookId: string, fence: number, prior: PriorOwner): Promise<void> {
    const stale = this.options.service.openNotebooks().includes(notebookId);
    this.options.log.info('notebook lease acquired', { notebook: notebookId, fence, prior });
    if (prior === 'none' && !stale) return;
    try {
      // As the caller: another user's request fails here with "not found", like everywhere else.
      await this.options.service.takeOver(owner, notebookId, REASONS[prior === 'none' ? 'expired' : prior]);
    } catch (error) {
      await this.options.leases.release(notebookId);
      throw error;
    }
  }

  private async runHere(owner: string, notebookId: string, command: NotebookCommand): Promise<unknown> {
    this.inFlight.set(notebookId, (this.inFlight.get(notebookId) ?? 0) + 1);
    try {
      return await this.local.dispatch(owner, notebookId, command);
    } finally {
      const left = (this.inFlight.get(notebookId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(notebookId);
      else this.inFlight.set(notebookId, left);
    }
  }

  /** The holder did not answer: wait (until `until`) for its lease to run out or change hands. */
  private async waitForExpiry(notebookId: string, holder: string, until: number): Promise<void> {
    this.options.log.warn('notebook owner does not answer: waiting for its lease to expire', { notebook: notebookId, holder });
    while (Date.now() < until) {
      const current = await this.options.leases.holder(notebookId);
      if (!current || current.holder !== holder) return;
      await sleep(Math.min(Math.max(current.ttlMs, 20), 250));
    }
  }

  private sweep(): void {
    const open = new Set(this.options.service.openNotebooks());
    for (const id of this.options.leases.heldNotebooks()) {
      if (!open.has(id) && !this.inFlight.has(id) && !this.adopting.has(id)) void this.options.leases.release(id);
    }
  }

  private checkOpen(): void {
    if (this.draining) throw new HostError(503, 'RNB_ERR_SHUTTING_DOWN', 'The server is shutting down; try again in a moment.');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
