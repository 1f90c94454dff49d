/**
 * The conformance suite every NotebookStore runs against itself. A storage
 * plugin's test file calls it with a factory that gives a fresh store:
 *
 * ```ts
 * import { describeStorageConformance } from '@rnb/core/testing';
 * describeStorageConformance('my-store', async () => {
 *   const store = await openMyStore();
 *   return { store, cleanup: () => store.close() };
 * });
 * ```
 *
 * It uses jest's globals (describe, it, expect, beforeEach, afterEach).
 * Errors are checked by their stable `code`, not by class identity, so a
 * plugin that bundles its own copy of @rnb/core passes too.
 */
import type { ErrorCode } from '../errors';
import type { NotebookDocument, NotebookStore, NotebookSummary, StoredCell } from '../storage/storage';

export interface StorageConformanceFixture {
  store: NotebookStore;
  /** Releases whatever the factory made (folders, tables, servers, the store itself). */
  cleanup(): Promise<void>;
  /**
   * Writes a notebook in the layout the store used before plugin settings
   * existed (its database connection string kept in a field of its own), as
   * an older release left it. Required when `hasLegacyLayout` is set.
   */
  writeLegacyNotebook?(notebook: LegacyNotebook): Promise<void>;
}

/** A notebook as releases before plugin settings stored it: one connection string, which now reads as `settings.sql.connection_string`. */
export interface LegacyNotebook {
  owner: string;
  id: string;
  name: string;
  connectionString: string | null;
  cells: StoredCell[];
}

export interface StorageConformanceOptions {
  /** How many saves race on one revision in the concurrency test (default 8). */
  concurrentWriters?: number;
  /** The store has notebooks in an older layout to migrate on read: the fixture gives `writeLegacyNotebook`. */
  hasLegacyLayout?: boolean;
  /** The store lists "shared with me" (`listSharedWith`): the suite then fails when it does not. Default false (optional). */
  listsSharedWith?: boolean;
}

/** Ids of this shape (what the host generates: UUIDs) must be accepted by every store. */
export const VALID_NOTEBOOK_ID = /^[A-Za-z0-9_-]{1,100}$/;

let counter = 0;

/** A unique id per call: tests that share one store never see each other's notebooks. */
export function uniqueTestId(prefix = 'nb'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A cell with every stored field set. */
export function sampleCell(overrides: Partial<StoredCell> = {}): StoredCell {
  return {
    id: uniqueTestId('cell'),
    type: 'python',
    code: 'x = 1',
    status: 'success',
    stdout: '',
    stderr: '',
    outputs: [],
    error: null,
    reads: [],
    writes: ['x'],
    ...overrides,
  };
}

/** A notebook document ready to be created. */
export function sampleNotebook(owner: string, overrides: Partial<NotebookDocument> = {}): NotebookDocument {
  const now = new Date().toISOString();
  return {
    id: uniqueTestId(),
    owner,
    name: 'Sample notebook',
    settings: {},
    lazy: false,
    cells: [sampleCell(), sampleCell({ code: 'y = x + 1', reads: ['x'], writes: ['y'] })],
    revision: 0,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** Deterministic, hard-to-compress text, so stores that compress still see the full size. */
export function noiseText(length: number, seed = 1): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ \n';
  let state = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    // mulberry32 step
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length]!);
  }
  return out.join('');
}

/** A notebook of `cells` cells, each with stdout and a table output. */
export function largeNotebook(owner: string, cells: number, rowsPerTable = 20): NotebookDocument {
  return sampleNotebook(owner, {
    name: `Large notebook (${cells} cells)`,
    cells: Array.from({ length: cells }, (_, i) =>
      sampleCell({
        id: `cell-${i}`,
        code: `df_${i} = load(${i})\nprint(len(df_${i}))`,
        stdout: `${i * 7}\n`,
        outputs: [
          {
            mime_type: 'application/vnd.notebook.table+json',
            data: {
              type: 'table',
              columns: ['n', 'label', 'ok'],
              rows: Array.from({ length: rowsPerTable }, (_, r) => [r, `row ${r} of cell ${i}`, r % 2 === 0]),
            },
          },
          { mime_type: 'text/plain', data: `done ${i}`, metadata: { elapsedMs: i } },
        ],
        reads: i > 0 ? [`df_${i - 1}`] : [],
        writes: [`df_${i}`],
      }),
    ),
  });
}

/** Resolves to the error a promise rejected with; fails the test when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message?: string; currentRevision?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error('Expected the call to be refused, but it succeeded.');
}

async function expectCode(promise: Promise<unknown>, ...codes: ErrorCode[]): Promise<void> {
  const error = await rejection(promise);
  expect(codes).toContain(error.code);
}

/** What a store must give back: the document's content, whatever it does with timestamps. */
function content(doc: NotebookDocument): Pick<NotebookDocument, 'id' | 'owner' | 'name' | 'settings' | 'lazy' | 'cells'> {
  return { id: doc.id, owner: doc.owner, name: doc.name, settings: doc.settings, lazy: doc.lazy, cells: doc.cells };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Declares the NotebookStore conformance tests. `factory` runs before each
 * test and must give a store that the test may fill; `cleanup` runs after.
 */
export function describeStorageConformance(
  name: string,
  factory: () => Promise<StorageConformanceFixture>,
  options: StorageConformanceOptions = {},
): void {
  const writers = options.concurrentWriters ?? 8;

  describe(`NotebookStore conformance: ${name}`, () => {
    let fixture: StorageConformanceFixture | undefined;
    let owner = '';
    const store = (): NotebookStore => {
      if (!fixture) throw new Error('The storage factory did not give a store.');
      return fixture.store;
    };

    beforeEach(async () => {
      fixture = await factory();
      owner = uniqueTestId('owner');
    });
    afterEach(async () => {
      const current = fixture;
      fixture = undefined;
      await current?.cleanup();
    });

    describe('create and get', () => {
      it('creates a notebook at revision 0 and reads it back unchanged', async () => {
        const doc = sampleNotebook(owner, { settings: { sql: { connection_string: 'postgresql://u:secret@db.example/x' } }, lazy: true });
        const created = await store().create(doc);
        expect(created.revision).toBe(0);
        expect(content(created)).toEqual(content(doc));
        expect(created.createdAt).toMatch(ISO_DATE);
        expect(created.updatedAt).toMatch(ISO_DATE);
        const read = await store().get(owner, doc.id);
        expect(read).toEqual(created);
      });

      it('ignores the revision of the document given to create', async () => {
        const created = await store().create(sampleNotebook(owner, { revision: 7 }));
        expect(created.revision).toBe(0);
        expect((await store().get(owner, created.id)).revision).toBe(0);
      });

      it('keeps a notebook with no cells and no settings', async () => {
        const doc = await store().create(sampleNotebook(owner, { cells: [], settings: {} }));
        expect(content(await store().get(owner, doc.id))).toEqual(content(doc));
      });

      it('refuses to create a notebook whose id exists already, and keeps the original', async () => {
        const original = await store().create(sampleNotebook(owner, { name: 'original' }));
        await expectCode(store().create({ ...original, name: 'intruder', cells: [] }), 'RNB_ERR_INVALID_INPUT', 'RNB_ERR_CONFLICT');
        const read = await store().get(owner, original.id);
        expect(read.name).toBe('original');
        expect(read.cells).toEqual(original.cells);
      });

      it('reports an unknown id as not found', async () => {
        await expectCode(store().get(owner, uniqueTestId()), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
      });

      it('gives copies: changing a returned document changes nothing stored', async () => {
        const created = await store().create(sampleNotebook(owner));
        created.cells[0]!.code = 'mutated';
        created.name = 'mutated';
        const read = await store().get(owner, created.id);
        expect(read.name).toBe('Sample notebook');
        expect(read.cells[0]!.code).toBe('x = 1');
      });

      it('accepts ids of letters, digits, "-" and "_" up to 100 characters', async () => {
        for (const id of ['a', 'A-b_9', 'x'.repeat(100), '123e4567-e89b-12d3-a456-426614174000']) {
          await store().create(sampleNotebook(owner, { id }));
          expect((await store().get(owner, id)).id).toBe(id);
        }
      });

      it('refuses ids that could escape storage with an invalid-input error', async () => {
        const bad = ['', '../escape', '..', '/etc/passwd', 'a/b', 'a\\b', 'nul\u0000byte', 'x'.repeat(300), 'C:\\temp', ' spaced '];
        for (const id of bad) {
          await expectCode(store().create(sampleNotebook(owner, { id })), 'RNB_ERR_INVALID_INPUT');
          await expectCode(store().get(owner, id), 'RNB_ERR_NOTEBOOK_NOT_FOUND', 'RNB_ERR_INVALID_INPUT');
          await expectCode(store().delete(owner, id), 'RNB_ERR_NOTEBOOK_NOT_FOUND', 'RNB_ERR_INVALID_INPUT');
        }
      });

      it('refuses a malformed document with an invalid-input error', async () => {
        const good = sampleNotebook(owner);
        const malformed: unknown[] = [
          { ...good, cells: 'not a list' },
          { ...good, name: 42 },
          { ...good, cells: [{ id: 'c1' }] },
          { ...good, lazy: 'yes' },
        ];
        for (const doc of malformed) {
          await expectCode(store().create(doc as NotebookDocument), 'RNB_ERR_INVALID_INPUT');
        }
        await store().create(good);
        await expectCode(store().save({ ...good, cells: null } as unknown as NotebookDocument, { expectedRevision: 0 }), 'RNB_ERR_INVALID_INPUT');
        expect((await store().get(owner, good.id)).revision).toBe(0);
      });
    });

    describe('listing', () => {
      it("lists only the owner's notebooks, as summaries without cells or settings", async () => {
        const other = uniqueTestId('owner');
        const mine = [
          await store().create(sampleNotebook(owner, { name: 'one', settings: { sql: { connection_string: 'postgresql://u:secret@h/db' } } })),
          await store().create(sampleNotebook(owner, { name: 'two' })),
        ];
        await store().create(sampleNotebook(other, { name: 'theirs' }));
        const listed = await store().list(owner);
        expect(listed.map((s) => s.id).sort()).toEqual(mine.map((d) => d.id).sort());
        for (const summary of listed) {
          const doc = mine.find((d) => d.id === summary.id)!;
          expect(summary.name).toBe(doc.name);
          expect(summary.updatedAt).toBe(doc.updatedAt);
          expect(summary).not.toHaveProperty('cells');
          expect(summary).not.toHaveProperty('settings');
          expect(JSON.stringify(summary)).not.toContain('secret');
        }
        expect((await store().list(other)).map((s) => s.name)).toEqual(['theirs']);
      });

      it("lists each notebook's size and when it last ran (its latest cell run), none for one never run, and follows saves", async () => {
        const ran = await store().create(sampleNotebook(owner, {
          name: 'ran',
          cells: [
            sampleCell({ code: 'a = 1', writes: ['a'], lastRunAt: '2026-03-01T10:00:00.000Z', durationMs: 12 }),
            sampleCell({ code: 'b = a', reads: ['a'], writes: ['b'], lastRunAt: '2026-03-02T09:30:00.000Z', durationMs: 3 }),
            sampleCell({ code: 'c = 3', writes: ['c'], status: 'idle' }),
          ],
        }));
        const never = await store().create(sampleNotebook(owner, { name: 'never', cells: [sampleCell({ status: 'idle' })] }));
        let listed = await store().list(owner);
        const summaryOf = (id: string): NotebookSummary => listed.find((s) => s.id === id)!;
        expect(summaryOf(ran.id).lastRunAt).toBe('2026-03-02T09:30:00.000Z');
        expect(summaryOf(never.id).lastRunAt).toBeUndefined();
        for (const summary of listed) expect(summary.bytes).toBeGreaterThan(0);
        // The cell's own run time survives the round trip too (the page shows it beside the cell).
        expect((await store().get(owner, ran.id)).cells[1]).toMatchObject({ lastRunAt: '2026-03-02T09:30:00.000Z', durationMs: 3 });

        const later = { ...ran, cells: [...ran.cells, sampleCell({ code: 'd = 4', writes: ['d'], lastRunAt: '2026-04-01T00:00:00.000Z', durationMs: 1 })] };
        await store().save(later, { expectedRevision: 0 });
        listed = await store().list(owner);
        expect(summaryOf(ran.id).lastRunAt).toBe('2026-04-01T00:00:00.000Z');
        expect(summaryOf(ran.id).bytes).toBeGreaterThan(0);
      });

      it('lists an owner without notebooks as empty', async () => {
        expect(await store().list(uniqueTestId('nobody'))).toEqual([]);
      });
    });

    describe('saving', () => {
      it('renames a notebook, and the listing shows the new name', async () => {
        const doc = await store().create(sampleNotebook(owner, { name: 'before' }));
        const saved = await store().save({ ...doc, name: 'after' }, { expectedRevision: 0 });
        expect(saved.name).toBe('after');
        expect((await store().get(owner, doc.id)).name).toBe('after');
        expect((await store().list(owner)).find((s) => s.id === doc.id)).toMatchObject({ name: 'after', updatedAt: saved.updatedAt });
      });

      it('updates cells: edits code, adds and removes cells, keeps outputs', async () => {
        const doc = await store().create(sampleNotebook(owner));
        const cells = [
          { ...doc.cells[0]!, code: 'x = 2', stdout: 'hello\n', stderr: 'careful\n', outputs: [{ mime_type: 'text/plain', data: '2' }] },
          sampleCell({ type: 'sql', code: 'SELECT 1', status: 'error', error: 'no database' }),
        ];
        await store().save({ ...doc, cells }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).cells).toEqual(cells);
      });

      it("keeps a cell's error structured beside its text (kind, message, cells involved, traceback)", async () => {
        const doc = await store().create(sampleNotebook(owner));
        const traceback = 'Traceback (most recent call last):\n  File "<cell c1>", line 1, in <module>\nNameError: name \'y\' is not defined\n';
        const cells = [
          sampleCell({ id: 'c1', code: 'y', status: 'error', error: traceback, errorDetail: { kind: 'runtime', message: "NameError: name 'y' is not defined", traceback } }),
          sampleCell({ id: 'c2', code: 'z = y', status: 'blocked', error: 'Not run: upstream cell 1 did not succeed.', errorDetail: { kind: 'upstream', message: 'Not run: upstream cell 1 did not succeed.', cells: ['c1'] } }),
        ];
        await store().save({ ...doc, cells }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).cells).toEqual(cells);
      });

      it('keeps the order of cells through saves, including a reordering', async () => {
        const cells = Array.from({ length: 30 }, (_, i) => sampleCell({ id: `c${String(29 - i).padStart(2, '0')}`, code: `v${i} = ${i}` }));
        const doc = await store().create(sampleNotebook(owner, { cells }));
        expect((await store().get(owner, doc.id)).cells.map((c) => c.id)).toEqual(cells.map((c) => c.id));
        const shuffled = [...cells.slice(10), ...cells.slice(0, 10).reverse()];
        await store().save({ ...doc, cells: shuffled }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).cells.map((c) => c.id)).toEqual(shuffled.map((c) => c.id));
      });

      it('keeps plugin settings of every type and the lazy flag, changes them, and can clear them', async () => {
        const settings = { sql: { connection_string: 'postgresql://a:b@h/db', row_limit: 500, verbose: true }, other: { mode: 'fast' } };
        const doc = await store().create(sampleNotebook(owner, { settings, lazy: true }));
        expect(await store().get(owner, doc.id)).toMatchObject({ settings, lazy: true });
        const changed = { sql: { connection_string: 'postgresql://c:d@h/db2', row_limit: 0.5, verbose: false } };
        const saved = await store().save({ ...doc, settings: changed }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).settings).toEqual(changed);
        await store().save({ ...saved, settings: {}, lazy: false }, { expectedRevision: 1 });
        expect(await store().get(owner, doc.id)).toMatchObject({ settings: {}, lazy: false });
      });

      it('refuses settings that are not strings, numbers or booleans, and keeps the stored ones', async () => {
        const doc = await store().create(sampleNotebook(owner, { settings: { sql: { connection_string: 'postgresql://a:b@h/db' } } }));
        const bad = { ...doc, settings: { sql: { connection_string: { nested: true } } } } as unknown as NotebookDocument;
        await expectCode(store().save(bad, { expectedRevision: 0 }), 'RNB_ERR_INVALID_INPUT');
        expect((await store().get(owner, doc.id)).settings).toEqual(doc.settings);
      });

      it('keeps the app settings through saves (a notebook without them reads without them)', async () => {
        const doc = await store().create(sampleNotebook(owner));
        expect((await store().get(owner, doc.id)).app).toBeUndefined();
        const app = { show_code: true, show_tracebacks: false, published: true };
        await store().save({ ...doc, app }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).app).toEqual(app);
      });

      it('keeps the shares through saves (a notebook without them reads without them) and can revoke them all', async () => {
        const doc = await store().create(sampleNotebook(owner));
        expect((await store().get(owner, doc.id)).shares).toBeUndefined();
        const shares = [{ userId: 'conformance-editor', role: 'editor' as const }, { userId: 'conformance-viewer', role: 'viewer' as const }];
        const saved = await store().save({ ...doc, shares }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).shares).toEqual(shares);
        await store().save({ ...saved, shares: [] }, { expectedRevision: 1 });
        expect((await store().get(owner, doc.id)).shares ?? []).toEqual([]);
      });

      it('lists the notebooks shared with a user, with owner and role, when the store can (listSharedWith)', async () => {
        const listShared = store().listSharedWith?.bind(store());
        if (options.listsSharedWith) expect(listShared).toBeInstanceOf(Function);
        if (!listShared) return; // optional: the host's list then shows only a user's own notebooks
        const user = uniqueTestId('sharee');
        const doc = await store().create({ ...sampleNotebook(owner), name: 'shared one', shares: [{ userId: user, role: 'viewer' }] });
        expect(await listShared(user)).toEqual([expect.objectContaining({ id: doc.id, name: 'shared one', owner, role: 'viewer' })]);
        const current = await store().get(owner, doc.id);
        await store().save({ ...current, shares: [{ userId: user, role: 'editor' }] }, { expectedRevision: current.revision });
        expect((await listShared(user)).map((s) => s.role)).toEqual(['editor']);
        const again = await store().get(owner, doc.id);
        await store().save({ ...again, shares: [] }, { expectedRevision: again.revision });
        expect(await listShared(user)).toEqual([]);
        expect(await listShared(owner)).toEqual([]);
      });

      it('lists notebooks shared by several owners, with their current names, and forgets deleted ones (listSharedWith)', async () => {
        const listShared = store().listSharedWith?.bind(store());
        if (options.listsSharedWith) expect(listShared).toBeInstanceOf(Function);
        if (!listShared) return;
        const user = uniqueTestId('sharee');
        const other = uniqueTestId('owner');
        const mine = await store().create({ ...sampleNotebook(owner), name: 'from one', shares: [{ userId: user, role: 'editor' }] });
        const theirs = await store().create({ ...sampleNotebook(other), name: 'from another', shares: [{ userId: 'someone-else', role: 'viewer' }, { userId: user, role: 'viewer' }] });
        await store().create({ ...sampleNotebook(other), name: 'not shared' });
        const byId = async (): Promise<Record<string, { name: string; owner: string; role: string }>> =>
          Object.fromEntries((await listShared(user)).map((s) => [s.id, { name: s.name, owner: s.owner, role: s.role }]));
        expect(await byId()).toEqual({ [mine.id]: { name: 'from one', owner, role: 'editor' }, [theirs.id]: { name: 'from another', owner: other, role: 'viewer' } });
        await store().save({ ...mine, name: 'renamed' }, { expectedRevision: 0 });
        expect((await byId())[mine.id]?.name).toBe('renamed');
        await store().delete(other, theirs.id);
        expect(Object.keys(await byId())).toEqual([mine.id]);
        // The user's own notebooks are not "shared with" them.
        expect((await store().list(user)).map((s) => s.id)).toEqual([]);
      });

      it('names the owner of a notebook when the store can (ownerOf), and null for an unknown id', async () => {
        const lookUp = store().ownerOf?.bind(store());
        if (!lookUp) return; // optional: the host then finds only apps published since it started
        const doc = await store().create(sampleNotebook(owner));
        expect(await lookUp(doc.id)).toBe(owner);
        expect(await lookUp(uniqueTestId('missing'))).toBeNull();
      });

      it('reports a save of an unknown notebook as not found, and creates nothing', async () => {
        const doc = sampleNotebook(owner);
        await expectCode(store().save(doc, { expectedRevision: 0 }), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().get(owner, doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
      });
    });

    if (options.hasLegacyLayout) {
      describe('migration of the layout before plugin settings', () => {
        const legacy = (connectionString: string | null): LegacyNotebook => ({
          owner,
          id: uniqueTestId('old'),
          name: 'from an old release',
          connectionString,
          cells: [sampleCell({ type: 'sql', code: 'SELECT 1', writes: [] })],
        });
        const writeLegacy = (notebook: LegacyNotebook): Promise<void> => {
          if (!fixture?.writeLegacyNotebook) throw new Error('hasLegacyLayout is set but the fixture gives no writeLegacyNotebook.');
          return fixture.writeLegacyNotebook(notebook);
        };

        it('reads an old connection string as settings.sql.connection_string, lists the notebook, and saves it in the new layout', async () => {
          const old = legacy('postgresql://ann:pw@db.example/sales');
          await writeLegacy(old);
          const read = await store().get(owner, old.id);
          expect(read).toMatchObject({ id: old.id, name: old.name, cells: old.cells, settings: { sql: { connection_string: 'postgresql://ann:pw@db.example/sales' } } });
          expect((await store().list(owner)).map((s) => s.id)).toContain(old.id);
          const saved = await store().save({ ...read, settings: { sql: { connection_string: 'postgresql://ann:new@db.example/sales' } } }, { expectedRevision: read.revision });
          expect((await store().get(owner, old.id)).settings).toEqual(saved.settings);
          await store().save({ ...saved, settings: {} }, { expectedRevision: saved.revision });
          expect((await store().get(owner, old.id)).settings).toEqual({});
        });

        it('reads an old notebook without a connection string as having no settings', async () => {
          const old = legacy(null);
          await writeLegacy(old);
          expect((await store().get(owner, old.id)).settings).toEqual({});
        });
      });
    }

    describe('revisions', () => {
      it('grows the revision by one with each save, moves updatedAt, keeps createdAt', async () => {
        let doc = await store().create(sampleNotebook(owner));
        const createdAt = doc.createdAt;
        for (let expected = 0; expected < 5; expected++) {
          const saved = await store().save({ ...doc, name: `v${expected + 1}` }, { expectedRevision: expected });
          expect(saved.revision).toBe(expected + 1);
          expect(saved.createdAt).toBe(createdAt);
          expect(Date.parse(saved.updatedAt)).toBeGreaterThanOrEqual(Date.parse(doc.updatedAt));
          doc = saved;
        }
        expect(await store().get(owner, doc.id)).toEqual(doc);
      });

      it('refuses a save based on a stale revision with a conflict, and keeps what is stored', async () => {
        const doc = await store().create(sampleNotebook(owner));
        const first = await store().save({ ...doc, name: 'first edit' }, { expectedRevision: 0 });
        const error = await rejection(store().save({ ...doc, name: 'stale edit' }, { expectedRevision: 0 }));
        expect(error.code).toBe('RNB_ERR_CONFLICT');
        expect(error.currentRevision).toBe(1);
        expect(await store().get(owner, doc.id)).toEqual(first);
      });

      it('refuses a save based on a revision the notebook never had', async () => {
        const doc = await store().create(sampleNotebook(owner));
        const error = await rejection(store().save(doc, { expectedRevision: 5 }));
        expect(error.code).toBe('RNB_ERR_CONFLICT');
        expect(error.currentRevision).toBe(0);
      });

      it(`lets exactly one of ${writers} concurrent saves on the same revision win`, async () => {
        const doc = await store().create(sampleNotebook(owner));
        for (let round = 0; round < 2; round++) {
          const current = await store().get(owner, doc.id);
          const results = await Promise.allSettled(
            Array.from({ length: writers }, (_, i) =>
              store().save({ ...current, name: `writer ${round}.${i}`, cells: [sampleCell({ code: `w = ${i}` })] }, { expectedRevision: current.revision }),
            ),
          );
          const won = results.filter((r): r is PromiseFulfilledResult<NotebookDocument> => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(won).toHaveLength(1);
          for (const r of lost) expect((r.reason as { code?: string }).code).toBe('RNB_ERR_CONFLICT');
          const stored = await store().get(owner, doc.id);
          expect(stored.revision).toBe(current.revision + 1);
          expect(stored).toEqual(won[0]!.value);
        }
      });
    });

    describe('deleting', () => {
      it('deletes a notebook: get, save and a second delete are then not found, and the listing forgets it', async () => {
        const doc = await store().create(sampleNotebook(owner));
        const kept = await store().create(sampleNotebook(owner, { name: 'kept' }));
        await store().delete(owner, doc.id);
        await expectCode(store().get(owner, doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().save(doc, { expectedRevision: 0 }), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().delete(owner, doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        expect((await store().list(owner)).map((s) => s.id)).toEqual([kept.id]);
      });
    });

    describe('isolation between owners', () => {
      it("answers another owner's id as not found for get, save and delete, and changes nothing", async () => {
        const intruder = uniqueTestId('intruder');
        const doc = await store().create(sampleNotebook(owner, { name: 'private' }));
        await expectCode(store().get(intruder, doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().save({ ...doc, owner: intruder, name: 'hijacked' }, { expectedRevision: 0 }), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().delete(intruder, doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        expect(await store().list(intruder)).toEqual([]);
        expect(await store().get(owner, doc.id)).toEqual(doc);
      });
    });

    describe('large and unusual content', () => {
      it('stores a notebook of 200 cells with outputs', async () => {
        const doc = await store().create(largeNotebook(owner, 200));
        const read = await store().get(owner, doc.id);
        expect(read.cells).toHaveLength(200);
        expect(read.cells).toEqual(doc.cells);
        const saved = await store().save({ ...read, cells: read.cells.slice(1) }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).cells).toEqual(saved.cells);
      });

      it('stores a notebook of about 1 MB, including one cell larger than 400 KB', async () => {
        const cells = [
          sampleCell({ id: 'huge', stdout: noiseText(450_000, 7) }),
          ...Array.from({ length: 40 }, (_, i) => sampleCell({ id: `c${i}`, code: noiseText(15_000, i + 100) })),
        ];
        const doc = await store().create(sampleNotebook(owner, { cells }));
        expect(JSON.stringify(doc.cells).length).toBeGreaterThan(1_000_000);
        expect((await store().get(owner, doc.id)).cells).toEqual(cells);
        const smaller = cells.slice(0, 2);
        await store().save({ ...doc, cells: smaller }, { expectedRevision: 0 });
        expect((await store().get(owner, doc.id)).cells).toEqual(smaller);
      });

      it('keeps unicode in names, code, stdout and outputs', async () => {
        const text = 'Grüße — 日本語 · العربية · emoji 🧪👩🏽‍🔬 · combining é · "quotes" \\ back\\slash \t tab';
        const doc = await store().create(
          sampleNotebook(owner, {
            name: `Ünïcödé ${text}`,
            cells: [sampleCell({ code: `s = "${text}"`, stdout: `${text}\n`, outputs: [{ mime_type: 'text/plain', data: text, metadata: { [text]: text } }] })],
          }),
        );
        const read = await store().get(owner, doc.id);
        expect(content(read)).toEqual(content(doc));
        expect((await store().list(owner))[0]!.name).toBe(`Ünïcödé ${text}`);
      });
    });

    describe('co-editing document (optional: loadCoedit/saveCoedit)', () => {
      const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256);
      const supported = (): boolean => typeof store().loadCoedit === 'function' && typeof store().saveCoedit === 'function';

      it('keeps the document beside the notebook: none at first, then the bytes saved last (also over 400 KB)', async () => {
        if (!supported()) return;
        const doc = await store().create(sampleNotebook(owner));
        expect(await store().loadCoedit!(owner, doc.id)).toBeNull();
        await store().saveCoedit!(owner, doc.id, bytes(1000, 1));
        expect(Buffer.from((await store().loadCoedit!(owner, doc.id))!)).toEqual(Buffer.from(bytes(1000, 1)));
        await store().saveCoedit!(owner, doc.id, bytes(450_000, 2));
        expect(Buffer.from((await store().loadCoedit!(owner, doc.id))!).equals(Buffer.from(bytes(450_000, 2)))).toBe(true);
        await store().saveCoedit!(owner, doc.id, bytes(10, 3));
        expect(Buffer.from((await store().loadCoedit!(owner, doc.id))!)).toEqual(Buffer.from(bytes(10, 3)));
        // Saving the notebook leaves the document alone.
        await store().save({ ...doc, name: 'renamed' }, { expectedRevision: 0 });
        expect(Buffer.from((await store().loadCoedit!(owner, doc.id))!)).toEqual(Buffer.from(bytes(10, 3)));
      });

      it('scopes the document to its owner and deletes it with the notebook', async () => {
        if (!supported()) return;
        const doc = await store().create(sampleNotebook(owner));
        await store().saveCoedit!(owner, doc.id, bytes(100, 4));
        await expectCode(store().loadCoedit!(uniqueTestId('stranger'), doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().saveCoedit!(uniqueTestId('stranger'), doc.id, bytes(5, 5)), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await store().delete(owner, doc.id);
        await expectCode(store().loadCoedit!(owner, doc.id), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
        await expectCode(store().saveCoedit!(owner, uniqueTestId('missing'), bytes(5, 6)), 'RNB_ERR_NOTEBOOK_NOT_FOUND');
      });
    });
  });
}
