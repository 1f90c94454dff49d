import type { PageEvent } from '../api/types';
import { EventBatcher, type EarlyFlush, type FrameScheduler } from './event-batcher';
import { endsARun, pageEventEarlyFlush } from './page-event-flush';

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

  describe('early flush', () => {
    /** Items starting with "!" are urgent; the clock is the test's. */
    function setup(maxBatch = 3, minGapMs = 16) {
      const frames = manualFrames();
      const batches: string[][] = [];
      let now = 1000;
      const early: EarlyFlush<string> = { isUrgent: (item) => item.startsWith('!'), maxBatch, minGapMs, now: () => now };
      const batcher = new EventBatcher<string>((items) => batches.push([...items]), frames.schedule, early);
      return { frames, batches, batcher, advance: (ms: number) => (now += ms) };
    }

    it('hands over a small batch at once when an urgent item ends it, with what came before, and cancels its frame', () => {
      const { frames, batches, batcher } = setup();
      batcher.push('running');
      batcher.push('output');
      expect(batches).toEqual([]);
      batcher.push('!success');
      expect(batches).toEqual([['running', 'output', '!success']]);
      expect(batcher.pending).toBe(0);
      frames.draw();
      expect(batches).toHaveLength(1);
      // What comes next waits for a frame again.
      batcher.push('after');
      expect(batches).toHaveLength(1);
      frames.draw();
      expect(batches).toEqual([['running', 'output', '!success'], ['after']]);
    });

    it('keeps a flood batched: a batch over maxBatch waits for its frame, urgent or not', () => {
      const { frames, batches, batcher } = setup(3);
      for (const item of ['a', 'b', 'c', '!d']) batcher.push(item);
      expect(batches).toEqual([]);
      frames.draw();
      expect(batches).toEqual([['a', 'b', 'c', '!d']]);
    });

    it('goes early at most once per minGapMs: later urgent items within it wait for the frame', () => {
      const { frames, batches, batcher, advance } = setup(3, 16);
      batcher.push('!one');
      expect(batches).toEqual([['!one']]);
      advance(10);
      batcher.push('!two');
      batcher.push('!three');
      expect(batches).toEqual([['!one']]);
      frames.draw();
      expect(batches).toEqual([['!one'], ['!two', '!three']]);
      advance(6);
      batcher.push('!four');
      expect(batches).toEqual([['!one'], ['!two', '!three'], ['!four']]);
    });

    it('the page\'s rule: a cell status that ends a run is urgent, statuses of a run under way and other events are not', () => {
      const status = (s: 'queued' | 'running' | 'success' | 'error' | 'blocked'): PageEvent => ({ type: 'cell_status', cellId: 'c', status: s });
      expect(['queued', 'running', 'success', 'error', 'blocked'].map((s) => endsARun(status(s as 'queued')))).toEqual([false, false, true, true, true]);
      expect(endsARun({ type: 'cell_output', cellId: 'c', output: { mime_type: 'text/plain', data: '1' } })).toBe(false);
      const rule = pageEventEarlyFlush(() => 0);
      expect(rule.maxBatch).toBeGreaterThanOrEqual(4);
      expect(rule.minGapMs).toBeGreaterThan(0);
    });
  });
});
