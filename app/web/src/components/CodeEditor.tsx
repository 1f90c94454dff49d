import { Compartment, EditorState, Transaction } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { memo, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { flushSync } from 'react-dom';
import { editorLanguagesVersion } from '../plugins/browser-modules';
import { loadedLanguages, nextLanguage } from '../plugins/languages';
import type { NotebookController } from '../state/notebook-controller';
import { kernelCompletions } from './completions';
import { cellEditorFeatures } from './cell-editor-features';
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

  useLayoutEffect(() => {
    const c = controller;
    const slot = languageSlot.current;
    const typeOf = (): string => c.model.getCell(cellId)?.type ?? initial.current.language;
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: c.saver.draft(cellId) ?? initial.current.code,
        extensions: [
          // A viewer's editor: selectable and copyable, never changed (keys, paste, drops do nothing).
          ...(c.readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []),
          editorExtensions({
          language: slot.of(languageFor(initial.current.language)),
          label: initial.current.label,
          onChange: (text) => c.edit(cellId, text),
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
    const unregister = c.registerEditor(cellId, editor);
    return () => {
      unregister();
      editor.destroy();
      view.current = null;
    };
  }, [cellId, controller]);

  useEffect(() => {
    const editor = view.current;
    if (!editor || controller.saver.draft(cellId) !== undefined) return;
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
