import { ConfigError, type AssistantToolCall } from '@rnb/core';
import { AnthropicAssistant } from './anthropic-provider';
import { readSettings } from './settings';
import { startFakeModelServer, type FakeModelServer } from './testing';

describe('Anthropic provider against the fake Messages API', () => {
  let fake: FakeModelServer;
  beforeAll(async () => {
    fake = await startFakeModelServer({ apiKey: 'k-123' });
  });
  afterAll(() => fake.close());

  const provider = (): AnthropicAssistant => new AnthropicAssistant(readSettings({ ANTHROPIC_API_KEY: 'k-123', ANTHROPIC_BASE_URL: fake.url, ASSISTANT_MAX_RETRIES: '0', ASSISTANT_MODEL: 'm-1', ASSISTANT_MAX_TOKENS: '77' }));

  it('streams text and tool calls whose input arrives as partial JSON, and sends the transcript in the API shape', async () => {
    fake.script([{ blocks: [{ type: 'text', text: 'Working on it' }, { type: 'tool_use', id: 'toolu_a', name: 'create_cell', input: { type: 'python', code: 'x = "a, b"' } }, { type: 'tool_use', id: 'toolu_b', name: 'run_cell', rawJson: '{"cell_id": ' }] }]);
    const texts: string[] = [];
    const started: string[] = [];
    const inputs: AssistantToolCall[] = [];
    const result = await provider().turn(
      {
        system: 'rules',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'Reading', toolCalls: [{ id: 't0', name: 'get_notebook_state', input: {} }] },
          { role: 'tool', results: [{ callId: 't0', content: '{"cells":[]}', isError: false }] },
        ],
        tools: [{ name: 'create_cell', description: 'd', inputSchema: { type: 'object', properties: {} } }],
        signal: new AbortController().signal,
      },
      { text: (t) => texts.push(t), toolStart: (c) => started.push(c.name), toolInput: (c) => inputs.push(c) },
    );
    expect(texts.join('')).toBe('Working on it');
    expect(texts.length).toBeGreaterThan(1);
    expect(started).toEqual(['create_cell', 'run_cell']);
    expect(result.stopReason).toBe('tool_use');
    expect(result.toolCalls[0]).toEqual({ id: 'toolu_a', name: 'create_cell', input: { type: 'python', code: 'x = "a, b"' } });
    expect(result.toolCalls[1]).toMatchObject({ id: 'toolu_b', name: 'run_cell', input: null, inputError: expect.stringContaining('not valid JSON') });
    expect(inputs).toHaveLength(2);
    const sent = fake.requests[fake.requests.length - 1]!;
    expect(sent.key).toBe('k-123');
    expect(sent.body).toMatchObject({ model: 'm-1', max_tokens: 77, system: 'rules', stream: true, tools: [{ name: 'create_cell', input_schema: { type: 'object' } }] });
    expect(sent.body.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'Reading' }, { type: 'tool_use', id: 't0', name: 'get_notebook_state', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't0', content: '{"cells":[]}', is_error: false }] },
    ]);
  });

  it('rejects with the API error (no key in it) and cancels on abort', async () => {
    fake.script([{ httpError: { status: 400, type: 'invalid_request_error', message: 'max_tokens: too large' } }]);
    const listener = { text: () => undefined, toolStart: () => undefined, toolInput: () => undefined };
    const request = { system: '', messages: [{ role: 'user' as const, content: 'x' }], tools: [], signal: new AbortController().signal };
    const error = await provider().turn(request, listener).catch((e: Error) => e);
    expect(String(error)).toMatch(/too large/);
    expect(String(error)).not.toContain('k-123');

    fake.script([{ blocks: [{ type: 'text', text: 'slow '.repeat(50) }], delayMs: 100 }]);
    const controller = new AbortController();
    const pending = provider().turn({ ...request, signal: controller.signal }, { ...listener, text: () => controller.abort() });
    await expect(pending).rejects.toThrow();
    await fake.whenEnded(fake.requests.length);
    expect(fake.requests[fake.requests.length - 1]!.aborted).toBe(true);
  });

  it('accepts the key as x-api-key too (other SDK versions send it so)', async () => {
    fake.script([{ blocks: [{ type: 'text', text: 'ok' }] }]);
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k-123', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', max_tokens: 1, messages: [], stream: true }) });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('event: message_stop');
    expect((await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'wrong' }, body: '{}' })).status).toBe(401);
  });

  it('is unavailable without a key and refuses invalid settings naming the variable', () => {
    expect(new AnthropicAssistant(readSettings({})).unavailableReason()).toMatch(/ANTHROPIC_API_KEY/);
    expect(() => readSettings({ ASSISTANT_MAX_TOKENS: 'lots', ANTHROPIC_BASE_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => readSettings({ ASSISTANT_MAX_TOKENS: 'lots' })).toThrow(/ASSISTANT_MAX_TOKENS/);
  });
});
