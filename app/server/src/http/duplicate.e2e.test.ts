/** Duplicating a notebook (POST /api/notebooks/{id}/duplicate) and what the list says of each notebook (fake language). */
import { MemoryNotebookStore } from '@rnb/core';
import { startTestServer, type TestServer } from '../test-support/harness';

describe('duplicate and list', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: new MemoryNotebookStore() });
  });
  afterAll(() => server.close());

  async function notebookWithCells(name: string, codes: string[]): Promise<string> {
    const id = (await server.request('POST', '/api/notebooks', { body: { name } })).body.notebook_id as string;
    const starter = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${starter}`, { body: { code: codes[0] } });
    for (const code of codes.slice(1)) await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code } });
    return id;
  }

  async function runAllAndWait(id: string): Promise<void> {
    await server.request('POST', `/api/notebooks/${id}/run_all`);
    for (let i = 0; i < 200; i++) {
      const cells = (await server.request('GET', `/api/notebooks/${id}`)).body.cells as { status: string }[];
      if (cells.every((c) => c.status === 'success' || c.status === 'error')) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the run did not end');
  }

  it('copies the cells with their last outputs, shown stale, under "<name> (copy)", and leaves the original alone', async () => {
    const id = await notebookWithCells('Sales', ['a = 1', 'print a']);
    await runAllAndWait(id);
    const copy = await server.request('POST', `/api/notebooks/${id}/duplicate`);
    expect(copy.status).toBe(201);
    const copyId = copy.body.notebook_id as string;
    expect(copyId).not.toBe(id);
    const original = (await server.request('GET', `/api/notebooks/${id}`)).body;
    const duplicated = (await server.request('GET', `/api/notebooks/${copyId}`)).body;
    expect(duplicated.name).toBe('Sales (copy)');
    expect(duplicated.cells.map((c: { code: string; stdout: string; status: string }) => [c.code, c.stdout, c.status])).toEqual([['a = 1', '', 'stale'], ['print a', '1\n', 'stale']]);
    expect(original.cells.map((c: { status: string }) => c.status)).toEqual(['success', 'success']);
    // Editing the copy does not touch the original.
    await server.request('PUT', `/api/notebooks/${copyId}/cells/${duplicated.cells[0].id}`, { body: { code: 'a = 2' } });
    expect((await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].code).toBe('a = 1');
  });

  it('refuses a notebook that is not there', async () => {
    const missing = await server.request('POST', '/api/notebooks/no-such-notebook/duplicate');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('RNB_ERR_NOTEBOOK_NOT_FOUND');
  });

  it('lists each notebook with its size and when it last ran', async () => {
    const ran = await notebookWithCells('Ran', ['b = 1']);
    const never = await notebookWithCells('Never ran', ['c = 1']);
    await runAllAndWait(ran);
    let listed: { id: string; bytes?: number; last_run_at: string | null }[] = [];
    // Run results are saved within 100 ms of the run's end.
    for (let i = 0; i < 40; i++) {
      listed = (await server.request('GET', '/api/notebooks')).body.notebooks;
      if (listed.find((n) => n.id === ran)?.last_run_at) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ranEntry = listed.find((n) => n.id === ran)!;
    const neverEntry = listed.find((n) => n.id === never)!;
    expect(Date.parse(ranEntry.last_run_at!)).toBeGreaterThan(Date.now() - 60_000);
    expect(neverEntry.last_run_at).toBeNull();
    expect(ranEntry.bytes).toBeGreaterThan(0);
  });
});
