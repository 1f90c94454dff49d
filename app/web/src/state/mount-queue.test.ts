import { MountQueue } from './mount-queue';

function manualScheduler() {
  const tasks: Array<() => void> = [];
  return { later: (task: () => void) => void tasks.push(task), runOne: () => tasks.shift()?.(), get queued() { return tasks.length; } };
}

describe('MountQueue', () => {
  it('builds one editor per task, the nearest to the screen first', () => {
    const scheduler = manualScheduler();
    const queue = new MountQueue(scheduler);
    const built: string[] = [];
    queue.add(() => built.push('above'), 800);
    queue.add(() => built.push('visible'), 0);
    queue.add(() => built.push('below'), 300);
    expect(built).toEqual([]);
    expect(scheduler.queued).toBe(1);
    scheduler.runOne();
    expect(built).toEqual(['visible']);
    scheduler.runOne();
    expect(built).toEqual(['visible', 'below']);
    scheduler.runOne();
    expect(built).toEqual(['visible', 'below', 'above']);
    expect(queue.size).toBe(0);
    expect(scheduler.queued).toBe(0);
  });

  it('skips a cancelled mount and schedules again after going idle', () => {
    const scheduler = manualScheduler();
    const queue = new MountQueue(scheduler);
    const built: string[] = [];
    const gone = () => built.push('gone');
    queue.add(gone, 0);
    queue.cancel(gone);
    scheduler.runOne();
    expect(built).toEqual([]);
    queue.add(() => built.push('later'), 10);
    expect(scheduler.queued).toBe(1);
    scheduler.runOne();
    expect(built).toEqual(['later']);
  });

  it('keeps going when a mount throws', () => {
    const scheduler = manualScheduler();
    const queue = new MountQueue(scheduler);
    const built: string[] = [];
    queue.add(() => { throw new Error('broken'); }, 0);
    queue.add(() => built.push('next'), 5);
    expect(() => scheduler.runOne()).toThrow('broken');
    scheduler.runOne();
    expect(built).toEqual(['next']);
  });
});
