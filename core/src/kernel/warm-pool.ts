/**
 * The warm pool: kernel processes started ahead of need, so a new owner's first notebook does not wait for a process
 * and a Python worker to start. A pool process says when its spare worker has every language loaded (`warm`); until
 * then a notebook takes it only if it should be ready sooner than a fresh process started for that notebook.
 */

/** What the pool needs to know of a process it holds. */
export interface PoolMember {
  /** When the process was spawned (Date.now()). */
  spawnedAt: number;
  /** When its spare worker reported every language loaded; null while it is still loading. */
  warmAt: number | null;
}

/**
 * About how long a fresh process takes to a notebook's first result: a kernel process, then a worker restoring the
 * Pyodide snapshot (about 1.1 s on an idle machine, bench/cold-start.js).
 */
export const FRESH_START_MS = 1500;
/**
 * How long a pool process takes to warm up before one has said: the process, then its spare worker restoring the
 * Pyodide snapshot and loading every other language (pool workers used to load Pyodide from scratch: about 5 s). A
 * notebook opened in the first second after the server started gets a fresh process (the pool's has most of its
 * work ahead of it, and may be stuck on a language the notebook does not use); one opened later takes the pool's.
 */
export const FIRST_WARMUP_GUESS_MS = 2500;
/** One slow warm-up (a loaded machine) is not the rule: what is learned stays within these bounds. */
const MAX_WARMUP_MS = 60_000;

export class WarmPool<T extends PoolMember> {
  private readonly members: T[] = [];
  /** How long a pool process takes to become warm, learned from the last one that did. */
  private warmupMs = FIRST_WARMUP_GUESS_MS;

  constructor(private readonly size: number) {}

  get length(): number {
    return this.members.length;
  }

  /** Every process in the pool (for memory checks, pings and shutdown). */
  all(): readonly T[] {
    return this.members;
  }

  /** The expected wait for the pool's next process to become warm (what the manager compares a fresh start with). */
  get expectedWarmupMs(): number {
    return this.warmupMs;
  }

  /** Spawns processes until the pool holds its size. */
  fill(spawn: () => T): void {
    while (this.members.length < this.size) this.members.push(spawn());
  }

  /**
   * A warm process if one is ready; one still warming up only if it should be ready sooner than a fresh start would
   * be (`now` - its spawn time against what warm-ups took so far); otherwise undefined: start a fresh process.
   */
  take(now = Date.now()): T | undefined {
    let best = -1;
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[i]!;
      if (member.warmAt !== null) {
        best = i;
        break;
      }
      const expectedLeft = this.warmupMs - (now - member.spawnedAt);
      if (expectedLeft <= FRESH_START_MS && best < 0) best = i;
    }
    return best < 0 ? undefined : this.members.splice(best, 1)[0];
  }

  /** A member said it is warm: remember how long that took, for the next decisions. */
  warmed(member: T, now = Date.now()): void {
    member.warmAt = now;
    this.warmupMs = Math.min(MAX_WARMUP_MS, Math.max(FRESH_START_MS, now - member.spawnedAt));
  }

  /** A member went away (its process exited). */
  remove(member: T): void {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
  }

  /** Empties the pool, returning what it held (shutdown). */
  drain(): T[] {
    return this.members.splice(0, this.members.length);
  }
}
