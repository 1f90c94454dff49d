/**
 * The variable explorer's and live tables' Python half (python/rnb_variables.py) on
 * real Pyodide, loaded as core's kernel worker loads it. Real pandas is
 * tested on the native runtime (../native/variables-native.test.ts).
 */
import { TABLE_MIME, type JsonValue } from '@rnb/core';
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';

let kernel: FakeKernel;

beforeAll(async () => {
  kernel = await FakeKernel.start();
}, PYODIDE_START_TIMEOUT_MS);

afterAll(async () => {
  await kernel?.close();
});

const byName = async (): Promise<Map<string, { type: string; summary: string; size: number | null }>> =>
  new Map((await kernel.describe()).map((v) => [v.name, v]));

describe('describeVariables', () => {
  it('describes ints, strings, lists, dicts, functions and private names by type and shape, never the runner’s own names', async () => {
    await kernel.run({ code: 'n = 42\ntext = "hello"\nitems = [1, 2, 3]\nconfig = {"a": 1, "b": [1, 2]}\ndef f(a):\n    return a\n_hidden = 7', defines: ['n', 'text', 'items', 'config', 'f'] });
    const names = await byName();
    expect(names.get('n')).toMatchObject({ type: 'int', summary: '42' });
    expect(names.get('text')).toMatchObject({ type: 'str', summary: "'hello'" });
    expect(names.get('items')).toMatchObject({ type: 'list', summary: 'list[3]' });
    expect(names.get('config')).toMatchObject({ type: 'dict', summary: 'dict[2]' });
    expect(names.get('f')).toMatchObject({ type: 'function', summary: 'f(…)' });
    expect(names.get('_hidden')).toMatchObject({ type: 'int', summary: '7' });
    expect(names.get('items')!.size).toBeGreaterThan(56);
    expect([...names.keys()].some((name) => name.startsWith('__') || name === 'input')).toBe(false);
  });

  it('describes a big list by its length and a long string by a short repr, and stops at maxNames', async () => {
    await kernel.run({ code: 'big = list(range(100_000))\nlong = "x" * 10_000', defines: ['big', 'long'] });
    const names = await byName();
    expect(names.get('big')!.summary).toBe('list[100,000]');
    expect(names.get('big')!.size).toBeGreaterThan(800_000);
    expect(names.get('long')!.summary.length).toBeLessThan(70);
    expect(await kernel.describe(2)).toHaveLength(2);
  });

  it('forgets deleted names', async () => {
    await kernel.deleteNames(['big', 'long']);
    const names = await byName();
    expect(names.has('big')).toBe(false);
    expect(names.has('n')).toBe(true);
  });

  it("forgets a deleted cell's private names (assigned, imported, looped over, set by `global` in a function, bound before a failure), and no other cell's", async () => {
    await kernel.run({ id: 'private-cell', code: 'import math as _m\n_a = 1\nfor _i in range(2):\n    pass\ndef _g():\n    global _b\n    _b = 2\n_g()\nkept = _a', defines: ['kept'] });
    await kernel.run({ id: 'failing-cell', code: '_half = 1\nraise ValueError("half way")', defines: [] });
    await kernel.run({ id: 'other-cell', code: '_other = 3', defines: [] });
    const before = await byName();
    for (const name of ['_m', '_a', '_i', '_g', '_b', '_half', '_other', 'kept']) expect(before.has(name)).toBe(true);

    await kernel.forgetCells(['private-cell', 'failing-cell']);
    const after = await byName();
    for (const name of ['_m', '_a', '_i', '_g', '_b', '_half']) expect(after.has(name)).toBe(false);
    // Its public names go by deleteNames (the kernel sends both); another cell's private name stays.
    expect(after.has('kept')).toBe(true);
    expect(after.has('_other')).toBe(true);
  });

  it('drops the private names a cell no longer binds when it runs again', async () => {
    await kernel.run({ id: 'rewritten-cell', code: '_old = 1', defines: [] });
    expect((await byName()).has('_old')).toBe(true);
    await kernel.run({ id: 'rewritten-cell', code: '_new = 2', defines: [] });
    const names = await byName();
    expect(names.has('_old')).toBe(false);
    expect(names.get('_new')).toMatchObject({ summary: '2' });
  });
});

describe('live tables', () => {
  type Page = { status: string; columns?: string[]; rows?: JsonValue[][]; total?: number; all_rows?: number };
  const page = async (tableId: string, request: Record<string, JsonValue>): Promise<Page> =>
    (await kernel.call('table_page', { table_id: tableId, offset: 0, limit: 5, ...request })) as Page;

  it('keeps a 20,000-record result whose output is a preview, and pages, sorts and filters all of its rows', async () => {
    const result = await kernel.run({ id: 'records-cell', code: 'rows = [{"i": i, "v": (i * 7919) % 20000, "tag": "even" if i % 2 == 0 else "odd"} for i in range(20_000)]\nrows', defines: ['rows'] });
    expect(result.error).toBeNull();
    const output = result.outputs[0]!;
    expect(output.mime_type).toBe(TABLE_MIME);
    const meta = (output.metadata as { rnb_table: { id: string; rows: number } }).rnb_table;
    expect(meta.rows).toBe(20_000);
    expect((output.data as { rows: unknown[]; truncated: string }).rows.length).toBe(1000);
    expect((output.data as { truncated: string }).truncated).toBe('Showing the first 1,000 of 20,000 rows.');

    const first = await page(meta.id, { offset: 19_998, limit: 5 });
    expect(first).toMatchObject({ status: 'ok', columns: ['i', 'v', 'tag'], total: 20_000 });
    expect(first.rows!.map((r) => r[0])).toEqual([19_998, 19_999]);

    const sorted = await page(meta.id, { sort: { column: 1, descending: true } });
    expect(sorted.rows![0]![1]).toBe(19_999);
    const ascending = await page(meta.id, { sort: { column: 1, descending: false }, offset: 0, limit: 2 });
    expect(ascending.rows!.map((r) => r[1])).toEqual([0, 1]);

    const filtered = await page(meta.id, { filter: 'ODD', sort: { column: 0, descending: true } });
    expect(filtered.total).toBe(10_000);
    expect(filtered.rows![0]).toEqual([19_999, (19_999 * 7919) % 20_000, 'odd']);
  });

  it('releases a cell’s tables when it runs again or is deleted, and answers "gone" for them', async () => {
    const first = await kernel.run({ id: 'again', code: '[{"a": i} for i in range(15_000)]' });
    const firstId = (first.outputs[0]!.metadata as { rnb_table: { id: string } }).rnb_table.id;
    expect((await page(firstId, {})).status).toBe('ok');
    const second = await kernel.run({ id: 'again', code: '[{"a": i} for i in range(15_001)]' });
    const secondId = (second.outputs[0]!.metadata as { rnb_table: { id: string } }).rnb_table.id;
    expect(await page(firstId, {})).toEqual({ status: 'gone' });
    expect((await page(secondId, {})).total).toBe(15_001);
    await kernel.forgetCells(['again']);
    expect(await page(secondId, {})).toEqual({ status: 'gone' });
  });

  it('keeps no table for a result of at most 1,000 rows, and refuses a malformed request', async () => {
    const small = await kernel.run({ id: 'small', code: '[{"a": 1}, {"a": 2}]' });
    // Column summaries, but no live table (rnb_table).
    expect(small.outputs[0]!.metadata).toEqual({ column_stats: [{ type: 'int', nulls: 0, min: 1, max: 2 }] });
    await expect(kernel.call('table_page', { table_id: 'x', offset: -1, limit: 5 })).rejects.toThrow(/offset and limit/);
  });
});
