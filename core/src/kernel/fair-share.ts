/**
 * Who gets a kernel slot when the server is full: a pure decision, so the
 * policy is tested as a table of cases without processes or clocks.
 *
 * A user's fair share is the server's slots divided by the users holding
 * kernels (the one asking included), at least one. A user under their share
 * takes a slot from a user over theirs (an idle kernel first, a running one
 * if need be), never from a user under it; a user at their share reuses the
 * slot of one of their own idle kernels. "Busy" is the answer only when
 * every share is really in use.
 */

/** One live (or opening) kernel as the policy sees it. */
export interface Slot {
  owner: string;
  /** Running a cell, or still opening: evicting it would cost more than values. */
  busy: boolean;
  /** When it last did anything (ms, any monotonic clock): the least recently used goes first. */
  lastUsed: number;
}

export interface SlotRequest<T extends Slot> {
  owner: string;
  /** Every live kernel of the server, the asker's included. */
  slots: readonly T[];
  /** Kernels this server keeps live at most (MAX_KERNELS). */
  maxSlots: number;
  /** Kernels one user may hold at most (MAX_KERNELS_PER_USER); at most `maxSlots`. */
  maxSlotsPerOwner: number;
}

export type SlotDecision<T extends Slot> =
  | { kind: 'admit' }
  /** Close `victim` (its user is told `reason`), then admit. */
  | { kind: 'evict'; victim: T; reason: string }
  /** No slot can fairly be had: `message` tells the asker why and what to do. */
  | { kind: 'refuse'; message: string };

export const MAKE_ROOM_REASON = 'the kernel was shut down to make room for another notebook';

export function decideSlot<T extends Slot>(request: SlotRequest<T>): SlotDecision<T> {
  const { owner, slots, maxSlots } = request;
  const perOwner = Math.max(1, Math.min(request.maxSlotsPerOwner, maxSlots));
  const counts = countByOwner(slots);
  const mine = counts.get(owner) ?? 0;
  const ownIdle = leastRecentlyUsed(slots.filter((s) => s.owner === owner && !s.busy));

  if (perOwner < maxSlots && mine >= perOwner) {
    if (ownIdle) return { kind: 'evict', victim: ownIdle, reason: `${MAKE_ROOM_REASON} of yours (a user may run ${perOwner} at once on this server)` };
    return {
      kind: 'refuse',
      message: `You are running ${mine} notebook kernels, the most one user may run at once on this server, all busy: wait for a cell to finish or interrupt one, then try again.`,
    };
  }
  if (slots.length < maxSlots) return { kind: 'admit' };

  counts.set(owner, mine);
  const share = Math.max(1, Math.floor(maxSlots / counts.size));
  if (mine >= share) {
    if (ownIdle) return { kind: 'evict', victim: ownIdle, reason: MAKE_ROOM_REASON };
    if (counts.size === 1) {
      return { kind: 'refuse', message: `This server is running its maximum of ${maxSlots} notebook kernels, all busy: try again in a moment.` };
    }
    return {
      kind: 'refuse',
      message:
        `This server is running its maximum of ${maxSlots} notebook kernels, shared by ${counts.size} users; your ${mine} ` +
        `(your fair share is ${share}) are all busy: wait for a cell to finish or interrupt one, then try again.`,
    };
  }

  // Under their share: take from the user furthest over theirs, an idle kernel before a running one.
  let heaviest: string | undefined;
  for (const [other, count] of counts) {
    if (other !== owner && count > share && (heaviest === undefined || count > counts.get(heaviest)!)) heaviest = other;
  }
  if (heaviest !== undefined) {
    const theirs = slots.filter((s) => s.owner === heaviest);
    const idle = leastRecentlyUsed(theirs.filter((s) => !s.busy));
    const victim = idle ?? leastRecentlyUsed(theirs)!;
    const held = counts.get(heaviest)!;
    return {
      kind: 'evict',
      victim,
      reason:
        `the kernel was shut down${victim.busy ? ' while it ran' : ''} to give another user their fair share of this server: ` +
        `you held ${held} of its ${maxSlots} notebook kernels, over your share of ${share}`,
    };
  }
  // More users than slots, each holding one: an idle kernel may change hands, a running one may not.
  const idleOfOthers = leastRecentlyUsed(slots.filter((s) => s.owner !== owner && !s.busy));
  if (idleOfOthers) return { kind: 'evict', victim: idleOfOthers, reason: MAKE_ROOM_REASON };
  return {
    kind: 'refuse',
    message: `This server is running its maximum of ${maxSlots} notebook kernels, one for each of ${counts.size - 1} other users, all busy: try again in a moment.`,
  };
}

function countByOwner(slots: readonly Slot[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const slot of slots) counts.set(slot.owner, (counts.get(slot.owner) ?? 0) + 1);
  return counts;
}

function leastRecentlyUsed<T extends Slot>(slots: readonly T[]): T | undefined {
  let oldest: T | undefined;
  for (const slot of slots) if (!oldest || slot.lastUsed < oldest.lastUsed) oldest = slot;
  return oldest;
}
