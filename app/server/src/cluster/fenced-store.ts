import { ConflictError, type ExternalChange, type NotebookDocument, type NotebookStore, type NotebookSummary, type SaveOptions } from '@rnb/core';
import type { RedisLeases } from './redis-lease';

/**
 * The storage plugin, fenced by the kernel lease: an instance saves a
 * notebook only while it surely holds the notebook's lease (its fencing
 * number still current). A paused or cut-off old owner is refused before it
 * reaches storage; storage's own revision check (core's takeOver writes the
 * notebook once) refuses it even if its lease ran out between check and write.
 * Core treats the ConflictError as "someone else owns this now" and lets go.
 */
export class LeaseFencedStore implements NotebookStore {
  /** The inner store's, when it watches (edits made outside the server still reach the open notebooks). */
  readonly watch?: (listener: (change: ExternalChange) => void) => () => void;

  constructor(
    private readonly inner: NotebookStore,
    private readonly leases: RedisLeases,
  ) {
    if (inner.watch) this.watch = (listener) => inner.watch!(listener);
  }

  create(document: NotebookDocument): Promise<NotebookDocument> {
    return this.inner.create(document);
  }

  get(owner: string, id: string): Promise<NotebookDocument> {
    return this.inner.get(owner, id);
  }

  list(owner: string): Promise<NotebookSummary[]> {
    return this.inner.list(owner);
  }

  async save(document: NotebookDocument, options: SaveOptions): Promise<NotebookDocument> {
    // Every save of an open notebook happens under its lease (creation uses create(), before the lease is taken).
    if (!this.leases.isHeld(document.id)) {
      throw new ConflictError(options.expectedRevision, options.expectedRevision + 1);
    }
    return this.inner.save(document, options);
  }

  delete(owner: string, id: string): Promise<void> {
    return this.inner.delete(owner, id);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
