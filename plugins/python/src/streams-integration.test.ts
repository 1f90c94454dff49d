/**
 * stderr and the keyboard through the whole stack: core's notebook service,
 * scheduler and sandboxed kernel process, with real Pyodide in the kernel.
 * Needs the built runtime (npm run build:ts).
 */
import { createTestKernel, notebookWith, type TestKernel } from '@rnb/core/testing';
import { pythonLanguage } from './index';

const owner = 'stella';
let kernel: TestKernel;

beforeAll(async () => {
  kernel = await createTestKernel({ languages: [pythonLanguage()] });
}, 60_000);

afterAll(async () => {
  await kernel?.close();
});

const python = (codes: string[]) => notebookWith(kernel, owner, codes, 'python');

it('keeps print(file=sys.stderr) and warnings in cell.stderr, streamed as "stderr", apart from stdout', async () => {
  const nb = await python(['import sys, warnings\nprint("result")\nprint("progress 50%", file=sys.stderr)\nwarnings.warn("careful")']);
  await nb.run(0);
  const cell = (await kernel.service.getNotebook(owner, nb.notebookId)).cells[0]!;
  expect(cell.status).toBe('success');
  expect(cell.stdout).toBe('result\n');
  // The warning names the cell's file by id, exactly as a traceback frame does; the page shows both as `<cell N>`.
  expect(cell.stderr).toBe(`progress 50%\n<cell ${cell.id}>:4: UserWarning: careful\n  warnings.warn("careful")\n`);
  const streams = kernel.eventsOf(nb.notebookId, 'cell_stdout').map((e) => e.stream);
  expect(streams).toEqual(expect.arrayContaining(['stdout', 'stderr']));
  expect(kernel.eventsOf(nb.notebookId, 'cell_stdout').filter((e) => e.stream === 'stderr').map((e) => e.data).join('')).toBe(cell.stderr);
}, 60_000);

it('explains that input() cannot read from the keyboard', async () => {
  const nb = await python(['name = input("Your name? ")']);
  await nb.run(0);
  const [cell] = await nb.state();
  expect(cell!.status).toBe('error');
  expect(cell!.error).toMatch(/EOFError: input\(\) is not available: a notebook cell cannot read from the keyboard\. Use a widget instead: from rnb import ui/);
  expect(cell!.error).not.toMatch(/OSError|_rnb_runner/);
}, 60_000);
