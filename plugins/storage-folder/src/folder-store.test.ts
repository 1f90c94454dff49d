import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeStorageConformance, sampleCell, sampleNotebook } from '@rnb/core/testing';
import { FolderNotebookStore } from './folder-store';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'rnb-folder-store-'));
}

describeStorageConformance('folder', async () => {
  const dir = await tempDir();
  const store = await FolderNotebookStore.open({ dir });
  return {
    store,
    cleanup: async () => { await store.close(); await fsp.rm(dir, { recursive: true, force: true }); },
    // The notebook file is the same in both layouts; the cache record of version 1 kept the connection string as `dbConnString`.
    writeLegacyNotebook: async (old) => {
      await store.create(sampleNotebook(old.owner, { id: old.id, name: old.name, cells: old.cells, settings: {} }));
      const recordFile = path.join(dir, '.rnb-cache', `${old.id}.json`);
      const { settings: _settings, ...record } = JSON.parse(await fsp.readFile(recordFile, 'utf8')) as Record<string, unknown>;
      await fsp.writeFile(recordFile, JSON.stringify({ ...record, version: 1, dbConnString: old.connectionString }));
    },
  };
}, { hasLegacyLayout: true, listsSharedWith: true });

describe('FolderNotebookStore on disk', () => {
  let dir: string;
  let store: FolderNotebookStore;
  const owner = 'local';

  beforeEach(async () => {
    dir = await tempDir();
    store = await FolderNotebookStore.open({ dir });
  });
  afterEach(async () => {
    await store.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('writes one readable .py file per notebook, and outputs and secrets only in the cache folder', async () => {
    const doc = await store.create(sampleNotebook(owner, {
      id: 'sales',
      name: 'Sales',
      settings: { sql: { connection_string: 'postgresql://u:secret@h/db' } },
      cells: [sampleCell({ id: 'c1', code: 'x = 1', stdout: 'printed-text\n', outputs: [{ mime_type: 'text/plain', data: 'output-text' }] })],
    }));
    const text = await fsp.readFile(path.join(dir, 'sales.py'), 'utf8');
    expect(text).toContain('# %% id="c1"\nx = 1\n');
    expect(text).toContain('# name = "Sales"');
    for (const hidden of ['secret', 'printed-text', 'output-text']) expect(text).not.toContain(hidden);
    const cache = await fsp.readFile(path.join(dir, '.rnb-cache', 'sales.json'), 'utf8');
    expect(cache).toContain('printed-text');
    expect(await fsp.readFile(path.join(dir, '.rnb-cache', '.gitignore'), 'utf8')).toBe('*\n');
    expect((await store.get(owner, 'sales')).cells[0]!.stdout).toBe('printed-text\n');
    expect(doc.revision).toBe(0);
  });

  it("keeps the notebook's packages in its file (a PEP 723 block), and reads an edit of that block", async () => {
    const doc = await store.create(sampleNotebook(owner, {
      id: 'deps',
      settings: { python: { packages: 'greeter-pkg==1.2.0, numpy>=1,<2' }, sql: { connection_string: 'postgresql://u:secret@h/db' } },
      cells: [sampleCell({ id: 'c1', code: 'import greeter_pkg' })],
    }));
    const file = path.join(dir, 'deps.py');
    const text = await fsp.readFile(file, 'utf8');
    expect(text).toContain('# /// script\n# dependencies = [\n#   "greeter-pkg==1.2.0",\n#   "numpy>=1,<2",\n# ]\n# ///\n');
    expect(text).not.toContain('secret');
    expect((await store.get(owner, 'deps')).settings).toEqual(doc.settings);
    // The file is the truth for the packages: a `git pull` that changes the block changes the notebook.
    await fsp.writeFile(file, text.replace('"greeter-pkg==1.2.0",', '"greeter-pkg==1.3.0",'));
    expect((await store.get(owner, 'deps')).settings.python).toEqual({ packages: 'greeter-pkg==1.3.0, numpy>=1,<2' });
    // And a save without packages removes the block.
    const current = await store.get(owner, 'deps');
    await store.save({ ...current, settings: { sql: current.settings.sql! } }, { expectedRevision: current.revision });
    expect(await fsp.readFile(file, 'utf8')).not.toContain('# /// script');
    expect((await store.get(owner, 'deps')).settings).toEqual({ sql: { connection_string: 'postgresql://u:secret@h/db' } });
  });

  it('keeps settings that are not secret and the app view in the file header; secrets and who may open the app in the cache', async () => {
    const isSecret = (pluginId: string, field: string): boolean => !(pluginId === 'python' || (pluginId === 'charts' && field === 'dark'));
    const typed = await FolderNotebookStore.open({ dir, isSecret });
    try {
      const doc = await typed.create(sampleNotebook(owner, {
        id: 'configured',
        settings: { charts: { dark: true }, sql: { connection_string: 'postgresql://u:secret@h/db' } },
        app: { show_code: true, show_tracebacks: false, published: true },
        cells: [sampleCell({ id: 'c1', code: 'x = 1' })],
      }));
      const file = path.join(dir, 'configured.py');
      const text = await fsp.readFile(file, 'utf8');
      expect(text).toContain('# app.show_code = true\n# app.show_tracebacks = false\n# settings.charts.dark = true\n# ///\n');
      expect(text).not.toMatch(/secret|published|connection/);
      expect(await typed.get(owner, 'configured')).toMatchObject({ settings: doc.settings, app: doc.app });
      // A reviewed change to the header (a `git pull`) changes the notebook; a secret written into the file is ignored.
      await fsp.writeFile(file, text.replace('dark = true', 'dark = false').replace('show_code = true', 'show_code = false').replace('# ///\n\n', '# settings.sql.connection_string = "postgresql://evil/db"\n# ///\n\n'));
      const edited = await typed.get(owner, 'configured');
      expect(edited.settings).toEqual({ charts: { dark: false }, sql: { connection_string: 'postgresql://u:secret@h/db' } });
      expect(edited.app).toEqual({ show_code: false, show_tracebacks: false, published: true });
      // A line taken out of the header takes the setting out of the notebook.
      await fsp.writeFile(file, (await fsp.readFile(file, 'utf8')).replace('# settings.charts.dark = false\n', ''));
      expect((await typed.get(owner, 'configured')).settings).toEqual({ sql: { connection_string: 'postgresql://u:secret@h/db' } });
    } finally {
      await typed.close();
    }
  });

  it('reads a record from before settings moved into files: its settings count until the file is written again', async () => {
    const isSecret = (pluginId: string): boolean => pluginId === 'sql';
    const typed = await FolderNotebookStore.open({ dir, isSecret });
    try {
      const settings = { charts: { dark: true }, sql: { connection_string: 'postgresql://u:secret@h/db' } };
      await typed.create(sampleNotebook(owner, { id: 'old', settings, cells: [sampleCell({ id: 'c1', code: 'x = 1' })] }));
      // The layout of the last release: no header settings in the file, all settings in a record without the marker.
      const file = path.join(dir, 'old.py');
      const recordFile = path.join(dir, '.rnb-cache', 'old.json');
      const plainText = (await fsp.readFile(file, 'utf8')).replace('# settings.charts.dark = true\n', '');
      await fsp.writeFile(file, plainText);
      const { settingsInFile: _marker, ...record } = JSON.parse(await fsp.readFile(recordFile, 'utf8')) as Record<string, unknown>;
      await fsp.writeFile(recordFile, JSON.stringify({ ...record, fileHash: createHash('sha256').update(plainText, 'utf8').digest('hex') }));
      const read = await typed.get(owner, 'old');
      expect(read.settings).toEqual(settings);
      await typed.save(read, { expectedRevision: read.revision });
      expect(await fsp.readFile(file, 'utf8')).toContain('# settings.charts.dark = true\n');
      expect((await typed.get(owner, 'old')).settings).toEqual(settings);
    } finally {
      await typed.close();
    }
  });

  it('adopts a file edited outside as the next revision, keeping outputs of unchanged cells', async () => {
    await store.create(sampleNotebook(owner, { id: 'nb', cells: [sampleCell({ id: 'a', code: 'a = 1', stdout: 'kept\n' }), sampleCell({ id: 'b', code: 'b = 2' })] }));
    const file = path.join(dir, 'nb.py');
    const text = await fsp.readFile(file, 'utf8');
    await fsp.writeFile(file, `${text.replace('b = 2', 'b = 3')}\n# %%\nc = 4\n`);
    const read = await store.get(owner, 'nb');
    expect(read.revision).toBe(1);
    expect(read.cells.map((c) => c.code)).toEqual(['a = 1', 'b = 3', 'c = 4']);
    expect(read.cells[0]!.stdout).toBe('kept\n');
    expect(read.cells[2]!.status).toBe('idle');
    // A save based on the revision before the edit would lose it: refused.
    await expect(store.save({ ...read, name: 'x' }, { expectedRevision: 0 })).rejects.toMatchObject({ code: 'RNB_ERR_CONFLICT' });
    const saved = await store.save({ ...read, name: 'renamed' }, { expectedRevision: 1 });
    expect(saved.revision).toBe(2);
    // The new cell got its id written into the file.
    expect(await fsp.readFile(file, 'utf8')).toContain(`# %% id="${read.cells[2]!.id}"\nc = 4`);
  });

  it('lists hand-made notebook files (not plain modules) as the local user\'s notebooks, and gives them a record when opened', async () => {
    await fsp.writeFile(path.join(dir, 'analysis.py'), 'import math\n\n# %%\nx = math.pi\n');
    await fsp.writeFile(path.join(dir, 'not a notebook id.py'), '# %%\nx = 1\n');
    await fsp.writeFile(path.join(dir, 'helpers.py'), 'def helper():\n    return 1\n');
    expect((await store.list(owner)).map((s) => [s.id, s.name])).toEqual([['analysis', 'Untitled notebook']]);
    expect(await store.list('someone-else')).toEqual([]);
    const doc = await store.get(owner, 'analysis');
    expect(doc.cells.map((c) => c.code)).toEqual(['import math', 'x = math.pi']);
    expect(doc.revision).toBe(0);
  });

  it('never writes over a file that does not parse: reads and saves are refused with the line, the file stays as it is', async () => {
    const doc = await store.create(sampleNotebook(owner, { id: 'broken' }));
    const file = path.join(dir, 'broken.py');
    const bad = '# /// rnb\n# name = unquoted\n# ///\n\n# %% id="x"\nx = 1\n';
    await fsp.writeFile(file, bad);
    await expect(store.get(owner, 'broken')).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringMatching(/line 2: the value of "name"/) });
    await expect(store.save({ ...doc, name: 'overwrite' }, { expectedRevision: 0 })).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE' });
    await expect(store.save({ ...doc, name: 'overwrite' }, { expectedRevision: 1 })).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE' });
    expect(await fsp.readFile(file, 'utf8')).toBe(bad);
    expect((await store.list(owner))[0]).toMatchObject({ id: 'broken', error: expect.stringMatching(/cannot be read/) });
  });
});
