import type { CellIO } from '../../language/runtime-api';
import type { Output, OutputStream } from '../../model/types';
import type { CellReport, KernelLimits } from '../protocol';
import { capOutput } from './output-cap';

/**
 * Buffers a cell's stdout and stderr: flushed by time from inside the write (a
 * synchronous runtime blocks timers), capped per cell for both streams
 * together. The buffer holds one stream at a time: a write to the other stream
 * flushes it first, so the two interleave in the order they were written.
 */
export class CellOutput implements CellIO {
  private buffer = '';
  private bufferStream: OutputStream = 'stdout';
  private kept = 0;
  private dropped = 0;
  /** The stream that first overflowed the cap: the truncation note goes there. */
  private droppedFrom: OutputStream | null = null;
  private lastFlush = Date.now();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly cellId: string,
    readonly signal: AbortSignal,
    private readonly report: (report: CellReport) => void,
    private readonly limits: Pick<KernelLimits, 'maxStdoutBytesPerCell' | 'maxOutputChars' | 'flushIntervalMs'>,
  ) {}

  stdout(text: string): void {
    this.write(text, 'stdout');
  }
  stderr(text: string): void {
    this.write(text, 'stderr');
  }
  output(output: Output): void {
    this.flush();
    // Capped here, before the output is cloned and framed: one too large says so in the cell instead of vanishing.
    this.report({ k: 'output', cell: this.cellId, output: capOutput(output, this.limits.maxOutputChars) });
  }

  private write(text: string, stream: OutputStream): void {
    if (typeof text !== 'string' || text.length === 0) return;
    const room = this.limits.maxStdoutBytesPerCell - this.kept;
    if (room <= 0) {
      this.dropped += text.length;
      this.droppedFrom ??= stream;
      return;
    }
    const part = text.length > room ? text.slice(0, room) : text;
    if (part.length < text.length) {
      this.dropped += text.length - part.length;
      this.droppedFrom ??= stream;
    }
    if (this.buffer && this.bufferStream !== stream) this.flush();
    this.bufferStream = stream;
    this.kept += part.length;
    this.buffer += part;
    if (Date.now() - this.lastFlush >= this.limits.flushIntervalMs) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.limits.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = Date.now();
    if (!this.buffer) return;
    const data = this.buffer;
    this.buffer = '';
    this.report({ k: 'stdout', cell: this.cellId, data, stream: this.bufferStream });
  }

  close(): void {
    if (this.dropped > 0) {
      const stream = this.droppedFrom ?? 'stdout';
      if (this.buffer && this.bufferStream !== stream) this.flush();
      this.bufferStream = stream;
      const count = (n: number): string => n.toLocaleString('en-US');
      this.buffer += `\n[output truncated: ${count(this.dropped)} more characters were not kept; a cell keeps the first ${count(this.limits.maxStdoutBytesPerCell)}]\n`;
    }
    this.flush();
  }
}
