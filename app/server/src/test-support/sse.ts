/** Reads a server-sent-events response into `{ event, data }` records (data parsed as JSON). */
export interface SseEvent {
  event: string;
  data: any;
}

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\n\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return events;
}

export async function postChat(
  base: string,
  notebookId: string,
  messages: { role: string; content: string }[],
  options: { token?: string; signal?: AbortSignal; onEvent?: (event: SseEvent) => void } = {},
): Promise<{ status: number; events: SseEvent[]; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}/api/chat/${notebookId}`, { method: 'POST', headers, body: JSON.stringify({ messages }), ...(options.signal ? { signal: options.signal } : {}) });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await response.text();
    return { status: response.status, events: [], body: text ? JSON.parse(text) : undefined };
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: SseEvent[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const cut = buffer.lastIndexOf('\n\n');
      if (cut < 0) continue;
      for (const event of parseSse(buffer.slice(0, cut + 2))) {
        events.push(event);
        options.onEvent?.(event);
      }
      buffer = buffer.slice(cut + 2);
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  }
  return { status: response.status, events, body: undefined };
}
