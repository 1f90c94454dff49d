import { LocalEventBus, type HostEvent, type HostEventListener, type NotebookEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import type { RedisLeases } from './redis-lease';

/**
 * This instance's notebook events, published only while it holds the
 * notebook's lease. The socket.io Redis adapter behind the gateway carries
 * them to clients on every instance; an old owner that lost its lease (paused,
 * cut off) cannot mix its late events into the new owner's.
 */
export class OwnedEventBus implements NotebookEventBus {
  private readonly inner: LocalEventBus;
  private dropped = 0;

  constructor(
    private readonly leases: RedisLeases,
    private readonly log: Logger,
  ) {
    this.inner = new LocalEventBus((error) => log.error('event listener failed', { error: (error as Error)?.message }));
  }

  publish(notebookId: string, event: HostEvent): void {
    // Not isHeld: a renewal that is merely late (a loaded machine) must not drop a status clients are waiting for.
    if (event.type === 'notebook_deleted' || this.leases.believesHeld(notebookId)) {
      this.inner.publish(notebookId, event);
      return;
    }
    if (this.dropped++ % 100 === 0) this.log.warn('event of a notebook this instance no longer owns dropped', { notebook: notebookId, event: event.type, dropped: this.dropped });
  }

  subscribe(listener: HostEventListener): () => void {
    return this.inner.subscribe(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
