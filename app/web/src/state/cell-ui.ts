import { useCallback, useSyncExternalStore } from 'react';
import type { NotebookController } from './notebook-controller';
import type { NotebookModel } from './notebook-model';
import { KeyedListeners, Signal } from './signal';

export interface Collapsed {
  code: boolean;
  output: boolean;
}

const OPEN: Collapsed = { code: false, output: false };

/**
 * The page's own view state of cells, which the host never sees: which cells have their code or
 * output collapsed (kept in this browser, per notebook), whose readers are listed, and which cell
 * had the focus last (what the command palette acts on). Per-cell listeners, as the model's.
 */
export class CellUiState {
  private readonly collapsed = new Map<string, Collapsed>();
  private readonly listeners = new KeyedListeners();
  /** The cell whose "read by" list is open, or null. */
  readonly readersOf = new Signal<string | null>(null);
  lastFocusedCell: string | null = null;

  constructor(private readonly storageKey: string | null) {
    try {
      const saved = storageKey ? (JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Record<string, Collapsed>) : {};
      for (const [id, value] of Object.entries(saved)) this.collapsed.set(id, { code: value.code === true, output: value.output === true });
    } catch {
      // No storage (private mode) or a value from another version: nothing collapsed.
    }
  }

  collapsedOf = (cellId: string): Collapsed => this.collapsed.get(cellId) ?? OPEN;

  subscribe = (cellId: string, listener: () => void): (() => void) => this.listeners.subscribe(cellId, listener);

  toggle = (cellId: string, part: keyof Collapsed): void => {
    const next = { ...this.collapsedOf(cellId), [part]: !this.collapsedOf(cellId)[part] };
    if (!next.code && !next.output) this.collapsed.delete(cellId);
    else this.collapsed.set(cellId, next);
    this.listeners.notify(cellId);
    this.save();
  };

  private save(): void {
    if (!this.storageKey) return;
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(Object.fromEntries(this.collapsed)));
    } catch {
      // Full or unavailable: collapsing still works for this page.
    }
  }
}

const states = new WeakMap<NotebookController, CellUiState>();

/** The view state of a notebook page (one per controller). */
export function cellUiOf(controller: NotebookController): CellUiState {
  let state = states.get(controller);
  if (!state) {
    state = new CellUiState(typeof localStorage === 'undefined' ? null : `rnb:collapsed:${controller.notebookId}`);
    states.set(controller, state);
  }
  return state;
}

export function useCollapsed(ui: CellUiState, cellId: string): Collapsed {
  const subscribe = useCallback((listener: () => void) => ui.subscribe(cellId, listener), [ui, cellId]);
  const get = useCallback(() => ui.collapsedOf(cellId), [ui, cellId]);
  return useSyncExternalStore(subscribe, get, get);
}

/** The cells that read a name this cell defines, in notebook order, with the names each reads. */
export function readersOf(model: NotebookModel, cellId: string): { cellId: string; index: number; names: string[] }[] {
  const cell = model.getCell(cellId);
  if (!cell || cell.writes.length === 0) return [];
  const defined = new Set(cell.writes);
  return model.cellList()
    .map((other, index) => ({ cellId: other.id, index, names: other.id === cellId ? [] : other.reads.filter((n) => defined.has(n)) }))
    .filter((r) => r.names.length > 0);
}
