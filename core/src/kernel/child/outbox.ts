import * as net from 'node:net';
import type { KernelMessage } from '../protocol';

/** A frame to write: a message, or a frame's JSON text already made (reports passed through from a report ring). */
export type Frame = KernelMessage | string;

/**
 * The kernel's frames to the server: newline-delimited JSON on `fd`. Frames are batched into one write per
 * millisecond; an urgent one (an answer someone waits for) goes out at once with whatever is pending before it.
 * The server gone (the pipe broken), the process exits: a kernel never outlives it.
 */
export function openOutbox(fd: number): (frame: Frame, urgent?: boolean) => void {
  const out = new net.Socket({ fd, readable: false, writable: true });
  out.on('error', () => process.exit(0));
  let pending: Frame[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    out.write(batch.map((f) => (typeof f === 'string' ? f : JSON.stringify(f))).join('\n') + '\n');
  };
  return (frame, urgent = false) => {
    pending.push(frame);
    if (urgent) flush();
    else if (!flushTimer) flushTimer = setTimeout(flush, 1);
  };
}
