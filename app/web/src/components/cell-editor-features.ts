import type { Extension } from '@codemirror/state';
import { cellUiOf } from '../state/cell-ui';
import type { NotebookController } from '../state/notebook-controller';
import type { RuntimeCaller } from './completions';
import { editorFeatures } from './editor-features';
import { kernelDocs } from './hover-docs';
import { replaceAllUndoKeys } from './find-replace-undo';

/** The editor features of one cell, wired to its notebook: definitions, readers, the kernel's docs. */
export function cellEditorFeatures(controller: NotebookController, cellId: string, languageOf: () => string): Extension {
  const definedIn = (name: string): string | null => {
    const [definer] = controller.model.definersOf(name);
    return definer ? `cell ${controller.model.indexOf(definer) + 1}` : null;
  };
  // A pointer passing over code must not start a kernel: docs are asked for once a cell has run (the kernel holds values).
  const call: RuntimeCaller = (language, method, payload) =>
    controller.model.cellList().some((c) => c.status === 'success' || c.status === 'error')
      ? controller.callRuntime(language, method, payload)
      : Promise.reject(new Error('No cell has run: the kernel holds nothing to document.'));
  return [
    kernelDocs({ call, languageOf, definedIn }),
    editorFeatures({
      goToDefinition: (name) => controller.jumpToDefinition(name),
      showReaders: () => cellUiOf(controller).readersOf.set(cellId),
    }),
    replaceAllUndoKeys(controller, cellId),
  ];
}
