import { Compartment, EditorState, Prec, Transaction } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import { memo, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { flushSync } from 'react-dom';
import { editorLanguagesVersion } from '../plugins/browser-modules';
import { loadedLanguages, nextLanguage } from '../plugins/languages';
import type { NotebookController } from '../state/notebook-controller';
import { replaceText } from '../state/coedit';
import { kernelCompletions } from './completions';
import { cellEditorFeatures } from './cell-editor-features';
import { cellUndoManager, undoStepBoundaries, type EditKind } from './undo-groups';
import { editorExtensions, languageFor, remoteEdit } from './editor-setup';

export interface CodeEditorProps {
  cellId: string;
  language: string;
  /** The host's code for the cell. The editor owns what is typed; this only matters for remote edits. */
  code: string;
  controller: NotebookController;
  label: string;
}

/**
 * CodeMirror 6, uncontrolled: keystrokes stay in the editor and go to the autosave, never through
 * React state, so typing re-renders nothing. The host's code is applied only when this browser
 * has no unsaved draft for the cell (an edit from another tab, or a resync).
 *
 * Keys that add a cell render it synchronously (flushSync, and the editor is created in a layout
 * effect), so the new editor exists and takes the focus before the next key is handled: typing at
 * full speed after Shift+Enter lands in the new cell.
 */
export const CodeEditor = memo(function CodeEditor({ cellId, language, code, controller, label }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const languageSlot = useRef(new Compartment());
  const initial = useRef({ code, language, label });
  /** Bound to the cell's shared text (co-editing): the host's `code` prop and the autosave no longer apply. */
  const shared = useRef(false);

  useLayoutEffect(() => {
    const c = controller;
    const slot = languageSlot.current;
    const collab = new Compartment();
    const typeOf = (): string => c.model.getCell(cellId)?.type ?? initial.current.language;
    const startText = c.coedit?.text(cellId);
    let typedBeforeText = false;
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: startText?.toString() ?? c.saver.draft(cellId) ?? initial.current.code,
        extensions: [
          // A viewer's editor: selectable and copyable, never changed (keys, paste, drops do nothing).
          ...(c.readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []),
          collab.of(startText ? collabExtension(startText, c, cellUndoManager(startText), null) : []),
          EditorView.updateListener.of((update) => {
            if (!update.focusChanged) return;
            c.coedit?.setCell(update.view.hasFocus ? cellId : null);
            if (update.view.hasFocus) c.editorFocused(cellId);
          }),
          editorExtensions({
          language: slot.of(languageFor(initial.current.language)),
          label: initial.current.label,
          onChange: (text) => {
            if (shared.current) return;
            // Co-editing: until the cell's shared text arrives, typing stays here and is merged into it then
            // (an autosave meanwhile would reach the host's text too, and the two would both be kept).
            if (c.coedit) {
              typedBeforeText = true;
              c.model.markEdited(cellId);
            } else c.edit(cellId, text);
          },
          onLocalChange: () => {
            // Shared text: this page's own keystrokes still make the cell look edited (stale) until it runs.
            if (shared.current) c.model.markEdited(cellId);
          },
          completions: kernelCompletions(c.callRuntime, typeOf),
          features: cellEditorFeatures(c, cellId, typeOf),
          keys: {
            run: () => void c.run(cellId),
            runAndAdvance: () => flushSync(() => c.runAndAdvance(cellId)),
            runAndInsert: () => {
              void c.run(cellId);
              flushSync(() => void c.addCell(cellId, 'below', typeOf()));
            },
            addAbove: () => flushSync(() => void c.addCell(cellId, 'above', typeOf())),
            addBelow: () => flushSync(() => void c.addCell(cellId, 'below', typeOf())),
            moveUp: () => void c.moveCell(cellId, -1),
            moveDown: () => void c.moveCell(cellId, 1),
            deleteCell: () => void c.deleteCell(cellId),
            toggleType: () => void c.changeType(cellId, nextLanguage(loadedLanguages.get(), typeOf())),
            interrupt: () => c.interrupt(cellId),
            toNeighbour: (delta) => c.focusNeighbour(cellId, delta),
            leave: () => {
              editor.contentDOM.blur();
              editor.dom.closest<HTMLElement>('[data-cell-id]')?.focus();
            },
          },
        }),
        ],
      }),
    });
    view.current = editor;
    shared.current = startText !== undefined;
    // A new cell's text comes from the host a moment after the cell: what was typed meanwhile goes into it. A cell
    // deleted and restored (undo) gets a new text under the same id: the editor moves to it.
    let bound = startText;
    const stopWaiting = c.coedit
      ? c.coedit.onTextChanged(cellId, (text) => {
          if (text === bound) return;
          const merge = !bound && typedBeforeText;
          bound = text;
          // Outside the Yjs observer this runs in: a change made inside it would reach the new binding as a remote one.
          queueMicrotask(() => {
            if (bound !== text || view.current !== editor) return;
            const typed = editor.state.doc.toString();
            c.saver.discard(cellId);
            shared.current = true;
            // Made before the typed text goes in, so that Ctrl+Z takes it back together with what is typed next
            // (typing "z = 99" at once after Shift+Enter is one step, though "z" came before the shared text).
            const undoManager = cellUndoManager(text);
            const typedFirst = merge && typed !== text.toString();
            if (typedFirst) {
              // What was typed here goes into the shared text (sent to the host once, as this page's edit), so the
              // editor keeps its own state: the cursor where it was, the brackets it closed ahead of the cursor still
              // known as its own (typing `]` steps over them).
              replaceText(text, typed);
            } else if (typed !== text.toString()) {
              // Nothing typed before it arrived (a restored cell's text): the editor shows the shared text.
              editor.dispatch({
                changes: { from: 0, to: editor.state.doc.length, insert: text.toString() },
                annotations: [remoteEdit.of(true), Transaction.addToHistory.of(false)],
              });
            }
            editor.dispatch({ effects: collab.reconfigure(collabExtension(text, c, undoManager, typedFirst ? 'type' : null)) });
          });
        })
      : () => undefined;
    const unregister = c.registerEditor(cellId, editor);
    return () => {
      stopWaiting();
      unregister();
      editor.destroy();
      view.current = null;
    };
  }, [cellId, controller]);

  useEffect(() => {
    const editor = view.current;
    if (!editor || shared.current || controller.saver.draft(cellId) !== undefined) return;
    const current = editor.state.doc.toString();
    if (current === code) return;
    // Not a step of this editor's undo history: Ctrl+Z must never bring back what another page replaced.
    editor.dispatch({ changes: { from: 0, to: current.length, insert: code }, annotations: [remoteEdit.of(true), Transaction.addToHistory.of(false)] });
  }, [code, cellId, controller]);

  // A plugin's browser module may register this language's mode after the editor opened.
  const pluginModes = useSyncExternalStore(editorLanguagesVersion.subscribe, editorLanguagesVersion.get);
  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(languageFor(language)) });
  }, [language, pluginModes]);

  return <div ref={host} className="cell__editor" />;
});

/**
 * y-codemirror.next on the cell's shared text: others' keystrokes appear here, theirs cursors and selections
 * with name and colour; Ctrl+Z undoes this page's own edits only (Y.UndoManager).
 */
function collabExtension(text: Y.Text, controller: NotebookController, undoManager: Y.UndoManager, lastEdit: EditKind | null) {
  // High, not highest: a replace-all across cells (find-replace-undo.ts, highest) takes Ctrl+Z first while it is the last edit.
  return [Prec.high(keymap.of(yUndoManagerKeymap)), undoStepBoundaries(undoManager, lastEdit), yCollab(text, controller.coedit!.awareness, { undoManager })];
}
