/**
 * The page's co-editing session against the real host (socket.io, sharing, storage): an update the host refuses
 * (a viewer's) is not sent again and is undone here, with a message for the user; one the host could not store (its
 * storage failing for a moment) is sent again until it is stored.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { definePlugin, LanguageRegistry, MemoryNotebookStore, StorageError, UnauthorizedError, type AnyPlugin, type AuthProvider, type Identity } from '@rnb/core';
import { fakeLanguage } from '@rnb/core/testing';
import { createNotebookServer, type NotebookServer } from '@rnb/server';
import Koa from 'koa';
import { io } from 'socket.io-client';
import { ApiClient } from '../api/http';
import { NotebookSocket } from '../api/socket';
import { CoeditSession } from './coedit';

const TOKENS: Record<string, string> = { 'ann-token': 'ann', 'vic-token': 'vic' };
const auth: AuthProvider = {
  id: 'static-tokens',
  requiresToken: true,
  async authenticate(token: string | undefined): Promise<Identity> {
    const userId = token ? TOKENS[token] : undefined;
    if (!userId) throw new UnauthorizedError('Unknown token.');
    return { userId };
  },
};

/** Memory storage whose co-editing saves fail while `failures` is above zero (a storage hiccup). */
class FlakyStore extends MemoryNotebookStore {
  failures = 0;
  override async saveCoedit(owner: string, id: string, state: Uint8Array): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new StorageError('The disk is full for a moment.');
    }
    return super.saveCoedit(owner, id, state);
  }
}

const fakeLanguages = definePlugin({
  id: 'test:fake-language',
  requires: { languages: LanguageRegistry },
  activate: (_context, { languages }) => languages.register(fakeLanguage()),
}) as AnyPlugin;

let notebooks: NotebookServer;
let server: http.Server;
let base: URL;
const store = new FlakyStore();
const sockets: NotebookSocket[] = [];

beforeAll(async () => {
  // Updates over 2,000 bytes are refused (RNB_ERR_PAYLOAD_TOO_LARGE; 1 MB by default).
  notebooks = await createNotebookServer({ plugins: [fakeLanguages], auth, store, kernels: { warmProcesses: 0 }, coedit: { maxUpdateBytes: 2000 } });
  const app = new Koa();
  app.silent = true;
  app.use(notebooks.middleware);
  server = http.createServer(app.callback());
  notebooks.attach(server, {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await notebooks.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function waitFor(check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > 15_000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A page's co-editing session on a real socket, counting the `yjs_update` messages it sends. */
async function page(notebookId: string, token: string): Promise<{ session: CoeditSession; refusals: string[]; updatesSent: () => number }> {
  const refusals: string[] = [];
  const session = new CoeditSession({ name: token, onRefused: (message) => refusals.push(message) });
  let sent = 0;
  const socket = new NotebookSocket({
    notebookId,
    base,
    coedit: session,
    getToken: async () => token,
    onEvent: () => undefined,
    onState: () => undefined,
    onReady: () => undefined,
    connect: ((uri: string, options: Parameters<typeof io>[1]) => {
      const client = io(uri, options);
      client.onAnyOutgoing((event) => {
        if (event === 'yjs_update') sent++;
      });
      return client;
    }) as typeof io,
  });
  sockets.push(socket);
  await waitFor(() => socket.connectionState === 'online', `${token}'s socket`);
  await session.acknowledged();
  return { session, refusals, updatesSent: () => sent };
}

async function sharedNotebook(): Promise<{ api: ApiClient; id: string; cell: string }> {
  const api = new ApiClient({ resolve: (p) => new URL(p, base).toString(), getToken: async () => 'ann-token' });
  const id = await api.createNotebook('coedit');
  const cell = (await api.getNotebook(id)).cells[0]!.id;
  await api.updateCell(id, cell, 'x = 1');
  expect(await api.share(id, 'vic', 'viewer')).toEqual([{ user_id: 'vic', role: 'viewer' }]);
  return { api, id, cell };
}

describe('co-editing: what the host answers to an update', () => {
  it('a refused update (a viewer\'s) is sent once, undone here, and the user is told they can only view', async () => {
    const { api, id, cell } = await sharedNotebook();
    const viewer = await page(id, 'vic-token');
    await waitFor(() => viewer.session.text(cell)?.toString() === 'x = 1', 'the viewer\'s copy of the cell');
    const before = viewer.updatesSent();
    expect([before, viewer.refusals]).toEqual([0, []]);
    // The viewer's editor took keys (their role changed while they typed).
    viewer.session.text(cell)!.insert(5, '00');
    await waitFor(() => viewer.refusals.length > 0, 'the refusal');
    expect(viewer.refusals).toEqual([expect.stringMatching(/^You can only view this notebook: your last changes were not saved and were undone here\. \(This notebook is shared with you as viewer/)]);
    expect(viewer.session.text(cell)!.toString()).toBe('x = 1');
    expect(viewer.session.refused).toBe(true);
    // Further typing is not sent either (before the fix the refused update went again every 500 ms).
    viewer.session.text(cell)!.insert(0, '#');
    await pause(1500);
    expect(viewer.updatesSent() - before).toBe(1);
    expect((await api.getNotebook(id)).cells[0]!.code).toBe('x = 1');
  });

  it('an update the host could not store is sent again until it is stored, and an editor\'s typing goes on', async () => {
    const { api, id, cell } = await sharedNotebook();
    const owner = await page(id, 'ann-token');
    await waitFor(() => owner.session.text(cell)?.toString() === 'x = 1', 'the owner\'s copy of the cell');
    const before = owner.updatesSent();
    store.failures = 2;
    owner.session.text(cell)!.insert(5, '23');
    await owner.session.acknowledged();
    expect(owner.updatesSent() - before).toBeGreaterThanOrEqual(2);
    expect(owner.refusals).toEqual([]);
    await waitFor(() => store.failures === 0, 'the failures used up');
    expect((await api.getNotebook(id)).cells[0]!.code).toBe('x = 123');
  });

  it('an editor\'s update refused as too large is undone here, the user told, and typing goes on', async () => {
    const { api, id, cell } = await sharedNotebook();
    const owner = await page(id, 'ann-token');
    await waitFor(() => owner.session.text(cell)?.toString() === 'x = 1', 'the owner\'s copy of the cell');
    // A paste of 5,000 characters.
    owner.session.text(cell)!.insert(5, '0'.repeat(5000));
    await waitFor(() => owner.refusals.length > 0, 'the refusal');
    expect(owner.refusals).toEqual(['Your last changes were not saved and were undone here: A co-editing update may hold at most 2000 bytes.']);
    expect(owner.session.text(cell)!.toString()).toBe('x = 1');
    await owner.session.acknowledged();
    expect(owner.session.refused).toBe(false);
    owner.session.text(cell)!.insert(5, '2');
    await owner.session.acknowledged();
    let code = '';
    for (let i = 0; i < 100 && code !== 'x = 12'; i++) {
      code = (await api.getNotebook(id)).cells[0]!.code;
      if (code !== 'x = 12') await pause(50);
    }
    expect(code).toBe('x = 12');
  });
});
