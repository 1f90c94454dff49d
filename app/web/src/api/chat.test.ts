import { applyChatEvent, toMessages, type ChatEntry } from '../state/chat-state';
import { parseSseChunk, streamChat } from './chat';

describe('assistant stream client', () => {
  it('parses complete SSE events, skips heartbeats and keeps the unfinished rest', () => {
    const text = ': stream open\n\nevent: text\ndata: {"type":"text","turn":1,"text":"Hi"}\n\n: ping\n\nevent: done\ndata: {"type":"do';
    const { events, rest } = parseSseChunk(text);
    expect(events).toEqual([{ type: 'text', turn: 1, text: 'Hi' }]);
    expect(rest).toBe('event: done\ndata: {"type":"do');
    expect(parseSseChunk(`${rest}ne","turns":1,"stop_reason":"end_turn"}\n\n`).events).toEqual([{ type: 'done', turns: 1, stop_reason: 'end_turn' }]);
  });

  it('posts the conversation with the token and turns a 503 into an ApiError with the server\'s message', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ error: { code: 'RNB_ERR_ASSISTANT_UNAVAILABLE', message: 'set ANTHROPIC_API_KEY' } }), { status: 503 });
    }) as unknown as typeof fetch;
    const error = await streamChat({ notebookId: 'nb1', messages: [{ role: 'user', content: 'hi' }], getToken: async () => 'tok', signal: new AbortController().signal, onEvent: () => undefined, fetchImpl, resolve: (p) => `http://host/${p}` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, message: 'set ANTHROPIC_API_KEY' });
    expect(calls[0]!.url).toMatch(/api\/chat\/nb1$/);
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('folds events into an answer: text joined, tool steps in order with their cell', () => {
    let entry: Extract<ChatEntry, { role: 'assistant' }> = { id: 2, role: 'assistant', parts: [], state: 'streaming' };
    for (const event of [
      { type: 'text', turn: 1, text: 'Let ' },
      { type: 'text', turn: 1, text: 'me' },
      { type: 'tool_start', turn: 1, id: 't1', name: 'create_cell' },
      { type: 'tool_input', turn: 1, id: 't1', name: 'create_cell', input: { code: 'x = 1' } },
      { type: 'tool_result', turn: 1, id: 't1', name: 'create_cell', ok: true, summary: 'created python cell', cell_id: 'c9', result: {} },
      { type: 'done', turns: 10, stop_reason: 'max_turns' },
    ] as const) entry = applyChatEvent(entry, event);
    expect(entry.parts).toEqual([
      { kind: 'text', text: 'Let me' },
      { kind: 'tool', id: 't1', name: 'create_cell', input: { code: 'x = 1' }, state: 'ok', summary: 'created python cell', cellId: 'c9' },
    ]);
    expect(entry.state).toBe('done');
    expect(entry.note).toMatch(/10 steps/);
    expect(toMessages([{ id: 1, role: 'user', text: 'add x' }, entry])).toEqual([
      { role: 'user', content: 'add x' },
      { role: 'assistant', content: 'Let me\n[tools used: create_cell: created python cell]' },
    ]);
  });
});
