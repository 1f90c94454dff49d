import { NotebookError, NotFoundError, TooLargeError, type Cell, type NotebookEvent, type NotebookService, type NotebookStore } from '@rnb/core';
import * as Y from 'yjs';
import type { NotebookEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import { CoeditDocument } from './coedit-document';

export interface CoeditHubOptions {
  service: NotebookService;
  /** Where the document is persisted (`loadCoedit`/`saveCoedit`); a store without them keeps it in memory only. */
  store: NotebookStore;
  events: NotebookEventBus;
  log: Logger;
  /** Quiet time after the last keystroke before the cell's code goes to the notebook (analysed, run): default 400 ms, as the page's autosave. */
  flushDelayMs?: number;
  /** Longest a cell typed into without pause waits for that (default 2 s). */
  flushMaxWaitMs?: number;
  /** Largest update one message may carry (default 1 MiB). */
  maxUpdateBytes?: number;
}

/** What `yjs_sync` answers: the host's part the client lacks, the host's state vector, and the document's epoch. */
export interface CoeditSyncAnswer {
  update: Uint8Array;
  stateVector: Uint8Array;
  epoch: string;
}

/**
 * The authoritative co-editing documents of the notebooks this instance runs
 * (one Y.Doc per notebook: `cells`, a Y.Map from cell id to the cell's code as
 * a Y.Text). Updates from clients are applied, broadcast to the notebook's
 * room, persisted (an update is acknowledged once stored) and, after a pause
 * in typing, handed to core as cell edits, so analysis and runs follow as for
 * `PUT .../cells/{id}`. Structure stays with core's commands: the document
 * follows core's `cell_created` / `cell_deleted` events.
 */
export class CoeditHub {
  private readonly documents = new Map<string, Promise<CoeditDocument>>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly options: CoeditHubOptions) {
    this.unsubscribe = options.service.subscribe((notebookId, event) => this.onNotebookEvent(notebookId, event));
  }

  /** Sync step: the client sends its state vector, gets what it lacks; it then sends what the host lacks as an update. */
  async sync(owner: string, notebookId: string, stateVector: Uint8Array): Promise<CoeditSyncAnswer> {
    const document = await this.open(owner, notebookId);
    let update: Uint8Array;
    try {
      update = Y.encodeStateAsUpdate(document.doc, stateVector);
    } catch {
      throw new NotebookError('RNB_ERR_INVALID_INPUT', 'yjs_sync: the state vector is not a Yjs state vector.');
    }
    return { update, stateVector: Y.encodeStateVector(document.doc), epoch: document.epoch };
  }

  /** Applies a client's update; resolves once it is stored (that is the acknowledgement). */
  async update(owner: string, notebookId: string, update: Uint8Array): Promise<void> {
    const limit = this.options.maxUpdateBytes ?? 1024 * 1024;
    if (update.byteLength > limit) throw new TooLargeError(`A co-editing update may hold at most ${limit} bytes.`);
    const document = await this.open(owner, notebookId);
    await document.applyClientUpdate(update);
  }

  /**
   * An edit over HTTP (or any command `update_cell`): the cell's Y.Text is made to hold `code`
   * (only the changed middle is replaced), then core gets it at once. `baseCode` is checked
   * against the document, which is ahead of the stored code while people type.
   */
  async replaceCode(owner: string, notebookId: string, cellId: string, input: { code: string; cellType?: string; baseCode?: string; expectedRevision?: number }): Promise<Cell> {
    const document = await this.open(owner, notebookId);
    return document.replaceCode(cellId, input);
  }

  /** Typed code not yet handed to core goes now (before a run, so the run sees what was typed). */
  async flushPending(notebookId: string): Promise<void> {
    const entry = this.documents.get(notebookId);
    if (!entry) return;
    const document = await entry.catch(() => null);
    await document?.flush();
  }

  /** The notebook left this instance (idle, deleted, taken over elsewhere): forget its document without saving. */
  forget(notebookId: string): void {
    const entry = this.documents.get(notebookId);
    if (!entry) return;
    this.documents.delete(notebookId);
    void entry.then((document) => document.dispose(), () => undefined);
  }

  /** Hands pending code to core and stores every document (shutdown). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    const entries = [...this.documents.values()];
    this.documents.clear();
    await Promise.all(
      entries.map(async (entry) => {
        const document = await entry.catch(() => null);
        if (!document) return;
        await document.flush().catch((error: unknown) => this.options.log.warn('co-editing: flushing on close failed', { error: (error as Error)?.message }));
        document.dispose();
      }),
    );
  }

  /** Documents held in memory (tests, health). */
  get openDocuments(): number {
    return this.documents.size;
  }

  private async open(owner: string, notebookId: string): Promise<CoeditDocument> {
    if (this.closed) throw new NotebookError('RNB_ERR_INVALID_INPUT', 'The server is shutting down.');
    let entry = this.documents.get(notebookId);
    if (!entry) {
      entry = CoeditDocument.load({ ...this.options, owner, notebookId });
      this.documents.set(notebookId, entry);
      entry.catch(() => {
        if (this.documents.get(notebookId) === entry) this.documents.delete(notebookId);
      });
    }
    const document = await entry;
    // Like every command: another user's notebook is "not found".
    if (document.owner !== owner) throw new NotFoundError('notebook', notebookId);
    return document;
  }

  private onNotebookEvent(notebookId: string, event: NotebookEvent): void {
    const entry = this.documents.get(notebookId);
    if (!entry) return;
    void entry.then(
      (document) => document.follow(event),
      () => undefined,
    );
  }
}
