/**
 * The runtime module in this process with an in-memory namespace (the real
 * kernel is exercised in ../integration.test.ts).
 */
import type { CellIO, JsonValue, LanguageRuntime, NamespaceEntry, Output, TableColumns } from '@rnb/core';
import { analyseSql } from '../analyser';
import createSqlRuntime from './index';
import { DEFAULT_RUNTIME_OPTIONS } from './options';
import { MapNamespace } from '../test-support/map-namespace';

interface Harness {
  runtime: LanguageRuntime;
  namespace: MapNamespace;
  hostCalls: { service: string; payload: JsonValue }[];
  run(code: string): Promise<Output[]>;
}

async function harness(options: Record<string, JsonValue> = {}, host?: (service: string, payload: JsonValue) => Promise<JsonValue>): Promise<Harness> {
  const namespace = new MapNamespace();
  const hostCalls: Harness['hostCalls'] = [];
  const runtime = await createSqlRuntime({
    language: 'sql',
    namespace,
    options: { alasqlPath: require.resolve('alasql'), ...options },
    interruptBuffer: new Int32Array(new SharedArrayBuffer(4)),
    hostCall: async (service, payload) => {
      hostCalls.push({ service, payload });
      if (host) return host(service, payload);
      throw new Error(`No host service "${service}".`);
    },
    log: () => undefined,
  });
  return {
    runtime,
    namespace,
    hostCalls,
    run: async (code) => {
      const outputs: Output[] = [];
      const io: CellIO = { stdout: () => undefined, stderr: () => undefined, output: (o) => outputs.push(o), signal: new AbortController().signal };
      const analysis = analyseSql(code);
      await runtime.run({ cellId: 'c', code, defines: analysis.defines, references: analysis.references, meta: analysis.meta! }, io);
      return outputs;
    },
  };
}

const TABLE = 'application/vnd.notebook.table+json';

describe('alasql cells', () => {
  it('queries a Python-style list of dicts by name and shows a table', async () => {
    const h = await harness();
    h.namespace.set('people', [{ name: 'ann', age: 31 }, { name: 'bob', age: 25 }, { name: 'cy', age: 31 }], 'python');
    const [output] = await h.run('SELECT age, COUNT(*) AS n FROM people GROUP BY age ORDER BY age');
    expect(output).toEqual({ mime_type: TABLE, data: { type: 'table', columns: ['age', 'n'], rows: [[25, 1], [31, 2]] } });
  });

  it('names its result so Python can read it as a list of plain objects', async () => {
    const h = await harness();
    h.namespace.set('people', [{ name: 'ann', born: new Date('1990-01-02T00:00:00Z') }], 'python');
    await h.run('-- name: picked\nSELECT name, born FROM people');
    const picked = h.namespace.get('picked') as { name: string; born: Date }[];
    expect(picked).toEqual([{ name: 'ann', born: new Date('1990-01-02T00:00:00Z') }]);
    expect(Object.getPrototypeOf(picked[0])).toBe(Object.prototype);
    expect(picked[0]!.born).toBeInstanceOf(Date);
    // ...and another SQL cell can query the named result as a table.
    const [output] = await h.run('SELECT VALUE COUNT(*) FROM picked');
    expect((output!.data as { rows: unknown[][] }).rows).toEqual([[1]]);
  });

  it('binds templates as parameters, including lists in IN ()', async () => {
    const h = await harness();
    h.namespace.set('items', [{ id: 1, s: 'x' }, { id: 2, s: "'; DROP TABLE items; --" }, { id: 3, s: 'z' }], 'python');
    h.namespace.set('ids', [1, 2], 'python');
    h.namespace.set('needle', "'; DROP TABLE items; --", 'python');
    const [output] = await h.run('SELECT id FROM items WHERE id IN ({ids}) AND s = {needle}');
    expect((output!.data as { rows: unknown[][] }).rows).toEqual([[2]]);
  });

  it('refuses an IN list of a million items at once, naming the parameter and the limit (issue 19 item 9)', async () => {
    const h = await harness();
    h.namespace.set('ids', Array.from({ length: 1_000_000 }, (_, i) => i), 'python');
    await h.run('CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1)');
    await expect(h.run('SELECT * FROM t\nWHERE a IN ({ids})')).rejects.toThrow(/\{ids\} has 1,000,000 items; IN \(\{ids\}\) takes at most 10,000 .*maxListItems.*line 2/);
    // The kernel carries on, and a list within the limit still works.
    h.namespace.set('ids', Array.from({ length: 10_000 }, (_, i) => i), 'python');
    const [output] = await h.run('SELECT VALUE COUNT(*) FROM t WHERE a IN ({ids})');
    expect((output!.data as { rows: unknown[][] }).rows).toEqual([[1]]);
  });

  it('takes its IN list bound from the plugin options', async () => {
    const h = await harness({ maxListItems: 2 });
    h.namespace.set('ids', [1, 2, 3], 'python');
    await expect(h.run('SELECT 1 WHERE 1 IN ({ids})')).rejects.toThrow(/\{ids\} has 3 items; IN \(\{ids\}\) takes at most 2/);
  });

  it('shows bytes as a bytes literal and NaN/infinities as their names, never as "[120]" or null (issue 19 item 8)', async () => {
    const h = await harness();
    h.namespace.set('blobs', [{ b: new Uint8Array([120, 0, 39]), v: Number.NaN }, { b: null, v: Number.POSITIVE_INFINITY }, { b: new Uint8Array([]), v: Number.NEGATIVE_INFINITY }], 'python');
    const [output] = await h.run('SELECT b, v FROM blobs');
    expect((output!.data as { rows: unknown[][] }).rows).toEqual([["b'x\\x00\\''", 'NaN'], [null, 'Infinity'], ["b''", '-Infinity']]);
  });

  it('an undefined template name fails before anything runs', async () => {
    const h = await harness();
    await expect(h.run('CREATE TABLE t (a INT);\nSELECT * FROM t WHERE a = {nope}')).rejects.toThrow(/'nope' not found.*line 2/);
    await expect(h.run('SELECT VALUE COUNT(*) FROM t')).rejects.toThrow(/does not exist/);
  });

  it('a table the cell creates is defined for Python, and re-running the cell starts afresh', async () => {
    const h = await harness();
    const cell = 'CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1), (2)';
    expect(await h.run(cell)).toEqual([{ mime_type: 'text/plain', data: '2 rows affected' }]);
    await h.run(cell);
    expect(h.namespace.get('t')).toEqual([{ a: 1 }, { a: 2 }]);
    h.runtime.deleteNames!(['t']);
    await expect(h.run('SELECT * FROM t')).rejects.toThrow(/does not exist/);
  });

  it('truncates a large result with a note', async () => {
    const h = await harness({ maxRows: 5 });
    const [output] = await h.run('SELECT _ AS n FROM RANGE(1, 12)');
    const data = output!.data as { rows: unknown[][]; truncated: string };
    expect(data.rows).toHaveLength(5);
    expect(data.truncated).toBe('Showing the first 5 of 12 rows.');
  });

  it('holds up to 10,000 rows by default, so the page sorts the whole result', async () => {
    const h = await harness();
    const [output] = await h.run('SELECT _ AS n FROM RANGE(1, 12000)');
    const data = output!.data as { rows: unknown[][]; truncated: string };
    expect(data.rows).toHaveLength(10_000);
    expect(data.truncated).toBe('Showing the first 10,000 of 12,000 rows.');
  });

  it('cuts a wide result by size too, and says how many rows it kept', async () => {
    const h = await harness({ maxTableChars: 1000 });
    h.namespace.set('wide', Array.from({ length: 50 }, (_, i) => ({ i, text: 'x'.repeat(93) })), 'python');
    const [output] = await h.run('SELECT * FROM wide');
    const data = output!.data as { rows: unknown[][]; truncated: string };
    // [0,"x…x"] is 99 characters of JSON, 100 with its separator: ten rows fill the 1,000.
    expect(data.rows).toHaveLength(10);
    expect(data.truncated).toBe('Showing the first 10 of 50 rows.');
  });

  it('names the cell line of a syntax error in a later statement', async () => {
    const h = await harness();
    await expect(h.run('SELECT 1;\n\nSELECT * FROM\n  WHERE x')).rejects.toThrow(/Syntax error on line 3/);
  });

  it('refuses to query a value that is not a table', async () => {
    const h = await harness();
    h.namespace.set('n', 42, 'python');
    await expect(h.run('SELECT * FROM n')).rejects.toThrow(/n cannot be queried as a table: it is a number/);
  });

  it('a hostile cell errors and the next cell still runs', async () => {
    const h = await harness();
    await expect(h.run('SELECT * FROM TXT("/etc/passwd")')).rejects.toThrow(/Not allowed.*TXT\(\) is switched off/);
    expect(await h.run('SELECT VALUE 7')).toEqual([{ mime_type: TABLE, data: { type: 'table', columns: ['value'], rows: [[7]] } }]);
  });

  it('asks the server which engine to use on every run', async () => {
    const h = await harness({}, async () => ({ engine: 'alasql' }));
    await h.run('SELECT VALUE 1');
    expect(h.hostCalls).toEqual([{ service: 'sql.engine', payload: null }]);
  });
});

/** Another language's table by columns (NamespaceEntry.toColumns), as the Python runtime gives one; its records are not there. */
function columnsEntry(names: string[], columns: ArrayLike<unknown>[]): NamespaceEntry & { columnReads: number } {
  const entry = {
    language: 'python',
    columnReads: 0,
    toColumns: (): TableColumns => {
      entry.columnReads++;
      return { names, columns, rowCount: columns[0]!.length };
    },
    toJS: (): unknown => {
      throw new Error('a table by columns is read by columns');
    },
  };
  return entry;
}

const rowsOf = (outputs: Output[]): unknown[][] => (outputs[0]!.data as { rows: unknown[][] }).rows;

describe('tables by columns (a Python list of dicts)', () => {
  it('queries them, and no cell sees what another changed: only reading cells share the rows', async () => {
    const h = await harness();
    const sales = columnsEntry(['region', 'amount', 'note'], [['n', 's', 'n'], Float64Array.from([1, 2, 3]), [{ k: 1 }, undefined, 'x']]);
    h.namespace.setEntry('sales', sales);
    const total = 'SELECT region, SUM(amount) AS amount FROM sales GROUP BY region ORDER BY region';
    expect(rowsOf(await h.run(total))).toEqual([['n', 4], ['s', 2]]);
    expect(rowsOf(await h.run('SELECT * FROM sales'))).toEqual([['n', 1, '{"k":1}'], ['s', 2, null], ['n', 3, 'x']]);
    // A cell that changes the rows works on its own copy.
    expect(await h.run('UPDATE sales SET amount = 100 WHERE region = "n";\nDELETE FROM sales WHERE region = "s"')).toEqual([{ mime_type: 'text/plain', data: '1 row affected' }]);
    expect(rowsOf(await h.run(total))).toEqual([['n', 4], ['s', 2]]);
    // Reading cells leave the shared rows as they were: sorted, grouped, joined, named.
    await h.run('-- name: sorted\nSELECT * FROM sales ORDER BY amount DESC');
    await h.run('SELECT a.region, b.amount FROM sales a JOIN sales b ON a.region = b.region');
    await h.run('SELECT DISTINCT region FROM sales WHERE amount > 1');
    expect(rowsOf(await h.run('SELECT * FROM sales'))).toEqual([['n', 1, '{"k":1}'], ['s', 2, null], ['n', 3, 'x']]);
    expect(rowsOf(await h.run('SELECT amount FROM sorted'))).toEqual([[3], [2], [1]]);
    expect(sales.columnReads).toBeGreaterThan(0);
  });

  it('reads a name defined again afresh, never the rows of its last definition', async () => {
    const h = await harness();
    h.namespace.setEntry('t', columnsEntry(['v'], [Float64Array.from([1, 2])]));
    expect(rowsOf(await h.run('SELECT VALUE SUM(v) FROM t'))).toEqual([[3]]);
    h.namespace.setEntry('t', columnsEntry(['v'], [Float64Array.from([10, 20, 30])]));
    expect(rowsOf(await h.run('SELECT VALUE SUM(v) FROM t'))).toEqual([[60]]);
    h.namespace.setEntry('t', columnsEntry(['w'], [['a']]));
    expect(rowsOf(await h.run('SELECT * FROM t'))).toEqual([['a']]);
  });

  it('a named result gives its columns too (native Python builds a DataFrame from them), holding what its records hold', async () => {
    const h = await harness();
    h.namespace.set('people', [{ name: 'ann', born: new Date('1990-01-02T00:00:00Z'), tags: ['a'] }, { name: 'bob', born: null, tags: [] }], 'python');
    await h.run('-- name: picked\nSELECT name, born, tags FROM people');
    const columns = h.namespace.entry('picked')!.toColumns!()!;
    expect(columns.names).toEqual(['name', 'born', 'tags']);
    expect(columns.rowCount).toBe(2);
    const records = h.namespace.get('picked') as Record<string, unknown>[];
    columns.names.forEach((name, c) => expect(Array.from(columns.columns[c]!)).toEqual(records.map((row) => row[name])));
    // Copies, not alasql's own values: changing them changes nothing in SQL.
    (columns.columns[2]![0] as string[]).push('changed');
    expect(rowsOf(await h.run('SELECT tags FROM picked'))[0]).toEqual(['["a"]']);
    // Rows of different keys have no columns to give: the records are the way.
    await h.run('-- name: ragged\nSELECT * FROM people');
    h.namespace.set('uneven', [{ a: 1 }, { b: 2 }], 'python');
    await h.run('-- name: ragged\nSELECT * FROM uneven');
    expect(h.namespace.entry('ragged')!.toColumns!()).toBeNull();
  });

  it('a named result read by a cell that deletes from it is copied: the result itself keeps its rows', async () => {
    const h = await harness();
    h.namespace.set('people', [{ name: 'ann' }, { name: 'bob' }], 'python');
    await h.run('-- name: picked\nSELECT name FROM people');
    expect(rowsOf(await h.run('SELECT VALUE COUNT(*) FROM picked'))).toEqual([[2]]);
    await h.run('DELETE FROM picked WHERE name = "ann"');
    expect(rowsOf(await h.run('SELECT name FROM picked'))).toEqual([['ann'], ['bob']]);
    expect(h.namespace.get('picked')).toEqual([{ name: 'ann' }, { name: 'bob' }]);
  });
});

describe('PostgreSQL cells (through a host service, here a fake one)', () => {
  it('sends $n placeholders and JSON values, and maps an error position to the cell line', async () => {
    const h = await harness({}, async (service, payload) => {
      if (service === 'sql.engine') return { engine: 'postgres' };
      const sql = (payload as { statements: { sql: string }[] }).statements[1]!.sql;
      return { error: { message: 'column "nope" does not exist', statement: 1, position: sql.indexOf('nope') + 1 } };
    });
    h.namespace.set('since', new Date('2024-01-01T00:00:00Z'), 'python');
    h.namespace.set('big', 2n ** 70n, 'python');
    await expect(h.run('SELECT 1;\nSELECT {since}, {big},\n  nope')).rejects.toThrow(/Database error on line 3: column "nope" does not exist/);
    const query = h.hostCalls.find((c) => c.service === 'pg.query')!.payload as { statements: unknown[]; maxRows: number };
    expect(query.statements).toEqual([
      { sql: 'SELECT 1', params: [] },
      { sql: 'SELECT $1, $2,\n  nope', params: ['2024-01-01T00:00:00.000Z', (2n ** 70n).toString()] },
    ]);
    expect(query.maxRows).toBe(DEFAULT_RUNTIME_OPTIONS.maxRows);
  });

  it('stores a named result from rows sent back', async () => {
    const h = await harness({}, async (service) =>
      service === 'sql.engine' ? { engine: 'postgres' } : { result: { command: 'SELECT', rowCount: 2, columns: ['id'], rows: [[1], [2]] } },
    );
    const [output] = await h.run('-- name: ids\nSELECT id FROM t');
    expect(output!.data).toEqual({ type: 'table', columns: ['id'], rows: [[1], [2]] });
    expect(h.namespace.get('ids')).toEqual([{ id: 1 }, { id: 2 }]);
    expect((h.hostCalls[1]!.payload as { maxRows: number }).maxRows).toBe(DEFAULT_RUNTIME_OPTIONS.maxResultRows);
  });
});
