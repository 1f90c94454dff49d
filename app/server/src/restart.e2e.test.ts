import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pythonPlugin from '@rnb/plugin-python';
import fileStoragePlugin from '@rnb/storage-file';
import { LOCAL_USER_ID } from './auth/no-auth';
import { startTestServer, type TestServer } from './test-support/harness';

/**
 * A server restart (what SIGTERM does: close() saves and stops; a new process
 * loads the same folder) must not run anything: a blocked cell stays blocked
 * and no cell runs that nobody asked for.
 */
describe('a server restart with the real Python plugin and file storage', () => {
  let dir: string;
  const servers: TestServer[] = [];
  const start = async (): Promise<TestServer> => {
    const server = await startTestServer({ plugins: [pythonPlugin(), fileStoragePlugin({ dir })] });
    servers.push(server);
    return server;
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-restart-'));
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a cell blocked for a duplicate definition blocked, and runs nothing on load', async () => {
    const first = await start();
    const id = (await first.request('POST', '/api/notebooks', { body: { name: 'restart' } })).body.notebook_id as string;
    const one = (await first.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await first.request('PUT', `/api/notebooks/${id}/cells/${one}`, { body: { code: "probe = 1; print('one')" } });
    const client = first.connect(id);
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: one });
    await client.waitForStatus(one, 'success', 60_000);
    const two = (await first.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'python', code: "probe = 2; print('two')" } })).body.cell_id as string;
    await client.waitForStatus(one, 'blocked');
    const before = (await first.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(before.map((c: { status: string }) => c.status)).toEqual(['blocked', 'blocked']);
    await first.close();

    const second = await start();
    const reader = second.connect(id);
    await reader.waitFor('authenticated');
    // Loading the notebook is all that happens; then wait until its scheduler has nothing left to do.
    await second.notebooks.service.whenIdle(LOCAL_USER_ID, id);
    const after = (await second.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(after.find((c: { id: string }) => c.id === two)).toMatchObject({ status: 'blocked', stdout: '', error: expect.stringMatching(/probe/) });
    expect(after.find((c: { id: string }) => c.id === one)).toMatchObject({ status: 'blocked', stdout: 'one\n' });
    expect(reader.named('cell_status').filter((p) => ['queued', 'running', 'success'].includes(p.status))).toEqual([]);
    expect(reader.named('cell_stdout')).toEqual([]);
    // Nothing asked for a run, so no kernel was started.
    expect(second.notebooks.kernels.sessionCount).toBe(0);
  }, 120_000);
});
