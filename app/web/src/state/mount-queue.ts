import type { UpdateScheduler } from './background-updates';

/**
 * Editors to build, one per task, nearest the screen first. A jump to the end of a long notebook brings a screen and a
 * half of cells near at once; building all their CodeMirror views in one task kept the page from answering a click or a
 * key for about a second. Each cell shows its code (a static copy) meanwhile, and a cell that is clicked or focused
 * builds its editor at once, outside this queue.
 */
export class MountQueue {
  private readonly waiting = new Map<() => void, number>();
  private scheduled = false;

  constructor(private readonly scheduler: Pick<UpdateScheduler, 'later'>) {}

  /** Runs `mount` in a later task of its own; `distance` (px from the viewport, 0 in view) orders the waiting ones. */
  add(mount: () => void, distance: number): void {
    this.waiting.set(mount, distance);
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.later(this.next);
  }

  /** Forgets `mount` (its cell left the page or mounted another way). */
  cancel(mount: () => void): void {
    this.waiting.delete(mount);
  }

  get size(): number {
    return this.waiting.size;
  }

  private readonly next = (): void => {
    this.scheduled = false;
    let nearest: (() => void) | null = null;
    let best = Infinity;
    for (const [mount, distance] of this.waiting) {
      if (distance < best) {
        best = distance;
        nearest = mount;
      }
    }
    if (!nearest) return;
    this.waiting.delete(nearest);
    if (this.waiting.size > 0) {
      this.scheduled = true;
      this.scheduler.later(this.next);
    }
    nearest();
  };
}
