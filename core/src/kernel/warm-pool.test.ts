import { FIRST_WARMUP_GUESS_MS, FRESH_START_MS, WarmPool, type PoolMember } from './warm-pool';

const member = (spawnedAt: number, warmAt: number | null = null): PoolMember => ({ spawnedAt, warmAt });

describe('WarmPool', () => {
  it('hands out a warm process before one still loading', () => {
    const pool = new WarmPool<PoolMember>(2);
    const loading = member(1000);
    const warm = member(0, 900);
    const spawned = [loading, warm];
    pool.fill(() => spawned.shift()!);
    expect(pool.take(1100)).toBe(warm);
    expect(pool.length).toBe(1);
  });

  it('gives a notebook opened in the first second a fresh start, and one opened later the pool process still loading', () => {
    const pool = new WarmPool<PoolMember>(1);
    const first = member(0);
    pool.fill(() => first);
    expect(pool.take(100)).toBeUndefined();
    // A second into the start, its snapshot-restoring warm-up is expected to end before a fresh start would.
    expect(pool.take(FIRST_WARMUP_GUESS_MS - FRESH_START_MS)).toBe(first);
  });

  it('prefers a fresh start once warm-ups are known to take longer than one', () => {
    const pool = new WarmPool<PoolMember>(1);
    const slow = member(0);
    pool.fill(() => slow);
    pool.warmed(slow, 8000);
    expect(pool.expectedWarmupMs).toBe(8000);
    pool.take(8000);
    const next = member(10_000);
    pool.fill(() => next);
    expect(pool.take(10_100)).toBeUndefined();
    // Far enough into its warm-up, it is again the faster way.
    expect(pool.take(10_000 + 8000 - FRESH_START_MS)).toBe(next);
  });

  it('never learns a warm-up shorter than a fresh start, and forgets a process that exited', () => {
    const pool = new WarmPool<PoolMember>(1);
    const quick = member(0);
    pool.fill(() => quick);
    pool.warmed(quick, 10);
    expect(pool.expectedWarmupMs).toBe(FRESH_START_MS);
    pool.remove(quick);
    expect(pool.length).toBe(0);
    expect(pool.take()).toBeUndefined();
  });
});
