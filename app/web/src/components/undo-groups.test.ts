/** @jest-environment jsdom */
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { yCollab } from 'y-codemirror.next';
import * as Y from 'yjs';
import { cellUndoManager, undoStepBoundaries } from './undo-groups';

/** This page's editor on a shared text, and another person's copy of it, synced both ways at once. */
function coEdited(initial: string) {
  const ours = new Y.Doc();
  const theirs = new Y.Doc();
  ours.getText('code').insert(0, initial);
  Y.applyUpdate(theirs, Y.encodeStateAsUpdate(ours));
  ours.on('update', (update: Uint8Array, origin: unknown) => origin !== 'peer' && Y.applyUpdate(theirs, update, 'peer'));
  theirs.on('update', (update: Uint8Array, origin: unknown) => origin !== 'peer' && Y.applyUpdate(ours, update, 'peer'));
  const text = ours.getText('code');
  const undoManager = cellUndoManager(text);
  const view = new EditorView({
    parent: document.body,
    state: EditorState.create({ doc: text.toString(), extensions: [undoStepBoundaries(undoManager), yCollab(text, null, { undoManager })] }),
  });
  const theirText = theirs.getText('code');
  return { view, undoManager, theirText };
}

function typeChar(view: EditorView, ch: string): void {
  const at = view.state.selection.main.head;
  view.dispatch({ changes: { from: at, insert: ch }, selection: { anchor: at + ch.length }, userEvent: 'input.type' });
}

describe('undo steps of a co-edited cell', () => {
  it("takes back all of a word typed while another person types in the same cell, and none of theirs", () => {
    const { view, undoManager, theirText } = coEdited('a = 1');
    view.dispatch({ selection: { anchor: view.state.doc.length } });
    for (const ch of '0000000000') {
      typeChar(view, ch);
      theirText.insert(0, '#');
    }
    expect(view.state.doc.toString()).toBe('##########a = 10000000000');
    undoManager.undo();
    // One step: the ten zeros (each of their keystrokes used to end our step, so an undo took back one zero).
    expect(view.state.doc.toString()).toBe('##########a = 1');
    expect(theirText.toString()).toBe('##########a = 1');
    view.destroy();
  });

  it('still starts a step at a line break and at a switch between typing and deleting', () => {
    const { view, undoManager } = coEdited('');
    for (const ch of 'x = 1') typeChar(view, ch);
    typeChar(view, '\n');
    for (const ch of 'y = 2') typeChar(view, ch);
    const end = view.state.doc.length;
    view.dispatch({ changes: { from: end - 1, to: end }, userEvent: 'delete.backward' });
    expect(view.state.doc.toString()).toBe('x = 1\ny = ');
    undoManager.undo();
    expect(view.state.doc.toString()).toBe('x = 1\ny = 2');
    undoManager.undo();
    expect(view.state.doc.toString()).toBe('x = 1');
    view.destroy();
  });
});
