import type { NotebookCommand } from '../commands/command-router';
import type { Logger } from '../logger';
import type { RedisClient } from './redis-connection';

/** A command forwarded to the instance that owns the notebook. */
export interface RemoteRequest {
  /** Kept across the requester's retries, so the owner runs one request once however often it arrives. */
  id: string;
  from: string;
  owner: string;
  notebookId: string;
  command: NotebookCommand;
}

export interface RemoteError {
  status: number;
  code: string;
  message: string;
  /** Extra fields of the error body (e.g. `current_code`). */
  details?: Record<string, string | number | boolean | null>;
}

/** What the requester learns. `lost`: the owner accepted and then went silent (it may have run the command). */
export type RemoteOutcome =
  | { kind: 'result'; value: unknown }
  | { kind: 'error'; error: RemoteError }
  | { kind: 'not_owner' }
  | { kind: 'no_answer' }
  | { kind: 'lost' };

/** The owner's side: `accept()` before doing anything, then the answer. */
export type RemoteHandler = (request: RemoteRequest, accept: () => void) => Promise<RemoteOutcome>;

type Message =
  | { t: 'req'; request: RemoteRequest }
  | { t: 'acc'; id: string }
  | { t: 'res'; id: string; outcome: RemoteOutcome };

interface Waiting {
  accepted: boolean;
  resultMs: number;
  settle: (outcome: RemoteOutcome) => void;
  timer: NodeJS.Timeout;
}

export interface CommandBusOptions {
  /** Publishes requests and replies. */
  pub: RedisClient;
  /** Subscribed to this instance's channel only. */
  sub: RedisClient;
  instanceId: string;
  log: Logger;
  keyPrefix?: string;
}

/**
 * Request/reply between instances over Redis pub/sub: each instance listens
 * on its own channel, a request names the requester's channel for the answer.
 * The owner acknowledges at once (so a dead owner is told from a slow command
 * in about a second) and remembers recent request ids, so a repeated request
 * gets the first answer instead of running again.
 */
export class CommandBus {
  private readonly waiting = new Map<string, Waiting>();
  private readonly answered = new Map<string, { outcome: Promise<RemoteOutcome>; at: number }>();
  private handler: RemoteHandler | null = null;
  private readonly prefix: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: CommandBusOptions) {
    this.prefix = options.keyPrefix ?? 'rnb:';
    this.sweeper = setInterval(() => this.sweep(), 10_000);
    this.sweeper.unref();
  }

  async start(handler: RemoteHandler): Promise<void> {
    this.handler = handler;
    await this.options.sub.subscribe(this.channel(this.options.instanceId), (raw: string) => this.onMessage(raw));
  }

  /** Sends a request to `target` and waits: `acceptMs` for its acknowledgement, then `resultMs` for the answer. */
  request(target: string, request: RemoteRequest, timing: { acceptMs: number; resultMs: number }): Promise<RemoteOutcome> {
    return new Promise<RemoteOutcome>((resolve) => {
      const waiting: Waiting = {
        accepted: false,
        resultMs: timing.resultMs,
        settle: (outcome) => {
          clearTimeout(waiting.timer);
          this.waiting.delete(request.id);
          resolve(outcome);
        },
        timer: setTimeout(() => waiting.settle({ kind: 'no_answer' }), timing.acceptMs),
      };
      const previous = this.waiting.get(request.id);
      previous?.settle({ kind: 'no_answer' });
      this.waiting.set(request.id, waiting);
      this.publish(target, { t: 'req', request }).catch((error: unknown) => {
        this.options.log.warn('forwarding a command failed', { error: (error as Error)?.message });
        waiting.settle({ kind: 'no_answer' });
      });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const waiting of [...this.waiting.values()]) waiting.settle({ kind: 'no_answer' });
    if (this.options.sub.isReady) await this.options.sub.unsubscribe(this.channel(this.options.instanceId)).catch(() => undefined);
  }

  private onMessage(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.t === 'req') void this.serve(message.request);
    else if (message.t === 'acc') {
      const waiting = this.waiting.get(message.id);
      if (!waiting || waiting.accepted) return;
      waiting.accepted = true;
      clearTimeout(waiting.timer);
      waiting.timer = setTimeout(() => waiting.settle({ kind: 'lost' }), waiting.resultMs);
    } else if (message.t === 'res') {
      this.waiting.get(message.id)?.settle(message.outcome);
    }
  }

  private async serve(request: RemoteRequest): Promise<void> {
    const handler = this.handler;
    if (!handler || typeof request?.id !== 'string' || typeof request.from !== 'string') return;
    const accept = (): void => {
      void this.publish(request.from, { t: 'acc', id: request.id }).catch(() => undefined);
    };
    let entry = this.answered.get(request.id);
    if (entry) accept();
    else {
      entry = { outcome: handler(request, accept).catch((error: unknown) => this.internal(error)), at: Date.now() };
      this.answered.set(request.id, entry);
    }
    const outcome = await entry.outcome;
    // A request we did not take on may be retried and taken on later: do not remember that refusal.
    if (outcome.kind === 'not_owner') this.answered.delete(request.id);
    await this.publish(request.from, { t: 'res', id: request.id, outcome }).catch((error: unknown) => {
      this.options.log.warn('answering a forwarded command failed', { error: (error as Error)?.message });
    });
  }

  private internal(error: unknown): RemoteOutcome {
    this.options.log.error('forwarded command failed', { error: (error as Error)?.message });
    return { kind: 'error', error: { status: 500, code: 'RNB_ERR_INTERNAL', message: 'Internal server error.' } };
  }

  private sweep(): void {
    // Long enough for a requester's repeats (a few lease TTLs), short enough not to hoard answers.
    const cutoff = Date.now() - 30_000;
    for (const [id, entry] of this.answered) if (entry.at < cutoff) this.answered.delete(id);
  }

  private async publish(target: string, message: Message): Promise<void> {
    await this.options.pub.publish(this.channel(target), JSON.stringify(message));
  }

  private channel(instanceId: string): string {
    return `${this.prefix}cmd:${instanceId}`;
  }
}
