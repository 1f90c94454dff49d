import { isolateHistory } from '@codemirror/commands';
import { Prec, type Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import type { NotebookController } from '../state/notebook-controller';
import { middleChange } from '../state/text-diff';

/** One replace-all: every cell it changed, with its text before and after. */
interface ReplaceAllEdit {
  changes: Map<string, { before: string; after: string }>;
  noticeId: number;
}

const lastEdits = new WeakMap<NotebookController, ReplaceAllEdit>();

const textOf = (controller: NotebookController, cellId: string): string | undefined => controller.codeOf(cellId);

/**
 * Replace-all across cells as ONE undoable edit. Each cell's editor gets the change as one step of
 * its own history (so redo works there too), and the notebook remembers the set: undoing it in any
 * of those cells (Ctrl+Z), from the notice, or from the find panel undoes it in every cell.
 */
export function applyReplaceAll(controller: NotebookController, changes: { cellId: string; after: string }[]): void {
  const edit: ReplaceAllEdit = { changes: new Map(), noticeId: 0 };
  for (const { cellId, after } of changes) {
    const before = textOf(controller, cellId);
    if (before === undefined || before === after) continue;
    edit.changes.set(cellId, { before, after });
    const view = controller.editorOf(cellId);
    if (view) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: after }, annotations: isolateHistory.of('full'), userEvent: 'input.replace.all' });
    } else {
      controller.setCodeWithoutEditor(cellId, after);
    }
  }
  if (edit.changes.size === 0) return;
  const cells = edit.changes.size;
  edit.noticeId = controller.notify('info', `Replaced in ${cells} cell${cells === 1 ? '' : 's'}`, { label: 'Undo', run: () => undoReplaceAll(controller) });
  lastEdits.set(controller, edit);
}

export function canUndoReplaceAll(controller: NotebookController): boolean {
  return lastEdits.has(controller);
}

/** Undoes the last replace-all in every cell that still shows its result; returns false when there is none. */
export function undoReplaceAll(controller: NotebookController): boolean {
  const edit = lastEdits.get(controller);
  if (!edit) return false;
  lastEdits.delete(controller);
  controller.dismissNotice(edit.noticeId);
  let skipped = 0;
  for (const [cellId, { before, after }] of edit.changes) {
    if (textOf(controller, cellId) !== after) {
      skipped++; // edited since: that cell's own undo history has it
      continue;
    }
    const view = controller.editorOf(cellId);
    // As an edit of the text (only the part that differs), not through the editor's own history: a co-edited cell's
    // history is the shared text's, and the edit reaches every other client as typing does.
    if (view) view.dispatch({ changes: middleChange(after, before), userEvent: 'undo' });
    else controller.setCodeWithoutEditor(cellId, before);
  }
  if (skipped > 0) controller.notify('info', `${skipped} cell${skipped === 1 ? ' was' : 's were'} edited after the replace and kept as they are`);
  return true;
}

/** Ctrl+Z in a cell the last replace-all changed, while it still shows that change: undo it everywhere. */
export function replaceAllUndoKeys(controller: NotebookController, cellId: string): Extension {
  return Prec.highest(keymap.of([{
    key: 'Mod-z',
    run: (view) => {
      const change = lastEdits.get(controller)?.changes.get(cellId);
      if (!change || view.state.doc.toString() !== change.after) return false;
      return undoReplaceAll(controller);
    },
  }]));
}
