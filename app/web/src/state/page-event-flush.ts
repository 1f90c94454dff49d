import type { PageEvent } from '../api/types';
import type { EarlyFlush } from './event-batcher';

/** Statuses a run passes through; any other status a cell is given ends its run (success, error, blocked…). */
const UNDER_WAY = new Set(['queued', 'running']);

/** The end of a cell's run: its outputs are all in, the page shows them without waiting for a frame. */
export function endsARun(event: PageEvent): boolean {
  return event.type === 'cell_status' && !UNDER_WAY.has(event.status);
}

/**
 * The page's rule for socket events (measured with bench/widget-latency.js): a reader's run after a widget move is a
 * handful of events (queued, running, its outputs, success), applied as soon as its last one arrives; held for the
 * frame, the output was painted one to two frames later (of a 58 ms p95, about 25 ms was waiting for frames). More
 * than 16 events waiting is a flood (a cascade's bursts), which keeps its once-a-frame batches; so do runs ending within
 * a frame of an early batch.
 */
export function pageEventEarlyFlush(now: () => number = () => performance.now()): EarlyFlush<PageEvent> {
  return { isUrgent: endsARun, maxBatch: 16, minGapMs: 16, now };
}
