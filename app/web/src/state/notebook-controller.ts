import type { EditorView } from '@codemirror/view';
import { ApiError, type ApiClient, type TokenSource } from '../api/http';
import { NotebookSocket, type ConnectionState, type NotebookSocketOptions } from '../api/socket';
import type { PageEvent } from '../api/types';
import { DraftSaver } from './draft-saver';
import { NotebookModel } from './notebook-model';
import { Signal } from './signal';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

export interface ControllerOptions {
  api: ApiClient;
  getToken: TokenSource;
  /** Test hook: replaces the real socket. */
  socketFactory?: (options: NotebookSocketOptions) => Pick<NotebookSocket, 'runCell' | 'interrupt' | 'retry' | 'close'>;
  saveDelayMs?: number;
}

/**
 * Everything a notebook page does, outside React: it owns the model, the autosave and the socket,
 * and exposes commands with stable identities so cell components can take it as one prop that
 * never changes.
 */
export class NotebookController {
  readonly connection = new Signal<ConnectionState>('connecting');
  readonly notices = new Signal<readonly Notice[]>([]);
  readonly saver: DraftSaver;
  private socket: Pick<NotebookSocket, 'runCell' | 'interrupt' | 'retry' | 'close'> | null = null;
  private readonly editors = new Map<string, EditorView>();
  private pendingFocus: { id: string; at: 'start' | 'end' } | null = null;
  private resyncing: PageEvent[] | null = null;
  /** Runs asked for while the host was unreachable: sent after the drafts, once back online. */
  private readonly pendingRuns = new Set<string>();
  /** Run all asked for while the host was unreachable: sent after the drafts, once back online. */
  private pendingRunAll = false;
  private noticeId = 0;

  constructor(
    readonly model: NotebookModel,
    private readonly options: ControllerOptions,
  ) {
    const notebookId = model.getMeta().id;
    this.saver = new DraftSaver({
      scope: notebookId,
      delayMs: options.saveDelayMs,
      save: async (cellId, code) => {
        const cell = await options.api.updateCell(notebookId, cellId, code);
        this.model.apply({ type: 'cell_updated', cellId, code: cell.code, cell_type: cell.type, reads: cell.reads, writes: cell.writes });
      },
      onError: (_cellId, err) => this.report(err),
    });
  }

  get notebookId(): string {
    return this.model.getMeta().id;
  }

  /** Opens the socket; the model must already hold the first snapshot. */
  start(): void {
    for (const cell of this.model.cellList()) this.saver.restore(cell.id, cell.code);
    const factory = this.options.socketFactory ?? ((o: NotebookSocketOptions) => new NotebookSocket(o));
    this.socket = factory({
      notebookId: this.notebookId,
      getToken: this.options.getToken,
      onEvent: (event) => this.onEvent(event),
      onState: (state) => this.connection.set(state),
      onReady: () => void this.resync(),
    });
  }

  dispose(): void {
    this.socket?.close();
    this.saver.dispose();
  }

  retryConnection(): void {
    this.socket?.retry();
  }

  /** 0-based position of a cell, -1 when unknown (stable identity, for memoised children). */
  positionOf = (cellId: string): number => this.model.indexOf(cellId);

  // ---- cell commands ----

  edit = (cellId: string, code: string): void => this.saver.edit(cellId, code);

  run = async (cellId: string): Promise<void> => {
    if (this.connection.get() !== 'online') {
      this.pendingRuns.add(cellId);
      return;
    }
    try {
      await this.saver.flush(cellId);
    } catch (err) {
      // Offline: the run waits until the draft has reached the host; refused code is not run.
      if (err instanceof ApiError && err.isNetwork) this.pendingRuns.add(cellId);
      return;
    }
    this.socket?.runCell(cellId);
  };

  /** Shift+Enter: run, then go to the next cell, creating one at the end. */
  runAndAdvance = async (cellId: string): Promise<void> => {
    const order = this.model.getOrder();
    const next = order[order.indexOf(cellId) + 1];
    void this.run(cellId);
    if (next) this.focusCell(next, 'start');
    else await this.addCell(cellId, 'below', this.model.getCell(cellId)?.type ?? 'python');
  };

  interrupt = (cellId?: string): void => this.socket?.interrupt(cellId);

  /** Lazy mode: brings every stale cell up to date, in notebook order. */
  runStale = (): void => {
    for (const cell of this.model.cellList()) if (cell.status === 'stale') void this.run(cell.id);
  };

  /** Runs every cell once, after every unsaved draft reached the host (so it runs what is on screen). */
  runAll = async (): Promise<void> => {
    if (this.connection.get() !== 'online') {
      this.pendingRunAll = true;
      return;
    }
    try {
      await this.saver.flushAll();
      await this.options.api.runAll(this.notebookId);
    } catch (err) {
      if (err instanceof ApiError && err.isNetwork) this.pendingRunAll = true;
      else this.report(err);
    }
  };

  /** A new, empty kernel (the page asks for confirmation first). Not held while offline: a late restart would wipe newer values. */
  restartKernel = async (): Promise<void> => {
    try {
      await this.options.api.restartKernel(this.notebookId);
    } catch (err) {
      this.report(err);
    }
  };

  clearOutputs = async (): Promise<void> => {
    try {
      await this.options.api.clearOutputs(this.notebookId);
      // The event does it too; this is for a page whose socket is not (yet) back.
      this.model.apply({ type: 'outputs_cleared' });
    } catch (err) {
      this.report(err);
    }
  };

  addCell = async (relativeTo: string | null, where: 'above' | 'below', type: string, code = ''): Promise<string | null> => {
    const order = this.model.getOrder();
    const at = relativeTo === null ? -1 : order.indexOf(relativeTo);
    try {
      if (where === 'below' || at > 0) {
        // The host inserts after a cell; "above cell i" is "after cell i-1".
        const after = where === 'below' ? (relativeTo ?? order[order.length - 1] ?? null) : order[at - 1]!;
        const id = await this.options.api.createCell(this.notebookId, { type, after_cell_id: after, code });
        this.focusWhenMounted(id, 'start');
        await this.syncIfOffline();
        return id;
      }
      // Above the first cell: the host has no "before" so create at the end and move it to the top.
      const id = await this.options.api.createCell(this.notebookId, { type, code });
      this.focusWhenMounted(id, 'start');
      await this.options.api.moveCell(this.notebookId, id, 0);
      await this.syncIfOffline();
      return id;
    } catch (err) {
      this.report(err);
      return null;
    }
  };

  deleteCell = async (cellId: string): Promise<void> => {
    const order = this.model.getOrder();
    const i = order.indexOf(cellId);
    const neighbour = order[i + 1] ?? order[i - 1];
    try {
      await this.options.api.deleteCell(this.notebookId, cellId);
      this.saver.discard(cellId);
      this.model.apply({ type: 'cell_deleted', cellId });
      if (neighbour) this.focusCell(neighbour, 'start');
    } catch (err) {
      this.report(err);
    }
  };

  moveCell = async (cellId: string, delta: -1 | 1): Promise<void> => {
    const index = this.model.indexOf(cellId) + delta;
    if (index < 0 || index >= this.model.getOrder().length) return;
    try {
      await this.options.api.moveCell(this.notebookId, cellId, index);
      this.model.apply({ type: 'cell_moved', cellId, index });
      this.focusCell(cellId);
    } catch (err) {
      this.report(err);
    }
  };

  /**
   * Changes the cell's language in place (`PUT cells/{id}` with `type`): the cell keeps its id,
   * position and code (an unsaved draft goes with it); the server re-analyses it and marks it stale.
   */
  changeType = async (cellId: string, type: string): Promise<void> => {
    const cell = this.model.getCell(cellId);
    if (!cell || cell.type === type) return;
    const code = this.saver.draft(cellId) ?? cell.code;
    try {
      const updated = await this.options.api.changeCellType(this.notebookId, cellId, type, code);
      this.model.apply({ type: 'cell_updated', cellId, code: updated.code, cell_type: updated.type, reads: updated.reads, writes: updated.writes });
    } catch (err) {
      this.report(err);
    }
  };

  // ---- settings ----

  rename = async (name: string): Promise<boolean> => this.settle(async () => {
    await this.options.api.renameNotebook(this.notebookId, name);
    this.model.patchMeta({ name });
  });

  setDbConnection = async (connection: string): Promise<boolean> => this.settle(async () => {
    await this.options.api.setDbConnection(this.notebookId, connection);
    // The host masks the secret; read its masked form back rather than keeping the plain one.
    this.model.load(await this.options.api.getNotebook(this.notebookId));
  });

  setLazy = async (lazy: boolean): Promise<boolean> => this.settle(async () => {
    await this.options.api.setLazy(this.notebookId, lazy);
    this.model.patchMeta({ lazy });
  });

  // ---- focus and navigation ----

  registerEditor(cellId: string, view: EditorView): () => void {
    this.editors.set(cellId, view);
    if (this.pendingFocus?.id === cellId) {
      const { at } = this.pendingFocus;
      this.pendingFocus = null;
      queueMicrotask(() => this.focusCell(cellId, at));
    }
    return () => {
      if (this.editors.get(cellId) === view) this.editors.delete(cellId);
    };
  }

  focusCell = (cellId: string, at?: 'start' | 'end'): void => {
    const view = this.editors.get(cellId);
    if (!view) return;
    if (at) {
      const pos = at === 'start' ? 0 : view.state.doc.length;
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    }
    view.focus();
    view.dom.closest('[data-cell-id]')?.scrollIntoView?.({ block: 'nearest' });
  };

  focusNeighbour = (cellId: string, delta: -1 | 1): boolean => {
    const order = this.model.getOrder();
    const target = order[order.indexOf(cellId) + delta];
    if (!target) return false;
    this.focusCell(target, delta < 0 ? 'end' : 'start');
    return true;
  };

  /** Jumps to the cell that defines `name`; returns false when no cell does. */
  jumpToDefinition = (name: string): boolean => {
    const [definer] = this.model.definersOf(name);
    if (!definer) {
      this.notify('info', `No cell defines \`${name}\``);
      return false;
    }
    const element = this.editors.get(definer)?.dom.closest<HTMLElement>('[data-cell-id]');
    element?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
    element?.classList.add('cell--flash');
    setTimeout(() => element?.classList.remove('cell--flash'), 1200);
    this.focusCell(definer);
    return true;
  };

  dismissNotice = (id: number): void => {
    this.notices.set(this.notices.get().filter((n) => n.id !== id));
  };

  // ---- internals ----

  private focusWhenMounted(cellId: string, at: 'start' | 'end'): void {
    if (this.editors.has(cellId)) this.focusCell(cellId, at);
    else this.pendingFocus = { id: cellId, at };
  }

  private onEvent(event: PageEvent): void {
    if (event.type === 'error') {
      this.notify('error', event.message);
      return;
    }
    if (this.resyncing) this.resyncing.push(event);
    else this.model.apply(event);
  }

  /** After every (re)connect: take a snapshot, replay what arrived meanwhile, send unsaved drafts. */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = [];
    try {
      const notebook = await this.options.api.getNotebook(this.notebookId);
      this.model.load(notebook);
      const buffered = this.resyncing;
      this.resyncing = null;
      for (const event of buffered) this.model.apply(event, notebook.revision);
      await this.saver.flushAll();
      const runs = [...this.pendingRuns].filter((id) => this.model.has(id));
      this.pendingRuns.clear();
      for (const id of runs) this.socket?.runCell(id);
      if (this.pendingRunAll) {
        this.pendingRunAll = false;
        await this.options.api.runAll(this.notebookId);
      }
    } catch (err) {
      const buffered = this.resyncing ?? [];
      this.resyncing = null;
      for (const event of buffered) this.model.apply(event);
      this.report(err);
    }
  }

  private async syncIfOffline(): Promise<void> {
    if (this.connection.get() === 'online') return;
    this.model.load(await this.options.api.getNotebook(this.notebookId));
  }

  private async settle(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (err) {
      this.report(err);
      return false;
    }
  }

  private report(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.notify('error', message);
  }

  notify(kind: Notice['kind'], message: string): void {
    const notice = { id: ++this.noticeId, kind, message };
    this.notices.set([...this.notices.get().slice(-3), notice]);
    setTimeout(() => this.dismissNotice(notice.id), kind === 'error' ? 8000 : 4000);
  }
}
