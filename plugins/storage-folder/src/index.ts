import * as path from 'node:path';
import { definePlugin, LanguageRegistry, NotebookStore, SettingsCatalog, type Plugin } from '@rnb/core';
import { FolderNotebookStore } from './folder-store';

export { FolderNotebookStore, DEFAULT_OWNER, type FolderNotebookStoreOptions } from './folder-store';
export { CACHE_DIR } from './cache-record';

export interface FolderStoragePluginOptions {
  /** The folder of `.py` notebooks; default: the host's NOTEBOOK_DIR, else `./notebooks`. */
  dir?: string;
  /** Owner of files put in the folder by hand (default `local`, the user of NOTEBOOK_AUTH=none). */
  defaultOwner?: string;
}

/** The folder storage plugin (NOTEBOOK_STORAGE=folder): one percent-format `.py` file per notebook. */
export function folderStoragePlugin(options: FolderStoragePluginOptions = {}): Plugin<{}, { languages: typeof LanguageRegistry }, NotebookStore> {
  let store: FolderNotebookStore | undefined;
  return definePlugin<{}, { languages: typeof LanguageRegistry }, NotebookStore>({
    id: '@rnb/storage-folder:store',
    description: 'Notebooks as percent-format .py files in a folder (NOTEBOOK_DIR), watched for edits on disk.',
    provides: NotebookStore,
    // The languages' settings declarations tell which settings are secret (kept out of the files).
    optional: { languages: LanguageRegistry },
    async activate(context, { languages }) {
      const dir = path.resolve(options.dir ?? (context.config.NOTEBOOK_DIR || './notebooks'));
      const catalog = languages ? new SettingsCatalog(() => languages.list()) : null;
      store = await FolderNotebookStore.open({
        dir,
        log: context.log,
        ...(options.defaultOwner ? { defaultOwner: options.defaultOwner } : {}),
        ...(catalog ? { isSecret: (pluginId: string, field: string) => catalog.isSecret(pluginId, field) } : {}),
      });
      context.log('info', 'Folder notebook storage ready: one .py file per notebook, outputs in .rnb-cache/.', { dir });
      return store;
    },
    async deactivate() {
      await store?.close();
      store = undefined;
    },
  });
}

export default folderStoragePlugin;
