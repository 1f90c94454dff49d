import { Transaction } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { remoteEdit } from './editor-annotations';

/** The mounted cell editors, and focus requests for editors that have not mounted yet. */
export class EditorRegistry {
  private readonly views = new Map<string, EditorView>();
  private pendingFocus: { id: string; at: 'start' | 'end' } | null = null;

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
    const view = this.views.get(cellId);
    if (!view) return;
    if (at) {
      const pos = at === 'start' ? 0 : view.state.doc.length;
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    }
    view.focus();
    view.dom.closest('[data-cell-id]')?.scrollIntoView?.({ block: 'nearest' });
  }

  focusWhenMounted(cellId: string, at: 'start' | 'end'): void {
    if (this.views.has(cellId)) this.focus(cellId, at);
    else this.pendingFocus = { id: cellId, at };
  }

  viewOf(cellId: string): EditorView | undefined {
    return this.views.get(cellId);
  }

  /** The cell element around an editor. */
  frameOf(cellId: string): HTMLElement | null {
    return this.views.get(cellId)?.dom.closest<HTMLElement>('[data-cell-id]') ?? null;
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
