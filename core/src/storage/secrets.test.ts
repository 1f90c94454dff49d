/** Issue 19 item 11: connection strings are sealed before any store sees them. */
import { sampleNotebook } from '../testing/storage-conformance';
import { MemoryNotebookStore } from './memory-store';
import { SecretBox, withSealedSecrets } from './secrets';
import type { ExternalChange, NotebookDocument, NotebookStore } from './storage';

const KEY = SecretBox.generateText();
const SECRET = 'postgresql://ann:hunter2-very-secret@203.0.113.5:5432/sales';

/** The store underneath, with every document it was handed. */
function recordingStore(): { store: NotebookStore; written: NotebookDocument[]; inner: MemoryNotebookStore } {
  const inner = new MemoryNotebookStore();
  const written: NotebookDocument[] = [];
  return {
    inner,
    written,
    store: {
      create: (doc) => (written.push(structuredClone(doc)), inner.create(doc)),
      get: (owner, id) => inner.get(owner, id),
      list: (owner) => inner.list(owner),
      save: (doc, options) => (written.push(structuredClone(doc)), inner.save(doc, options)),
      delete: (owner, id) => inner.delete(owner, id),
    },
  };
}

describe('SecretBox', () => {
  it('round-trips, and refuses another context, another key or an altered text', () => {
    const box = SecretBox.fromText(KEY);
    const sealed = box.seal(SECRET, 'ann/nb1');
    expect(sealed).toMatch(/^rnb-secret:v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(box.seal(SECRET, 'ann/nb1')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, 'ann/nb1')).toBe(SECRET);
    expect(() => box.open(sealed, 'bob/nb1')).toThrow();
    expect(() => SecretBox.fromText(SecretBox.generateText()).open(sealed, 'ann/nb1')).toThrow();
    const altered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.open(altered, 'ann/nb1')).toThrow();
  });

  it('takes 32 bytes as hex or base64 and nothing else', () => {
    expect(() => SecretBox.fromText('a'.repeat(64))).not.toThrow();
    expect(() => SecretBox.fromText('short')).toThrow(/32 random bytes.*openssl rand -base64 32/);
    expect(() => SecretBox.fromText(Buffer.alloc(16).toString('base64'))).toThrow(/32 random bytes/);
  });
});

const withSecret = (extra: Record<string, string | number> = {}) => ({ settings: { sql: { connection_string: SECRET, ...extra } } });

describe('withSealedSecrets', () => {
  it('never hands the store a clear secret setting, and gives callers the clear one', async () => {
    const { store, written } = recordingStore();
    const sealedStore = withSealedSecrets(store, SecretBox.fromText(KEY));
    const created = await sealedStore.create(sampleNotebook('ann', withSecret()));
    expect(created.settings.sql?.connection_string).toBe(SECRET);
    const saved = await sealedStore.save({ ...created, name: 'renamed' }, { expectedRevision: 0 });
    expect(saved.settings.sql?.connection_string).toBe(SECRET);
    expect((await sealedStore.get('ann', created.id)).settings.sql?.connection_string).toBe(SECRET);
    expect(written).toHaveLength(2);
    for (const doc of written) expect(JSON.stringify(doc)).not.toContain('hunter2');
  });

  it('seals only the fields declared secret, and leaves the others readable in storage', async () => {
    const { store, inner } = recordingStore();
    const isSecret = (plugin: string, field: string): boolean => plugin === 'sql' && field === 'connection_string';
    const created = await withSealedSecrets(store, SecretBox.fromText(KEY), { isSecret }).create(sampleNotebook('ann', withSecret({ schema: 'public', rows: 5 })));
    const stored = (await inner.get('ann', created.id)).settings.sql!;
    expect(stored.connection_string).toMatch(/^rnb-secret:v1:/);
    expect(stored).toMatchObject({ schema: 'public', rows: 5 });
  });

  it('seals a clear secret stored before encryption as soon as the notebook is read', async () => {
    const { store, inner } = recordingStore();
    const old = await inner.create(sampleNotebook('ann', withSecret()));
    const log: string[] = [];
    const read = await withSealedSecrets(store, SecretBox.fromText(KEY), { log: (_level, message) => log.push(message) }).get('ann', old.id);
    expect(read.settings.sql?.connection_string).toBe(SECRET);
    expect(read.revision).toBe(1);
    expect((await inner.get('ann', old.id)).settings.sql?.connection_string).toMatch(/^rnb-secret:v1:/);
    expect(log.join('\n')).toMatch(/now stored encrypted/);
    expect(log.join('\n')).not.toContain('hunter2');
  });

  it('reads a secret sealed under another key as unset, so the notebook still opens', async () => {
    const { store } = recordingStore();
    const created = await withSealedSecrets(store, SecretBox.fromText(KEY)).create(sampleNotebook('ann', withSecret()));
    const other = withSealedSecrets(store, SecretBox.fromText(SecretBox.generateText()), { log: () => undefined });
    expect((await other.get('ann', created.id)).settings).toEqual({});
  });

  it('passes on the changes a watching store reports (folder storage: files edited on disk), and has no watch when the store has none', () => {
    const { store } = recordingStore();
    let report: ((change: ExternalChange) => void) | undefined;
    const watching: NotebookStore = { ...store, watch: (listener) => ((report = listener), () => (report = undefined)) };
    const seen: ExternalChange[] = [];
    const stop = withSealedSecrets(watching, SecretBox.fromText(KEY)).watch?.((change) => seen.push(change));
    report?.({ owner: 'ann', notebookId: 'nb' });
    expect(seen).toEqual([{ owner: 'ann', notebookId: 'nb' }]);
    stop?.();
    expect(report).toBeUndefined();
    expect(withSealedSecrets(store, SecretBox.fromText(KEY)).watch).toBeUndefined();
  });
});

describe('withSealedSecrets and a store that watches its files', () => {
  it('passes changes made outside the server on to the notebooks, and stops when asked', () => {
    const listeners: ((change: { owner: string; notebookId: string }) => void)[] = [];
    let stopped = 0;
    const { store } = recordingStore();
    const watching: NotebookStore = {
      ...store,
      watch: (listener) => {
        listeners.push(listener);
        return () => void stopped++;
      },
    };
    const wrapped = withSealedSecrets(watching, SecretBox.fromText(KEY));
    const seen: string[] = [];
    const stop = wrapped.watch!((change) => seen.push(`${change.owner}/${change.notebookId}`));
    listeners.forEach((listener) => listener({ owner: 'ann', notebookId: 'nb1' }));
    stop();
    expect(seen).toEqual(['ann/nb1']);
    expect(stopped).toBe(1);
    expect(withSealedSecrets(store, SecretBox.fromText(KEY)).watch).toBeUndefined();
  });
});
