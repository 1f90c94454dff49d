import type { Logger } from '../logger';
import type { RedisClient } from './redis-connection';

/**
 * Who ran the notebook before a new owner got it: nobody (first use), an
 * instance that let go cleanly (idle, shutdown), or one whose lease ran out
 * (it died or lost Redis). The last two mean clients must hear `kernel_restarted`.
 */
export type PriorOwner = 'none' | 'released' | 'expired';

export type AcquireResult = { acquired: true; fence: number; prior: PriorOwner } | { acquired: false; holder: string; ttlMs: number };

interface Held {
  fence: number;
  value: string;
  /** Until then the lease is ours for sure: the renewal was sent before Redis started counting its expiry. */
  validUntil: number;
}

// KEYS: lease, fence, released. ARGV: instance id, ttl ms, keep ms.
// Atomic: the lease is taken only when free, and the fencing number grows with every new owner.
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current, redis.call('PTTL', KEYS[1])} end
local fence = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local value = ARGV[1] .. '|' .. fence
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
local prior = 'none'
if fence > 1 then
  if redis.call('GET', KEYS[3]) == tostring(fence - 1) then prior = 'released' else prior = 'expired' end
end
return {1, value, prior}
`;

// KEYS: lease, fence. ARGV: our value, ttl ms, our fence, keep ms.
// Renews our lease. A missing key is ours again only if nobody took the notebook since
// (the fencing number has not moved): that is how a Redis restarted without its data is ridden out.
const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if current then return 0 end
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if fence > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

// KEYS: lease, released. ARGV: our value, our fence, keep ms. Never deletes another owner's lease.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/** Fencing numbers and release marks outlive any owner by far, then go. */
const KEEP_MS = 30 * 24 * 3600 * 1000;

export interface RedisLeasesOptions {
  redis: RedisClient;
  instanceId: string;
  ttlMs: number;
  log: Logger;
  /** The lease of a notebook we held is gone (another instance has it, or it could not be renewed in time). */
  onLost: (notebookId: string, reason: string) => void;
  keyPrefix?: string;
}

/**
 * Kernel ownership: one lease per notebook in Redis, taken atomically with an
 * expiry, renewed every third of it, released on idle and shutdown, and
 * numbered by a fencing counter that grows with each new owner.
 */
export class RedisLeases {
  private readonly held = new Map<string, Held>();
  private readonly timer: NodeJS.Timeout;
  private readonly prefix: string;
  private renewing = false;

  constructor(private readonly options: RedisLeasesOptions) {
    this.prefix = options.keyPrefix ?? 'rnb:';
    this.timer = setInterval(() => void this.renewAll(), Math.max(50, Math.floor(options.ttlMs / 3)));
    this.timer.unref();
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** Notebooks whose lease this instance holds. */
  heldNotebooks(): string[] {
    return [...this.held.keys()];
  }

  /** Our fencing number for the notebook while the lease is surely ours, else undefined. */
  fence(notebookId: string): number | undefined {
    const held = this.held.get(notebookId);
    return held && Date.now() < held.validUntil ? held.fence : undefined;
  }

  isHeld(notebookId: string): boolean {
    return this.fence(notebookId) !== undefined;
  }

  /**
   * Whether the lease is ours as far as we know: not released and not found
   * lost at a renewal, though a renewal may be late (a stalled event loop).
   * Good enough to publish events by; saves and taking commands need isHeld.
   */
  believesHeld(notebookId: string): boolean {
    return this.held.has(notebookId);
  }

  async acquire(notebookId: string): Promise<AcquireResult> {
    const sent = Date.now();
    const reply = (await this.options.redis.eval(ACQUIRE, {
      keys: [this.key('lease', notebookId), this.key('fence', notebookId), this.key('released', notebookId)],
      arguments: [this.options.instanceId, String(this.options.ttlMs), String(KEEP_MS)],
    })) as [number, string, string | number];
    const [ok, value, extra] = reply;
    if (ok !== 1) return { acquired: false, holder: value.slice(0, value.lastIndexOf('|')), ttlMs: Number(extra) };
    const fence = Number(value.slice(value.lastIndexOf('|') + 1));
    this.held.set(notebookId, { fence, value, validUntil: sent + this.validity() });
    return { acquired: true, fence, prior: extra as PriorOwner };
  }

  /** The instance holding the notebook's lease and for how long still, or null when free. */
  async holder(notebookId: string): Promise<{ holder: string; ttlMs: number } | null> {
    const key = this.key('lease', notebookId);
    const [value, ttl] = await Promise.all([this.options.redis.get(key), this.options.redis.pTTL(key)]);
    if (value === null) return null;
    return { holder: value.slice(0, value.lastIndexOf('|')), ttlMs: Number(ttl) };
  }

  /** Lets go of a lease we hold (no-op otherwise); the next owner learns it was a clean release. */
  async release(notebookId: string): Promise<void> {
    const held = this.held.get(notebookId);
    if (!held) return;
    this.held.delete(notebookId);
    try {
      await this.options.redis.eval(RELEASE, {
        keys: [this.key('lease', notebookId), this.key('released', notebookId)],
        arguments: [held.value, String(held.fence), String(KEEP_MS)],
      });
    } catch (error) {
      // Redis is away: the lease expires by itself within ttlMs.
      this.options.log.warn('lease release failed', { notebook: notebookId, error: (error as Error)?.message });
    }
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.release(id)));
  }

  /** Stops renewing (shutdown: leases are released or left to expire). */
  stop(): void {
    clearInterval(this.timer);
  }

  private async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      await Promise.all([...this.held.entries()].map(([id, held]) => this.renew(id, held)));
    } finally {
      this.renewing = false;
    }
  }

  private async renew(notebookId: string, held: Held): Promise<void> {
    const sent = Date.now();
    let kept: boolean;
    try {
      const reply = await this.options.redis.eval(RENEW, {
        keys: [this.key('lease', notebookId), this.key('fence', notebookId)],
        arguments: [held.value, String(this.options.ttlMs), String(held.fence), String(KEEP_MS)],
      });
      kept = reply === 1;
    } catch (error) {
      // Not reachable right now: keep trying while the lease may still be ours.
      if (Date.now() < held.validUntil) return;
      kept = false;
      this.options.log.warn('lease could not be renewed in time', { notebook: notebookId, error: (error as Error)?.message });
    }
    if (this.held.get(notebookId) !== held) return; // released meanwhile
    if (kept) {
      held.validUntil = sent + this.validity();
      return;
    }
    this.held.delete(notebookId);
    this.options.log.warn('lease lost', { notebook: notebookId, fence: held.fence });
    this.options.onLost(notebookId, 'this instance lost the notebook to another one');
  }

  /** A margin under the TTL for clock drift and the time the reply takes. */
  private validity(): number {
    return this.options.ttlMs - Math.min(1000, Math.floor(this.options.ttlMs / 5));
  }

  private key(kind: string, notebookId: string): string {
    return `${this.prefix}${kind}:${notebookId}`;
  }
}
