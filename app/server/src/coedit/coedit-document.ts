import { EditConflictError, NotebookError, type Cell, type NotebookEvent, type NotebookService, type NotebookStore } from '@rnb/core';
import * as Y from 'yjs';
import type { NotebookEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import { codeHash, decodeStoredCoedit, encodeStoredCoedit, newHeader, type CoeditHeader } from './stored-document';
import { replaceText } from './text-replace';

export interface CoeditDocumentOptions {
  service: NotebookService;
  store: NotebookStore;
  events: NotebookEventBus;
  log: Logger;
  owner: string;
  notebookId: string;
  flushDelayMs?: number;
  flushMaxWaitMs?: number;
}

/** Transaction origins of the host's own changes: not a client's keystrokes. */
const FROM_STORAGE = 'rnb:storage';
const FROM_HOST = 'rnb:host';
/** Code hashes kept per cell in the header: the one stored, one on its way, and a few that may have failed. */
const SYNCED_KEPT = 4;

/** The root of the document every client binds to: cell id → the cell's code. */
export const CELLS_KEY = 'cells';

/**
 * One notebook's Y.Doc on the instance that runs it. See {@link CoeditHub}.
 */
export class CoeditDocument {
  readonly doc = new Y.Doc();
  readonly cells: Y.Map<Y.Text>;
  /** Cells typed into since their code last went to core. */
  private readonly dirty = new Set<string>();
  /** Per cell, the code core holds (from its events): what a flush compares with. */
  private readonly coreCode = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private firstDirtyAt = 0;
  private flushing: Promise<void> = Promise.resolve();
  /** Group commit: saves run one at a time; updates that arrive during one share the next. */
  private saving: Promise<void> | null = null;
  private nextSave: Promise<void> | null = null;
  private disposed = false;
  /** Codes this document handed to core whose `cell_updated` may still come back. */
  private readonly sentCodes = new Set<string>();

  private constructor(
    private readonly options: CoeditDocumentOptions,
    private readonly header: CoeditHeader,
  ) {
    this.cells = this.doc.getMap<Y.Text>(CELLS_KEY);
  }

  get owner(): string {
    return this.options.owner;
  }

  get epoch(): string {
    return this.header.epoch;
  }

  /**
   * Loads the notebook (as its owner) and its stored document, and reconciles them: a cell the document
   * lacks gets its stored code; where they differ, the document wins when the stored code is the one it
   * last handed over (it is ahead), and the stored code wins otherwise (changed outside: a file edit).
   */
  static async load(options: CoeditDocumentOptions): Promise<CoeditDocument> {
    const view = await options.service.getNotebook(options.owner, options.notebookId);
    const bytes = options.store.loadCoedit ? await options.store.loadCoedit(options.owner, options.notebookId) : null;
    const stored = bytes ? decodeStoredCoedit(bytes) : null;
    if (bytes && !stored) options.log.warn('co-editing: the stored document is unreadable; rebuilt from the cells\' code', { notebook: options.notebookId });
    const document = new CoeditDocument(options, stored?.header ?? newHeader());
    const { doc, cells } = document;
    if (stored) Y.applyUpdate(doc, stored.state, FROM_STORAGE);
    const ahead: string[] = [];
    doc.transact(() => {
      const present = new Set(view.cells.map((c) => c.id));
      for (const key of [...cells.keys()]) if (!present.has(key)) cells.delete(key);
      for (const cell of view.cells) {
        document.coreCode.set(cell.id, cell.code);
        const text = cells.get(cell.id);
        if (!(text instanceof Y.Text)) {
          cells.set(cell.id, new Y.Text(cell.code));
          document.noteSynced(cell.id, cell.code);
        } else if (text.toString() !== cell.code) {
          if ((document.header.synced[cell.id] ?? []).includes(codeHash(cell.code))) ahead.push(cell.id);
          else {
            replaceText(text, cell.code);
            document.noteSynced(cell.id, cell.code);
          }
        }
      }
    }, FROM_STORAGE);
    for (const id of Object.keys(document.header.synced)) if (!cells.has(id)) delete document.header.synced[id];
    document.listen();
    // Clients still connected from before (another instance owned the notebook, and died) may have missed its last
    // broadcasts: they get the whole document once (applying what they hold already is a no-op).
    options.events.publish(options.notebookId, { type: 'yjs_update', update: Buffer.from(Y.encodeStateAsUpdate(doc)) });
    // A first open (or a rebuilt document) is stored at once, so every instance and restart starts from the same items.
    if (!stored) await document.save();
    if (ahead.length > 0) {
      options.log.info('co-editing: the document is ahead of the stored code; handing it over', { notebook: options.notebookId, cells: ahead.length });
      for (const id of ahead) document.dirty.add(id);
      document.scheduleFlush();
    }
    return document;
  }

  /** A client's update: applied, broadcast, stored; resolves once stored. */
  async applyClientUpdate(update: Uint8Array): Promise<void> {
    try {
      Y.applyUpdate(this.doc, update, 'client');
    } catch {
      throw new NotebookError('RNB_ERR_INVALID_INPUT', 'yjs_update: the update is not a Yjs update.');
    }
    await this.save();
  }

  async replaceCode(cellId: string, input: { code: string; cellType?: string; baseCode?: string; expectedRevision?: number }): Promise<Cell> {
    const text = this.cells.get(cellId);
    if (text instanceof Y.Text) {
      const current = text.toString();
      if (input.baseCode !== undefined && current !== input.baseCode && current !== input.code) throw new EditConflictError(current);
      this.doc.transact(() => replaceText(text, input.code), FROM_HOST);
      this.dirty.delete(cellId);
      this.noteSynced(cellId, input.code);
    }
    // Core checks the revision, the size and the language; the edit goes to it now, not after a pause.
    const cell = await this.handToCore(cellId, {
      code: input.code,
      ...(input.cellType !== undefined ? { type: input.cellType } : {}),
      ...(input.expectedRevision !== undefined ? { expectedRevision: input.expectedRevision } : {}),
      ...(input.baseCode !== undefined && !(text instanceof Y.Text) ? { baseCode: input.baseCode } : {}),
    });
    await this.save();
    return cell;
  }

  /** core.updateCell, remembering the code so its `cell_updated` coming back is known as ours. */
  private async handToCore(cellId: string, input: Parameters<NotebookService['updateCell']>[3]): Promise<Cell> {
    const key = `${cellId}\u0000${input.code}`;
    this.sentCodes.add(key);
    try {
      const cell = await this.options.service.updateCell(this.owner, this.options.notebookId, cellId, input);
      this.coreCode.set(cellId, cell.code);
      return cell;
    } finally {
      this.sentCodes.delete(key);
    }
  }

  /** Follows core's structure edits and edits that did not come through the document (a file changed on disk). */
  follow(event: NotebookEvent): void {
    if (this.disposed) return;
    switch (event.type) {
      case 'cell_created': {
        this.coreCode.set(event.cell.id, event.cell.code);
        const existing = this.cells.get(event.cell.id);
        if (existing instanceof Y.Text) {
          if (existing.toString() !== event.cell.code) this.doc.transact(() => replaceText(existing, event.cell.code), FROM_HOST);
        } else this.doc.transact(() => this.cells.set(event.cell.id, new Y.Text(event.cell.code)), FROM_HOST);
        this.noteSynced(event.cell.id, event.cell.code);
        void this.save().catch(() => undefined);
        return;
      }
      case 'cell_deleted':
        this.coreCode.delete(event.cellId);
        this.dirty.delete(event.cellId);
        delete this.header.synced[event.cellId];
        if (this.cells.has(event.cellId)) this.doc.transact(() => this.cells.delete(event.cellId), FROM_HOST);
        void this.save().catch(() => undefined);
        return;
      case 'cell_updated': {
        const before = this.coreCode.get(event.cellId);
        this.coreCode.set(event.cellId, event.code);
        // Our own flush coming back, or the same code: nothing to do. Otherwise the code changed without the
        // document (external file edit): the document takes it, keeping what is typed outside the changed part.
        const text = this.cells.get(event.cellId);
        if (!(text instanceof Y.Text) || before === event.code || this.sentCodes.has(`${event.cellId}\u0000${event.code}`)) return;
        this.noteSynced(event.cellId, event.code);
        if (text.toString() !== event.code) {
          this.doc.transact(() => replaceText(text, event.code), FROM_HOST);
          this.dirty.delete(event.cellId);
          void this.save().catch(() => undefined);
        }
        return;
      }
      default:
        return;
    }
  }

  /** Hands every typed cell's code to core now, then stores the document. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => undefined);
    await run;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.flushTimer);
    this.doc.destroy();
  }

  private async flushNow(): Promise<void> {
    if (this.disposed) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const cellId of ids) {
      const text = this.cells.get(cellId);
      if (!(text instanceof Y.Text) || !this.coreCode.has(cellId)) continue;
      const code = text.toString();
      if (code === this.coreCode.get(cellId)) continue;
      // Noted in the stored header before core stores it: a crash in between still tells "ahead" from "changed outside".
      this.noteSynced(cellId, code);
      try {
        await this.save();
      } catch (error) {
        // Not stored (a storage hiccup): this cell and the ones after it are handed over on the next try.
        for (const id of ids.slice(ids.indexOf(cellId))) this.dirty.add(id);
        this.scheduleFlush();
        throw error;
      }
      try {
        await this.handToCore(cellId, { code });
      } catch (error) {
        // A deleted cell's last keystrokes go with it; anything else (too large, ...) is reported and retried on the next keystroke.
        if (!(error instanceof NotebookError && error.code === 'RNB_ERR_CELL_NOT_FOUND')) {
          this.options.log.warn('co-editing: handing a cell\'s code to the notebook failed', { notebook: this.options.notebookId, cell: cellId, error: (error as Error)?.message });
        }
      }
    }
  }

  private noteSynced(cellId: string, code: string): void {
    const hashes = this.header.synced[cellId] ?? [];
    const hash = codeHash(code);
    this.header.synced[cellId] = [hash, ...hashes.filter((h) => h !== hash)].slice(0, SYNCED_KEPT);
  }

  private listen(): void {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_STORAGE || this.disposed) return;
      this.options.events.publish(this.options.notebookId, { type: 'yjs_update', update: Buffer.from(update) });
    });
    this.cells.observeDeep((events, transaction) => {
      if (transaction.origin !== 'client') return;
      for (const event of events) {
        // Structure belongs to core's commands: an entry a client added for a cell core does not have goes again.
        if (event.target === this.cells) {
          const strays = [...(event as Y.YMapEvent<Y.Text>).keysChanged].filter((key) => this.cells.has(key) && !this.coreCode.has(key));
          if (strays.length > 0) queueMicrotask(() => this.doc.transact(() => strays.forEach((key) => this.cells.delete(key)), FROM_HOST));
          continue;
        }
        // A text event's target is the cell's Y.Text, whose key in `cells` is the cell id.
        const target = event.target;
        if (target instanceof Y.Text && target.parent === this.cells) {
          const id = target._item?.parentSub;
          if (typeof id === 'string') this.dirty.add(id);
        }
      }
      if (this.dirty.size > 0) this.scheduleFlush();
    });
  }

  /** Debounced like the page's autosave: after a pause in typing, at the latest `flushMaxWaitMs` after the first keystroke. */
  private scheduleFlush(): void {
    const delay = this.options.flushDelayMs ?? 400;
    const maxWait = this.options.flushMaxWaitMs ?? 2000;
    const now = Date.now();
    if (!this.flushTimer) this.firstDirtyAt = now;
    clearTimeout(this.flushTimer);
    const wait = Math.max(0, Math.min(delay, this.firstDirtyAt + maxWait - now));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch((error: unknown) => this.options.log.warn('co-editing: flush failed', { notebook: this.options.notebookId, error: (error as Error)?.message }));
    }, wait);
    this.flushTimer.unref?.();
  }

  /** Resolves once a save that started after this call has stored the document. */
  private save(): Promise<void> {
    const store = this.options.store;
    if (!store.saveCoedit) return Promise.resolve();
    if (this.nextSave) return this.nextSave;
    const previous = this.saving ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        this.nextSave = null;
        this.saving = next;
        if (this.disposed) return;
        const bytes = encodeStoredCoedit({ header: this.header, state: Y.encodeStateAsUpdate(this.doc) });
        await store.saveCoedit!(this.owner, this.options.notebookId, bytes);
      })
      .finally(() => {
        if (this.saving === next) this.saving = null;
      });
    this.nextSave = next;
    return next;
  }
}
