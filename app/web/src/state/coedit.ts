import type { CoeditSyncValue, ErrorCode } from '@rnb/core/wire';
import type { Socket } from 'socket.io-client';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { KeyedListeners } from './signal';
import { middleChange } from './text-diff';

/** What the editor shows of another person: y-codemirror.next reads `user.name` and `user.color`. */
export interface PresenceUser {
  name: string;
  color: string;
  colorLight: string;
}

/** One person in the notebook, as the page lists them. */
export interface Peer {
  clientId: number;
  name: string;
  color: string;
  /** The cell their cursor is in, if any. */
  cellId: string | null;
}

/**
 * Error answers to `yjs_update` that mean "not stored this time" (the host's storage or instance had a problem, it is
 * shutting down, busy): the update is sent again, with backoff. Every other error answer is a refusal (a viewer's
 * update, one over a size limit, a notebook that is gone): sending it again would be refused again.
 */
const NOT_STORED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RNB_ERR_STORAGE', 'RNB_ERR_INTERNAL', 'RNB_ERR_SHUTTING_DOWN', 'RNB_ERR_TOO_MANY_REQUESTS', 'RNB_ERR_PLUGIN_TIMEOUT', 'RNB_ERR_UNAUTHORIZED',
]);
/** Refusals that say this user may not edit the notebook at all (any later update would be refused too). */
const NO_EDIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RNB_ERR_ROLE_FORBIDDEN', 'RNB_ERR_APP_READ_ONLY', 'RNB_ERR_NOTEBOOK_NOT_FOUND']);
/** Retries of an update that was not stored: 0.5 s, doubling, at most 10 s apart. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

type UpdateAnswer = { ok: true } | { error: { code: ErrorCode; message: string } };

const COLOURS = ['#d9480f', '#1971c2', '#2f9e44', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5f3dc4'];

function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

const GUEST_NAME_KEY = 'rnb:guest-name';

/**
 * The name this browser shows when the host knows none for its user: "Guest" and a number, kept in localStorage so
 * the same browser keeps the same name across reloads and notebooks (a new one per page without storage).
 */
export function browserGuestName(storage: Pick<Storage, 'getItem' | 'setItem'> | null = typeof localStorage === 'undefined' ? null : localStorage): string {
  try {
    const kept = storage?.getItem(GUEST_NAME_KEY);
    if (kept) return kept;
  } catch {
    // storage refused (privacy mode): a name for this page only
  }
  const name = `Guest ${Math.floor(Math.random() * 9000) + 1000}`;
  try {
    storage?.setItem(GUEST_NAME_KEY, name);
  } catch {
    // as above
  }
  return name;
}

/** Makes `text` hold `code`, replacing only the changed middle (other people's cursors outside it stay). */
export function replaceText(text: Y.Text, code: string): void {
  const current = text.toString();
  if (current === code) return;
  const change = middleChange(current, code);
  text.doc!.transact(() => {
    if (change.to > change.from) text.delete(change.from, change.to - change.from);
    if (change.insert) text.insert(change.from, change.insert);
  });
}

/**
 * The page's side of co-editing (docs/protocol.md, "Co-editing"): the notebook's Y.Doc (`cells`: cell id →
 * Y.Text), synced over the notebook's socket, and presence through y-protocols' awareness. Changes are sent
 * one message at a time (what piles up meanwhile is merged); after a lost connection the next `yjs_sync`
 * sends whatever the host lacks, so offline typing merges instead of conflicting.
 */
export class CoeditSession {
  readonly doc = new Y.Doc();
  readonly cells: Y.Map<Y.Text>;
  readonly awareness: Awareness;
  private socket: Socket | null = null;
  private pending: Uint8Array[] = [];
  private inFlight = false;
  private synced = false;
  private epoch: string | null = null;
  private readonly idle = new Set<() => void>();
  private readonly peerListeners = new Set<() => void>();
  private peerList: Peer[] = [];
  /** Cells typed into here whose text the host has not stored yet ("Saving…" / offline in the cell's badge). */
  private readonly unsaved = new Set<string>();
  private readonly unsavedListeners = new KeyedListeners();
  /** Per cell: its shared text changed (here or elsewhere), or the cell got a new one. */
  private readonly textListeners = new KeyedListeners();

  /**
   * What the host has of this document (every update it sent or acknowledged): a refused update is undone here by
   * making each cell's text read as it does there.
   */
  private stored = new Y.Doc();
  /** Set after a refusal that means this user may not edit: nothing is sent any more. */
  private editingRefused = false;
  /** The update in flight is the undoing of a refused one. */
  private undoingInFlight = false;
  private retryDelayMs = RETRY_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onRefused: (message: string) => void;

  /** `onRefused`: the host refused typing done here (it was undone here); tell the user, with the message. */
  constructor(user: { name: string; onRefused?: (message: string) => void }) {
    this.onRefused = user.onRefused ?? (() => undefined);
    this.cells = this.doc.getMap<Y.Text>('cells');
    this.awareness = new Awareness(this.doc);
    this.cells.observeDeep((events, transaction) => {
      for (const event of events) {
        if (event instanceof Y.YMapEvent && event.target === this.cells) for (const key of event.keysChanged) this.textListeners.notify(key);
        const changed = (event.target as Y.Text)._item?.parentSub;
        if (event.target instanceof Y.Text && typeof changed === 'string') this.textListeners.notify(changed);
      }
      if (transaction.origin === this) return;
      for (const event of events) {
        const id = (event.target as Y.Text)._item?.parentSub;
        if (event.target instanceof Y.Text && typeof id === 'string' && !this.unsaved.has(id)) {
          this.unsaved.add(id);
          this.unsavedListeners.notify(id);
        }
      }
    });
    const color = COLOURS[this.doc.clientID % COLOURS.length]!;
    this.awareness.setLocalStateField('user', { name: user.name, color, colorLight: `${color}33` } satisfies PresenceUser);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      this.pending.push(update);
      this.pump();
    });
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      if (origin === 'local' && this.socket?.connected && this.synced) {
        this.socket.emit('yjs_awareness', { update: encodeAwarenessUpdate(this.awareness, changed) });
      }
      // Someone new: tell them who is here (awareness is only sent on change).
      if (origin !== 'local' && added.length > 0 && this.socket?.connected) {
        this.socket.emit('yjs_awareness', { update: encodeAwarenessUpdate(this.awareness, [this.doc.clientID]) });
      }
      this.refreshPeers();
    });
  }

  /** Binds to the notebook's socket.io connection (its listeners survive reconnections). */
  attach(socket: Socket): void {
    this.socket = socket;
    socket.on('yjs_update', (payload: { update: ArrayBuffer | Uint8Array }) => {
      Y.applyUpdate(this.doc, new Uint8Array(payload.update), this);
      Y.applyUpdate(this.stored, new Uint8Array(payload.update));
      // An update that depends on one this page never got (lost with a dying instance): ask for what is missing.
      if (this.doc.store.pendingStructs || this.doc.store.pendingDs) this.resyncSoon();
    });
    socket.on('yjs_awareness', (payload: { update: ArrayBuffer | Uint8Array }) => applyAwarenessUpdate(this.awareness, new Uint8Array(payload.update), 'remote'));
    socket.on('disconnect', () => {
      this.synced = false;
      this.inFlight = false;
      this.pending = [];
      // The next sync sends whatever the host lacks, at once.
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.retryDelayMs = RETRY_FIRST_MS;
      // Others are gone from this page's view until the socket is back.
      removeAwarenessStates(this.awareness, [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID), 'remote');
    });
  }

  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private resyncSoon(): void {
    if (this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      if (this.synced) void this.sync();
    }, 200);
  }

  /** After every (re)connection and authentication: exchange state vectors. */
  async sync(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    try {
      const answer = (await socket.timeout(15_000).emitWithAck('yjs_sync', { state_vector: Y.encodeStateVector(this.doc) })) as
        | { ok: true; value: CoeditSyncValue }
        | { error: { message: string } };
      if (!('ok' in answer)) return;
      if (this.epoch !== null && answer.value.epoch !== this.epoch) {
        // The host rebuilt its document (its storage lost it): merging would duplicate cells' texts. Start over.
        this.restart();
      }
      this.epoch = answer.value.epoch;
      Y.applyUpdate(this.doc, new Uint8Array(answer.value.update), this);
      Y.applyUpdate(this.stored, new Uint8Array(answer.value.update));
      const missing = Y.encodeStateAsUpdate(this.doc, new Uint8Array(answer.value.state_vector));
      // Nothing the host lacks: nothing to send (a viewer's page sends nothing at all).
      this.pending = this.editingRefused || isEmptyUpdate(missing) ? [] : [missing];
      this.synced = true;
      this.pump();
      socket.emit('yjs_awareness', { update: encodeAwarenessUpdate(this.awareness, [this.doc.clientID]) });
    } catch {
      // Lost connection: the next `authenticated` syncs again.
    }
  }

  text(cellId: string): Y.Text | undefined {
    const text = this.cells.get(cellId);
    return text instanceof Y.Text ? text : undefined;
  }

  /**
   * Calls back after every change of the cell's shared text, whoever made it, and when the cell gets a new text
   * (a cell whose editor is not mounted shows its code without one, and must show others' edits too).
   */
  subscribeText = (cellId: string, listener: () => void): (() => void) => this.textListeners.subscribe(cellId, listener);

  /**
   * Calls back whenever the cell's entry gets a text: a new cell's text arriving from the host, or a new text under
   * the same id (a deleted cell restored by undo). Returns a stop function.
   */
  onTextChanged(cellId: string, callback: (text: Y.Text) => void): () => void {
    const observer = (event: Y.YMapEvent<Y.Text>): void => {
      if (!event.keysChanged.has(cellId)) return;
      const text = this.text(cellId);
      if (text) callback(text);
    };
    this.cells.observe(observer);
    return () => this.cells.unobserve(observer);
  }

  /** Resolves when the cell has its shared text (a new cell gets it from the host a moment after it is created), or after `timeoutMs`. */
  textReady(cellId: string, timeoutMs = 10_000): Promise<void> {
    if (this.text(cellId)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const stop = this.onTextChanged(cellId, done);
    });
  }

  /** Resolves once every local change is stored by the host (before a run, so the run sees the code). */
  acknowledged(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.isIdle()) return;
        this.idle.delete(check);
        resolve();
      };
      this.idle.add(check);
    });
  }

  /** The name others see beside this page's cursor (the signed-in user's, once known). */
  setName(name: string): void {
    const user = this.awareness.getLocalState()?.user as PresenceUser | undefined;
    if (user && user.name !== name) this.awareness.setLocalStateField('user', { ...user, name });
  }

  /** Where this page's cursor is, for the others' "which cell" list. */
  setCell(cellId: string | null): void {
    if (this.awareness.getLocalState()?.cell !== cellId) this.awareness.setLocalStateField('cell', cellId);
  }

  peers(): Peer[] {
    return this.peerList;
  }

  subscribePeers(listener: () => void): () => void {
    this.peerListeners.add(listener);
    return () => this.peerListeners.delete(listener);
  }

  /** The host refused an edit of this user's (a viewer's): nothing typed here is sent any more. */
  get refused(): boolean {
    return this.editingRefused;
  }

  destroy(): void {
    clearTimeout(this.resyncTimer);
    clearTimeout(this.retryTimer);
    this.stored.destroy();
    this.awareness.destroy();
    this.doc.destroy();
  }

  /** The cell has typing here that the host has not stored yet. */
  isUnsaved(cellId: string): boolean {
    return this.unsaved.has(cellId);
  }

  subscribeUnsaved = (cellId: string, listener: () => void): (() => void) => this.unsavedListeners.subscribe(cellId, listener);

  private isIdle(): boolean {
    return this.synced && !this.inFlight && this.pending.length === 0;
  }

  private restart(): void {
    this.doc.transact(() => {
      for (const key of [...this.cells.keys()]) this.cells.delete(key);
    }, this);
    this.stored.destroy();
    this.stored = new Y.Doc();
  }

  private refreshPeers(): void {
    const peers: Peer[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      const user = (state as { user?: PresenceUser }).user;
      if (clientId === this.doc.clientID || !user) continue;
      peers.push({ clientId, name: user.name, color: user.color, cellId: (state as { cell?: string | null }).cell ?? null });
    }
    this.peerList = peers;
    for (const listener of this.peerListeners) listener();
  }

  private pump(): void {
    const socket = this.socket;
    if (this.editingRefused) this.pending = [];
    if (!socket || this.inFlight || !this.synced || this.pending.length === 0 || this.retryTimer) {
      if (this.isIdle()) {
        // Everything typed here is stored.
        const stored = [...this.unsaved];
        this.unsaved.clear();
        for (const id of stored) this.unsavedListeners.notify(id);
        for (const check of [...this.idle]) check();
      }
      return;
    }
    const update = Y.mergeUpdates(this.pending.splice(0));
    this.inFlight = true;
    void socket
      .timeout(20_000)
      .emitWithAck('yjs_update', { update })
      .then((answer: UpdateAnswer) => answer, () => null) // null: no answer (timeout, lost connection)
      .then((answer) => {
        if (!this.inFlight) return; // disconnected meanwhile: the next sync sends it again
        this.inFlight = false;
        if (answer && 'ok' in answer) {
          Y.applyUpdate(this.stored, update);
          this.undoingInFlight = false;
          this.retryDelayMs = RETRY_FIRST_MS;
          this.pump();
        } else if (answer && !NOT_STORED_CODES.has(answer.error.code)) {
          this.refuse(answer.error);
        } else {
          // Not stored (its server died under it, a busy cluster): sent again after a while; applying twice is harmless.
          this.pending.unshift(update);
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.pump();
          }, this.retryDelayMs);
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
        }
      });
  }

  /**
   * The host refused an update: it is not sent again. What it changed is undone here (each cell's text made to read
   * as the host has it, locally only), and the user is told. A refusal of the role (a viewer's update) stops sending
   * for good; after another (an update over a size limit) typing goes on, and the undoing travels with the next update
   * (it deletes the refused text, so the host keeps nothing of it).
   */
  private refuse(error: { code: ErrorCode; message: string }): void {
    // The undoing itself refused too: stop rather than send it forever.
    const noEditing = NO_EDIT_CODES.has(error.code) || this.undoingInFlight;
    if (noEditing) this.editingRefused = true;
    const hostState = Y.encodeStateVector(this.stored);
    this.doc.transact(() => {
      for (const [cellId, text] of this.cells) {
        const hostText = this.stored.getMap<Y.Text>('cells').get(cellId);
        if (text instanceof Y.Text) replaceText(text, hostText instanceof Y.Text ? hostText.toString() : '');
      }
    }, this);
    // What the host lacks now: the refused items, deleted, and the texts as the host has them.
    const undoing = Y.encodeStateAsUpdate(this.doc, hostState);
    if (!noEditing && !isEmptyUpdate(undoing)) this.pending = [undoing];
    this.undoingInFlight = !noEditing;
    this.onRefused(
      noEditing
        ? `You can only view this notebook: your last changes were not saved and were undone here. (${error.message})`
        : `Your last changes were not saved and were undone here: ${error.message}`,
    );
    this.pump();
  }
}
