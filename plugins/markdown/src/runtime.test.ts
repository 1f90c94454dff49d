/**
 * Markdown cells in the real kernel next to real Python (Pyodide): values formatted, re-rendered when they change,
 * and a missing name failing as in SQL. Needs the built files (npm run build:ts).
 */
import { createTestKernel, notebookWith, type TestKernel } from '@rnb/core/testing';
import { pythonLanguage } from '@rnb/plugin-python';
import { markdownLanguage } from './index';

const owner = 'mia';
let kernel: TestKernel;

beforeAll(async () => {
  kernel = await createTestKernel({ languages: [pythonLanguage(), markdownLanguage()] });
}, 120_000);

afterAll(async () => {
  await kernel?.close();
});

async function notebook(cells: [type: string, code: string][]) {
  const fixture = await notebookWith(kernel, owner, [], 'python');
  const ids: string[] = [];
  for (const [type, code] of cells) {
    const cell = await kernel.service.createCell(owner, fixture.notebookId, { type, code, afterCellId: ids[ids.length - 1] ?? null });
    ids.push(cell.id);
  }
  const cellsNow = async () => (await kernel.service.getNotebook(owner, fixture.notebookId)).cells;
  return {
    id: fixture.notebookId,
    cells: cellsNow,
    run: async (index: number) => {
      await kernel.service.runCell(owner, fixture.notebookId, ids[index]!);
      await kernel.service.whenIdle(owner, fixture.notebookId);
    },
    edit: (index: number, code: string) => kernel.service.updateCell(owner, fixture.notebookId, ids[index]!, { code }),
  };
}

it('formats a Python value with its spec and re-renders when the value changes', async () => {
  const nb = await notebook([['python', 'x = 3.14159'], ['markdown', '# Constants\n\nPi is {x:.2f}']]);
  expect((await nb.cells())[1]).toMatchObject({ reads: ['x'], writes: [] });
  await nb.run(0);
  let markdown = (await nb.cells())[1]!;
  expect(markdown.status).toBe('success');
  expect(markdown.outputs).toEqual([{ mime_type: 'text/markdown', data: '# Constants\n\nPi is 3.14' }]);
  await nb.edit(0, 'x = 2.71828');
  await nb.run(0);
  markdown = (await nb.cells())[1]!;
  expect(markdown.outputs).toEqual([{ mime_type: 'text/markdown', data: '# Constants\n\nPi is 2.72' }]);
}, 120_000);

it('shows a table of records, and an HTML string from Python as text', async () => {
  const nb = await notebook([
    ['python', "rows = [{'city': 'Oslo', 'n': 3}, {'city': 'Rome', 'n': 5}]\nevil = '<img src=x onerror=alert(1)>'"],
    ['markdown', '{rows}\n\nSaid: {evil}'],
  ]);
  await nb.run(0);
  const markdown = (await nb.cells())[1]!;
  expect(markdown.status).toBe('success');
  expect(markdown.outputs[0]!.data).toContain('| city | n |\n| --- | --- |\n| Oslo | 3 |\n| Rome | 5 |');
  expect(markdown.outputs[0]!.data).toContain('Said: &lt;img src\\=x onerror\\=alert\\(1\\)&gt;');
}, 120_000);

it('fails on a name no cell defines, as a SQL template does', async () => {
  const nb = await notebook([['markdown', 'Total: {nowhere:,}']]);
  await nb.run(0);
  const markdown = (await nb.cells())[0]!;
  expect(markdown.status).toBe('error');
  expect(markdown.error).toContain("Markdown variable 'nowhere' not found: no cell defines nowhere, so {nowhere} has no value (line 1, column 8)");
}, 120_000);

it('completes {na... with the notebook\'s names, through the runtime channel', async () => {
  const nb = await notebook([['python', 'alpha = 1\nalpine = 2\n_hidden = 3\nbeta = 4'], ['markdown', 'x']]);
  await nb.run(0);
  const cells = await nb.cells();
  expect(cells[0]!.status).toBe('success');
  const ask = (code: string) => kernel.service.callRuntime(owner, nb.id, 'markdown', 'complete', { code, cursor: [...code].length });
  expect(await ask('Total {al')).toEqual({ from: 7, options: [{ label: 'alpha', type: 'variable' }, { label: 'alpine', type: 'variable' }], complete: true });
  expect(await ask('Total {{al')).toEqual({ from: 10, options: [], complete: true });
  expect((await ask('{') as { options: { label: string }[] }).options.map((o) => o.label)).toEqual(['alpha', 'alpine', 'beta']);
  await expect(kernel.service.callRuntime(owner, nb.id, 'markdown', 'explode', null)).rejects.toThrow('The markdown runtime answers "complete" only');
}, 120_000);
