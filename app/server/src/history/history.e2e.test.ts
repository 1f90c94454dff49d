import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileHistoryStore, type NotebookVersion } from '@rnb/core';
import { DynamoDbNotebookStore } from '@rnb/storage-dynamodb';
import { startDynalite } from '../test-support/cluster';
import { YjsSocketClient } from '../test-support/yjs-client';
import { StaticTokenAuth, startTestServer, type TestServer } from '../test-support/harness';

/** ann owns the notebook; ed edits it, vic views it. */
const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'ed-token': 'ed', 'vic-token': 'vic' });
/** Short enough for a test, long enough that a burst of requests counts as one pause. */
const PAUSE_MS = 300;

jest.setTimeout(60_000);

describe('version history', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-history-'));
    server = await startTestServer({ auth, historyStore: new FileHistoryStore(dir), history: { pauseMs: PAUSE_MS, maxVersions: 4 } });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function notebook(): Promise<{ id: string; cell: string }> {
    const id = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: { name: 'history' } })).body.notebook_id as string;
    const cell = (await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/shares/ed`, { token: 'ann-token', body: { role: 'editor' } });
    await server.request('PUT', `/api/notebooks/${id}/shares/vic`, { token: 'ann-token', body: { role: 'viewer' } });
    return { id, cell };
  }

  async function history(id: string, token = 'ann-token'): Promise<any[]> {
    return (await server.request('GET', `/api/notebooks/${id}/history`, { token })).body.versions;
  }

  /** Polls until the history has `count` versions (a pause in typing ends on a timer). */
  async function versionsReach(id: string, count: number, timeoutMs = 15_000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const versions = await history(id);
      // Past the deadline the caller's expectation says what is missing.
      if (versions.length >= count || Date.now() > deadline) return versions;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Polls until the newest version's first cell holds `code` (a run's version is stored after the run is queued). */
  async function newestHolds(id: string, code: string): Promise<void> {
    for (;;) {
      const [newest] = await history(id);
      if (newest && (await server.request('GET', `/api/notebooks/${id}/history/${newest.id}`, { token: 'ann-token' })).body.cells[0].code === code) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('takes a version at every run, and one after a pause in typing, with who changed what', async () => {
    const { id, cell } = await notebook();
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'x = 1' } });
    await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
    const [ran] = await versionsReach(id, 1);
    expect(ran).toMatchObject({ reason: 'run', authors: ['ann'], summary: '1 cell added' });
    // A burst of edits by the editor: one version once the typing pauses.
    for (const code of ['x = 2', 'x = 23', 'x = 234']) await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ed-token', body: { code } });
    await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ed-token', body: { type: 'fake', code: 'y = x' } });
    const versions = await versionsReach(id, 2);
    expect(versions).toHaveLength(2);
    expect(versions[0]).toMatchObject({ reason: 'edit', authors: ['ed'], summary: '1 cell changed, 1 cell added' });
    const full = await server.request('GET', `/api/notebooks/${id}/history/${versions[0].id}`, { token: 'vic-token' });
    expect(full.body.cells.map((c: { code: string }) => c.code)).toEqual(['x = 234', 'y = x']);
    // A run with nothing changed since the last version takes none.
    // (Versions of one notebook are taken in order: once the next run's version is there, run_all's would be too.)
    await server.request('POST', `/api/notebooks/${id}/run_all`, { token: 'ed-token' });
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'x = 5' } });
    await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
    await newestHolds(id, 'x = 5');
    expect((await history(id)).map((v) => v.reason)).toEqual(['run', 'edit', 'run']);
  });

  it('takes a version after a pause in typing in the page (co-editing updates), with the typist as author', async () => {
    const { id, cell } = await notebook();
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'x = 1' } });
    await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
    await versionsReach(id, 1);
    const typist = new YjsSocketClient({ url: server.url, notebookId: id, token: 'ed-token' });
    try {
      await typist.ready();
      await typist.until(() => typist.text(cell) === 'x = 1');
      for (const char of '234') typist.type(cell, typist.text(cell)!.length, char);
      await typist.acknowledged();
      const versions = await versionsReach(id, 2);
      expect(versions[0]).toMatchObject({ reason: 'edit', authors: ['ed'], summary: '1 cell changed' });
      await newestHolds(id, 'x = 1234');
    } finally {
      typist.close();
    }
  });

  it('diffs two versions cell by cell, line by line', async () => {
    const { id, cell } = await notebook();
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'a = 1\nb = 2\nc = 3' } });
    await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
    await versionsReach(id, 1);
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'a = 1\nb = 20\nc = 3' } });
    await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
    const [newer, older] = await versionsReach(id, 2);
    const diff = await server.request('GET', `/api/notebooks/${id}/history/diff?from=${older.id}&to=${newer.id}`, { token: 'vic-token' });
    expect(diff.body.cells).toEqual([{ cell_id: cell, type: 'fake', change: 'changed', moved: false, lines: [{ op: '=', text: 'a = 1' }, { op: '-', text: 'b = 2' }, { op: '+', text: 'b = 20' }, { op: '=', text: 'c = 3' }] }]);
    const missing = await server.request('GET', `/api/notebooks/${id}/history/diff?from=nope&to=${newer.id}`, { token: 'ann-token' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'RNB_ERR_VERSION_NOT_FOUND']);
  });

  it('restores as edits a second client sees, as a new version, undone by restoring the version before; viewers and strangers may not', async () => {
    const { id, cell } = await notebook();
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'x = 1' } });
    await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
    const [first] = await versionsReach(id, 1);
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: 'x = 2' } });
    const added = (await server.request('POST', `/api/notebooks/${id}/cells`, { token: 'ann-token', body: { type: 'fake', code: 'y = x' } })).body.cell_id;
    const watcher = server.connect(id, { token: 'vic-token' });
    await watcher.waitFor('authenticated');

    expect((await server.request('POST', `/api/notebooks/${id}/history/${first.id}/restore`, { token: 'vic-token' })).status).toBe(403);
    expect((await server.request('POST', `/api/notebooks/${id}/history/${first.id}/restore`, { token: 'bob-token' })).status).toBe(401);
    const restored = await server.request('POST', `/api/notebooks/${id}/history/${first.id}/restore`, { token: 'ed-token' });
    expect(restored.body.version).toMatchObject({ reason: 'restore', authors: ['ed'] });
    await watcher.waitFor('cell_deleted', (p) => p.cellId === added);
    await watcher.waitFor('cell_updated', (p) => (p.cellId ?? p.cell?.id) === cell && (p.code ?? p.cell?.code) === 'x = 1');
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells.map((c: { code: string }) => c.code)).toEqual(['x = 1']);

    // The state before the restore was kept: restoring it undoes the restore (same cell ids).
    const versions = await history(id);
    const before = versions[1];
    expect(before.reason).toBe('edit');
    await server.request('POST', `/api/notebooks/${id}/history/${before.id}/restore`, { token: 'ann-token' });
    const undone = (await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells;
    expect(undone.map((c: { id: string; code: string }) => [c.id, c.code])).toEqual([[cell, 'x = 2'], [added, 'y = x']]);
  });

  it('keeps at most the configured number of versions, dropping the oldest', async () => {
    const { id, cell } = await notebook();
    for (let i = 0; i < 6; i++) {
      await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code: `x = ${i}` } });
      await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
      await newestHolds(id, `x = ${i}`);
    }
    // Versions are stored in a file per notebook: what the API lists is what the file keeps.
    const stored = fs.readdirSync(dir).flatMap((owner) => fs.readdirSync(path.join(dir, owner)).map((f) => path.join(dir, owner, f)));
    const file = stored.find((f) => f.endsWith(`${id}.json`))!;
    const kept = (JSON.parse(fs.readFileSync(file, 'utf8')) as { versions: NotebookVersion[] }).versions;
    expect(kept.map((v) => v.cells[0]!.code)).toEqual(['x = 2', 'x = 3', 'x = 4', 'x = 5']);
    expect((await history(id)).map((v) => v.id)).toEqual(kept.map((v) => v.id).reverse());
  });
});

describe('version history with DynamoDB storage (dynalite)', () => {
  let dynamo: { endpoint: string; close(): Promise<void> };
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(() => dynamo?.close());

  it('keeps the versions in the table: a restarted server lists them, and restores one', async () => {
    const table = `history-e2e-${process.pid}`;
    const open = async (): Promise<TestServer> => {
      const store = new DynamoDbNotebookStore({ table, endpoint: dynamo.endpoint, region: 'us-east-1' });
      await store.createTable();
      return startTestServer({ auth, store, history: { pauseMs: PAUSE_MS, maxVersions: 4 } });
    };
    let server = await open();
    const id = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: { name: 'kept' } })).body.notebook_id as string;
    const cell = (await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[0].id as string;
    for (const code of ['x = 1', 'x = 2']) {
      await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { token: 'ann-token', body: { code } });
      await server.request('POST', `/api/notebooks/${id}/cells/${cell}/run`, { token: 'ann-token' });
      for (;;) {
        const [newest] = (await server.request('GET', `/api/notebooks/${id}/history`, { token: 'ann-token' })).body.versions;
        if (newest && (await server.request('GET', `/api/notebooks/${id}/history/${newest.id}`, { token: 'ann-token' })).body.cells[0].code === code) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const before = (await server.request('GET', `/api/notebooks/${id}/history`, { token: 'ann-token' })).body.versions;
    await server.close();

    server = await open();
    try {
      const after = (await server.request('GET', `/api/notebooks/${id}/history`, { token: 'ann-token' })).body.versions;
      expect(after).toEqual(before);
      expect(after.map((v: { reason: string }) => v.reason)).toEqual(['run', 'run']);
      const oldest = after[after.length - 1];
      expect((await server.request('POST', `/api/notebooks/${id}/history/${oldest.id}/restore`, { token: 'ann-token' })).status).toBe(200);
      expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.cells[0].code).toBe('x = 1');
    } finally {
      await server.close();
    }
  });
});
