import type { Cell, Notebook } from '../model/types';
import type { NotebookSummary } from '../storage/storage';
import type { PortableCell } from '../notebook-file/portable';
import type { NotebookEventListener } from './events';

export interface CreateCellInput {
  type: string;
  code?: string;
  /** Insert after this cell; null or absent: at the end (unless `index` is given). */
  afterCellId?: string | null;
  /** Insert at this position (0 = first); ignored when `afterCellId` is given. */
  index?: number;
}

export interface UpdateCellInput {
  code: string;
  /** Change the cell's language (its id and position stay). */
  type?: string;
  /** Refuse with ConflictError when the notebook is at another revision. */
  expectedRevision?: number;
}

/** A new notebook; `cells` (an import) replaces the one empty cell a new notebook starts with. */
export interface NewNotebookInput {
  name?: string;
  lazy?: boolean;
  /** Cells with their last results, e.g. from an .ipynb. Ids are kept when valid and unique, else new ones are given. */
  cells?: PortableCell[];
}

/** The notebook as a client sees it, plus settings that are not in the wire shape. */
export interface NotebookView extends Notebook {
  lazy: boolean;
}

/**
 * What a host calls. Every method takes the caller's user id first: a
 * notebook of another owner is "not found".
 */
export interface NotebookOperations {
  createNotebook(owner: string, input?: NewNotebookInput): Promise<NotebookView>;
  listNotebooks(owner: string): Promise<NotebookSummary[]>;
  getNotebook(owner: string, notebookId: string): Promise<NotebookView>;
  renameNotebook(owner: string, notebookId: string, name: string): Promise<void>;
  /** null clears it. The string is a secret: views show it masked. */
  setDbConnection(owner: string, notebookId: string, connectionString: string | null): Promise<void>;
  setLazy(owner: string, notebookId: string, lazy: boolean): Promise<void>;
  deleteNotebook(owner: string, notebookId: string): Promise<void>;

  createCell(owner: string, notebookId: string, input: CreateCellInput): Promise<Cell>;
  updateCell(owner: string, notebookId: string, cellId: string, input: UpdateCellInput): Promise<Cell>;
  deleteCell(owner: string, notebookId: string, cellId: string): Promise<void>;
  moveCell(owner: string, notebookId: string, cellId: string, toIndex: number): Promise<void>;

  /** Queues the cell, its missing ancestors and (in autorun mode) its descendants; resolves once queued. */
  runCell(owner: string, notebookId: string, cellId: string): Promise<void>;
  /** Stops the running cell and the rest of its cascade. */
  interrupt(owner: string, notebookId: string): Promise<void>;
  /** Resolves when nothing is queued or running for the notebook. */
  whenIdle(owner: string, notebookId: string): Promise<void>;

  /** Listens to the events of every notebook this process holds. Returns an unsubscribe function. */
  subscribe(listener: NotebookEventListener): () => void;
}
