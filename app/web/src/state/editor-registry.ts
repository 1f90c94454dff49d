import { Transaction } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { remoteEdit } from './editor-annotations';
import { KeyedListeners } from './signal';

/**
 * The mounted cell editors, and focus requests for editors that have not mounted yet. Editors
 * mount lazily (as their cell nears the viewport): focusing a cell whose editor is not there yet
 * asks its cell to mount it ({@link isWanted}) and focuses it once it registers.
 */
export class EditorRegistry {
  private readonly views = new Map<string, EditorView>();
  private pendingFocus: { id: string; at: 'start' | 'end' | undefined } | null = null;
  private readonly wanted = new Set<string>();
  private readonly wantListeners = new KeyedListeners();
  /** Brings a cell out of a long notebook's window into layout (components/cell-window.ts); none otherwise. */
  private revealer: ((cellId: string) => void) | null = null;

  setRevealer(reveal: ((cellId: string) => void) | null): void {
    this.revealer = reveal;
  }

  /** A cell about to be focused or scrolled to is put in layout first (out of layout, neither works). */
  private reveal(cellId: string): void {
    this.revealer?.(cellId);
  }

  register(cellId: string, view: EditorView): () => void {
    this.views.set(cellId, view);
    if (this.pendingFocus?.id === cellId) {
      const { at } = this.pendingFocus;
      this.pendingFocus = null;
      // Still within the task that mounted it: the next key event already finds the focus here.
      queueMicrotask(() => this.focus(cellId, at));
    }
    return () => {
      if (this.views.get(cellId) === view) this.views.delete(cellId);
    };
  }

  focus(cellId: string, at?: 'start' | 'end'): void {
    this.reveal(cellId);
    const view = this.views.get(cellId);
    if (!view) {
      this.pendingFocus = { id: cellId, at };
      this.want(cellId);
      return;
    }
    this.noteFocused(cellId);
    if (at) {
      const pos = at === 'start' ? 0 : view.state.doc.length;
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    }
    view.focus();
    view.dom.closest('[data-cell-id]')?.scrollIntoView?.({ block: 'nearest' });
  }

  /**
   * An editor took the focus (a click, a key, the page): a request for another cell that has not mounted yet is
   * dropped, or it would pull the focus away from where the user now types once that cell mounts.
   */
  noteFocused(cellId: string): void {
    if (this.pendingFocus && this.pendingFocus.id !== cellId) this.pendingFocus = null;
  }

  focusWhenMounted(cellId: string, at: 'start' | 'end'): void {
    this.reveal(cellId);
    if (this.views.has(cellId)) this.focus(cellId, at);
    else {
      this.pendingFocus = { id: cellId, at };
      this.want(cellId);
    }
  }

  /** True once something asked for this cell's editor (a focus, a new cell): it mounts even out of view. */
  isWanted(cellId: string): boolean {
    return this.wanted.has(cellId);
  }

  subscribeWanted(cellId: string, listener: () => void): () => void {
    return this.wantListeners.subscribe(cellId, listener);
  }

  /** Asks for a cell's editor without focusing it (find shows a match in a far cell). */
  want(cellId: string): void {
    this.reveal(cellId);
    if (this.wanted.has(cellId)) return;
    this.wanted.add(cellId);
    this.wantListeners.notify(cellId);
  }

  viewOf(cellId: string): EditorView | undefined {
    return this.views.get(cellId);
  }

  /** The cell element around an editor, or the cell's element while its editor has not mounted; in layout, to scroll to. */
  frameOf(cellId: string): HTMLElement | null {
    this.reveal(cellId);
    const view = this.views.get(cellId);
    if (view) return view.dom.closest<HTMLElement>('[data-cell-id]');
    if (typeof document === 'undefined') return null;
    const escaped = typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(cellId) : cellId;
    return document.querySelector<HTMLElement>(`section[data-cell-id="${escaped}"]`);
  }

  /** Replaces what an editor shows, as the host's code: not an edit to save, not a step of its undo history. */
  setText(cellId: string, text: string): void {
    const view = this.views.get(cellId);
    if (!view) return;
    const current = view.state.doc.toString();
    if (current === text) return;
    view.dispatch({ changes: { from: 0, to: current.length, insert: text }, annotations: [remoteEdit.of(true), Transaction.addToHistory.of(false)] });
  }
}
