import type { ChatEvent, ChatMessage, ErrorBody } from '@rnb/core/wire';
import { appUrl } from './base-url';
import { ApiError, type TokenSource } from './http';

/**
 * The assistant's stream (`POST api/chat/{id}`), read with fetch and a
 * ReadableStream reader: EventSource cannot POST a body or send a header.
 */
export type { ChatEvent, ChatMessage };

/** Splits SSE text into complete events; returns them and the unfinished rest. */
export function parseSseChunk(buffer: string): { events: ChatEvent[]; rest: string } {
  const events: ChatEvent[] = [];
  const normalized = buffer.replace(/\r\n/g, '\n');
  const cut = normalized.lastIndexOf('\n\n');
  if (cut < 0) return { events, rest: normalized };
  for (const block of normalized.slice(0, cut).split('\n\n')) {
    const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length === 0) continue; // a comment (heartbeat)
    try {
      events.push(JSON.parse(data.join('\n')) as ChatEvent);
    } catch {
      // A malformed event is dropped rather than ending the conversation.
    }
  }
  return { events, rest: normalized.slice(cut + 2) };
}

export async function streamChat(options: {
  notebookId: string;
  messages: ChatMessage[];
  getToken: TokenSource;
  signal: AbortSignal;
  onEvent: (event: ChatEvent) => void;
  fetchImpl?: typeof fetch;
  resolve?: (path: string) => string;
}): Promise<void> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
  const token = await options.getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const doFetch = options.fetchImpl ?? ((input, init) => fetch(input, init));
  let response: Response;
  try {
    response = await doFetch((options.resolve ?? appUrl)(`api/chat/${encodeURIComponent(options.notebookId)}`), {
      method: 'POST',
      headers,
      body: JSON.stringify({ messages: options.messages }),
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal.aborted) return;
    throw new ApiError(0, 'NETWORK', `Cannot reach the server (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
    throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? `The assistant failed with status ${response.status}.`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const parsed = parseSseChunk(buffer);
      buffer = parsed.rest;
      for (const event of parsed.events) options.onEvent(event);
    }
  } catch (err) {
    if (options.signal.aborted) return;
    throw new ApiError(0, 'NETWORK', `The answer was cut off (${err instanceof Error ? err.message : String(err)})`);
  }
}
