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
    function setup(floodItems = 4, floodWindowMs = 100) {
      const frames = manualFrames();
      const batches: string[][] = [];
      let now = 1000;
      const early: EarlyFlush<string> = { isUrgent: (item) => item.startsWith('!'), floodItems, floodWindowMs, now: () => now };
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
      // What comes next and is not urgent waits for a frame again.
      batcher.push('after');
      expect(batches).toHaveLength(1);
      frames.draw();
      expect(batches).toEqual([['running', 'output', '!success'], ['after']]);
    });

    it('keeps a flood batched: past floodItems within the window, urgent items wait for the frame; a quiet window later they go early again', () => {
      const { frames, batches, batcher, advance } = setup(4, 100);
      for (const item of ['a', 'b', 'c', 'd', '!e']) batcher.push(item);
      expect(batches).toEqual([]);
      // Spaced out, but still more than 4 within 100 ms (a cascade on a loaded machine, renders slower than frames).
      advance(30);
      batcher.push('!f');
      advance(30);
      batcher.push('!g');
      expect(batches).toEqual([]);
      frames.draw();
      expect(batches).toEqual([['a', 'b', 'c', 'd', '!e', '!f', '!g']]);
      advance(100);
      batcher.push('!h');
      expect(batches).toEqual([['a', 'b', 'c', 'd', '!e', '!f', '!g'], ['!h']]);
    });

    it('the page\'s rule: a cell status that ends a run is urgent, statuses of a run under way and other events are not', () => {
      const status = (s: 'queued' | 'running' | 'success' | 'error' | 'blocked'): PageEvent => ({ type: 'cell_status', cellId: 'c', status: s });
      expect(['queued', 'running', 'success', 'error', 'blocked'].map((s) => endsARun(status(s as 'queued')))).toEqual([false, false, true, true, true]);
      expect(endsARun({ type: 'cell_output', cellId: 'c', output: { mime_type: 'text/plain', data: '1' } })).toBe(false);
    });

    it('the page\'s rule: widget moves 30 ms apart each show their reader at once; a 250-cell cascade goes out in frames', () => {
      const frames = manualFrames();
      const batches: PageEvent[][] = [];
      let now = 0;
      const batcher = new EventBatcher<PageEvent>((items) => batches.push([...items]), frames.schedule, pageEventEarlyFlush(() => now));
      const run = (cellId: string): PageEvent[] => [
        { type: 'cell_status', cellId, status: 'running' },
        { type: 'cell_output', cellId, output: { mime_type: 'text/plain', data: cellId } },
        { type: 'cell_status', cellId, status: 'success' },
      ];
      for (let move = 0; move < 20; move++) {
        now += 30;
        batcher.push({ type: 'cell_status', cellId: 'reader', status: 'queued' });
        batcher.push({ type: 'widget_value', cellId: 'slider', widget_id: 'slider:0', value: move });
        for (const event of run('reader')) batcher.push(event);
        // Nothing waits for a frame: the reader's run is applied as its success arrives.
        expect(batcher.pending).toBe(0);
      }
      batches.length = 0;
      now += 1000;
      // A cascade: a cell's run every 0.5 ms.
      for (let i = 0; i < 250; i++) {
        now += 0.5;
        for (const event of run(`c${i}`)) batcher.push(event);
        if (i % 32 === 31) frames.draw();
      }
      frames.draw();
      expect(batches.flat()).toHaveLength(750);
      // The first few runs go early, before the rate tells a flood; then one batch per frame.
      expect(batches.length).toBeLessThan(20);
    });
  });
});
