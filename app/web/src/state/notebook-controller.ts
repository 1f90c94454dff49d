import type { EditorView } from '@codemirror/view';
import { ApiError, type ApiClient, type TokenSource } from '../api/http';
import { NotebookSocket, type ConnectionState, type NotebookSocketOptions } from '../api/socket';
import type { JsonValue, PageEvent, SettingValue } from '../api/types';
import { CellCreations, emptyCell, newCellId, UndoDeletes } from './cell-creations';
import { cellUiOf } from './cell-ui';
import { ConflictStore } from './conflicts';
import { browserGuestName, CoeditSession, replaceText } from './coedit';
import { DraftSaver } from './draft-saver';
import { EditorRegistry } from './editor-registry';
import { EventBatcher, nextFrame, type EarlyFlush, type FrameScheduler } from './event-batcher';
import { pageEventEarlyFlush } from './page-event-flush';
import { NotebookModel } from './notebook-model';
import { Signal } from './signal';
import { WidgetSender } from './widget-sender';
import { NO_VARIABLES, type VariablesState } from './variables';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** A button on the notice, e.g. Undo after a delete. */
  action?: { label: string; run(): void };
}

/** What the controller uses of the socket (`callRuntime` optional: test sockets may leave it out). */
type SocketPort = Pick<NotebookSocket, 'runCell' | 'interrupt' | 'retry' | 'close'> & Partial<Pick<NotebookSocket, 'callRuntime' | 'setWidgetValue'>>;

import type { NotebookRole } from '../api/types';

export interface ControllerOptions {
  api: ApiClient;
  getToken: TokenSource;
  /** Test hook: replaces the real socket. */
  socketFactory?: (options: NotebookSocketOptions) => SocketPort;
  saveDelayMs?: number;
  /** The name others see beside this page's cursor (default: this browser's guest name, `browserGuestName`). */
  userName?: string;
  /** The user's role in the notebook (`GET /api/notebooks/{id}`'s `role`); absent: owner. */
  role?: NotebookRole;
  /**
   * When queued socket events are applied: once per animation frame in a browser
   * ({@link nextFrame}). Test hook: a scheduler the test drives, or null to apply each event at once.
   */
  scheduleFrame?: FrameScheduler | null;
  /**
   * Which batches go before their frame: by default a small one that ends a run ({@link pageEventEarlyFlush}).
   * Test hook: a rule with the test's clock, or null to hold every batch for its frame.
   */
  earlyFlush?: EarlyFlush<PageEvent> | null;
}

/**
 * Everything a notebook page does, outside React: it owns the model, the autosave and the socket,
 * and exposes commands with stable identities so cell components can take it as one prop that
 * never changes.
 */
export class NotebookController {
  readonly connection = new Signal<ConnectionState>('connecting');
  readonly notices = new Signal<readonly Notice[]>([]);
  /** The kernel's names as the host last pushed them (`variables` event): the variable explorer's list. */
  readonly variables = new Signal<VariablesState>(NO_VARIABLES);
  readonly saver: DraftSaver;
  readonly conflicts = new ConflictStore();
  /**
   * Co-editing (with the real socket): cells' code lives in a shared Yjs document, typed text merges with
   * everyone's instead of going through the autosave, and offline typing merges on reconnect. The autosave and
   * its conflict panel remain only for a cell whose text has not arrived yet and for test sockets.
   */
  readonly coedit: CoeditSession | null;
  private readonly creations: CellCreations;
  private readonly undo = new UndoDeletes();
  private socket: SocketPort | null = null;
  private readonly editors = new EditorRegistry();
  private resyncing: PageEvent[] | null = null;
  /** Runs asked for while the host was unreachable: sent after the drafts, once back online. */
  private readonly pendingRuns = new Set<string>();
  /** Run all asked for while the host was unreachable: sent after the drafts, once back online. */
  private pendingRunAll = false;
  private noticeId = 0;
  /** A viewer's page: editors are read-only and nothing that edits or runs is offered (the host refuses it anyway). */
  readonly readOnly: boolean;
  /** The user's role in the notebook: only the owner shares it and changes its settings. */
  readonly role: NotebookRole;
  /** Socket events wait here for the next frame, so that a cascade renders once per frame (the end of a lone run goes at once). */
  private readonly events: EventBatcher<PageEvent>;

  constructor(
    readonly model: NotebookModel,
    private readonly options: ControllerOptions,
  ) {
    this.events = new EventBatcher((events) => {
      for (const event of events) this.onEvent(event);
    }, options.scheduleFrame === undefined ? nextFrame() : options.scheduleFrame, options.earlyFlush === undefined ? pageEventEarlyFlush() : options.earlyFlush);
    const notebookId = model.getMeta().id;
    this.coedit = options.socketFactory ? null : new CoeditSession({ name: options.userName ?? browserGuestName(), onRefused: (message) => this.notify('error', message) });
    this.role = options.role ?? 'owner';
    this.readOnly = this.role === 'viewer';
    this.saver = new DraftSaver({
      scope: notebookId,
      delayMs: options.saveDelayMs,
      save: async (cellId, code, baseCode) => {
        // A cell shown before the host has it: its code follows its creation.
        if (!(await this.whenCreated(cellId))) throw new ApiError(404, 'RNB_ERR_CELL_NOT_FOUND', 'The cell could not be created.');
        const cell = await options.api.updateCell(notebookId, cellId, code, baseCode);
        this.model.apply({ type: 'cell_updated', cellId, code: cell.code, cell_type: cell.type, reads: cell.reads, writes: cell.writes });
      },
      hostCode: (cellId) => this.model.getCell(cellId)?.code,
      onConflict: (cellId, currentCode) => this.conflicts.show(cellId, currentCode ?? this.model.getCell(cellId)?.code ?? ''),
      onError: (_cellId, err) => this.report(err),
    });
    this.creations = new CellCreations({
      send: async (body) => {
        await options.api.createCell(notebookId, body);
      },
      online: () => this.whenOnline(),
      confirmed: (cellId) => this.model.confirm(cellId),
      refused: (cellId, err) => {
        this.saver.discard(cellId);
        this.model.dropUnconfirmed(cellId);
        this.report(err);
      },
    });
  }

  get notebookId(): string {
    return this.model.getMeta().id;
  }

  /** Opens the socket; the model must already hold the first snapshot. */
  start(): void {
    // Code typed (offline) in an earlier page that never reached the host: not run, so stale.
    for (const cell of this.model.cellList()) if (this.saver.restore(cell.id, cell.code) !== undefined) this.model.markEdited(cell.id);
    const factory = this.options.socketFactory ?? ((o: NotebookSocketOptions) => new NotebookSocket(o));
    this.socket = factory({
      ...(this.coedit ? { coedit: this.coedit } : {}),
      notebookId: this.notebookId,
      getToken: this.options.getToken,
      // The variables list is one whole list, not a step of a cascade: applied as it comes, as before batching
      // (held for a frame, an older list could land after the page dropped a deleted cell's names).
      onEvent: (event) => (event.type === 'variables' ? this.onEvent(event) : this.events.push(event)),
      onState: (state) => this.connection.set(state),
      onReady: () => void this.resync(),
    });
  }

  dispose(): void {
    this.events.dispose();
    this.socket?.close();
    this.coedit?.destroy();
    this.saver.dispose();
  }

  retryConnection(): void {
    this.socket?.retry();
  }

  isOnline = (): boolean => this.connection.get() === 'online';

  /** 0-based position of a cell, -1 when unknown (stable identity, for memoised children). */
  positionOf = (cellId: string): number => this.model.indexOf(cellId);

  // ---- cell commands ----

  edit = (cellId: string, code: string): void => {
    this.saver.edit(cellId, code);
    this.model.markEdited(cellId);
  };

  run = async (cellId: string): Promise<void> => {
    if (this.saver.state(cellId) === 'conflict') {
      this.notify('error', 'This cell has an edit conflict: keep your version or take theirs, then run it.');
      return;
    }
    if (this.connection.get() !== 'online') {
      this.pendingRuns.add(cellId);
      return;
    }
    try {
      // Co-edited text: the run goes once the host stored it (it hands it to the notebook before running).
      if (this.coedit) {
        // A new cell: its text first (what was typed before it arrived is merged into it just after), then stored.
        await this.coedit.textReady(cellId);
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        await this.coedit.acknowledged();
      } else await this.saver.flush(cellId);
    } catch (err) {
      // Offline: the run waits until the draft has reached the host; refused code is not run.
      if (err instanceof ApiError && err.isNetwork) this.pendingRuns.add(cellId);
      return;
    }
    if (await this.whenCreated(cellId)) this.socket?.runCell(cellId);
  };

  /**
   * Shift+Enter: run, then go to the next cell, creating one at the end (of the same language).
   * Everything before the first await is synchronous: the new cell is in the model before the
   * next key is handled.
   */
  runAndAdvance = (cellId: string): void => {
    const order = this.model.getOrder();
    const next = order[order.indexOf(cellId) + 1];
    void this.run(cellId);
    if (next) this.focusCell(next, 'start');
    else this.addCell(cellId, 'below', this.model.getCell(cellId)?.type ?? 'python');
  };

  interrupt = (cellId?: string): void => this.socket?.interrupt(cellId);

  /** Asks a language's runtime in the kernel (completions); rejects when offline, busy or refused. */
  callRuntime = (language: string, method: string, payload: JsonValue): Promise<JsonValue> => {
    const call = this.socket?.callRuntime;
    if (!call) return Promise.reject(new Error('Not connected.'));
    return call.call(this.socket, language, method, payload);
  };

  /** Widget values on their way to the host: one in flight per widget, the latest value next (a drag never queues a run per pixel). */
  readonly widgets = new WidgetSender((widgetId, value) => {
    const send = this.socket?.setWidgetValue;
    if (!send) return Promise.reject(new Error('Not connected: the value was not sent.'));
    return send.call(this.socket, widgetId, value);
  });

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
      await this.coedit?.acknowledged();
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

  /**
   * Adds a cell and returns its id at once: the cell is shown (and focused once its editor mounts)
   * before the host answers, with an id chosen here, so typing right after Shift+Enter lands in
   * it. The host's answer confirms it; a refusal removes it and says why.
   */
  addCell = (relativeTo: string | null, where: 'above' | 'below', type: string, code = ''): string => {
    const order = this.model.getOrder();
    const at = relativeTo === null ? order.length - 1 : order.indexOf(relativeTo);
    const index = where === 'below' ? at + 1 : Math.max(at, 0);
    const id = newCellId();
    this.model.insertUnconfirmed(emptyCell(id, type, code), index);
    this.focusWhenMounted(id, 'start');
    void this.creations.create(id, { type, code }, () => this.cellBefore(id));
    return id;
  };

  /** Resolves true once the host holds the cell (at once for a cell it already had). */
  whenCreated = (cellId: string): Promise<boolean> => this.creations.whenCreated(cellId);

  deleteCell = async (cellId: string, undoable = true): Promise<void> => {
    const cell = this.model.getCell(cellId);
    if (!cell || !(await this.whenCreated(cellId))) return;
    const order = this.model.getOrder();
    const i = order.indexOf(cellId);
    const neighbour = order[i + 1] ?? order[i - 1];
    const code = this.currentCode(cellId, cell.code);
    try {
      await this.options.api.deleteCell(this.notebookId, cellId);
      this.saver.discard(cellId);
      this.conflicts.close(cellId);
      this.model.apply({ type: 'cell_deleted', cellId });
      if (!undoable) return;
      // The neighbour's cell, not its editor, gets the focus: Ctrl+Z then undoes the delete
      // instead of the neighbour's own typing.
      if (neighbour) this.focusCellFrame(neighbour);
      const noticeId = this.notify('info', 'Cell deleted', { label: 'Undo', run: () => void this.restoreDeleted() });
      this.undo.push({ cell: { ...cell, code }, after: order[i - 1] ?? null, index: i, noticeId });
    } catch (err) {
      this.report(err);
    }
  };

  private cellBefore(cellId: string): string | null {
    const order = this.model.getOrder();
    return order[order.indexOf(cellId) - 1] ?? null;
  }

  /** True when a deleted cell can be brought back (Ctrl+Z or `z` outside an editor). */
  canRestore = (): boolean => this.undo.size() > 0;

  /**
   * Undoes the last delete: the cell comes back with its id, type, code and place, shows its last
   * outputs, and re-runs when it had run (which re-runs, or in lazy mode marks stale, what it fed).
   */
  restoreDeleted = async (): Promise<void> => {
    const entry = this.undo.pop();
    if (!entry) return;
    this.dismissNotice(entry.noticeId);
    const { cell } = entry;
    const order = this.model.getOrder();
    const index = entry.after === null ? 0 : order.includes(entry.after) ? order.indexOf(entry.after) + 1 : Math.min(entry.index, order.length);
    const rerun = cell.status !== 'idle';
    this.model.insertUnconfirmed({ ...cell, status: rerun ? 'queued' : 'idle' }, index);
    this.focusWhenMounted(cell.id, 'end');
    const created = await this.creations.create(cell.id, { type: cell.type, code: cell.code }, () => this.cellBefore(cell.id));
    if (created && rerun) await this.run(cell.id);
  };

  moveCell = (cellId: string, delta: -1 | 1): Promise<void> => this.moveCellTo(cellId, this.model.indexOf(cellId) + delta);

  /** Moves a cell to a position of the order (dragging it by its handle, or a key). */
  moveCellTo = async (cellId: string, index: number): Promise<void> => {
    if (index < 0 || index >= this.model.getOrder().length || index === this.model.indexOf(cellId) || !(await this.whenCreated(cellId))) return;
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
    const code = this.currentCode(cellId, cell.code);
    // A cell shown before the host has it changes language once it exists there.
    if (!(await this.whenCreated(cellId))) return;
    try {
      const updated = await this.options.api.changeCellType(this.notebookId, cellId, type, code);
      this.model.apply({ type: 'cell_updated', cellId, code: updated.code, cell_type: updated.type, reads: updated.reads, writes: updated.writes });
    } catch (err) {
      this.report(err);
    }
  };

  // ---- edit conflicts ----

  /** "Keep mine": the text in the editor is saved over theirs, which the user has seen. */
  keepMine = async (cellId: string): Promise<void> => {
    const conflict = this.conflicts.get(cellId);
    if (!conflict) return;
    this.conflicts.close(cellId);
    await this.saver.resolve(cellId, conflict.theirs).catch(() => undefined);
  };

  /** "Take theirs": the editor shows the host's code and the unsaved text is dropped. */
  takeTheirs = (cellId: string): void => {
    this.conflicts.close(cellId);
    this.saver.discard(cellId);
    this.editors.setText(cellId, this.model.getCell(cellId)?.code ?? '');
  };

  // ---- settings ----

  rename = async (name: string): Promise<boolean> => this.settle(async () => {
    await this.options.api.renameNotebook(this.notebookId, name);
    this.model.patchMeta({ name });
  });

  /** Sets one plugin's settings; the page keeps the host's masked answer, never the secret typed. */
  setPluginSettings = async (plugin: string, values: { [field: string]: SettingValue | null }): Promise<boolean> => this.settle(async () => {
    const masked = await this.options.api.setPluginSettings(this.notebookId, plugin, values);
    const settings = { ...this.model.getMeta().settings };
    if (Object.keys(masked).length > 0) settings[plugin] = masked;
    else delete settings[plugin];
    this.model.patchMeta({ settings });
  });

  setLazy = async (lazy: boolean): Promise<boolean> => this.settle(async () => {
    await this.options.api.setLazy(this.notebookId, lazy);
    this.model.patchMeta({ lazy });
  });

  // ---- focus and navigation ----

  registerEditor(cellId: string, view: EditorView): () => void {
    return this.editors.register(cellId, view);
  }

  /** True once the page asked for this cell's editor (focus, new cell): it mounts even off-screen. */
  isEditorWanted = (cellId: string): boolean => this.editors.isWanted(cellId);

  /** Mounts a cell's editor even off-screen, without focusing it; it exists once React has rendered. */
  mountEditor = (cellId: string): void => this.editors.want(cellId);

  subscribeEditorWanted = (cellId: string, listener: () => void): (() => void) => this.editors.subscribeWanted(cellId, listener);

  focusCell = (cellId: string, at?: 'start' | 'end'): void => this.editors.focus(cellId, at);

  /** How a long notebook's cell list brings a cell into layout before a focus or a scroll to it (null: no window). */
  setCellRevealer = (reveal: ((cellId: string) => void) | null): void => this.editors.setRevealer(reveal);

  /** Focuses the cell itself, not its editor ("command mode": Enter edits, Ctrl+Z/z undo a delete). */
  focusCellFrame = (cellId: string): void => {
    const frame = this.editors.frameOf(cellId);
    frame?.focus();
    frame?.scrollIntoView?.({ block: 'nearest' });
  };

  /** Focuses a cell's editor now, or as soon as it mounts. */
  focusWhenMounted(cellId: string, at: 'start' | 'end'): void {
    this.editors.focusWhenMounted(cellId, at);
  }

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
    this.revealCell(definer);
    return true;
  };

  /** Scrolls to a cell, flashes it and puts the cursor in its editor (showing its code first when it was collapsed). */
  revealCell = (cellId: string): void => {
    const element = this.editors.frameOf(cellId);
    element?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
    element?.classList.add('cell--flash');
    setTimeout(() => element?.classList.remove('cell--flash'), 1200);
    const ui = cellUiOf(this);
    if (ui.collapsedOf(cellId).code) {
      ui.toggle(cellId, 'code');
      setTimeout(() => this.focusCell(cellId), 0); // once React has shown the editor again
    } else {
      this.focusCell(cellId);
    }
  };

  /**
   * The cell's code as this page shows it, editor mounted or not: the editor's text, else the shared text
   * (co-editing), else an unsaved draft, else the host's code. Find and replace reads cells through it.
   */
  codeOf = (cellId: string): string | undefined => {
    const view = this.editors.viewOf(cellId);
    if (view) return view.state.doc.toString();
    const cell = this.model.getCell(cellId);
    return cell ? this.currentCode(cellId, cell.code) : undefined;
  };

  /**
   * Replaces the code of a cell whose editor is not mounted (a replace-all, its undo): into the shared text when
   * co-editing (others see it as typing; the host stores it), else as a draft that the autosave sends.
   */
  setCodeWithoutEditor = (cellId: string, code: string): void => {
    const text = this.coedit?.text(cellId);
    if (!text) return this.edit(cellId, code);
    replaceText(text, code);
    this.model.markEdited(cellId);
  };

  /** A cell's mounted editor, if any (find and replace across cells edits through it). */
  editorOf = (cellId: string): EditorView | undefined => this.editors.viewOf(cellId);

  dismissNotice = (id: number): void => {
    this.notices.set(this.notices.get().filter((n) => n.id !== id));
  };

  // ---- internals ----

  /** What the editor shows: the shared text, else an unsaved draft, else the host's code. */
  private currentCode(cellId: string, hostCode: string): string {
    return this.coedit?.text(cellId)?.toString() ?? this.saver.draft(cellId) ?? hostCode;
  }

  /** Applies the socket events still waiting for their frame (tests, and before a resync). */
  flushEvents(): void {
    this.events.flush();
  }

  private onEvent(event: PageEvent): void {
    if (event.type === 'error' || event.type === 'external_edit_error') {
      this.notify('error', event.message);
      return;
    }
    // A whole list each time: applied at once, even while a resync holds the other events back.
    if (event.type === 'variables') {
      this.variables.set({ list: event.variables, truncated: event.truncated });
      return;
    }
    if (this.resyncing) {
      this.resyncing.push(event);
      return;
    }
    if (event.type === 'cell_updated') this.checkRemoteEdit(event.cellId, event.code);
    this.model.apply(event);
  }

  /**
   * Another page saved this cell. With no unsaved text here the editor simply takes it; with
   * unsaved text that is neither what this page started from nor what it is sending, the text
   * stays and the conflict is shown: nothing is overwritten silently.
   */
  private checkRemoteEdit(cellId: string, code: string): void {
    const draft = this.saver.draft(cellId);
    if (draft === undefined) return;
    if (draft === code) {
      this.saver.hostHas(cellId, code);
      return;
    }
    if (this.saver.isOwn(cellId, code)) return;
    this.saver.holdConflict(cellId);
    this.conflicts.show(cellId, code);
  }

  private whenOnline(): Promise<void> {
    if (this.connection.get() === 'online') return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.connection.subscribe(() => {
        if (this.connection.get() !== 'online') return;
        stop();
        resolve();
      });
    });
  }

  /** After every (re)connect: take a snapshot, replay what arrived meanwhile, send unsaved drafts. */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    // Events that arrived before this resync come before its snapshot.
    this.flushEvents();
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

  /** Shows a notice for a while; returns its id. */
  notify(kind: Notice['kind'], message: string, action?: Notice['action']): number {
    const notice: Notice = { id: ++this.noticeId, kind, message, ...(action ? { action } : {}) };
    this.notices.set([...this.notices.get().slice(-3), notice]);
    setTimeout(() => this.dismissNotice(notice.id), kind === 'error' || action ? 10_000 : 4000);
    return notice.id;
  }
}
