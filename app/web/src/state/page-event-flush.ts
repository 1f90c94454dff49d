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
 * than 24 events within 100 ms is a flood (a cascade, a fast drag's runs back to back), which keeps its once-a-frame
 * batches (bench/page-profile.js 250 time-cascade).
 */
export function pageEventEarlyFlush(now: () => number = () => performance.now()): EarlyFlush<PageEvent> {
  return { isUrgent: endsARun, floodItems: 24, floodWindowMs: 100, now };
}
