import type { EditorView } from '@codemirror/view';
import { ApiError, type ApiClient, type TokenSource } from '../api/http';
import { NotebookSocket, type ConnectionState, type NotebookSocketOptions } from '../api/socket';
import type { JsonValue, NotebookRole, PageEvent } from '../api/types';
import { CellNavigator } from './cell-navigation';
import { CellRuns } from './cell-runs';
import { CellStructure } from './cell-structure';
import { cellUiOf } from './cell-ui';
import { ConflictStore } from './conflicts';
import { browserGuestName, CoeditSession, replaceText } from './coedit';
import { DraftSaver } from './draft-saver';
import { EditorRegistry } from './editor-registry';
import { EventBatcher, nextFrame, type EarlyFlush, type FrameScheduler } from './event-batcher';
import { pageEventEarlyFlush } from './page-event-flush';
import { NotebookModel } from './notebook-model';
import { NotebookSettings } from './notebook-settings';
import { NoticeBoard, type Notice } from './notices';
import { Signal } from './signal';
import { WidgetSender } from './widget-sender';
import { NO_VARIABLES, type VariablesState } from './variables';

export type { Notice } from './notices';

/** What the controller uses of the socket (`callRuntime` optional: test sockets may leave it out). */
type SocketPort = Pick<NotebookSocket, 'runCell' | 'interrupt' | 'retry' | 'close'> & Partial<Pick<NotebookSocket, 'callRuntime' | 'setWidgetValue'>>;

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
  private readonly board = new NoticeBoard();
  /** The page's user-visible messages (errors, "Cell deleted / Undo"), newest last. */
  readonly notices = this.board.list;
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
  private readonly navigation: CellNavigator;
  private readonly structure: CellStructure;
  private readonly runs: CellRuns;
  private readonly settings: NotebookSettings;
  private socket: SocketPort | null = null;
  private readonly editors = new EditorRegistry();
  private resyncing: PageEvent[] | null = null;
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
      onError: (_cellId, err) => this.board.report(err),
    });
    this.navigation = new CellNavigator({ editors: this.editors, model, ui: () => cellUiOf(this), notify: (kind, message) => this.notify(kind, message) });
    this.structure = new CellStructure({
      api: options.api,
      model,
      saver: this.saver,
      conflicts: this.conflicts,
      navigation: this.navigation,
      notices: this.board,
      currentCode: (cellId, hostCode) => this.currentCode(cellId, hostCode),
      online: () => this.whenOnline(),
      run: (cellId) => this.run(cellId),
    });
    this.runs = new CellRuns({
      api: options.api,
      model,
      saver: this.saver,
      coedit: this.coedit,
      isOnline: this.isOnline,
      whenCreated: this.whenCreated,
      sendRun: (cellId) => this.socket?.runCell(cellId),
      notices: this.board,
    });
    this.settings = new NotebookSettings({ api: options.api, model, report: this.board.report });
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

  // Runs wait for the code on screen to reach the host; offline they are held (cell-runs.ts).
  readonly run: CellRuns['run'] = (...args) => this.runs.run(...args);

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

  readonly runStale: CellRuns['runStale'] = () => this.runs.runStale();
  readonly runAll: CellRuns['runAll'] = () => this.runs.runAll();

  /** A new, empty kernel (the page asks for confirmation first). Not held while offline: a late restart would wipe newer values. */
  restartKernel = async (): Promise<void> => {
    try {
      await this.options.api.restartKernel(this.notebookId);
    } catch (err) {
      this.board.report(err);
    }
  };

  clearOutputs = async (): Promise<void> => {
    try {
      await this.options.api.clearOutputs(this.notebookId);
      // The event does it too; this is for a page whose socket is not (yet) back.
      this.model.apply({ type: 'outputs_cleared' });
    } catch (err) {
      this.board.report(err);
    }
  };

  // ---- the notebook's shape (cell-structure.ts) ----

  readonly addCell: CellStructure['addCell'] = (...args) => this.structure.addCell(...args);
  readonly whenCreated: CellStructure['whenCreated'] = (...args) => this.structure.whenCreated(...args);
  readonly deleteCell: CellStructure['deleteCell'] = (...args) => this.structure.deleteCell(...args);
  readonly canRestore: CellStructure['canRestore'] = () => this.structure.canRestore();
  readonly restoreDeleted: CellStructure['restoreDeleted'] = () => this.structure.restoreDeleted();
  readonly moveCell: CellStructure['moveCell'] = (...args) => this.structure.moveCell(...args);
  readonly moveCellTo: CellStructure['moveCellTo'] = (...args) => this.structure.moveCellTo(...args);
  readonly changeType: CellStructure['changeType'] = (...args) => this.structure.changeType(...args);

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

  // ---- settings (notebook-settings.ts): each resolves to whether the host took the change ----

  readonly rename: NotebookSettings['rename'] = (...args) => this.settings.rename(...args);
  readonly setPluginSettings: NotebookSettings['setPluginSettings'] = (...args) => this.settings.setPluginSettings(...args);
  readonly setLazy: NotebookSettings['setLazy'] = (...args) => this.settings.setLazy(...args);

  // ---- focus and navigation ----

  registerEditor(cellId: string, view: EditorView): () => void {
    return this.editors.register(cellId, view);
  }

  /** An editor took the focus: a pending focus request for another cell is dropped (editor-registry.ts). */
  editorFocused = (cellId: string): void => this.editors.noteFocused(cellId);

  /** True once the page asked for this cell's editor (focus, new cell): it mounts even off-screen. */
  isEditorWanted = (cellId: string): boolean => this.editors.isWanted(cellId);

  /** Mounts a cell's editor even off-screen, without focusing it; it exists once React has rendered. */
  mountEditor = (cellId: string): void => this.editors.want(cellId);

  subscribeEditorWanted = (cellId: string, listener: () => void): (() => void) => this.editors.subscribeWanted(cellId, listener);

  // Moving the cursor between cells (cell-navigation.ts).
  readonly focusCell: CellNavigator['focusCell'] = (...args) => this.navigation.focusCell(...args);
  readonly focusCellFrame: CellNavigator['focusCellFrame'] = (...args) => this.navigation.focusCellFrame(...args);

  /** How a long notebook's cell list brings a cell into layout before a focus or a scroll to it (null: no window). */
  setCellRevealer = (reveal: ((cellId: string) => void) | null): void => this.editors.setRevealer(reveal);

  focusWhenMounted(cellId: string, at: 'start' | 'end'): void {
    this.navigation.focusWhenMounted(cellId, at);
  }
  readonly focusNeighbour: CellNavigator['focusNeighbour'] = (...args) => this.navigation.focusNeighbour(...args);
  readonly jumpToDefinition: CellNavigator['jumpToDefinition'] = (...args) => this.navigation.jumpToDefinition(...args);
  readonly revealCell: CellNavigator['revealCell'] = (...args) => this.navigation.revealCell(...args);

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

  dismissNotice = (id: number): void => this.board.dismiss(id);

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
      await this.runs.sendHeld();
    } catch (err) {
      const buffered = this.resyncing ?? [];
      this.resyncing = null;
      for (const event of buffered) this.model.apply(event);
      this.board.report(err);
    }
  }

  /** Shows a notice for a while; returns its id. */
  notify(kind: Notice['kind'], message: string, action?: Notice['action']): number {
    return this.board.notify(kind, message, action);
  }
}
