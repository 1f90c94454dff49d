import { ApiClient } from '../api/http';
import type { Cell } from '../api/types';
import type { NotebookSocketOptions } from '../api/socket';
import { NotebookController } from './notebook-controller';
import { NotebookModel } from './notebook-model';

const cell = (id: string, extra: Partial<Cell> = {}): Cell => ({
  id, type: 'python', code: '', status: 'success', stdout: 'printed\n', stderr: '', outputs: [{ mime_type: 'text/plain', data: '1' }], error: null, reads: [], writes: [], ...extra,
});

/** A controller over a fake host that records the requests it gets. */
function setup() {
  const requests: string[] = [];
  const notebook = { id: 'nb', name: 'N', cells: [cell('a'), cell('b', { status: 'error', error: 'boom' })], revision: 1 };
  const fetchImpl = (async (url: string, init: { method: string }) => {
    requests.push(`${init.method} ${url}`);
    const body = init.method === 'GET' ? JSON.stringify(notebook) : '{}';
    return { ok: true, status: 200, text: async () => body };
  }) as unknown as typeof fetch;
  let socketOptions: NotebookSocketOptions | null = null;
  const controller = new NotebookController(new NotebookModel(notebook), {
    api: new ApiClient({ fetchImpl, resolve: (p) => `http://h/${p}` }),
    getToken: async () => null,
    socketFactory: (options) => {
      socketOptions = options;
      return { runCell: () => undefined, interrupt: () => undefined, retry: () => undefined, close: () => undefined };
    },
  });
  controller.start();
  return { controller, requests, socket: () => socketOptions! };
}

describe('run all, restart and clear outputs in the page', () => {
  it('posts run_all, restart and clear_outputs to the host', async () => {
    const { controller, requests } = setup();
    controller.connection.set('online');
    await controller.runAll();
    await controller.restartKernel();
    await controller.clearOutputs();
    expect(requests).toEqual(['POST http://h/api/notebooks/nb/run_all', 'POST http://h/api/notebooks/nb/restart', 'POST http://h/api/notebooks/nb/clear_outputs']);
    controller.dispose();
  });

  it('holds a Run all asked for while offline and sends it once the socket is back', async () => {
    const { controller, requests, socket } = setup();
    controller.connection.set('offline');
    await controller.runAll();
    expect(requests).toEqual([]);
    socket().onReady();
    // The resync reads a snapshot and flushes drafts first: wait for the held request to go out.
    while (requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(requests).toEqual(['GET http://h/api/notebooks/nb', 'POST http://h/api/notebooks/nb/run_all']);
    controller.dispose();
  });

  it('empties every cell\'s stdout and outputs on outputs_cleared, keeping errors and statuses', () => {
    const { controller } = setup();
    controller.model.apply({ type: 'outputs_cleared' });
    expect(controller.model.cellList().map((c) => [c.status, c.stdout, c.outputs, c.error])).toEqual([['success', '', [], null], ['error', '', [], 'boom']]);
    controller.dispose();
  });

  it("empties one running cell's text and outputs on cell_cleared (its clear_output()), then shows what follows", () => {
    const { controller } = setup();
    controller.model.apply({ type: 'cell_cleared', cellId: 'a' });
    controller.model.apply({ type: 'cell_output', cellId: 'a', output: { mime_type: 'text/plain', data: '2' } });
    expect(controller.model.cellList().map((c) => [c.stdout, c.outputs])).toEqual([
      ['', [{ mime_type: 'text/plain', data: '2' }]],
      ['printed\n', [{ mime_type: 'text/plain', data: '1' }]],
    ]);
    controller.dispose();
  });
});
