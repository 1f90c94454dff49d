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
 * Holds items until the next frame, then hands them over in arrival order, all in one call. A
 * cascade sends hundreds of socket events within milliseconds (status, output, status for each
 * cell); applied one by one, each would be its own React render; applied together once per
 * frame, React renders once per frame, each touched cell once.
 */
export class EventBatcher<T> {
  private queued: T[] = [];
  private cancel: (() => void) | null = null;

  /** `schedule` null: no batching, each item is handed over as it is pushed. */
  constructor(
    private readonly apply: (items: readonly T[]) => void,
    private readonly schedule: FrameScheduler | null,
  ) {}

  push(item: T): void {
    if (!this.schedule) {
      this.apply([item]);
      return;
    }
    this.queued.push(item);
    this.cancel ??= this.schedule(() => {
      this.cancel = null;
      this.flush();
    });
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
