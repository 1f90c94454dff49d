import { ApiClient } from '../api/http';
import type { Cell, Notebook } from '../api/types';
import { NotebookController } from '../state/notebook-controller';
import { NotebookModel } from '../state/notebook-model';

/**
 * A controller over a chain-like notebook of `count` cells (`v{i} = {i}`, each with its text output), with no host
 * behind it (every request fails, the socket does nothing): for tests of the page's rendering of long notebooks.
 */
export function offlineController(count: number): NotebookController {
  const cells: Cell[] = Array.from({ length: count }, (_, i) => ({
    id: `c${i}`, type: 'python', code: `v${i} = ${i}`, status: 'success', stdout: '', stderr: '',
    outputs: [{ mime_type: 'text/plain', data: String(i) }], error: null, reads: [], writes: [`v${i}`],
  }));
  const notebook: Notebook = { id: 'nb1', name: 'n', cells, revision: 1, lazy: false };
  const api = new ApiClient({ fetchImpl: (async () => { throw new Error('no host'); }) as unknown as typeof fetch, resolve: (p) => `http://host/${p}` });
  return new NotebookController(new NotebookModel(notebook), {
    api,
    getToken: async () => null,
    socketFactory: () => ({ runCell: () => undefined, interrupt: () => undefined, retry: () => undefined, close: () => undefined }),
  });
}
