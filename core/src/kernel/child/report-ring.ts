/**
 * A worker's cell reports on their way to the kernel's main thread, through shared memory: one producer (the
 * worker) appends lines, one consumer (the main thread) takes them when it likes (a timer while a run is on, and
 * before any message of the worker that must come after them). A cell's start and finish then cost the worker a
 * copy into memory, not a message that wakes the main thread (which wakes the server, which on a busy machine may
 * take the core from the worker): a chain of quick cells reaches the server in a few frames, not two per cell.
 *
 * Lines are `<runId> <report as JSON>\n` (JSON text has no raw newline). The producer publishes whole lines; a line
 * larger than the ring goes in pieces while the consumer drains (the producer waits, after asking for a drain).
 * Positions are byte counts since the start, kept modulo 2^31.
 */
import type { CellReport } from '../protocol';

const WRITE = 0;
const READ = 1;
const HEADER_BYTES = 8;
const MASK = 0x7fffffff;

/** The shared memory of one ring: what the worker receives in its init and the main thread keeps. */
export function createReportRing(capacityBytes = 1 << 20): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + capacityBytes);
}

export class ReportRingWriter {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly encoder = new TextEncoder();

  /** `askDrain`: tells the consumer to drain now (the ring is full); called before the producer waits. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly askDrain: () => void,
  ) {
    this.header = new Int32Array(buffer, 0, 2);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** Where the next byte goes: a message posted now carries it, so the consumer drains up to there, no further. */
  get position(): number {
    return Atomics.load(this.header, WRITE);
  }

  write(runId: number, report: CellReport): void {
    const bytes = this.encoder.encode(`${runId} ${JSON.stringify(report)}\n`);
    const capacity = this.data.length;
    let offset = 0;
    while (offset < bytes.length) {
      const write = Atomics.load(this.header, WRITE);
      const free = capacity - ((write - Atomics.load(this.header, READ)) & MASK);
      if (free === 0) {
        this.askDrain();
        Atomics.wait(this.header, READ, Atomics.load(this.header, READ), 100);
        continue;
      }
      // A whole line when it fits; else as much as fits (only a line larger than the free space is split).
      const remaining = bytes.length - offset;
      if (remaining > free && bytes.length <= capacity && offset === 0) {
        this.askDrain();
        Atomics.wait(this.header, READ, Atomics.load(this.header, READ), 100);
        continue;
      }
      const count = Math.min(free, remaining);
      const at = write % capacity;
      const first = Math.min(count, capacity - at);
      this.data.set(bytes.subarray(offset, offset + first), at);
      if (count > first) this.data.set(bytes.subarray(offset + first, offset + count), 0);
      offset += count;
      Atomics.store(this.header, WRITE, (write + count) & MASK);
    }
  }
}

/** One run's reports, as JSON texts in order. */
export interface ReportBatch {
  runId: number;
  reports: string[];
}

export class ReportRingReader {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly decoder = new TextDecoder();
  /** The start of a line whose end has not been published yet (a line larger than the ring). */
  private partial = '';

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 2);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** Everything published up to `until` (a position; default all), as batches of consecutive reports of one run. */
  drain(until?: number): ReportBatch[] {
    const capacity = this.data.length;
    const read = Atomics.load(this.header, READ);
    const write = Atomics.load(this.header, WRITE);
    const available = (write - read) & MASK;
    const wanted = until === undefined ? available : Math.min(available, (until - read) & MASK);
    if (wanted === 0) return [];
    const at = read % capacity;
    const first = Math.min(wanted, capacity - at);
    let text = this.partial + this.decoder.decode(this.data.slice(at, at + first), { stream: true });
    if (wanted > first) text += this.decoder.decode(this.data.slice(0, wanted - first), { stream: true });
    Atomics.store(this.header, READ, (read + wanted) & MASK);
    Atomics.notify(this.header, READ);
    const end = text.lastIndexOf('\n');
    this.partial = text.slice(end + 1);
    if (end < 0) return [];
    const batches: ReportBatch[] = [];
    for (const line of text.slice(0, end).split('\n')) {
      const space = line.indexOf(' ');
      const runId = Number(line.slice(0, space));
      const last = batches[batches.length - 1];
      if (last && last.runId === runId) last.reports.push(line.slice(space + 1));
      else batches.push({ runId, reports: [line.slice(space + 1)] });
    }
    return batches;
  }
}
