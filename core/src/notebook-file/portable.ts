import type { CellStatus, Output } from '../model/types';
import type { NotebookDocument } from '../storage/storage';
import type { AppSettings, NotebookSettings } from '../wire';
import { fileAppOf, fileSettingsOf, type IsSecretSetting } from './file-settings';
import { packagesOfSettings } from './packages';
import type { FileAppSettings, NotebookFile, NotebookFileCell } from './percent-format';

/** A cell with its last results: what .ipynb, HTML and markdown exports carry. */
export interface PortableCell extends NotebookFileCell {
  status: CellStatus;
  stdout: string;
  stderr: string;
  outputs: Output[];
  error: string | null;
}

export interface PortableNotebook {
  name: string;
  lazy: boolean;
  /** The Python packages the notebook installed (see packages.ts); absent when none. */
  packages?: string[];
  /** Plugin settings that are not secret, other than the packages (see file-settings.ts); absent when none. */
  settings?: NotebookSettings;
  /** How the app view shows the notebook; absent when not set. */
  app?: FileAppSettings;
  cells: PortableCell[];
}

const packagesPart = (packages: readonly string[] | undefined): { packages?: string[] } => (packages && packages.length > 0 ? { packages: [...packages] } : {});

/** The settings and app parts a file carries, when there are any. */
function settingsPart(notebook: { settings?: NotebookSettings; app?: FileAppSettings }): { settings?: NotebookSettings; app?: FileAppSettings } {
  return {
    ...(notebook.settings && Object.keys(notebook.settings).length > 0 ? { settings: notebook.settings } : {}),
    ...(notebook.app && Object.keys(notebook.app).length > 0 ? { app: notebook.app } : {}),
  };
}

/** A cell of a file that holds no results (a `.py`): never run. */
export function withoutResults(notebook: NotebookFile): PortableNotebook {
  return {
    name: notebook.name,
    lazy: notebook.lazy,
    ...packagesPart(notebook.packages),
    ...settingsPart(notebook),
    cells: notebook.cells.map((cell) => ({ ...cell, status: 'idle', stdout: '', stderr: '', outputs: [], error: null })),
  };
}

/**
 * A document (or a view: its secret settings masked) as a portable notebook. Only settings `isSecret` says are not
 * secret are carried (default: none but the packages, which are never secret).
 */
export function portableOf(
  doc: Pick<NotebookDocument, 'name' | 'lazy' | 'cells'> & { settings?: NotebookSettings; app?: AppSettings },
  isSecret: IsSecretSetting = () => true,
): PortableNotebook {
  return {
    name: doc.name,
    lazy: doc.lazy,
    ...packagesPart(packagesOfSettings(doc.settings)),
    ...settingsPart({ settings: fileSettingsOf(doc.settings, isSecret), app: fileAppOf(doc.app) }),
    cells: doc.cells.map((c) => ({ id: c.id, type: c.type, code: c.code, status: c.status, stdout: c.stdout, stderr: c.stderr, outputs: c.outputs, error: c.error })),
  };
}

export function fileOf(notebook: PortableNotebook): NotebookFile {
  return { name: notebook.name, lazy: notebook.lazy, ...packagesPart(notebook.packages), ...settingsPart(notebook), cells: notebook.cells.map((c) => ({ id: c.id, type: c.type, code: c.code })) };
}

/**
 * What a document's `.py` file holds: the cells' code and what is not secret (the packages in the PEP 723 block, the
 * other settings and the app view's in header lines). Secrets, who may open the app and outputs are left out: a store
 * that writes files keeps those elsewhere.
 */
export function documentFileOf(
  doc: Pick<NotebookDocument, 'name' | 'lazy' | 'cells'> & { settings?: NotebookSettings; app?: AppSettings },
  isSecret: IsSecretSetting = () => true,
): NotebookFile {
  return fileOf(portableOf(doc, isSecret));
}
