import type { CellUiState } from './cell-ui';
import type { EditorRegistry } from './editor-registry';
import type { NotebookModel } from './notebook-model';

export interface NavigationDeps {
  editors: EditorRegistry;
  model: Pick<NotebookModel, 'getOrder' | 'definersOf'>;
  /** The page's view state: revealing a cell whose code is collapsed shows the code first. */
  ui(): Pick<CellUiState, 'collapsedOf' | 'toggle'>;
  /** Says why a jump went nowhere. */
  notify(kind: 'info', message: string): void;
}

/** How long a revealed cell stays highlighted (the `cell--flash` animation's length). */
const FLASH_MS = 1200;

/**
 * Where the cursor goes between cells: into a cell's editor (now, or once it mounts), onto the cell
 * itself ("command mode"), to the neighbour above or below, to the cell defining a name. Editors mount
 * lazily, so every move goes through the registry, which mounts an off-screen editor that is asked for.
 */
export class CellNavigator {
  constructor(private readonly deps: NavigationDeps) {}

  focusCell = (cellId: string, at?: 'start' | 'end'): void => this.deps.editors.focus(cellId, at);

  /** Focuses the cell itself, not its editor ("command mode": Enter edits, Ctrl+Z/z undo a delete). */
  focusCellFrame = (cellId: string): void => {
    const frame = this.deps.editors.frameOf(cellId);
    frame?.focus();
    frame?.scrollIntoView?.({ block: 'nearest' });
  };

  /** Focuses a cell's editor now, or as soon as it mounts. */
  focusWhenMounted(cellId: string, at: 'start' | 'end'): void {
    this.deps.editors.focusWhenMounted(cellId, at);
  }

  /** Arrow keys past an editor's first or last line; false at the top or bottom of the notebook. */
  focusNeighbour = (cellId: string, delta: -1 | 1): boolean => {
    const order = this.deps.model.getOrder();
    const target = order[order.indexOf(cellId) + delta];
    if (!target) return false;
    this.focusCell(target, delta < 0 ? 'end' : 'start');
    return true;
  };

  /** Jumps to the cell that defines `name`; returns false when no cell does. */
  jumpToDefinition = (name: string): boolean => {
    const [definer] = this.deps.model.definersOf(name);
    if (!definer) {
      this.deps.notify('info', `No cell defines \`${name}\``);
      return false;
    }
    this.revealCell(definer);
    return true;
  };

  /** Scrolls to a cell, flashes it and puts the cursor in its editor (showing its code first when it was collapsed). */
  revealCell = (cellId: string): void => {
    const element = this.deps.editors.frameOf(cellId);
    element?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
    element?.classList.add('cell--flash');
    setTimeout(() => element?.classList.remove('cell--flash'), FLASH_MS);
    const ui = this.deps.ui();
    if (ui.collapsedOf(cellId).code) {
      ui.toggle(cellId, 'code');
      setTimeout(() => this.focusCell(cellId), 0); // once React has shown the editor again
    } else {
      this.focusCell(cellId);
    }
  };
}
