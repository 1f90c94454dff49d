import { decideSlot, type Slot } from './fair-share';

/** A kernel written as `owner:idle@lastUsed` or `owner:busy@lastUsed`. */
interface Named extends Slot {
  name: string;
}
function slots(...specs: string[]): Named[] {
  return specs.map((spec) => {
    const match = /^(\w+):(idle|busy)@(\d+)$/.exec(spec);
    if (!match) throw new Error(`bad slot spec ${spec}`);
    return { name: spec, owner: match[1]!, busy: match[2] === 'busy', lastUsed: Number(match[3]) };
  });
}

interface Case {
  name: string;
  owner: string;
  slots: string[];
  max: number;
  perOwner?: number;
  /** 'admit', 'evict <spec>' or 'refuse'. */
  expect: string;
  /** Part of the reason (evict) or message (refuse). */
  says?: RegExp;
}

const cases: Case[] = [
  { name: 'admits while the server has room', owner: 'a', slots: ['b:busy@1'], max: 3, expect: 'admit' },
  {
    name: "the issue: B, at its share, reuses its own idle kernel and never evicts A's, which is under its share",
    owner: 'b',
    slots: ['a:idle@1', 'b:idle@2', 'b:idle@3'],
    max: 3,
    expect: 'evict b:idle@2',
    says: /make room for another notebook/,
  },
  {
    name: 'the issue: B at its share with every kernel spinning is told busy; A keeps its idle kernel',
    owner: 'b',
    slots: ['a:idle@1', 'b:busy@2', 'b:busy@3'],
    max: 3,
    expect: 'refuse',
    says: /shared by 2 users; your 2 \(your fair share is 1\) are all busy/,
  },
  {
    name: 'a user under their share takes an idle kernel of the user over theirs, the least recently used',
    owner: 'a',
    slots: ['b:busy@1', 'b:idle@5', 'b:idle@3'],
    max: 3,
    expect: 'evict b:idle@3',
    says: /another user their fair share.*you held 3 of its 3 notebook kernels, over your share of 1/,
  },
  {
    name: 'a user under their share stops a running kernel of the user over theirs when none is idle',
    owner: 'a',
    slots: ['b:busy@4', 'b:busy@2', 'b:busy@3'],
    max: 3,
    expect: 'evict b:busy@2',
    says: /shut down while it ran to give another user their fair share/,
  },
  {
    name: 'takes from the user furthest over their share, not from a user at it',
    owner: 'c',
    slots: ['a:idle@1', 'a:idle@2', 'b:busy@3', 'b:busy@4', 'b:busy@5', 'b:busy@6'],
    max: 6,
    expect: 'evict b:busy@3',
    says: /you held 4 of its 6 notebook kernels, over your share of 2/,
  },
  {
    name: 'prefers its own idle kernel to one of a user who is under their share',
    owner: 'a',
    slots: ['a:idle@9', 'b:idle@1'],
    max: 2,
    expect: 'evict a:idle@9',
  },
  {
    name: 'a single user (local mode) recycles their least recently used idle kernel',
    owner: 'local',
    slots: ['local:idle@5', 'local:busy@1', 'local:idle@2'],
    max: 3,
    expect: 'evict local:idle@2',
  },
  {
    name: 'a single user whose kernels are all busy hears the server is full (the old message, unchanged)',
    owner: 'local',
    slots: ['local:busy@1'],
    max: 1,
    expect: 'refuse',
    says: /^This server is running its maximum of 1 notebook kernels, all busy: try again in a moment\.$/,
  },
  {
    name: 'more users than kernels: an idle kernel of a user at their share changes hands',
    owner: 'c',
    slots: ['a:busy@1', 'b:idle@2'],
    max: 2,
    expect: 'evict b:idle@2',
  },
  {
    name: 'more users than kernels, all running: busy, because every share is in use',
    owner: 'c',
    slots: ['a:busy@1', 'b:busy@2'],
    max: 2,
    expect: 'refuse',
    says: /one for each of 2 other users, all busy/,
  },
  {
    name: 'a user at the per-user limit recycles their own idle kernel even when the server has room',
    owner: 'b',
    slots: ['b:busy@1', 'b:idle@2'],
    max: 10,
    perOwner: 2,
    expect: 'evict b:idle@2',
    says: /a user may run 2 at once/,
  },
  {
    name: 'a user at the per-user limit with every kernel busy is refused, while the server has room for others',
    owner: 'b',
    slots: ['b:busy@1', 'b:busy@2'],
    max: 10,
    perOwner: 2,
    expect: 'refuse',
    says: /running 2 notebook kernels, the most one user may run at once/,
  },
  {
    name: 'a kernel still opening counts as busy and is not taken while an idle one of the same user exists',
    owner: 'a',
    slots: ['b:busy@9', 'b:idle@8'],
    max: 2,
    expect: 'evict b:idle@8',
  },
];

describe('fair share of kernel slots', () => {
  it.each(cases)('$name', (c) => {
    const decision = decideSlot({ owner: c.owner, slots: slots(...c.slots), maxSlots: c.max, maxSlotsPerOwner: c.perOwner ?? c.max });
    const got = decision.kind === 'evict' ? `evict ${decision.victim.name}` : decision.kind;
    expect(got).toBe(c.expect);
    if (c.says) expect(decision.kind === 'evict' ? decision.reason : decision.kind === 'refuse' ? decision.message : '').toMatch(c.says);
  });

  it('never takes a kernel from a user under their share, for any mix of up to four users on four kernels', () => {
    const owners = ['a', 'b', 'c', 'd'];
    const violations: string[] = [];
    const describe = (full: Slot[]): string => full.map((s) => `${s.owner}:${s.busy ? 'busy' : 'idle'}`).join(' ');
    // Every assignment of 4 full slots to owners, each slot idle or busy, asked for by every owner.
    for (let assignment = 0; assignment < 4 ** 4; assignment++) {
      for (let busyMask = 0; busyMask < 16; busyMask++) {
        const full: Slot[] = [0, 1, 2, 3].map((i) => ({ owner: owners[Math.floor(assignment / 4 ** i) % 4]!, busy: (busyMask & (1 << i)) !== 0, lastUsed: i }));
        for (const asker of owners) {
          const decision = decideSlot({ owner: asker, slots: full, maxSlots: 4, maxSlotsPerOwner: 4 });
          const counts = new Map<string, number>();
          for (const s of [...full, { owner: asker, busy: true, lastUsed: 0 }]) counts.set(s.owner, (counts.get(s.owner) ?? 0) + 1);
          const share = Math.max(1, Math.floor(4 / counts.size));
          const held = (owner: string): number => full.filter((s) => s.owner === owner).length;
          const mine = full.filter((s) => s.owner === asker);
          if (decision.kind === 'evict' && decision.victim.owner !== asker) {
            // The victim's user is not under their share, a running kernel goes only from a user over it, and the asker was under theirs.
            const victimHeld = held(decision.victim.owner);
            if (victimHeld < share || (decision.victim.busy && victimHeld <= share) || mine.length >= share) violations.push(`${describe(full)} asked by ${asker}: took ${JSON.stringify(decision.victim)}`);
          }
          if (decision.kind === 'refuse') {
            // Busy only when the asker's share is in use and all theirs run, or no other user holds more than theirs and none is idle.
            const overShare = owners.some((o) => o !== asker && held(o) > share);
            const ownShareUsed = mine.length >= share && mine.every((s) => s.busy);
            const allSharesUsed = !overShare && full.every((s) => s.busy);
            if (!ownShareUsed && !allSharesUsed) violations.push(`${describe(full)} asked by ${asker}: refused`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
