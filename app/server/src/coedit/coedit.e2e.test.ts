/**
 * Co-editing over socket.io with real Yjs documents: several clients type into one cell at once (random delays),
 * cells are created and deleted meanwhile; every keystroke ends in every client, in storage, and after a restart.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FileNotebookStore } from '@rnb/storage-file';
import { startTestServer, type TestServer } from '../test-support/harness';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { YjsSocketClient } from '../test-support/yjs-client';

const KEYSTROKES = 60;

/** One keystroke = one character no other keystroke types, so each can be found again. */
function keystroke(client: number, n: number): string {
  return String.fromCharCode(0x4e00 + client * 1000 + n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function missingFrom(text: string, client: number, count: number, from = 0): string[] {
  const missing: string[] = [];
  for (let n = from; n < count; n++) if (!text.includes(keystroke(client, n))) missing.push(`client ${client} key ${n}`);
  return missing;
}

describe('co-editing (Yjs over socket.io)', () => {
  let dir: string;
  let server: TestServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-coedit-'));
    server = await startTestServer({ store: await FileNotebookStore.open({ dir }), coedit: { flushDelayMs: 100, flushMaxWaitMs: 400 } });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function notebook(): Promise<{ id: string; shared: string }> {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'co-edit' } })).body.notebook_id as string;
    const shared = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${shared}`, { body: { type: 'fake', code: '' } });
    return { id, shared };
  }

  function join(id: string): YjsSocketClient {
    return new YjsSocketClient({ url: server.url, notebookId: id });
  }

  /**
   * `clients` type KEYSTROKES characters each at random places of the shared cell with random pauses; each also
   * creates a cell of its own halfway and types into it, and creates and deletes a scratch cell.
   */
  async function typeTogether(count: number): Promise<void> {
    const { id, shared } = await notebook();
    const clients = Array.from({ length: count }, () => join(id));
    await Promise.all(clients.map((c) => c.ready()));
    await Promise.all(clients.map((c) => c.until(() => c.text(shared) !== undefined)));
    const own: string[] = [];

    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; n < KEYSTROKES; n++) {
          const length = client.text(shared)!.length;
          client.type(shared, Math.floor(Math.random() * (length + 1)), keystroke(i, n));
          if (n === KEYSTROKES / 2) {
            const cellId = randomUUID();
            own[i] = cellId;
            expect((await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: '', cell_id: cellId } })).status).toBe(201);
            const scratch = (await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'scratch' } })).body.cell_id as string;
            expect((await server.request('DELETE', `/api/notebooks/${id}/cells/${scratch}`)).status).toBe(204);
            await client.until(() => client.text(cellId) !== undefined);
          }
          if (own[i] !== undefined) client.type(own[i]!, client.text(own[i]!)!.length, keystroke(i, n));
          await sleep(Math.random() * 8);
        }
      }),
    );
    await Promise.all(clients.map((c) => c.acknowledged()));

    // Every client holds every keystroke, the same text.
    const expected = clients[0]!.text(shared)!;
    await Promise.all(clients.map((c) => c.until(() => c.text(shared) === expected && own.every((cell) => c.text(cell) === clients[0]!.text(cell)))));
    for (let i = 0; i < count; i++) expect(missingFrom(expected, i, KEYSTROKES)).toEqual([]);
    expect(expected).toHaveLength(count * KEYSTROKES);
    for (let i = 0; i < count; i++) expect(missingFrom(clients[0]!.text(own[i]!)!, i, KEYSTROKES, KEYSTROKES / 2)).toEqual([]);
    // Scratch cells are gone everywhere: the document holds the notebook's cells only.
    for (const client of clients) expect(client.cells.size).toBe(1 + count);

    // In storage: the notebook's code (after the pause in typing) and the persisted document.
    await waitForStoredCode(id, shared, expected);
    for (const client of clients) client.close();

    // After a restart on the same storage: the same text, to a new client.
    await server.close();
    server = await startTestServer({ store: await FileNotebookStore.open({ dir }), coedit: { flushDelayMs: 100, flushMaxWaitMs: 400 } });
    const later = join(id);
    await later.ready();
    expect(later.text(shared)).toBe(expected);
    for (let i = 0; i < count; i++) expect(later.text(own[i]!)).toBe(clients[0]!.text(own[i]!));
    later.close();
  }

  async function waitForStoredCode(id: string, cellId: string, code: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const cell = (await server.request('GET', `/api/notebooks/${id}`)).body.cells.find((c: { id: string }) => c.id === cellId);
      if (cell?.code === code) return;
      if (Date.now() > deadline) throw new Error(`stored code is ${JSON.stringify(cell?.code)}, not the typed text`);
      await sleep(50);
    }
  }

  it('keeps every keystroke of two clients typing into one cell at once, with cells added and deleted meanwhile', async () => {
    await typeTogether(2);
  });

  it('keeps every keystroke of five clients, in every client, in storage and after a restart', async () => {
    await typeTogether(5);
  });

  it('hands typed code to the notebook, which analyses it as an edit (reads and writes)', async () => {
    const { id, shared } = await notebook();
    const client = join(id);
    await client.ready();
    await client.until(() => client.text(shared) !== undefined);
    client.type(shared, 0, 'x = y + 1');
    await client.acknowledged();
    await waitForStoredCode(id, shared, 'x = y + 1');
    const cell = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
    expect(cell).toMatchObject({ reads: ['y'], writes: ['x'] });
    client.close();
  });

  it('keeps acknowledged keystrokes that never reached the notebook when the server dies before the pause in typing', async () => {
    const { id, shared } = await notebook();
    // A second server on the same storage plays the restarted one; the first never hands the code over (long pause).
    const crashed = await startTestServer({ store: await FileNotebookStore.open({ dir }), coedit: { flushDelayMs: 3_600_000, flushMaxWaitMs: 3_600_000 } });
    const client = new YjsSocketClient({ url: crashed.url, notebookId: id });
    await client.ready();
    client.type(shared, 0, 'z = 42');
    await client.acknowledged();
    client.close();
    const restarted = await startTestServer({ store: await FileNotebookStore.open({ dir }), coedit: { flushDelayMs: 50 } });
    try {
      const later = new YjsSocketClient({ url: restarted.url, notebookId: id });
      await later.ready();
      expect(later.text(shared)).toBe('z = 42');
      // The restarted server sees the document ahead of the stored code and hands it over.
      const deadline = Date.now() + 10_000;
      while ((await restarted.request('GET', `/api/notebooks/${id}`)).body.cells[0].code !== 'z = 42') {
        if (Date.now() > deadline) throw new Error('the restarted server did not hand the typed code to the notebook');
        await sleep(50);
      }
      later.close();
    } finally {
      await restarted.close();
      await crashed.close();
    }
  });

  it('turns an HTTP edit into a replace of the cell\'s text that every client sees; base_code is checked against the document', async () => {
    const { id, shared } = await notebook();
    const client = join(id);
    await client.ready();
    await client.until(() => client.text(shared) !== undefined);
    client.type(shared, 0, 'a = 1');
    await client.acknowledged();
    const url = `/api/notebooks/${id}/cells/${shared}`;
    // The document is ahead of the stored code while typing pauses: base_code is compared with the document.
    expect((await server.request('PUT', url, { body: { code: 'a = 2', base_code: 'a = 1' } })).status).toBe(200);
    await client.until(() => client.text(shared) === 'a = 2');
    const refused = await server.request('PUT', url, { body: { code: 'a = 3', base_code: 'a = 1' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'RNB_ERR_EDIT_CONFLICT', current_code: 'a = 2' });
    client.close();
  });

  it('removes an entry a client added for a cell the notebook does not have', async () => {
    const { id, shared } = await notebook();
    const client = join(id);
    await client.ready();
    client.cells.set('not-a-cell', new Y.Text('x = 1'));
    await client.until(() => !client.cells.has('not-a-cell'));
    expect(client.text(shared)).toBe('');
    client.close();
  });

  it('refuses updates that are not Yjs updates', async () => {
    const { id } = await notebook();
    const client = server.connect(id);
    await client.waitFor('authenticated');
    const answer = await client.ask('yjs_update', { update: Buffer.from([1, 2, 3, 250, 250]) });
    expect(answer.error).toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
    const notBinary = await client.ask('yjs_update', { update: 'text' });
    expect(notBinary.error).toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
  });

  it('merges typing done offline on reconnect, with what others typed meanwhile', async () => {
    const { id, shared } = await notebook();
    const [away, here] = [join(id), join(id)];
    await Promise.all([away.ready(), here.ready()]);
    await away.until(() => away.text(shared) !== undefined);
    away.type(shared, 0, 'a = 1');
    await away.acknowledged();
    await here.until(() => here.text(shared) === 'a = 1');
    away.socket.disconnect();
    away.type(shared, 5, '\nb = 2');
    here.type(shared, 0, '# top\n');
    await here.acknowledged();
    away.socket.connect();
    await away.acknowledged();
    const merged = '# top\na = 1\nb = 2';
    await Promise.all([away, here].map((c) => c.until(() => c.text(shared) === merged)));
    await waitForStoredCode(id, shared, merged);
    away.close();
    here.close();
  });

  it('removes a deleted cell\'s text from every client, even one typing in it, and an undo (same id) brings it back', async () => {
    const { id } = await notebook();
    const cellId = randomUUID();
    await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'gone = 1', cell_id: cellId } });
    const [typist, other] = [join(id), join(id)];
    await Promise.all([typist.ready(), other.ready()]);
    await typist.until(() => typist.text(cellId) === 'gone = 1');
    typist.type(cellId, 8, '0');
    expect((await server.request('DELETE', `/api/notebooks/${id}/cells/${cellId}`)).status).toBe(204);
    typist.type(cellId, 0, '#');
    await Promise.all([typist, other].map((c) => c.until(() => !c.cells.has(cellId))));
    // Undo of a delete: the page creates the cell again with its id and code.
    expect((await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'gone = 10', cell_id: cellId } })).status).toBe(201);
    await Promise.all([typist, other].map((c) => c.until(() => c.text(cellId) === 'gone = 10')));
    typist.type(cellId, 9, '0');
    await typist.acknowledged();
    await other.until(() => other.text(cellId) === 'gone = 100');
    typist.close();
    other.close();
  });

  it('relays presence (name, colour, cell) to the others and announces a client that left', async () => {
    const { id, shared } = await notebook();
    const ann = server.connect(id);
    const bob = server.connect(id);
    await Promise.all([ann.waitFor('authenticated'), bob.waitFor('authenticated')]);
    const annDoc = new Y.Doc();
    const presence = new Awareness(annDoc);
    presence.setLocalState({ user: { name: 'Ann', color: '#d9480f', colorLight: '#d9480f33' }, cell: shared });
    expect(await ann.ask('yjs_awareness', { update: encodeAwarenessUpdate(presence, [annDoc.clientID]) })).toEqual({ ok: true });
    const seen = await bob.waitFor('yjs_awareness');
    const bobView = new Awareness(new Y.Doc());
    applyAwarenessUpdate(bobView, new Uint8Array(seen.update), 'remote');
    expect(bobView.getStates().get(annDoc.clientID)).toEqual({ user: { name: 'Ann', color: '#d9480f', colorLight: '#d9480f33' }, cell: shared });
    // The sender does not get its own presence back.
    expect(ann.named('yjs_awareness')).toHaveLength(0);

    ann.close();
    const gone = await bob.waitFor('yjs_awareness', (p) => p !== seen);
    applyAwarenessUpdate(bobView, new Uint8Array(gone.update), 'remote');
    expect(bobView.getStates().has(annDoc.clientID)).toBe(false);
    expect((await bob.ask('yjs_awareness', { update: Buffer.from([9, 9, 9]) })).error).toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
    presence.destroy();
    bobView.destroy();
    annDoc.destroy();
  });
});
