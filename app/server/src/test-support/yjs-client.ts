import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';

export interface YjsClientOptions {
  url: string;
  /** socket.io path, e.g. `/socket.io`. */
  path?: string;
  notebookId: string;
  token?: string;
  /** Reconnect by itself after a lost connection (default true). */
  reconnection?: boolean;
}

/**
 * The co-editing protocol's client side over a real socket.io connection and a real Y.Doc (docs/protocol.md,
 * "Co-editing"): `yjs_sync` on every (re)connection, local changes sent as `yjs_update` one message at a time
 * (what piles up meanwhile is merged), the host's `yjs_update` applied. Nothing is lost on a lost connection:
 * the next sync sends whatever the host's state vector lacks.
 */
export class YjsSocketClient {
  readonly doc = new Y.Doc();
  readonly cells: Y.Map<Y.Text>;
  socket: Socket;
  epoch: string | null = null;
  private pending: Uint8Array[] = [];
  private inFlight = false;
  private synced = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: YjsClientOptions) {
    this.cells = this.doc.getMap<Y.Text>('cells');
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      this.pending.push(update);
      this.pump();
    });
    this.socket = this.connect(options.url);
  }

  /** Moves to another instance (its own died), keeping the document: the sync there sends what it lacks. */
  moveTo(url: string): void {
    this.socket.removeAllListeners();
    this.socket.close();
    this.synced = false;
    this.inFlight = false;
    this.pending = [];
    this.socket = this.connect(url);
  }

  private connect(url: string): Socket {
    const options = this.options;
    const socket = io(url, {
      path: options.path ?? '/socket.io',
      auth: { notebookId: options.notebookId, ...(options.token ? { token: options.token } : {}) },
      transports: ['websocket'],
      reconnection: options.reconnection ?? true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 500,
      forceNew: true,
    });
    socket.on('yjs_update', (payload: { update: ArrayBuffer | Uint8Array }) => {
      Y.applyUpdate(this.doc, new Uint8Array(payload.update), this);
      // An update that depends on one this client never got (lost with a dying instance): ask for what is missing.
      if (this.doc.store.pendingStructs || this.doc.store.pendingDs) this.resyncSoon();
    });
    socket.on('authenticated', () => void this.sync());
    socket.on('disconnect', () => {
      // The next sync's diff carries all of it.
      this.synced = false;
      this.inFlight = false;
      this.pending = [];
    });
    return socket;
  }

  /** Resolves once the first sync is done. */
  ready(timeoutMs = 15_000): Promise<void> {
    return this.until(() => this.synced, timeoutMs, 'the first sync');
  }

  text(cellId: string): string | undefined {
    return this.cells.get(cellId)?.toString();
  }

  /** Inserts at `index` of the cell's text (clamped), as a keystroke would. */
  type(cellId: string, index: number, chars: string): boolean {
    const text = this.cells.get(cellId);
    if (!(text instanceof Y.Text)) return false;
    text.insert(Math.max(0, Math.min(index, text.length)), chars);
    return true;
  }

  /** Resolves when every local change has been acknowledged (stored by the host). */
  acknowledged(timeoutMs = 20_000): Promise<void> {
    return this.until(() => this.synced && !this.inFlight && this.pending.length === 0, timeoutMs, 'acknowledgements');
  }

  /** Resolves when `check` holds, checked after every change of the document. */
  until(check: () => boolean, timeoutMs = 15_000, what = 'a condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.doc.off('update', waiter);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.doc.off('update', waiter);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.doc.on('update', waiter);
      this.idleWaiters.push(waiter);
    });
  }

  close(): void {
    clearTimeout(this.resyncTimer);
    this.socket.close();
    this.doc.destroy();
  }

  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private resyncSoon(): void {
    if (this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      if (this.synced) void this.sync();
    }, 100);
  }

  private async sync(): Promise<void> {
    try {
      const answer = (await this.socket.timeout(15_000).emitWithAck('yjs_sync', { state_vector: Y.encodeStateVector(this.doc) })) as
        | { ok: true; value: { update: Uint8Array; state_vector: Uint8Array; epoch: string } }
        | { error: { message: string } };
      if (!('ok' in answer)) throw new Error(answer.error.message);
      this.epoch = answer.value.epoch;
      Y.applyUpdate(this.doc, new Uint8Array(answer.value.update), this);
      const missing = Y.encodeStateAsUpdate(this.doc, new Uint8Array(answer.value.state_vector));
      this.pending = [missing];
      this.synced = true;
      this.pump();
    } catch {
      // A lost connection: the next `authenticated` syncs again.
    }
  }

  private pump(): void {
    if (this.inFlight || !this.synced || this.pending.length === 0) {
      this.notifyIdle();
      return;
    }
    const update = Y.mergeUpdates(this.pending.splice(0));
    this.inFlight = true;
    const socket = this.socket;
    socket
      .timeout(20_000)
      .emitWithAck('yjs_update', { update })
      .then((answer: { ok?: true; error?: { message: string } }) => {
        if (answer.error) throw new Error(answer.error.message);
        return true;
      })
      .catch(() => false)
      .then((stored) => {
        if (!this.inFlight || socket !== this.socket) return; // disconnected meanwhile: the next sync covers it
        this.inFlight = false;
        if (stored) this.pump();
        else {
          // Not stored (the owner died under it, a busy cluster): sent again, applying twice is harmless.
          this.pending.unshift(update);
          setTimeout(() => this.pump(), 200);
        }
      });
  }

  private notifyIdle(): void {
    for (const waiter of [...this.idleWaiters]) waiter();
  }
}
