/** When a task runs later, and the clock its time budget is read from. */
export interface UpdateScheduler {
  now(): number;
  later(task: () => void): void;
  /** How long (ms) spare time is away: someone is typing. 0 or absent: now. */
  holdFor?(): number;
  /** Runs `task` after `ms` (with `holdFor`). */
  after?(ms: number, task: () => void): void;
}

/**
 * Re-renders of cells far from the screen, run in spare time: in slices of at most `budgetMs` each, one task per
 * slice, so that keys, clicks and the cells in view go in between. A cascade of 1,000 cells changes every cell a few
 * times; rendering all of them at each frame kept the page busy for seconds (typing waited as long). `apply` runs a
 * batch of updates as one render (React's flushSync: committed before the slice ends). A cell's updates
 * that pile up while it waits coalesce into one render, and a cell coming into view gets its render at once.
 */
const MAX_BATCH = 256;

export class BackgroundUpdates {
  private readonly pending = new Set<() => void>();
  private scheduled = false;
  /** How many updates one render takes; grows while renders stay well within the budget. */
  private batchSize = 4;

  constructor(
    private readonly apply: (batch: () => void) => void,
    private readonly scheduler: UpdateScheduler,
    private readonly budgetMs = 5,
  ) {}

  /** Runs `update` in spare time (once, however often it is deferred before then). */
  defer(update: () => void): void {
    this.pending.add(update);
    this.schedule();
  }

  /** Runs `update` now if it is waiting (its cell came into view); nothing otherwise. */
  flush(update: () => void): void {
    if (this.pending.delete(update)) this.apply(update);
  }

  /** Forgets `update` (its cell left the page). */
  cancel(update: () => void): void {
    this.pending.delete(update);
  }

  get waiting(): number {
    return this.pending.size;
  }

  private schedule(): void {
    if (this.scheduled || this.pending.size === 0) return;
    this.scheduled = true;
    this.scheduler.later(this.drain);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    // Keys first: while someone types, far cells wait (each render of them costs the frame a key waits for).
    const hold = this.scheduler.holdFor?.() ?? 0;
    if (hold > 0 && this.scheduler.after && this.pending.size > 0) {
      this.scheduled = true;
      this.scheduler.after(hold, this.drain);
      return;
    }
    const start = this.scheduler.now();
    while (this.pending.size > 0 && this.scheduler.now() - start < this.budgetMs && !((this.scheduler.holdFor?.() ?? 0) > 0)) {
      const batch = [...this.take(this.batchSize)];
      const before = this.scheduler.now();
      this.apply(() => batch.forEach((update) => update()));
      // Batches sized to the budget: one render of many cells costs far less than many renders of one (each walks
      // the list of cells from its top).
      const took = this.scheduler.now() - before;
      if (took < this.budgetMs / 4) this.batchSize = Math.min(this.batchSize * 2, MAX_BATCH);
      else if (took > this.budgetMs) this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
    }
    this.schedule();
  };

  private *take(count: number): Generator<() => void> {
    for (const update of this.pending) {
      if (count-- <= 0) return;
      this.pending.delete(update);
      yield update;
    }
  }
}
