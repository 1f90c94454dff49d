import { EventBatcher, type FrameScheduler } from './event-batcher';

/** A frame the test draws by hand. */
function manualFrames() {
  let pending: (() => void) | null = null;
  let scheduled = 0;
  const schedule: FrameScheduler = (flush) => {
    scheduled++;
    pending = flush;
    return () => {
      pending = null;
    };
  };
  return { schedule, scheduled: () => scheduled, draw: () => { const f = pending; pending = null; f?.(); } };
}

describe('EventBatcher', () => {
  it('hands over everything pushed before a frame in one call, in arrival order, and asks for one frame per batch', () => {
    const frames = manualFrames();
    const batches: number[][] = [];
    const batcher = new EventBatcher<number>((items) => batches.push([...items]), frames.schedule);
    for (let i = 0; i < 5; i++) batcher.push(i);
    expect(batches).toEqual([]);
    expect(frames.scheduled()).toBe(1);
    frames.draw();
    batcher.push(5);
    batcher.push(6);
    frames.draw();
    expect(batches).toEqual([[0, 1, 2, 3, 4], [5, 6]]);
    expect(frames.scheduled()).toBe(2);
  });

  it('flushes at once on demand, cancelling its frame; dispose drops what is queued', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const batcher = new EventBatcher<string>((items) => batches.push([...items]), frames.schedule);
    batcher.push('a');
    batcher.flush();
    frames.draw();
    expect(batches).toEqual([['a']]);
    batcher.push('b');
    batcher.dispose();
    frames.draw();
    batcher.flush();
    expect(batches).toEqual([['a']]);
  });

  it('without a scheduler hands over each item as it comes', () => {
    const batches: string[][] = [];
    const batcher = new EventBatcher<string>((items) => batches.push([...items]), null);
    batcher.push('a');
    batcher.push('b');
    expect(batches).toEqual([['a'], ['b']]);
  });
});
