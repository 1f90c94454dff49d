/**
 * display() on Pyodide through core's sandboxed kernel process (the kernel reads python/rnb_*.py from the plugin's
 * folder, which the language declares readable): what a cell displays reaches the notebook while the cell still runs.
 */
import { createTestKernel, notebookWith, type TestKernel } from '@rnb/core/testing';
import { pythonLanguage } from './index';

const owner = 'lee';
let kernel: TestKernel;

beforeAll(async () => {
  kernel = await createTestKernel({ languages: [pythonLanguage()], manager: { limits: { interruptGraceMs: 1000 } } });
}, 60_000);

afterAll(async () => {
  await kernel?.close();
});

async function waitFor(condition: () => boolean, timeoutMs = 150_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('sends what display() shows while the cell still runs, after the text printed before it', async () => {
  const nb = await notebookWith(kernel, owner, ['print("before")\nfrom IPython.display import HTML\ndisplay(HTML("<b>early</b>"))\nwhile True: pass'], 'python');
  const run = nb.run(0);
  // Generous: Pyodide's start on a loaded machine is part of the wait.
  await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_output').length > 0);
  const [cell] = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
  expect(cell!.status).toBe('running');
  expect(cell!.stdout).toBe('before\n');
  expect(cell!.outputs).toEqual([{ mime_type: 'text/html', data: '<b>early</b>', metadata: { 'text/plain': '<IPython.core.display.HTML object>' } }]);
  await kernel.service.interrupt(owner, nb.notebookId);
  await run;
  const [after] = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
  expect(after!.status).toBe('error');
  expect(after!.outputs).toHaveLength(1);
}, 200_000);
