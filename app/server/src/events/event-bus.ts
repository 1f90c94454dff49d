import type { NotebookEvent } from '@rnb/core';

/** Core's notebook events plus the host's own: a deleted notebook's clients are let go; co-editing updates. */
export type HostEvent = NotebookEvent | { type: 'notebook_deleted' } | CoeditEvent;

/** The co-editing document of the notebook changed (docs/protocol.md, "Co-editing"): a Yjs update, binary. */
export interface CoeditEvent {
  type: 'yjs_update';
  update: Uint8Array;
}

export type HostEventListener = (notebookId: string, event: HostEvent) => void;

/**
 * Where the events of the notebooks this instance runs are published, and
 * where the real-time gateway picks them up. One process: {@link LocalEventBus}.
 * Cluster mode replaces it (or the socket.io adapter behind the gateway) so an
 * event reaches clients on every instance; nothing else in the host changes.
 */
export interface NotebookEventBus {
  publish(notebookId: string, event: HostEvent): void;
  subscribe(listener: HostEventListener): () => void;
  close(): Promise<void>;
}

/** In-memory, synchronous delivery; a throwing listener cannot break the others. */
export class LocalEventBus implements NotebookEventBus {
  private readonly listeners = new Set<HostEventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  publish(notebookId: string, event: HostEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(notebookId, event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
