/** Edits on disk reach the open notebook as edits (real kernel, fake language); a file that does not parse is left alone. */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestKernel, notebookWith, type TestKernel } from '@rnb/core/testing';
import { FolderNotebookStore } from './folder-store';

const owner = 'local';
let dir: string;
let store: FolderNotebookStore;
let kernel: TestKernel;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'rnb-folder-watch-'));
  store = await FolderNotebookStore.open({ dir, debounceMs: 30 });
  kernel = await createTestKernel({ store });
});
afterAll(async () => {
  await kernel.close();
  await store.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (ok(value) || attempt >= 200) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('folder storage watching its files', () => {
  it('takes an edit made on disk as an edit: the open notebook gets the new code and the changed cell and its readers re-run', async () => {
    const nb = await notebookWith(kernel, owner, ['a = 1', 'print a']);
    await nb.run(0);
    expect((await nb.state()).map((c) => c.stdout)).toEqual(['', '1\n']);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const file = store.fileOf(nb.notebookId);
    const text = await fsp.readFile(file, 'utf8');
    expect(text).toContain('a = 1');
    await fsp.writeFile(file, text.replace('a = 1', 'a = 41 + 1'));

    const state = await eventually(() => nb.state(), (cells) => cells[1]!.stdout === '42\n' && cells[1]!.status === 'success');
    expect(state.map((c) => c.status)).toEqual(['success', 'success']);
    expect(state[1]!.stdout).toBe('42\n');
    expect((await kernel.service.getNotebook(owner, nb.notebookId)).cells[0]!.code).toBe('a = 41 + 1');
    expect(kernel.eventsOf(nb.notebookId, 'cell_updated').map((e) => e.code)).toContain('a = 41 + 1');
  });

  it('adds, removes and reorders cells edited on disk, in the file\'s order', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'y = 2']);
    const file = store.fileOf(nb.notebookId);
    const text = await fsp.readFile(file, 'utf8');
    const [header, first, second] = text.split(/(?=^# %%)/m) as [string, string, string];
    await fsp.writeFile(file, `${header}${second}\n# %% [fake]\n# z = 3\n\n${first.trimEnd()}\n`);
    const view = await eventually(() => kernel.service.getNotebook(owner, nb.notebookId), (v) => v.cells.length === 3);
    expect(view.cells.map((c) => c.code)).toEqual(['y = 2', 'z = 3', 'x = 1']);
    expect(view.cells[0]!.id).toBe(nb.cellIds[1]);
    expect(view.cells[2]!.id).toBe(nb.cellIds[0]);
  });

  it('reports a file that does not parse, keeps the notebook as it was, and never writes over the file', async () => {
    const nb = await notebookWith(kernel, owner, ['b = 1']);
    const file = store.fileOf(nb.notebookId);
    const broken = '# /// rnb\n# name = "broken\n# ///\n\n# %% [fake]\nb = 2\n';
    await fsp.writeFile(file, broken);
    const errors = await eventually(async () => kernel.eventsOf(nb.notebookId, 'external_edit_error'), (list) => list.length > 0);
    expect(errors[0]!.message).toMatch(/cannot be read: .*line 2: the value of "name"/);
    expect((await kernel.service.getNotebook(owner, nb.notebookId)).cells.map((c) => c.code)).toEqual(['b = 1']);
    // An edit in the page must not overwrite the file someone is fixing.
    await expect(kernel.service.updateCell(owner, nb.notebookId, nb.cellIds[0]!, { code: 'b = 3' })).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE' });
    expect(await fsp.readFile(file, 'utf8')).toBe(broken);
  });
});
