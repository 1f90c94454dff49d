import { useEffect, useState } from 'react';
import { cellUiOf } from '../state/cell-ui';
import type { NotebookController } from '../state/notebook-controller';
import type { ActionContext, PageUi } from './actions';
import { CommandPalette } from './CommandPalette';
import { FindReplacePanel } from './FindReplacePanel';

/** The page's dialogs the palette's actions open; the notebook page owns them. */
export type PageDialogs = Omit<PageUi, 'openPalette' | 'openFind' | 'showReaders' | 'toggleCollapse'>;

/** The cell around the focused element, if any. */
function focusedCell(): string | null {
  return (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-cell-id]')?.dataset.cellId ?? null;
}

/** Whether a key event is Ctrl/Cmd + the letter (by its physical key: Alt changes the character on macOS). */
const modKey = (event: KeyboardEvent, letter: string): boolean =>
  (event.ctrlKey || event.metaKey) && (event.code === `Key${letter.toUpperCase()}` || event.key.toLowerCase() === letter);

/**
 * The command palette (Ctrl+K, Ctrl+Shift+P) and the notebook-wide find panel (Ctrl+Alt+F), with
 * their keys, which work in an editor and outside one. Remembers the last focused cell: the
 * palette's cell actions act on it.
 */
export function PageTools({ controller, dialogs }: { controller: NotebookController; dialogs: PageDialogs }) {
  const [palette, setPalette] = useState<ActionContext | null>(null);
  const [findOpen, setFindOpen] = useState(false);
  const ui = cellUiOf(controller);

  useEffect(() => {
    const onFocus = (): void => {
      const cell = focusedCell();
      if (cell) ui.lastFocusedCell = cell;
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.altKey && modKey(event, 'f')) {
        event.preventDefault();
        setFindOpen(true);
        return;
      }
      const paletteKey = !event.altKey && (modKey(event, 'k') ? !event.shiftKey : event.shiftKey && modKey(event, 'p'));
      if (!paletteKey) return;
      event.preventDefault();
      event.stopPropagation();
      openPalette();
    };
    document.addEventListener('focusin', onFocus);
    // Capture: before CodeMirror sees the key (it has no binding for these, but a plugin mode might).
    window.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('focusin', onFocus);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [controller]);

  const pageUi: PageUi = {
    ...dialogs,
    openPalette: () => openPalette(),
    openFind: () => setFindOpen(true),
    showReaders: (cellId) => ui.readersOf.set(cellId),
    toggleCollapse: (cellId, part) => ui.toggle(cellId, part),
  };
  function openPalette(): void {
    if (document.querySelector('.palette')) return;
    const cellId = focusedCell() ?? (ui.lastFocusedCell && controller.model.has(ui.lastFocusedCell) ? ui.lastFocusedCell : null) ?? controller.model.getOrder()[0] ?? null;
    const editor = cellId ? controller.editorOf(cellId) ?? null : null;
    setPalette({ controller, cellId, editor, ui: pageUi });
  }

  return (
    <>
      {findOpen && <FindReplacePanel controller={controller} onClose={() => setFindOpen(false)} />}
      {palette && <CommandPalette context={palette} onClose={() => setPalette(null)} />}
    </>
  );
}
