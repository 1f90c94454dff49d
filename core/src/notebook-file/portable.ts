import type { CellStatus, Output } from '../model/types';
import type { NotebookDocument } from '../storage/storage';
import type { NotebookSettings } from '../wire';
import { packagesOfSettings } from './packages';
import type { NotebookFile, NotebookFileCell } from './percent-format';

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
  cells: PortableCell[];
}

const packagesPart = (packages: readonly string[] | undefined): { packages?: string[] } => (packages && packages.length > 0 ? { packages: [...packages] } : {});

/** A cell of a file that holds no results (a `.py`): never run. */
export function withoutResults(notebook: NotebookFile): PortableNotebook {
  return { name: notebook.name, lazy: notebook.lazy, ...packagesPart(notebook.packages), cells: notebook.cells.map((cell) => ({ ...cell, status: 'idle', stdout: '', stderr: '', outputs: [], error: null })) };
}

/** A document (or a view: its settings masked, the packages are not secret) as a portable notebook. */
export function portableOf(doc: Pick<NotebookDocument, 'name' | 'lazy' | 'cells'> & { settings?: NotebookSettings }): PortableNotebook {
  return {
    name: doc.name,
    lazy: doc.lazy,
    ...packagesPart(packagesOfSettings(doc.settings)),
    cells: doc.cells.map((c) => ({ id: c.id, type: c.type, code: c.code, status: c.status, stdout: c.stdout, stderr: c.stderr, outputs: c.outputs, error: c.error })),
  };
}

export function fileOf(notebook: PortableNotebook): NotebookFile {
  return { name: notebook.name, lazy: notebook.lazy, ...packagesPart(notebook.packages), cells: notebook.cells.map((c) => ({ id: c.id, type: c.type, code: c.code })) };
}
