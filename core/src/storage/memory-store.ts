import { ConflictError, InvalidInputError, NotFoundError } from '../errors';
import { lastRunOf, type NotebookDocument, type NotebookStore, type NotebookSummary, type SaveOptions, type SharedNotebookSummary } from './storage';
import { checkExpectedRevision, checkNotebookId, checkOwner, normalizeDocument } from './validation';

interface Entry {
  owner: string;
  name: string;
  revision: number;
  updatedAt: string;
  lastRunAt: string | undefined;
  /** Serialized: nothing a caller holds can change what is stored. */
  json: string;
}

/** A NotebookStore in memory: for tests and for hosts that persist nothing. */
export class MemoryNotebookStore implements NotebookStore {
  private readonly documents = new Map<string, Entry>();
  /** Co-editing documents by notebook id (copies). */
  private readonly coedit = new Map<string, Uint8Array>();

  async create(input: NotebookDocument): Promise<NotebookDocument> {
    const document = normalizeDocument(input);
    checkNotebookId(document.id);
    checkOwner(document.owner);
    if (this.documents.has(document.id)) throw new InvalidInputError(`A notebook with id "${document.id}" exists already.`);
    return this.put({ ...document, revision: 0 });
  }

  async get(owner: string, id: string): Promise<NotebookDocument> {
    checkOwner(owner);
    checkNotebookId(id);
    const entry = this.documents.get(id);
    if (!entry || entry.owner !== owner) throw new NotFoundError('notebook', id);
    return JSON.parse(entry.json) as NotebookDocument;
  }

  async ownerOf(id: string): Promise<string | null> {
    return this.documents.get(id)?.owner ?? null;
  }

  async listSharedWith(userId: string): Promise<SharedNotebookSummary[]> {
    const result: SharedNotebookSummary[] = [];
    for (const [id, entry] of this.documents) {
      const share = (JSON.parse(entry.json) as NotebookDocument).shares?.find((s) => s.userId === userId);
      if (share && entry.owner !== userId) result.push({ id, name: entry.name, updatedAt: entry.updatedAt, owner: entry.owner, role: share.role });
    }
    return result;
  }

  async list(owner: string): Promise<NotebookSummary[]> {
    const result: NotebookSummary[] = [];
    for (const [id, entry] of this.documents) if (entry.owner === owner) result.push({ id, name: entry.name, updatedAt: entry.updatedAt, bytes: JSON.stringify(entry).length, ...(entry.lastRunAt ? { lastRunAt: entry.lastRunAt } : {}) });
    return result;
  }

  async save(input: NotebookDocument, options: SaveOptions): Promise<NotebookDocument> {
    const document = normalizeDocument(input);
    checkExpectedRevision(options.expectedRevision);
    const current = this.documents.get(document.id);
    if (!current || current.owner !== document.owner) throw new NotFoundError('notebook', document.id);
    if (current.revision !== options.expectedRevision) throw new ConflictError(options.expectedRevision, current.revision);
    return this.put({ ...document, revision: current.revision + 1, updatedAt: new Date().toISOString() });
  }

  async delete(owner: string, id: string): Promise<void> {
    checkOwner(owner);
    checkNotebookId(id);
    const entry = this.documents.get(id);
    if (!entry || entry.owner !== owner) throw new NotFoundError('notebook', id);
    this.documents.delete(id);
    this.coedit.delete(id);
  }

  async loadCoedit(owner: string, id: string): Promise<Uint8Array | null> {
    await this.get(owner, id);
    const state = this.coedit.get(id);
    return state ? state.slice() : null;
  }

  async saveCoedit(owner: string, id: string, state: Uint8Array): Promise<void> {
    await this.get(owner, id);
    this.coedit.set(id, state.slice());
  }

  /** Stores a normalized document (already a private copy) and hands that copy back. */
  private put(document: NotebookDocument): NotebookDocument {
    this.documents.set(document.id, { owner: document.owner, name: document.name, revision: document.revision, updatedAt: document.updatedAt, lastRunAt: lastRunOf(document.cells), json: JSON.stringify(document) });
    return document;
  }
}
