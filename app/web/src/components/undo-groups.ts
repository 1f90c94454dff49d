import { EditorState, type Extension, type Transaction } from '@codemirror/state';
import { ySyncAnnotation } from 'y-codemirror.next';
import * as Y from 'yjs';
import { remoteEdit } from '../state/editor-annotations';

/**
 * Undo steps of a co-edited cell (Y.UndoManager, which undoes this page's own edits only). Yjs alone groups every
 * change made within `captureTimeout` of the previous one, so a line typed at full speed after other lines is undone
 * together with them, and a pause in mid-word splits a word. People coming from JupyterLab and VS Code expect an undo
 * step to be about a line of typing, as CodeMirror's own history gives:
 * - a pause of UNDO_PAUSE_MS ends a step (CodeMirror's `newGroupDelay`, Yjs's default);
 * - typing a line break starts a step, so Ctrl+Z takes back the last line typed, then the one before;
 * - switching between typing and deleting starts a step (Backspaces after typing are undone on their own);
 * - a paste, a drop or a completion accepted is a step of its own.
 */
export const UNDO_PAUSE_MS = 500;

export type EditKind = 'type' | 'delete' | 'other';

export function cellUndoManager(text: Y.Text): Y.UndoManager {
  return new Y.UndoManager(text, { captureTimeout: UNDO_PAUSE_MS });
}

/**
 * Tells `undoManager` where steps begin, before each edit of the editor reaches the shared text. `lastEdit`: the kind
 * of the edit the manager already holds (typing done before the shared text arrived), which the next may continue.
 */
export function undoStepBoundaries(undoManager: Y.UndoManager, lastEdit: EditKind | null = null): Extension {
  let previous: EditKind | null = lastEdit;
  return EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged || tr.isUserEvent('undo') || tr.isUserEvent('redo')) return tr;
    // Another person's edit (or an undo) arriving through the shared text, or the host's text: not a step of ours. Ending
    // the step there made every local undo take back one character while someone else typed in the same cell.
    if (tr.annotation(ySyncAnnotation) !== undefined || tr.annotation(remoteEdit)) return tr;
    const kind = kindOf(tr);
    if (kind !== previous || kind === 'other' || (kind === 'type' && insertsLineBreak(tr))) undoManager.stopCapturing();
    // After a paste or a completion, the next keystroke starts a step too.
    previous = kind === 'other' ? null : kind;
    return tr;
  });
}

function kindOf(tr: Transaction): EditKind {
  // Enter is plain `input` (with its indentation); pastes, drops and completions are steps of their own.
  if (tr.isUserEvent('input') && !tr.isUserEvent('input.paste') && !tr.isUserEvent('input.drop') && !tr.isUserEvent('input.complete')) return 'type';
  if (tr.isUserEvent('delete')) return 'delete';
  return 'other';
}

function insertsLineBreak(tr: Transaction): boolean {
  let found = false;
  tr.changes.iterChanges((_fromA, _toA, _fromB, _toB, inserted) => {
    if (!found && inserted.lines > 1) found = true;
  });
  return found;
}
