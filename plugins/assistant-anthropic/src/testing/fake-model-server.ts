import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1, speaking its
 * streaming SSE format (message_start, content_block_start/delta/stop with
 * text_delta and input_json_delta, message_delta, message_stop), so tests of
 * the assistant run with no network. Tests script each reply.
 */

export type FakeBlock =
  | { type: 'text'; text: string }
  /** `rawJson` is sent as is (e.g. invalid JSON); otherwise `input` is serialised and split into pieces. */
  | { type: 'tool_use'; name: string; id?: string; input?: unknown; rawJson?: string };

export interface FakeReply {
  blocks?: FakeBlock[];
  /** Default: 'tool_use' when a block is a tool call, else 'end_turn'. */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  /** Send an SSE `error` event after this many blocks instead of finishing. */
  errorAfterBlocks?: { blocks: number; type?: string; message: string };
  /** Answer with this HTTP status and an error body instead of a stream. */
  httpError?: { status: number; type: string; message: string };
  /** Pause between SSE events (ms). */
  delayMs?: number;
}

/** A request the fake received, as parsed JSON plus how it authenticated. */
export interface FakeModelRequest {
  body: {
    model: string;
    max_tokens: number;
    system?: unknown;
    stream?: boolean;
    messages: { role: string; content: unknown }[];
    tools?: { name: string; input_schema: unknown }[];
  };
  /** The key, from `x-api-key` or `Authorization: Bearer` (the SDK uses either, by version). */
  key: string | null;
  /** True when the client hung up before the reply was complete. */
  aborted: boolean;
}

export type FakeScript = (request: FakeModelRequest, index: number) => FakeReply;

export interface FakeModelServer {
  /** Pass as ANTHROPIC_BASE_URL. */
  url: string;
  requests: FakeModelRequest[];
  /** Replaces the script (each test its own conversation). */
  script(next: FakeScript | FakeReply[]): void;
  /** Resolves once `count` requests have ended (completed or aborted). */
  whenEnded(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeModelServer(options: { apiKey?: string } = {}): Promise<FakeModelServer> {
  const expectedKey = options.apiKey ?? 'test-key';
  let script: FakeScript = () => ({ blocks: [{ type: 'text', text: 'Hello.' }] });
  const requests: FakeModelRequest[] = [];
  let ended = 0;
  let waiters: (() => void)[] = [];
  const markEnded = (): void => {
    ended += 1;
    for (const waiter of waiters) waiter();
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const key = keyOf(req);
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no ${req.method} ${req.url}` } });
      if (key !== expectedKey) return json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      let body: FakeModelRequest['body'];
      try {
        body = JSON.parse(raw) as FakeModelRequest['body'];
      } catch {
        return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'body is not JSON' } });
      }
      const record: FakeModelRequest = { body, key, aborted: false };
      requests.push(record);
      let reply: FakeReply;
      try {
        reply = script(record, requests.length - 1);
      } catch (error) {
        reply = { httpError: { status: 500, type: 'api_error', message: `fake script failed: ${(error as Error).message}` } };
      }
      res.on('close', () => {
        if (!res.writableFinished) record.aborted = true;
        markEnded();
      });
      if (reply.httpError) return json(res, reply.httpError.status, { type: 'error', error: { type: reply.httpError.type, message: reply.httpError.message } });
      void stream(res, reply, body.model, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    script(next) {
      if (!Array.isArray(next)) {
        script = next;
        return;
      }
      // A list is played from the next request on; its last reply repeats.
      const offset = requests.length;
      script = (_request, index) => next[Math.min(index - offset, next.length - 1)] ?? { blocks: [] };
    },
    whenEnded(count, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): boolean => ended >= count;
        if (check()) return resolve();
        const timer = setTimeout(() => reject(new Error(`fake model: ${ended} of ${count} requests ended`)), timeoutMs);
        waiters.push(() => {
          if (check()) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    },
    async close() {
      waiters = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function keyOf(req: http.IncomingMessage): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match ? match[1]! : null;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake' });
  res.end(JSON.stringify(body));
}

async function stream(res: http.ServerResponse, reply: FakeReply, model: string, n: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${n}` });
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, reply.delayMs ?? 0));
  const send = async (type: string, data: Record<string, unknown>): Promise<boolean> => {
    if (res.destroyed) return false;
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    if (reply.delayMs) await pause();
    return !res.destroyed;
  };
  const blocks = reply.blocks ?? [];
  const stopReason = reply.stopReason ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  await send('message_start', { message: { id: `msg_${n}`, type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
  for (const [index, block] of blocks.entries()) {
    if (reply.errorAfterBlocks && index >= reply.errorAfterBlocks.blocks) break;
    if (block.type === 'text') {
      if (!(await send('content_block_start', { index, content_block: { type: 'text', text: '' } }))) return;
      for (const piece of pieces(block.text, 3)) if (!(await send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }))) return;
    } else {
      const id = block.id ?? `toolu_${n}_${index}`;
      if (!(await send('content_block_start', { index, content_block: { type: 'tool_use', id, name: block.name, input: {} } }))) return;
      const jsonText = block.rawJson ?? JSON.stringify(block.input ?? {});
      // Partial JSON in uneven pieces, as the API sends it.
      for (const piece of pieces(jsonText, 4)) if (!(await send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }))) return;
    }
    if (!(await send('content_block_stop', { index }))) return;
  }
  if (reply.errorAfterBlocks) {
    await send('error', { error: { type: reply.errorAfterBlocks.type ?? 'overloaded_error', message: reply.errorAfterBlocks.message } });
    res.end();
    return;
  }
  await send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 20 } });
  await send('message_stop', {});
  res.end();
}

function pieces(text: string, count: number): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / count));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
