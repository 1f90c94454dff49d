import { KeyedListeners } from './signal';

/** Another version of a cell that arrived while this page had unsaved text for it. */
export interface EditConflict {
  /** The code the host holds (someone else's save). */
  theirs: string;
}

/**
 * Open edit conflicts, per cell. Until real co-editing exists, two people typing in one cell must
 * never lose text silently: the cell keeps the user's text and shows theirs beside it until the
 * user keeps one or the other.
 */
export class ConflictStore {
  private readonly open = new Map<string, EditConflict>();
  private readonly listeners = new KeyedListeners();

  get = (cellId: string): EditConflict | undefined => this.open.get(cellId);

  subscribe = (cellId: string, listener: () => void): (() => void) => this.listeners.subscribe(cellId, listener);

  show(cellId: string, theirs: string): void {
    if (this.open.get(cellId)?.theirs === theirs) return;
    this.open.set(cellId, { theirs });
    this.listeners.notify(cellId);
  }

  close(cellId: string): void {
    if (this.open.delete(cellId)) this.listeners.notify(cellId);
  }
}
