import { BackgroundUpdates } from './background-updates';

/** A scheduler whose tasks run when the test says, and whose clock moves by what each update costs. */
function manualScheduler() {
  let time = 0;
  const tasks: Array<() => void> = [];
  return {
    now: () => time,
    later: (task: () => void) => void tasks.push(task),
    advance: (ms: number) => void (time += ms),
    runNext: () => tasks.shift()?.(),
    get tasks() { return tasks.length; },
  };
}

describe('BackgroundUpdates', () => {
  it('runs deferred updates in later tasks, in batches, each task stopping once its time budget is spent', () => {
    const scheduler = manualScheduler();
    const ran: number[] = [];
    const batches: number[] = [];
    const updates = new BackgroundUpdates((batch) => {
      const before = ran.length;
      batch();
      batches.push(ran.length - before);
    }, scheduler, 5);
    for (let i = 0; i < 10; i++) updates.defer(() => { ran.push(i); scheduler.advance(2); });
    expect(ran).toEqual([]);
    expect(scheduler.tasks).toBe(1);
    scheduler.runNext();
    // A first batch of 4 at 2 ms each spends the 5 ms budget: the rest waits for the next task, in smaller batches.
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(scheduler.tasks).toBe(1);
    scheduler.runNext();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    while (scheduler.tasks > 0) scheduler.runNext();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches).toEqual([4, 2, 2, 2]);
    expect(updates.waiting).toBe(0);
  });

  it('grows its batches while they are cheap: 1,000 free updates take a few renders', () => {
    const scheduler = manualScheduler();
    let renders = 0;
    let ran = 0;
    const updates = new BackgroundUpdates((batch) => { renders++; batch(); scheduler.advance(0.1); }, scheduler, 5);
    for (let i = 0; i < 1000; i++) updates.defer(() => void ran++);
    while (scheduler.tasks > 0) scheduler.runNext();
    expect(ran).toBe(1000);
    // 4 + 8 + 16 + 32 + 64 + 128 + 256 = 508, then 256 a render.
    expect(renders).toBe(9);
  });

  it('runs an update deferred many times once, and at once when flushed (its cell came into view)', () => {
    const scheduler = manualScheduler();
    const ran: string[] = [];
    const updates = new BackgroundUpdates((batch) => batch(), scheduler, 5);
    const far = () => ran.push('far');
    const near = () => ran.push('near');
    updates.defer(far);
    updates.defer(far);
    updates.defer(near);
    updates.flush(near);
    expect(ran).toEqual(['near']);
    updates.flush(near); // not waiting any more: nothing
    scheduler.runNext();
    expect(ran).toEqual(['near', 'far']);
    expect(scheduler.tasks).toBe(0);
  });

  it('forgets a cancelled update', () => {
    const scheduler = manualScheduler();
    const ran: string[] = [];
    const updates = new BackgroundUpdates((batch) => batch(), scheduler);
    const gone = () => ran.push('gone');
    updates.defer(gone);
    updates.cancel(gone);
    scheduler.runNext();
    expect(ran).toEqual([]);
  });

  it('holds far cells while someone types and runs them once the keys pause', () => {
    const scheduler = manualScheduler();
    let typingFor = 0;
    const delayed: Array<{ ms: number; task: () => void }> = [];
    const updates = new BackgroundUpdates((batch) => batch(), {
      ...scheduler,
      holdFor: () => typingFor,
      after: (ms, task) => void delayed.push({ ms, task }),
    }, 5);
    const ran: number[] = [];
    for (let i = 0; i < 3; i++) updates.defer(() => ran.push(i));
    typingFor = 120;
    scheduler.runNext();
    expect(ran).toEqual([]);
    expect(delayed.map((d) => d.ms)).toEqual([120]);
    // Still typing when the wait is over: another wait.
    typingFor = 40;
    delayed.shift()!.task();
    expect(ran).toEqual([]);
    expect(delayed.map((d) => d.ms)).toEqual([40]);
    typingFor = 0;
    delayed.shift()!.task();
    expect(ran).toEqual([0, 1, 2]);
    expect(updates.waiting).toBe(0);
  });

  it('stops a slice as soon as a key is waiting', () => {
    const scheduler = manualScheduler();
    let typingFor = 0;
    const delayed: Array<() => void> = [];
    const updates = new BackgroundUpdates((batch) => batch(), { ...scheduler, holdFor: () => typingFor, after: (_ms, task) => void delayed.push(task) }, 50);
    const ran: number[] = [];
    // Batches of 4; a key arrives while the first batch runs.
    for (let i = 0; i < 8; i++) updates.defer(() => { ran.push(i); if (i === 0) typingFor = 16; });
    scheduler.runNext();
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(scheduler.tasks).toBe(1);
    scheduler.runNext();
    expect(delayed).toHaveLength(1);
    typingFor = 0;
    delayed[0]!();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
