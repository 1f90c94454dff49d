import { ConflictError, InvalidInputError, NotFoundError } from '../errors';
import type { NotebookDocument, NotebookStore, NotebookSummary, SaveOptions } from './storage';

/** A NotebookStore in memory: for tests and for hosts that persist nothing. */
export class MemoryNotebookStore implements NotebookStore {
  private readonly documents = new Map<string, NotebookDocument>();

  async create(document: NotebookDocument): Promise<NotebookDocument> {
    if (this.documents.has(document.id)) throw new InvalidInputError(`A notebook with id "${document.id}" exists already.`);
    const stored = clone({ ...document, revision: 0 });
    this.documents.set(document.id, stored);
    return clone(stored);
  }

  async get(owner: string, id: string): Promise<NotebookDocument> {
    const doc = this.documents.get(id);
    if (!doc || doc.owner !== owner) throw new NotFoundError('notebook', id);
    return clone(doc);
  }

  async list(owner: string): Promise<NotebookSummary[]> {
    return [...this.documents.values()]
      .filter((d) => d.owner === owner)
      .map((d) => ({ id: d.id, name: d.name, updatedAt: d.updatedAt }));
  }

  async save(document: NotebookDocument, options: SaveOptions): Promise<NotebookDocument> {
    const current = this.documents.get(document.id);
    if (!current || current.owner !== document.owner) throw new NotFoundError('notebook', document.id);
    if (current.revision !== options.expectedRevision) throw new ConflictError(options.expectedRevision, current.revision);
    const stored = clone({ ...document, revision: current.revision + 1, updatedAt: new Date().toISOString() });
    this.documents.set(document.id, stored);
    return clone(stored);
  }

  async delete(owner: string, id: string): Promise<void> {
    const doc = this.documents.get(id);
    if (!doc || doc.owner !== owner) throw new NotFoundError('notebook', id);
    this.documents.delete(id);
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
