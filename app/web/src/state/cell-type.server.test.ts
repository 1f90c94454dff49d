/**
 * Changing a cell's language, through the real host: the page's controller over the real HTTP API,
 * and a second page's socket receiving the change (what another browser sees).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, startServer, type RunningServer } from '@rnb/server';
import { io } from 'socket.io-client';
import { ApiClient } from '../api/http';
import { NotebookSocket } from '../api/socket';
import { NotebookController } from './notebook-controller';
import { NotebookModel } from './notebook-model';

/** Local mode's access token. */
const TOKEN = 'cell-type-test-token';
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-cell-type-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NOTEBOOK_STORAGE: 'file', NOTEBOOK_DIR: dir, NOTEBOOK_AUTH: 'none', NOTEBOOK_ASSISTANT: 'none', WEB_DIR: 'none', LOG_LEVEL: 'error', NOTEBOOK_TOKEN: TOKEN }, { cwd: dir });
  server = await startServer({ config });
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function waitFor(check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > 10_000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('changing a cell\'s language in the page', () => {
  it('keeps the cell (id, position, code) and another page sees the new language', async () => {
    const base = new URL(`${server.url}/`);
    const api = new ApiClient({ resolve: (p) => new URL(p, base).toString(), getToken: async () => TOKEN });
    const notebookId = await api.createNotebook('types');
    const first = (await api.getNotebook(notebookId)).cells[0]!.id;
    const second = await api.createCell(notebookId, { type: 'python', after_cell_id: first, code: 'x = 1' });

    // Another browser with the notebook open, on a real socket.
    const other = new NotebookModel(await api.getNotebook(notebookId));
    const socket = new NotebookSocket({
      notebookId,
      base,
      getToken: async () => TOKEN,
      onEvent: (event) => other.apply(event),
      onState: () => undefined,
      onReady: () => undefined,
      // A browser presents local mode's token as the cookie the printed URL set; here, as a header.
      connect: ((uri: string, options: Parameters<typeof io>[1]) => io(uri, { ...options, extraHeaders: { authorization: `Bearer ${TOKEN}` } })) as typeof io,
    });
    await waitFor(() => socket.connectionState === 'online', 'the other page\'s socket');

    const controller = new NotebookController(new NotebookModel(await api.getNotebook(notebookId)), {
      api,
      getToken: async () => TOKEN,
      socketFactory: () => ({ runCell: () => undefined, interrupt: () => undefined, retry: () => undefined, close: () => undefined }),
    });
    try {
      await controller.changeType(second, 'sql');

      const stored = await api.getNotebook(notebookId);
      expect(stored.cells.map((c) => [c.id, c.type, c.code])).toEqual([[first, 'python', ''], [second, 'sql', 'x = 1']]);
      expect(controller.model.getCell(second)?.type).toBe('sql');
      await waitFor(() => other.getCell(second)?.type === 'sql', 'the other page to show the new language');
      expect(other.getOrder()).toEqual([first, second]);
    } finally {
      controller.dispose();
      socket.close();
    }
  });
});
