import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotebookStore, PluginHost, type NotebookDocument } from '@rnb/core';
import { describeStorageConformance, sampleNotebook } from '@rnb/core/testing';
import fileStoragePlugin, { FileNotebookStore, FORMAT_VERSION } from './index';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'rnb-file-store-'));
}

describeStorageConformance(
  'file',
  async () => {
    const dir = await tempDir();
    const store = await FileNotebookStore.open({ dir });
    return {
      store,
      cleanup: async () => { await store.close(); await fsp.rm(dir, { recursive: true, force: true }); },
      // A version 1 file, as releases before plugin settings wrote it.
      writeLegacyNotebook: async (old) => {
        await store.create(sampleNotebook(old.owner, { id: old.id, name: old.name, cells: old.cells }));
        for (const ownerKey of await fsp.readdir(dir)) {
          const file = path.join(dir, ownerKey, old.id, 'rev-0.json');
          const json = JSON.parse(await fsp.readFile(file, 'utf8').catch(() => 'null')) as Record<string, unknown> | null;
          if (json === null) continue;
          delete json.settings;
          await fsp.writeFile(file, JSON.stringify({ ...json, version: 1, dbConnString: old.connectionString }));
        }
      },
    };
  },
  { hasLegacyLayout: true, listsSharedWith: true },
);

describe('FileNotebookStore on disk', () => {
  let dir: string;
  let store: FileNotebookStore;
  const owner = 'user_2abcDEF';

  beforeEach(async () => {
    dir = await tempDir();
    store = await FileNotebookStore.open({ dir });
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  async function notebookFolder(id: string): Promise<string> {
    const [ownerKey] = await fsp.readdir(dir);
    return path.join(dir, ownerKey!, id);
  }

  async function createSaved(times: number): Promise<NotebookDocument> {
    let doc = await store.create(sampleNotebook(owner));
    for (let i = 0; i < times; i++) doc = await store.save({ ...doc, name: `v${i + 1}` }, { expectedRevision: doc.revision });
    return doc;
  }

  it('writes one JSON file per revision with a format version, readable only by its user', async () => {
    const doc = await store.create(sampleNotebook(owner, { settings: { sql: { connection_string: 'postgresql://u:secret@h/db' } } }));
    const folder = await notebookFolder(doc.id);
    expect(await fsp.readdir(folder)).toEqual(['rev-0.json']);
    const file = path.join(folder, 'rev-0.json');
    const json = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'rnb-notebook', version: FORMAT_VERSION, id: doc.id, owner, revision: 0 });
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fsp.stat(folder)).mode & 0o777).toBe(0o700);
  });

  it('records in each revision which save wrote it and the saves it descends from', async () => {
    const doc = await createSaved(20);
    const folder = await notebookFolder(doc.id);
    const read = async (n: number): Promise<Record<string, unknown>> => JSON.parse(await fsp.readFile(path.join(folder, `rev-${n}.json`), 'utf8')) as Record<string, unknown>;
    const [previous, current] = [await read(19), await read(20)];
    expect(current.writeId).toEqual(expect.any(String));
    expect(current.writeId).not.toBe(previous.writeId);
    expect((current.ancestors as string[])[0]).toBe(previous.writeId);
    expect((current.ancestors as string[]).slice(1)).toEqual((previous.ancestors as string[]).slice(0, 15));
    expect(current.ancestors).toHaveLength(16);
    expect((await store.list(owner))[0]!.name).toBe('v20');
  });

  it('keeps the current revision and the one before, and nothing else', async () => {
    const doc = await createSaved(4);
    expect((await fsp.readdir(await notebookFolder(doc.id))).sort()).toEqual(['rev-3.json', 'rev-4.json']);
  });

  it('keeps only the current revision with keepRevisions 0', async () => {
    store = await FileNotebookStore.open({ dir, keepRevisions: 0 });
    const doc = await createSaved(2);
    expect(await fsp.readdir(await notebookFolder(doc.id))).toEqual(['rev-2.json']);
  });

  it('reports a damaged file for its notebook, names the previous revision, and lists the others', async () => {
    const damaged = await createSaved(2);
    const healthy = await store.create(sampleNotebook(owner, { name: 'healthy' }));
    const folder = await notebookFolder(damaged.id);
    await fsp.writeFile(path.join(folder, 'rev-2.json'), '{"format":"rnb-notebook","version":1,"id":"tru');
    const error = (await store.get(owner, damaged.id).then(() => ({ code: 'none', message: 'read fine' }), (e: unknown) => e)) as { code: string; message: string };
    expect(error).toMatchObject({ code: 'RNB_ERR_STORAGE' });
    expect(error.message).toContain('is damaged');
    expect(error.message).toContain(path.join(folder, 'rev-1.json'));
    const listed = await store.list(owner);
    expect(listed.find((s) => s.id === healthy.id)).toEqual({ id: healthy.id, name: 'healthy', updatedAt: healthy.updatedAt, bytes: expect.any(Number) });
    expect(listed.find((s) => s.id === damaged.id)).toMatchObject({ name: `Unreadable notebook ${damaged.id}`, error: expect.stringContaining('damaged') });
    // A save based on the damaged revision replaces it.
    await store.save({ ...damaged, name: 'repaired' }, { expectedRevision: 2 });
    expect((await store.get(owner, damaged.id)).name).toBe('repaired');
  });

  it('refuses a file written by a newer format version, naming the upgrade', async () => {
    const doc = await store.create(sampleNotebook(owner));
    const file = path.join(await notebookFolder(doc.id), 'rev-0.json');
    await fsp.writeFile(file, (await fsp.readFile(file, 'utf8')).replace(`"version":${FORMAT_VERSION}`, '"version":99'));
    await expect(store.get(owner, doc.id)).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('newer release') });
    expect((await store.list(owner))[0]).toMatchObject({ id: doc.id, error: expect.stringContaining('upgrade') });
  });

  it("refuses a file that holds another notebook's content", async () => {
    const a = await store.create(sampleNotebook(owner, { name: 'a' }));
    const b = await store.create(sampleNotebook(owner, { name: 'b' }));
    await fsp.copyFile(path.join(await notebookFolder(a.id), 'rev-0.json'), path.join(await notebookFolder(b.id), 'rev-0.json'));
    await expect(store.get(owner, b.id)).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('another notebook') });
  });

  it('reads a hand-edited, pretty-printed file and a name longer than the listing reads at first', async () => {
    const longName = 'N'.repeat(40_000);
    const doc = await store.create(sampleNotebook(owner, { name: longName }));
    const pretty = await store.create(sampleNotebook(owner, { name: 'pretty' }));
    const file = path.join(await notebookFolder(pretty.id), 'rev-0.json');
    await fsp.writeFile(file, JSON.stringify(JSON.parse(await fsp.readFile(file, 'utf8')), null, 2));
    const names = Object.fromEntries((await store.list(owner)).map((s) => [s.id, s.name]));
    expect(names).toEqual({ [doc.id]: longName, [pretty.id]: 'pretty' });
    expect((await store.get(owner, pretty.id)).name).toBe('pretty');
  });

  it('removes temp files and staging folders a crashed process left, once they are old', async () => {
    const doc = await store.create(sampleNotebook(owner));
    const folder = await notebookFolder(doc.id);
    const ownerFolder = path.dirname(folder);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const leftovers = [path.join(folder, '.tmp-1-abc.json'), path.join(ownerFolder, '.new-1-abc'), path.join(ownerFolder, '.trash-1-abc')];
    const fresh = path.join(folder, '.tmp-2-def.json');
    await fsp.writeFile(leftovers[0]!, 'half a notebo');
    await fsp.mkdir(leftovers[1]!);
    await fsp.mkdir(leftovers[2]!);
    await fsp.writeFile(fresh, 'another writer, still busy');
    for (const file of leftovers) await fsp.utimes(file, old, old);
    await store.list(owner);
    await store.save(doc, { expectedRevision: 0 });
    for (const file of leftovers) await expect(fsp.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fsp.stat(fresh)).resolves.toBeDefined();
  });

  it('keeps owners apart whatever their names, on case-insensitive file systems too', async () => {
    const owners = ['../../etc', 'User', 'user', 'a/b', 'ünï 🧪', 'x'.repeat(512)];
    const docs = await Promise.all(owners.map((o) => store.create(sampleNotebook(o, { id: 'same-id', name: o }))));
    for (const doc of docs) expect((await store.get(doc.owner, 'same-id')).name).toBe(doc.owner);
    expect((await fsp.readdir(dir)).every((name) => /^[0-9a-f]{32}$/.test(name))).toBe(true);
    await expect(store.list('')).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
  });

  it('refuses a save with a bad expectedRevision', async () => {
    const doc = await store.create(sampleNotebook(owner));
    for (const expectedRevision of [-1, 1.5, Number.NaN, '0']) {
      await expect(store.save(doc, { expectedRevision } as unknown as { expectedRevision: number })).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
    }
  });

  it('refuses to open a folder path that is a file, and refuses work once closed', async () => {
    const file = path.join(dir, 'not-a-folder');
    await fsp.writeFile(file, '');
    await expect(FileNotebookStore.open({ dir: file })).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE', message: expect.stringContaining('not-a-folder') });
    await store.close();
    await expect(store.list(owner)).rejects.toMatchObject({ code: 'RNB_ERR_STORAGE' });
  });
});

describe('file storage plugin', () => {
  it('provides the NotebookStore token, in the folder NOTEBOOK_DIR names', async () => {
    const dir = path.join(await tempDir(), 'nested', 'notebooks');
    const host = new PluginHost({ config: { NOTEBOOK_DIR: dir } }).register(fileStoragePlugin());
    await host.start();
    try {
      const store = host.get(NotebookStore);
      const doc = await store.create(sampleNotebook('local'));
      expect((await store.list('local')).map((s) => s.id)).toEqual([doc.id]);
      expect((await fsp.readdir(dir)).length).toBe(1);
    } finally {
      await host.stop();
      await fsp.rm(path.dirname(path.dirname(dir)), { recursive: true, force: true });
    }
  });

  it('lets an explicit option win over NOTEBOOK_DIR', async () => {
    const dir = await tempDir();
    const host = new PluginHost({ config: { NOTEBOOK_DIR: path.join(dir, 'ignored') } }).register(fileStoragePlugin({ dir: path.join(dir, 'chosen') }));
    await host.start();
    try {
      await host.get(NotebookStore).create(sampleNotebook('local'));
      expect(await fsp.readdir(dir)).toEqual(['chosen']);
    } finally {
      await host.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
