import type { CellStatus, Output } from '../model/types';
import type { NotebookDocument } from '../storage/storage';
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
  cells: PortableCell[];
}

/** A cell of a file that holds no results (a `.py`): never run. */
export function withoutResults(notebook: NotebookFile): PortableNotebook {
  return { name: notebook.name, lazy: notebook.lazy, cells: notebook.cells.map((cell) => ({ ...cell, status: 'idle', stdout: '', stderr: '', outputs: [], error: null })) };
}

export function portableOf(doc: Pick<NotebookDocument, 'name' | 'lazy' | 'cells'>): PortableNotebook {
  return {
    name: doc.name,
    lazy: doc.lazy,
    cells: doc.cells.map((c) => ({ id: c.id, type: c.type, code: c.code, status: c.status, stdout: c.stdout, stderr: c.stderr, outputs: c.outputs, error: c.error })),
  };
}

export function fileOf(notebook: PortableNotebook): NotebookFile {
  return { name: notebook.name, lazy: notebook.lazy, cells: notebook.cells.map((c) => ({ id: c.id, type: c.type, code: c.code })) };
}
