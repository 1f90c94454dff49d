import anthropicAssistantPlugin from '@rnb/plugin-assistant-anthropic';
import { startFakeModelServer, type FakeModelRequest, type FakeModelServer } from '@rnb/plugin-assistant-anthropic/testing';
import { fakeLanguagePlugin, startTestServer, type TestServer } from '../test-support/harness';
import { postChat } from '../test-support/sse';
import { CASCADE_LIMITS } from './preview';

/**
 * What the model sees of a run: run_cell's cascade with each downstream
 * cell's stdout and outputs (bounded), and the notebook-wide tools run_all,
 * restart_kernel and clear_outputs. Real host, fake model server.
 */
jest.setTimeout(60_000);

/** The tool results the model got in its last user turn, parsed. */
function toolResults(request: FakeModelRequest): { isError: boolean; body: any }[] {
  const last = request.body.messages[request.body.messages.length - 1];
  if (!last || !Array.isArray(last.content)) return [];
  return (last.content as { type: string; content: string; is_error?: boolean }[])
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ isError: b.is_error === true, body: JSON.parse(b.content) }));
}

describe('assistant run tools (fake model server)', () => {
  let fake: FakeModelServer;
  let server: TestServer;

  beforeAll(async () => {
    fake = await startFakeModelServer({ apiKey: 'test-key' });
    server = await startTestServer({
      plugins: [fakeLanguagePlugin(), anthropicAssistantPlugin()],
      config: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url, ASSISTANT_MAX_TURNS: '8', ASSISTANT_MAX_RETRIES: '0' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  /** A notebook with one fake cell per code; returns its id and the cells' ids. */
  async function notebookWith(codes: string[]): Promise<{ id: string; cells: string[] }> {
    const id = (await server.request('POST', '/api/notebooks', { body: {} })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`);
    const cells: string[] = [];
    for (const code of codes) {
      const created = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code, ...(cells.length ? { after_cell_id: cells[cells.length - 1] } : {}) } });
      cells.push(created.body.cell_id);
    }
    return { id, cells };
  }

  /** Has the model call the tools in order (one per turn) and returns what each call gave back. */
  async function callTools(notebookId: string, calls: { name: string; input: object }[]): Promise<{ isError: boolean; body: any }[]> {
    fake.script([...calls.map((call) => ({ blocks: [{ type: 'tool_use' as const, name: call.name, input: call.input }] })), { blocks: [{ type: 'text', text: 'Done.' }] }]);
    const base = fake.requests.length;
    const chat = await postChat(server.base, notebookId, [{ role: 'user', content: 'go' }]);
    expect(chat.status).toBe(200);
    return calls.map((_, n) => toolResults(fake.requests[base + n + 1]!)[0]!);
  }

  it("run_cell's result shows each downstream cell's status, stdout and output, not only the cell it ran", async () => {
    const nb = await notebookWith(['base = 2', 'print "tenfold", base * 10', 'base + 1', 'other = 5', 'print base / 0 + missing']);
    const [result] = await callTools(nb.id, [{ name: 'run_cell', input: { cell_id: nb.cells[0] } }]);
    expect(result!.isError).toBe(false);
    expect(result!.body).toMatchObject({ id: nb.cells[0], status: 'success', finished: true });
    const cascade = result!.body.cascade as { id: string; index: number; status: string; stdout: string; outputs: { preview: string }[]; error: string | null }[];
    expect(cascade.map((c) => c.id)).toEqual([nb.cells[1], nb.cells[2], nb.cells[4]]);
    expect(cascade[0]).toMatchObject({ index: 1, status: 'success', stdout: 'tenfold 20\n', error: null });
    expect(cascade[1]).toMatchObject({ index: 2, status: 'success', outputs: [expect.objectContaining({ preview: '3' })] });
    expect(cascade[2]).toMatchObject({ index: 4, status: 'error', error: expect.stringContaining('missing') });
  });

  it('bounds the cascade: long stdout is clipped per cell and the whole stays within its total', async () => {
    const readers = Array.from({ length: 40 }, (_, n) => `print "reader ${n}", seed\nflood 400`);
    const nb = await notebookWith(['seed = 1', ...readers]);
    const [result] = await callTools(nb.id, [{ name: 'run_cell', input: { cell_id: nb.cells[0] } }]);
    const cascade = result!.body.cascade as { stdout?: string; omitted?: string; status: string }[];
    expect(cascade.length + (result!.body.cascade_not_listed ?? 0)).toBe(40);
    expect(JSON.stringify(cascade).length).toBeLessThanOrEqual(CASCADE_LIMITS.totalChars + 100);
    // The first readers come with the end of their stdout; later ones with their status only.
    expect(cascade[0]!.stdout).toMatch(/399\n$/);
    expect(cascade[0]!.stdout!.length).toBeLessThan(CASCADE_LIMITS.stdout + 100);
    expect(cascade.some((c) => c.omitted !== undefined && c.status === 'success')).toBe(true);
  });

  it('run_all runs every cell and returns each one; restart_kernel leaves them stale; clear_outputs empties them', async () => {
    const nb = await notebookWith(['print total', 'total = part * 3', 'part = 14', 'dup = 1', 'dup = 2']);
    const [ran, restarted, cleared] = await callTools(nb.id, [
      { name: 'run_all', input: {} },
      { name: 'restart_kernel', input: {} },
      { name: 'clear_outputs', input: {} },
    ]);
    expect(ran!.isError).toBe(false);
    expect(ran!.body.finished).toBe(true);
    expect(ran!.body.cells.map((c: { status: string }) => c.status)).toEqual(['success', 'success', 'success', 'blocked', 'blocked']);
    expect(ran!.body.cells[0]).toMatchObject({ id: nb.cells[0], index: 0, stdout: '42\n' });
    expect(restarted).toEqual({ isError: false, body: expect.objectContaining({ restarted: true }) });
    expect(cleared).toEqual({ isError: false, body: { cleared: true } });
    const cells = (await server.request('GET', `/api/notebooks/${nb.id}`)).body.cells as { status: string; stdout: string }[];
    expect(cells.map((c) => [c.status, c.stdout])).toEqual([['stale', ''], ['stale', ''], ['stale', ''], ['blocked', ''], ['blocked', '']]);
  });
});
