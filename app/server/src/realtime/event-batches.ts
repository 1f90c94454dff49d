import type { NotebookEvent } from '@rnb/core';

/**
 * A notebook's events for the clients that asked for them in batches (`auth: { batch: true }`, docs/protocol.md
 * "Event batches"): every event core emits in one turn of the event loop goes out as one `events` message.
 *
 * Why: a cascade of 1,000 cells emits about 3,000 events. The kernel's reports reach the host in bursts (its ring is
 * drained every 10 ms), so one message per event meant thousands of WebSocket frames for the browser process to
 * receive, parse and dispatch on the same cores as the kernel, and a key typed meanwhile waited behind them. A batch is
 * sent at the end of the turn that queued it (`setImmediate`), so it adds no delay a timer would.
 */
export class EventBatches {
  private readonly pending = new Map<string, NotebookEvent[]>();
  private scheduled: NodeJS.Immediate | undefined;

  /**
   * @param send emits one notebook's batch to its batching clients.
   * @param maxEvents a batch this long goes out at once, so one message stays bounded.
   */
  constructor(
    private readonly send: (notebookId: string, events: NotebookEvent[]) => void,
    private readonly maxEvents = 256,
  ) {}

  add(notebookId: string, event: NotebookEvent): void {
    let events = this.pending.get(notebookId);
    if (!events) {
      events = [];
      this.pending.set(notebookId, events);
    }
    events.push(event);
    if (events.length >= this.maxEvents) this.flush(notebookId);
    else this.scheduled ??= setImmediate(() => this.flushAll());
  }

  /** Sends what one notebook has pending now: an event that is not batched must not overtake it. */
  flush(notebookId: string): void {
    const events = this.pending.get(notebookId);
    if (!events) return;
    this.pending.delete(notebookId);
    this.send(notebookId, events);
  }

  flushAll(): void {
    this.scheduled = undefined;
    for (const notebookId of [...this.pending.keys()]) this.flush(notebookId);
  }

  /** Drops what is pending (the gateway is closing: its sockets are gone). */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.pending.clear();
  }
}
