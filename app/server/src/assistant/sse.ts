import { PassThrough } from 'node:stream';

/**
 * A server-sent-events body: `event: <name>` + `data: <json>` per event, and
 * a comment line every few seconds so proxies keep an idle stream open while
 * a cell runs.
 */
export class SseStream {
  readonly body = new PassThrough();
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;

  constructor(heartbeatMs = 15_000) {
    this.heartbeat = setInterval(() => this.raw(': ping\n\n'), heartbeatMs);
    this.heartbeat.unref();
    // Sent at once so the client sees the stream open before the model's first token.
    this.raw(': stream open\n\n');
  }

  send(event: string, data: unknown): void {
    // JSON has no raw newlines, so one `data:` line carries the whole event.
    this.raw(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.body.end();
  }

  private raw(text: string): void {
    if (!this.ended && !this.body.destroyed) this.body.write(text);
  }
}
