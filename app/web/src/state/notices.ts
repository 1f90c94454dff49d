import { Signal } from './signal';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** A button on the notice, e.g. Undo after a delete. */
  action?: { label: string; run(): void };
}

/** How long a notice stays: errors and notices with a button (Undo) longer, since they ask for reading or a decision. */
const ERROR_OR_ACTION_MS = 10_000;
const INFO_MS = 4000;
/** Older notices kept beside a new one: a burst of failures shows its last few, not a wall of them. */
const KEEP_PREVIOUS = 3;

/**
 * The page's user-visible messages (errors from the host, "Cell deleted / Undo", ...): a short list
 * that empties itself. Every part of the page that fails or has news reports through here.
 */
export class NoticeBoard {
  readonly list = new Signal<readonly Notice[]>([]);
  private lastId = 0;

  /** Shows a notice for a while; returns its id (to dismiss it early, e.g. once its Undo is moot). */
  notify(kind: Notice['kind'], message: string, action?: Notice['action']): number {
    const notice: Notice = { id: ++this.lastId, kind, message, ...(action ? { action } : {}) };
    this.list.set([...this.list.get().slice(-KEEP_PREVIOUS), notice]);
    setTimeout(() => this.dismiss(notice.id), kind === 'error' || action ? ERROR_OR_ACTION_MS : INFO_MS);
    return notice.id;
  }

  dismiss = (id: number): void => {
    this.list.set(this.list.get().filter((n) => n.id !== id));
  };

  /** A failed command as an error notice: the error's own message (the host's is written for the user). */
  report = (err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    this.notify('error', message);
  };
}
