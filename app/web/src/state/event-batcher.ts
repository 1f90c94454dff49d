/** Calls `flush` once, later; returns a function that cancels the call. */
export type FrameScheduler = (flush: () => void) => () => void;

/** How long a batch may wait when the browser draws no frames (a hidden tab). */
const HIDDEN_TAB_FLUSH_MS = 100;

/**
 * The next animation frame, or {@link HIDDEN_TAB_FLUSH_MS} later when frames stop (a hidden tab):
 * events must still reach the model there, only not one by one. Without `requestAnimationFrame`
 * (Node) there is no frame to wait for: null, and events apply as they come.
 */
export function nextFrame(): FrameScheduler | null {
  if (typeof requestAnimationFrame !== 'function') return null;
  return (flush) => {
    let done = false;
    const cancel = (): void => {
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
    const once = (): void => {
      if (done) return;
      cancel();
      flush();
    };
    const frame = requestAnimationFrame(once);
    const timer = setTimeout(once, HIDDEN_TAB_FLUSH_MS);
    return cancel;
  };
}

/**
 * When a batch goes out before its frame: an item the user is waiting for (the end of a run: a reader's new output
 * after a widget move) is applied as it arrives, with whatever came before it, instead of up to a frame later, and
 * the render then lands in the very next paint instead of the one after. A flood (a 250-cell cascade) stays batched:
 * once more than `floodItems` items arrived within `floodWindowMs`, everything waits for its frame. Measured by arrival
 * rate, not by time since the last batch: on a loaded machine a render can take longer than a frame, and a first rule
 * that only kept early batches 16 ms apart let a cascade go out a cell or two at a time (page-profile 250
 * time-cascade: 2.9 to 5.8 s against 0.3 to 2.0 s, paired).
 */
export interface EarlyFlush<T> {
  /** Whether this item completes something the user waits for. */
  isUrgent(item: T): boolean;
  /** More items than this within `floodWindowMs` is a flood: batched per frame. */
  floodItems: number;
  floodWindowMs: number;
  /** The clock (tests pass their own). */
  now(): number;
}

/**
 * Holds items until the next frame, then hands them over in arrival order, all in one call. A
 * cascade sends hundreds of socket events within milliseconds (status, output, status for each
 * cell); applied one by one, each would be its own React render; applied together once per
 * frame, React renders once per frame, each touched cell once. An {@link EarlyFlush} rule lets a
 * small batch that ends with an urgent item go at once.
 */
export class EventBatcher<T> {
  private queued: T[] = [];
  private cancel: (() => void) | null = null;
  /** Arrival times of the latest items (at most `floodItems + 1`), to tell a flood from a handful. */
  private readonly arrivals: number[] = [];

  /** `schedule` null: no batching, each item is handed over as it is pushed. */
  constructor(
    private readonly apply: (items: readonly T[]) => void,
    private readonly schedule: FrameScheduler | null,
    private readonly early: EarlyFlush<T> | null = null,
  ) {}

  push(item: T): void {
    if (!this.schedule) {
      this.apply([item]);
      return;
    }
    this.queued.push(item);
    if (this.goesEarly(item)) {
      this.flush();
      return;
    }
    this.cancel ??= this.schedule(() => {
      this.cancel = null;
      this.flush();
    });
  }

  private goesEarly(item: T): boolean {
    const early = this.early;
    if (!early) return false;
    const now = early.now();
    this.arrivals.push(now);
    if (this.arrivals.length > early.floodItems + 1) this.arrivals.shift();
    const flood = this.arrivals.length > early.floodItems && now - this.arrivals[0]! < early.floodWindowMs;
    return !flood && early.isUrgent(item);
  }

  /** Hands over everything queued now (at a frame, or before something that must come after it). */
  flush(): void {
    this.cancel?.();
    this.cancel = null;
    const items = this.queued;
    if (items.length === 0) return;
    this.queued = [];
    this.apply(items);
  }

  get pending(): number {
    return this.queued.length;
  }

  /** Drops what is queued (the page is closing). */
  dispose(): void {
    this.cancel?.();
    this.cancel = null;
    this.queued = [];
  }
}
