import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import anthropicAssistantPlugin from '@rnb/plugin-assistant-anthropic';
import { startFakeModelServer, type FakeModelRequest, type FakeModelServer } from '@rnb/plugin-assistant-anthropic/testing';
import { fakeLanguagePlugin, startTestServer, StaticTokenAuth, type TestServer } from '../test-support/harness';
import { postChat, type SseEvent } from '../test-support/sse';

/**
 * The assistant against the real host and a fake model server on 127.0.0.1
 * speaking the Messages API's streaming format: no network.
 */
jest.setTimeout(60_000);

const ANN = 'ann-token';
const BOB = 'bob-token';

/** The tool results the model got in its last user turn, parsed. */
function toolResults(request: FakeModelRequest): { id: string; isError: boolean; body: any }[] {
  const last = request.body.messages[request.body.messages.length - 1];
  if (!last || !Array.isArray(last.content)) return [];
  return (last.content as { type: string; tool_use_id: string; content: string; is_error?: boolean }[])
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ id: b.tool_use_id, isError: b.is_error === true, body: JSON.parse(b.content) }));
}

function named(events: SseEvent[], name: string): any[] {
  return events.filter((e) => e.event === name).map((e) => e.data);
}

describe('notebook assistant (fake model server)', () => {
  let fake: FakeModelServer;
  let server: TestServer;
  let auditDir: string;

  beforeAll(async () => {
    fake = await startFakeModelServer({ apiKey: 'test-key' });
    auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-audit-'));
    server = await startTestServer({
      auth: new StaticTokenAuth({ [ANN]: 'ann', [BOB]: 'bob' }),
      plugins: [fakeLanguagePlugin(), anthropicAssistantPlugin()],
      config: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ASSISTANT_MAX_TURNS: '8', ASSISTANT_MAX_RETRIES: '0', ASSISTANT_AUDIT_DIR: auditDir, ASSISTANT_MODEL: 'fake-model' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    fs.rmSync(auditDir, { recursive: true, force: true });
  });

  async function newNotebook(token: string): Promise<string> {
    const created = await server.request('POST', '/api/notebooks', { body: {}, token });
    expect(created.status).toBe(201);
    return created.body.notebook_id as string;
  }

  it('reads the state, creates two cells, runs them, sees an error, fixes it, and the notebook ends consistent', async () => {
    const id = await newNotebook(ANN);
    const watcher = server.connect(id, { token: ANN });
    await watcher.waitFor('authenticated');
    let firstId = '';
    let secondId = '';
    fake.script((request, index) => {
      const results = toolResults(request);
      switch (index - base) {
        case 0:
          return { blocks: [{ type: 'text', text: 'Let me look at the notebook.' }, { type: 'tool_use', name: 'get_notebook_state', input: {} }] };
        case 1:
          expect(results[0]!.body.cells).toHaveLength(1);
          return { blocks: [
            { type: 'tool_use', name: 'create_cell', input: { type: 'fake', code: 'a = 20' } },
            { type: 'tool_use', name: 'create_cell', input: { type: 'fake', code: 'b = a + 1\nfail wrong formula' } },
          ] };
        case 2:
          firstId = results[0]!.body.id;
          secondId = results[1]!.body.id;
          return { blocks: [{ type: 'tool_use', name: 'run_cell', input: { cell_id: firstId } }, { type: 'tool_use', name: 'run_cell', input: { cell_id: secondId } }] };
        case 3:
          expect(results[0]!.body).toMatchObject({ status: 'success', finished: true });
          expect(results[1]!.body).toMatchObject({ status: 'error', finished: true, error: expect.stringContaining('wrong formula') });
          return { blocks: [{ type: 'text', text: 'The second cell fails; fixing it.' }, { type: 'tool_use', name: 'update_cell', input: { cell_id: secondId, code: 'b = a + 1\nb * 2' } }] };
        case 4:
          return { blocks: [{ type: 'tool_use', name: 'run_cell', input: { cell_id: secondId } }] };
        case 5:
          expect(results[0]!.body).toMatchObject({ status: 'success', outputs: [expect.objectContaining({ preview: expect.stringContaining('42') })] });
          return { blocks: [{ type: 'text', text: 'Done: b * 2 is 42.' }] };
        default:
          return { httpError: { status: 500, type: 'api_error', message: 'unexpected extra turn' } };
      }
    });
    const base = fake.requests.length;
    const chat = await postChat(server.base, id, [{ role: 'user', content: 'Make a = 20 and b = a + 1, and show b * 2.' }], { token: ANN });
    expect(chat.status).toBe(200);
    expect(named(chat.events, 'error')).toEqual([]);
    expect(named(chat.events, 'turn_start').map((e) => e.turn)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(named(chat.events, 'text').map((e) => e.text).join('')).toBe('Let me look at the notebook.The second cell fails; fixing it.Done: b * 2 is 42.');
    expect(named(chat.events, 'tool_start').map((e) => e.name)).toEqual(['get_notebook_state', 'create_cell', 'create_cell', 'run_cell', 'run_cell', 'update_cell', 'run_cell']);
    expect(named(chat.events, 'tool_input')[1]).toMatchObject({ name: 'create_cell', input: { type: 'fake', code: 'a = 20' } });
    const results = named(chat.events, 'tool_result');
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, true, true]);
    expect(results[4]).toMatchObject({ name: 'run_cell', cell_id: secondId, result: { status: 'error' } });
    expect(named(chat.events, 'done')).toEqual([{ type: 'done', turns: 6, stop_reason: 'end_turn' }]);
    expect(chat.events[chat.events.length - 1]!.event).toBe('done');

    // The key travelled to the model server, in whichever header this SDK uses, and the tools were declared.
    expect(fake.requests[base]!.key).toBe('test-key');
    expect(fake.requests[base]!.body).toMatchObject({ model: 'fake-model', stream: true });
    expect(fake.requests[base]!.body.tools!.map((t) => t.name).sort()).toEqual(['clear_outputs', 'create_cell', 'delete_cell', 'get_notebook_state', 'restart_kernel', 'run_all', 'run_cell', 'update_cell']);

    // The notebook ends consistent, and other clients saw the changes live.
    const notebook = (await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body;
    expect(notebook.cells.map((c: { code: string }) => c.code)).toEqual(['', 'a = 20', 'b = a + 1\nb * 2']);
    expect(notebook.cells[1]).toMatchObject({ status: 'success', writes: ['a'] });
    expect(notebook.cells[2]).toMatchObject({ status: 'success', reads: ['a'], writes: ['b'], error: null });
    expect(JSON.stringify(notebook.cells[2].outputs)).toContain('42');
    expect(watcher.named('cell_created')).toHaveLength(2);
    expect(watcher.named('cell_updated').some((u) => u.cellId === secondId)).toBe(true);

    // Every tool call is in the audit log, read back over HTTP.
    const audit = await server.request('GET', `/api/chat/${id}/audit`, { token: ANN });
    expect(audit.status).toBe(200);
    expect(audit.body.entries.map((e: { tool: string }) => e.tool)).toEqual(['get_notebook_state', 'create_cell', 'create_cell', 'run_cell', 'run_cell', 'update_cell', 'run_cell']);
    expect(audit.body.entries[1]).toMatchObject({ user: 'ann', notebook_id: id, status: 'ok', cell_id: firstId, input: expect.stringContaining('a = 20'), time: expect.any(String) });
    expect(fs.readFileSync(path.join(auditDir, `${id}.jsonl`), 'utf8').trim().split('\n')).toHaveLength(7);
    // Bob cannot read Ann's audit, nor learn that the notebook exists.
    expect((await server.request('GET', `/api/chat/${id}/audit`, { token: BOB })).status).toBe(404);
    expect(server.logs.join('\n')).not.toContain('test-key');
  });

  it('fails a tool given a cell of another user\'s notebook, and leaves that cell alone', async () => {
    const annId = await newNotebook(ANN);
    const bobId = await newNotebook(BOB);
    const bobCell = (await server.request('GET', `/api/notebooks/${bobId}`, { token: BOB })).body.cells[0].id as string;
    fake.script([
      { blocks: [{ type: 'tool_use', name: 'update_cell', input: { cell_id: bobCell, code: 'stolen = 1' } }, { type: 'tool_use', name: 'run_cell', input: { cell_id: bobCell } }] },
      { blocks: [{ type: 'text', text: 'I cannot reach that cell.' }] },
    ]);
    const chat = await postChat(server.base, annId, [{ role: 'user', content: 'Edit cell ' + bobCell }], { token: ANN });
    const results = named(chat.events, 'tool_result');
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(results[0].summary).toMatch(/not found|no cell/i);
    expect(toolResults(fake.requests[fake.requests.length - 1]!).every((r) => r.isError)).toBe(true);
    expect((await server.request('GET', `/api/notebooks/${bobId}`, { token: BOB })).body.cells[0].code).toBe('');
    const audit = (await server.request('GET', `/api/chat/${annId}/audit`, { token: ANN })).body.entries;
    expect(audit.map((e: { status: string }) => e.status)).toEqual(['error', 'error']);
    // And Bob cannot chat on Ann's notebook at all.
    expect((await postChat(server.base, annId, [{ role: 'user', content: 'hi' }], { token: BOB })).status).toBe(404);
  });

  it('returns invalid tool input to the model as an error and carries on', async () => {
    const id = await newNotebook(ANN);
    fake.script([
      { blocks: [{ type: 'tool_use', name: 'create_cell', rawJson: '{"type": "fake", "code": "x = ' }] },
      { blocks: [{ type: 'tool_use', name: 'create_cell', input: { type: 'fake' } }, { type: 'tool_use', name: 'no_such_tool', input: {} }] },
      { blocks: [{ type: 'tool_use', name: 'create_cell', input: { type: 'fake', code: 'x = 1' } }] },
      { blocks: [{ type: 'text', text: 'Created.' }] },
    ]);
    const base = fake.requests.length;
    const chat = await postChat(server.base, id, [{ role: 'user', content: 'x = 1 please' }], { token: ANN });
    expect(named(chat.events, 'tool_result').map((r) => r.ok)).toEqual([false, false, false, true]);
    expect(toolResults(fake.requests[base + 1]!)[0]).toMatchObject({ isError: true, body: { error: expect.stringMatching(/not valid JSON/) } });
    expect(toolResults(fake.requests[base + 2]!)[0]!.body.error).toMatch(/code/);
    expect(toolResults(fake.requests[base + 2]!)[1]!.body.error).toMatch(/Unknown tool/);
    expect(named(chat.events, 'done')[0]).toMatchObject({ stop_reason: 'end_turn', turns: 4 });
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body.cells).toHaveLength(2);
  });

  it('run_cell returns the verdict of a cell that cannot run (syntax error) without waiting for the time limit, and delete_cell deletes', async () => {
    const id = await newNotebook(ANN);
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${first}`, { body: { code: 'x = = 1' }, token: ANN });
    fake.script([
      { blocks: [{ type: 'tool_use', name: 'run_cell', input: { cell_id: first } }] },
      { blocks: [{ type: 'tool_use', name: 'run_cell', input: { cell_id: first } }] },
      { blocks: [{ type: 'tool_use', name: 'delete_cell', input: { cell_id: first } }] },
      { blocks: [{ type: 'text', text: 'Removed it.' }] },
    ]);
    const base = fake.requests.length;
    const started = Date.now();
    const chat = await postChat(server.base, id, [{ role: 'user', content: 'run it twice then delete it' }], { token: ANN });
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const n of [1, 2]) {
      const result = toolResults(fake.requests[base + n]!)[0]!;
      expect(result.isError).toBe(false);
      expect(result.body).toMatchObject({ finished: true, status: expect.stringMatching(/^(error|blocked)$/), error: expect.stringContaining('SyntaxError') });
    }
    expect(named(chat.events, 'tool_result').map((r) => r.ok)).toEqual([true, true, true]);
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body.cells).toHaveLength(0);
  });

  it('stops at the turn limit', async () => {
    const id = await newNotebook(ANN);
    fake.script(() => ({ blocks: [{ type: 'tool_use', name: 'get_notebook_state', input: {} }] }));
    const base = fake.requests.length;
    const chat = await postChat(server.base, id, [{ role: 'user', content: 'loop forever' }], { token: ANN });
    expect(fake.requests.length - base).toBe(8);
    expect(named(chat.events, 'turn_start')).toHaveLength(8);
    expect(named(chat.events, 'done')).toEqual([{ type: 'done', turns: 8, stop_reason: 'max_turns' }]);
  });

  it('sends a model error that arrives mid-stream to the client as an error event', async () => {
    const id = await newNotebook(ANN);
    fake.script([{ blocks: [{ type: 'text', text: 'Starting to answer' }, { type: 'text', text: 'never sent' }], errorAfterBlocks: { blocks: 1, type: 'overloaded_error', message: 'Overloaded' } }]);
    const chat = await postChat(server.base, id, [{ role: 'user', content: 'hello' }], { token: ANN });
    expect(chat.status).toBe(200);
    expect(named(chat.events, 'text').map((e) => e.text).join('')).toBe('Starting to answer');
    const errors = named(chat.events, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/Overloaded/);
    expect(named(chat.events, 'done')).toEqual([]);
    expect(JSON.stringify(chat.events)).not.toContain('test-key');
  });

  it('stops the model request and the loop when the client disconnects', async () => {
    const id = await newNotebook(ANN);
    fake.script([{ blocks: [{ type: 'text', text: 'a long and slow answer '.repeat(20) }, { type: 'tool_use', name: 'create_cell', input: { type: 'fake', code: 'late = 1' } }], delayMs: 150 }]);
    const base = fake.requests.length;
    const controller = new AbortController();
    await postChat(server.base, id, [{ role: 'user', content: 'talk slowly' }], {
      token: ANN,
      signal: controller.signal,
      onEvent: (event) => event.event === 'text' && controller.abort(),
    });
    await fake.whenEnded(base + 1);
    expect(fake.requests[base]!.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.requests.length).toBe(base + 1);
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: ANN })).body.cells).toHaveLength(1);
    expect((await server.request('GET', `/api/chat/${id}/audit`, { token: ANN })).body.entries).toEqual([]);
  });

  it('answers 400 for malformed messages and 404 for an unknown notebook, before any model call', async () => {
    const id = await newNotebook(ANN);
    const base = fake.requests.length;
    const bad = [
      {},
      { messages: [] },
      { messages: [{ role: 'system', content: 'x' }] },
      { messages: [{ role: 'user', content: '' }] },
      { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yes' }] },
      { messages: 'hello' },
    ];
    for (const body of bad) {
      const reply = await server.request('POST', `/api/chat/${id}`, { body, token: ANN });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('RNB_ERR_INVALID_INPUT');
    }
    expect((await server.request('POST', `/api/chat/${id}`, { raw: '{not json', token: ANN, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const unknown = await server.request('POST', '/api/chat/no-such-notebook', { body: { messages: [{ role: 'user', content: 'hi' }] }, token: ANN });
    expect(unknown.status).toBe(404);
    expect((await server.request('POST', `/api/chat/${id}`, { body: { messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(401);
    expect(fake.requests.length).toBe(base);
  });
});

describe('notebook assistant without a key', () => {
  it('answers 503 with a message saying what to configure', async () => {
    const server = await startTestServer({ plugins: [fakeLanguagePlugin(), anthropicAssistantPlugin()], config: { ANTHROPIC_API_KEY: '' } });
    try {
      const id = (await server.request('POST', '/api/notebooks', { body: {} })).body.notebook_id as string;
      const reply = await server.request('POST', `/api/chat/${id}`, { body: { messages: [{ role: 'user', content: 'hi' }] } });
      expect(reply.status).toBe(503);
      expect(reply.body.error).toEqual({ code: 'RNB_ERR_ASSISTANT_UNAVAILABLE', message: expect.stringContaining('ANTHROPIC_API_KEY') });
      // The web app learns it before anyone asks anything.
      expect((await server.request('GET', '/api/config')).body.assistant).toEqual({ available: false, reason: reply.body.error.message });
    } finally {
      await server.close();
    }
  });

  it('answers 503 when no assistant plugin is loaded', async () => {
    const server = await startTestServer();
    try {
      const id = (await server.request('POST', '/api/notebooks', { body: {} })).body.notebook_id as string;
      const reply = await server.request('POST', `/api/chat/${id}`, { body: { messages: [{ role: 'user', content: 'hi' }] } });
      expect(reply.status).toBe(503);
    } finally {
      await server.close();
    }
  });
});

describe('notebook assistant limits', () => {
  let fake: FakeModelServer;
  let server: TestServer;
  let auditDir: string;
  beforeAll(async () => {
    fake = await startFakeModelServer();
    auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-audit-'));
    server = await startTestServer({
      plugins: [fakeLanguagePlugin(), anthropicAssistantPlugin()],
      config: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ASSISTANT_RUN_TIMEOUT_SECONDS: '1', ASSISTANT_MAX_RETRIES: '0', ASSISTANT_AUDIT_DIR: auditDir },
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    fs.rmSync(auditDir, { recursive: true, force: true });
  });

  it('run_cell answers "still running" at its time limit instead of blocking the chat', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: {} })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${first}`, { body: { code: 'sleep 6000\nx = 1' } });
    fake.script([{ blocks: [{ type: 'tool_use', name: 'run_cell', input: { cell_id: first } }] }, { blocks: [{ type: 'text', text: 'It is still running.' }] }]);
    const base = fake.requests.length;
    const chat = await postChat(server.base, id, [{ role: 'user', content: 'run it' }]);
    // The chat is over while the cell still runs: run_cell gave up waiting at its limit (1 s), not at the cell's end.
    expect((await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].status).toMatch(/^(queued|running)$/);
    expect(toolResults(fake.requests[base + 1]!)[0]!.body).toMatchObject({ finished: false, status: expect.stringMatching(/^(queued|running)$/), note: expect.stringContaining('Still running') });
    expect(named(chat.events, 'done')).toHaveLength(1);
    await server.notebooks.service.whenIdle('local', id).catch(() => undefined);
  });

  it('refuses a fourth simultaneous chat of one user with 429', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: {} })).body.notebook_id as string;
    fake.script(() => ({ blocks: [{ type: 'text', text: 'slow '.repeat(40) }], delayMs: 50 }));
    const controllers = [1, 2, 3].map(() => new AbortController());
    const opened: Promise<unknown>[] = [];
    let streaming = 0;
    await new Promise<void>((resolve) => {
      for (const controller of controllers) {
        opened.push(postChat(server.base, id, [{ role: 'user', content: 'talk' }], { signal: controller.signal, onEvent: () => {
          streaming += 1;
          if (streaming === 3) resolve();
        } }));
      }
    });
    const fourth = await server.request('POST', `/api/chat/${id}`, { body: { messages: [{ role: 'user', content: 'one more' }] } });
    expect(fourth.status).toBe(429);
    for (const controller of controllers) controller.abort();
    await Promise.all(opened);
  });
});
