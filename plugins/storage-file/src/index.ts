import * as path from 'node:path';
import { definePlugin, NotebookStore, type Plugin } from '@rnb/core';
import { FileNotebookStore } from './file-store';

export { FileNotebookStore, type FileNotebookStoreOptions, type FileNotebookSummary } from './file-store';
export { FORMAT, FORMAT_VERSION } from './file-format';

export interface FileStoragePluginOptions {
  /** The notebook folder; default: the host's NOTEBOOK_DIR, else `./notebooks`. */
  dir?: string;
  /** Earlier revisions kept beside the current one (default 1). */
  keepRevisions?: number;
}

export const DEFAULT_NOTEBOOK_DIR = './notebooks';

/** The file storage plugin: provides core's NotebookStore token. */
export function fileStoragePlugin(options: FileStoragePluginOptions = {}): Plugin<{}, {}, NotebookStore> {
  let store: FileNotebookStore | undefined;
  return definePlugin<{}, {}, NotebookStore>({
    id: '@rnb/storage-file:store',
    description: 'Notebooks as JSON files in a folder (NOTEBOOK_DIR).',
    provides: NotebookStore,
    async activate(context) {
      const dir = path.resolve(options.dir ?? (context.config.NOTEBOOK_DIR || DEFAULT_NOTEBOOK_DIR));
      const opened = await FileNotebookStore.open({ dir, log: context.log, ...(options.keepRevisions === undefined ? {} : { keepRevisions: options.keepRevisions }) });
      store = opened;
      context.log('info', 'File notebook storage ready.', { dir });
      return opened;
    },
    async deactivate() {
      await store?.close();
      store = undefined;
    },
  });
}

export default fileStoragePlugin;
