import { ApiError } from '../api/http';
import type { ErrorCode } from '../api/types';
import { KeyedListeners } from './signal';

/** `conflict`: the host holds code this draft did not start from; nothing is sent until the user decides. */
export type SaveState = 'saved' | 'pending' | 'saving' | 'offline' | 'conflict';

export const EDIT_CONFLICT: ErrorCode = 'RNB_ERR_EDIT_CONFLICT';

export interface DraftSaverOptions {
  /**
   * Sends one cell's code to the host. `baseCode` is the host's code the draft started from
   * (undefined when unknown): the host refuses the save when the cell holds something else now.
   */
  save(cellId: string, code: string, baseCode: string | undefined): Promise<void>;
  /** The host's code for a cell as this page knows it: the base of a draft that starts now. */
  hostCode?(cellId: string): string | undefined;
  /** The host refused a save because someone else changed the cell: `currentCode` is theirs. */
  onConflict?(cellId: string, currentCode: string | undefined): void;
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
  /** The host's code each draft started from (sent as `base_code`). */
  private readonly bases = new Map<string, string | undefined>();
  /** The code of the save on its way, per cell. */
  private readonly sending = new Map<string, string>();
  /** The last few codes this page saved, per cell: their events may come back late. */
  private readonly recent = new Map<string, string[]>();
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

  /** The host's code the cell's draft started from. */
  base(cellId: string): string | undefined {
    return this.bases.get(cellId);
  }

  /**
   * True when `code` is what this page's draft started from, is sending, or saved a moment ago:
   * its event coming back is not someone else's edit.
   */
  isOwn(cellId: string, code: string): boolean {
    return code === this.bases.get(cellId) || code === this.sending.get(cellId) || (this.recent.get(cellId)?.includes(code) ?? false);
  }

  state = (cellId: string): SaveState => this.states.get(cellId) ?? 'saved';

  /** Calls back when the cell's save state or its draft changes (a cell without an editor shows its draft). */
  subscribe = (cellId: string, listener: () => void): (() => void) => this.listeners.subscribe(cellId, listener);

  /** Records typed code and (re)starts the debounce timer. */
  edit(cellId: string, code: string): void {
    if (!this.drafts.has(cellId) && !this.bases.has(cellId)) this.bases.set(cellId, this.options.hostCode?.(cellId));
    this.drafts.set(cellId, code);
    if (this.state(cellId) === 'conflict') {
      this.store(cellId);
      return;
    }
    const before = this.state(cellId);
    if (before !== 'saving') this.setState(cellId, before === 'offline' ? 'offline' : 'pending');
    // The state did not change (a second edit before the save): the new draft is news all the same.
    if (this.state(cellId) === before) this.listeners.notify(cellId);
    this.restartTimer(cellId);
  }

  /**
   * The host now holds `code` for the cell (its event arrived). A draft equal to it is saved: the
   * badge must say what the host holds.
   */
  hostHas(cellId: string, code: string): void {
    if (this.drafts.get(cellId) !== code || this.sending.has(cellId) || this.state(cellId) === 'conflict') return;
    this.clearTimer(cellId);
    this.forget(cellId);
  }

  /** Stops saving a draft that conflicts with the host's code until `resolve` or `discard`. */
  holdConflict(cellId: string): void {
    if (!this.drafts.has(cellId)) return;
    this.clearTimer(cellId);
    this.store(cellId);
    this.setState(cellId, 'conflict');
  }

  /** "Keep mine": the draft now builds on `hostCode` (theirs, seen by the user) and is saved at once. */
  async resolve(cellId: string, hostCode: string): Promise<void> {
    this.bases.set(cellId, hostCode);
    if (this.state(cellId) === 'conflict') this.setState(cellId, 'pending');
    await this.flush(cellId);
  }

  /** A draft left in storage by an earlier page whose save never reached the host. */
  restore(cellId: string, serverCode: string): string | undefined {
    const stored = readStored(this.storage?.getItem(this.key(cellId)) ?? null);
    if (stored === null) return undefined;
    if (stored.code === serverCode) {
      this.storage?.removeItem(this.key(cellId));
      return undefined;
    }
    // The draft's own base: when the host moved on meanwhile, the save is refused as a conflict.
    this.bases.set(cellId, stored.base);
    this.edit(cellId, stored.code);
    return stored.code;
  }

  /** Saves a cell's draft now (before running it); resolves when the host has the code. */
  async flush(cellId: string): Promise<void> {
    this.clearTimer(cellId);
    const running = this.inFlight.get(cellId);
    if (running) await running;
    const code = this.drafts.get(cellId);
    if (code === undefined) return;
    if (this.state(cellId) === 'conflict') throw new ApiError(409, EDIT_CONFLICT, 'This cell has an edit conflict: keep your version or take theirs first.');
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
    this.forget(cellId);
  }

  dispose(): void {
    for (const id of [...this.timers.keys()]) this.clearTimer(id);
  }

  private async send(cellId: string, code: string): Promise<void> {
    this.setState(cellId, 'saving');
    this.sending.set(cellId, code);
    try {
      await this.options.save(cellId, code, this.bases.get(cellId));
    } catch (err) {
      if (err instanceof ApiError && err.isNetwork) {
        this.store(cellId);
        this.setState(cellId, 'offline');
        throw err;
      }
      if (err instanceof ApiError && err.code === EDIT_CONFLICT) {
        // Someone else saved first: the text stays here (and in storage) until the user decides.
        this.holdConflict(cellId);
        const current = err.details.current_code;
        this.options.onConflict?.(cellId, typeof current === 'string' ? current : undefined);
        throw err;
      }
      // The host refused the code (cell gone, body too large): keep typing possible, report it.
      this.forget(cellId);
      this.options.onError?.(cellId, err);
      throw err;
    } finally {
      this.sending.delete(cellId);
    }
    this.recent.set(cellId, [...(this.recent.get(cellId) ?? []).slice(-4), code]);
    if (this.state(cellId) === 'conflict') {
      // Someone else's edit arrived while this save was on its way: the user decides what follows.
      this.bases.set(cellId, code);
      return;
    }
    if (this.drafts.get(cellId) === code) {
      this.forget(cellId);
    } else {
      // The rest of the draft now builds on what was just saved.
      this.bases.set(cellId, code);
      // Typed while the save was on its way: the newer code goes out after the usual pause.
      this.setState(cellId, 'pending');
      this.restartTimer(cellId);
    }
  }

  private forget(cellId: string): void {
    this.drafts.delete(cellId);
    this.bases.delete(cellId);
    this.storage?.removeItem(this.key(cellId));
    this.setState(cellId, 'saved');
  }

  private store(cellId: string): void {
    const code = this.drafts.get(cellId);
    if (code !== undefined) this.storage?.setItem(this.key(cellId), JSON.stringify({ code, base: this.bases.get(cellId) ?? null }));
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

/** A stored draft: `{ code, base }`, or the bare code an older page stored. */
function readStored(raw: string | null): { code: string; base: string | undefined } | null {
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw) as { code?: unknown; base?: unknown };
    if (typeof parsed === 'object' && parsed !== null && typeof parsed.code === 'string') {
      return { code: parsed.code, base: typeof parsed.base === 'string' ? parsed.base : undefined };
    }
  } catch {
    // not JSON: an older page's bare code
  }
  return { code: raw, base: undefined };
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
