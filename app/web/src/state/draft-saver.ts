import { ApiError } from '../api/http';
import { KeyedListeners } from './signal';

export type SaveState = 'saved' | 'pending' | 'saving' | 'offline';

export interface DraftSaverOptions {
  /** Sends one cell's code to the host. */
  save(cellId: string, code: string): Promise<void>;
  /** Quiet time after the last keystroke before saving. */
  delayMs?: number;
  /** Keeps unsaved code across a reload while the host is unreachable; `null` to disable. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Namespaces the storage keys (the notebook id). */
  scope: string;
  /** Told when a save fails for another reason than the network (e.g. the cell was deleted). */
  onError?(cellId: string, error: unknown): void;
}

/**
 * Debounced autosave of cell code. Typed code lives here, not in React state, until the host has
 * it: a lost connection keeps the draft (and a copy in localStorage) and `flushAll` sends it once
 * the socket is back. Per keystroke nothing but a timer changes, so typing re-renders nothing.
 */
export class DraftSaver {
  private readonly drafts = new Map<string, string>();
  private readonly states = new Map<string, SaveState>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new KeyedListeners();
  private readonly delayMs: number;
  private readonly storage: DraftSaverOptions['storage'];

  constructor(private readonly options: DraftSaverOptions) {
    this.delayMs = options.delayMs ?? 400;
    this.storage = options.storage === undefined ? safeLocalStorage() : options.storage;
  }

  /** Unsaved code for a cell, if any. */
  draft(cellId: string): string | undefined {
    return this.drafts.get(cellId);
  }

  state = (cellId: string): SaveState => this.states.get(cellId) ?? 'saved';

  subscribe = (cellId: string, listener: () => void): (() => void) => this.listeners.subscribe(cellId, listener);

  /** Records typed code and (re)starts the debounce timer. */
  edit(cellId: string, code: string): void {
    this.drafts.set(cellId, code);
    if (this.state(cellId) !== 'saving') this.setState(cellId, this.state(cellId) === 'offline' ? 'offline' : 'pending');
    this.restartTimer(cellId);
  }

  /** A draft left in storage by an earlier page whose save never reached the host. */
  restore(cellId: string, serverCode: string): string | undefined {
    const stored = this.storage?.getItem(this.key(cellId)) ?? null;
    if (stored === null) return undefined;
    if (stored === serverCode) {
      this.storage?.removeItem(this.key(cellId));
      return undefined;
    }
    this.edit(cellId, stored);
    return stored;
  }

  /** Saves a cell's draft now (before running it); resolves when the host has the code. */
  async flush(cellId: string): Promise<void> {
    this.clearTimer(cellId);
    const running = this.inFlight.get(cellId);
    if (running) await running;
    const code = this.drafts.get(cellId);
    if (code === undefined) return;
    const attempt = this.send(cellId, code);
    this.inFlight.set(cellId, attempt);
    try {
      await attempt;
    } finally {
      if (this.inFlight.get(cellId) === attempt) this.inFlight.delete(cellId);
    }
  }

  /** Sends every draft; called when the connection comes back. Failures stay drafts. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.drafts.keys()].map((id) => this.flush(id).catch(() => undefined)));
  }

  /** Forgets a cell's draft (the cell was deleted). */
  discard(cellId: string): void {
    this.clearTimer(cellId);
    this.drafts.delete(cellId);
    this.storage?.removeItem(this.key(cellId));
    this.setState(cellId, 'saved');
  }

  dispose(): void {
    for (const id of [...this.timers.keys()]) this.clearTimer(id);
  }

  private async send(cellId: string, code: string): Promise<void> {
    this.setState(cellId, 'saving');
    try {
      await this.options.save(cellId, code);
    } catch (err) {
      if (err instanceof ApiError && err.isNetwork) {
        this.storage?.setItem(this.key(cellId), this.drafts.get(cellId) ?? code);
        this.setState(cellId, 'offline');
        throw err;
      }
      // The host refused the code (cell gone, body too large): keep typing possible, report it.
      this.drafts.delete(cellId);
      this.storage?.removeItem(this.key(cellId));
      this.setState(cellId, 'saved');
      this.options.onError?.(cellId, err);
      throw err;
    }
    if (this.drafts.get(cellId) === code) {
      this.drafts.delete(cellId);
      this.storage?.removeItem(this.key(cellId));
      this.setState(cellId, 'saved');
    } else {
      // Typed while the save was on its way: the newer code goes out after the usual pause.
      this.setState(cellId, 'pending');
      this.restartTimer(cellId);
    }
  }

  private restartTimer(cellId: string): void {
    this.clearTimer(cellId);
    this.timers.set(
      cellId,
      setTimeout(() => {
        this.timers.delete(cellId);
        this.flush(cellId).catch(() => undefined);
      }, this.delayMs),
    );
  }

  private clearTimer(cellId: string): void {
    const timer = this.timers.get(cellId);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(cellId);
  }

  private setState(cellId: string, state: SaveState): void {
    if (this.state(cellId) === state) return;
    if (state === 'saved') this.states.delete(cellId);
    else this.states.set(cellId, state);
    this.listeners.notify(cellId);
  }

  private key(cellId: string): string {
    return `rnb:draft:${this.options.scope}:${cellId}`;
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
