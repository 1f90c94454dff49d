/**
 * Notebook values named after SQL keywords (`rows`, `values`, `order`...) are
 * still tables in alasql, and a parser error says which word it stopped at and
 * what to write instead, never alasql's raw parser dump.
 */
import type { CellIO, Output } from '@rnb/core';
import { analyseSql } from '../analyser';
import { MapNamespace } from '../test-support/map-namespace';
import createSqlRuntime from './index';

async function harness() {
  const namespace = new MapNamespace();
  const runtime = await createSqlRuntime({
    language: 'sql',
    namespace,
    options: { alasqlPath: require.resolve('alasql') },
    interruptBuffer: new Int32Array(new SharedArrayBuffer(4)),
    hostCall: async (service) => {
      throw new Error(`No host service "${service}".`);
    },
    log: () => undefined,
  });
  const run = async (code: string): Promise<Output[]> => {
    const outputs: Output[] = [];
    const io: CellIO = { stdout: () => undefined, stderr: () => undefined, output: (o) => outputs.push(o), signal: new AbortController().signal };
    const analysis = analyseSql(code);
    await runtime.run({ cellId: 'c', code, defines: analysis.defines, references: analysis.references, meta: analysis.meta! }, io);
    return outputs;
  };
  return { namespace, run };
}

const rowsOf = (outputs: Output[]): unknown => (outputs[0]?.data as { rows?: unknown }).rows;

describe('a notebook value named after a SQL keyword', () => {
  it.each(['rows', 'values', 'order', 'key', 'top', 'select', 'data'])('is queried as a table: SELECT * FROM %s WHERE v > {threshold}', async (name) => {
    const h = await harness();
    h.namespace.set(name, [{ v: 1 }, { v: 5 }, { v: 9 }], 'python');
    h.namespace.set('threshold', 4, 'python');
    expect(analyseSql(`SELECT * FROM ${name} WHERE v > {threshold}`).references).toEqual([name, 'threshold'].sort());
    expect(rowsOf(await h.run(`SELECT * FROM ${name} WHERE v > {threshold}`))).toEqual([[5], [9]]);
  });

  it('is a table in joins, with aliases, and where it qualifies a column', async () => {
    const h = await harness();
    h.namespace.set('rows', [{ id: 1, v: 10 }, { id: 2, v: 20 }], 'python');
    h.namespace.set('order', [{ id: 2, w: 'b' }], 'python');
    expect(rowsOf(await h.run('SELECT r.v, order.w FROM rows AS r JOIN order ON order.id = r.id'))).toEqual([[20, 'b']]);
    expect(rowsOf(await h.run('SELECT rows.v FROM rows ORDER BY rows.v DESC'))).toEqual([[20], [10]]);
  });

  it('leaves the keyword alone where it is one: INSERT ... VALUES', async () => {
    const h = await harness();
    h.namespace.set('values', [{ v: 1 }], 'python');
    expect(analyseSql('CREATE TABLE t (v INT);\nINSERT INTO t VALUES (7);\nSELECT * FROM t').references).toEqual([]);
    expect(rowsOf(await h.run('CREATE TABLE t (v INT);\nINSERT INTO t VALUES (7);\nSELECT v FROM t'))).toEqual([[7]]);
  });
});

describe('a SQL syntax error', () => {
  it('names a reserved word used as a name and says to write it in backticks', async () => {
    const h = await harness();
    h.namespace.set('stats', [{ rows: 3 }], 'python');
    const failure = h.run('SELECT 1;\nSELECT rows FROM stats');
    await expect(failure).rejects.toThrow('Syntax error on line 2: "rows" is a reserved word in SQL, so it cannot be used as a name as it is. If it names a table or a column, write it in backticks: `rows`.');
    await expect(failure).rejects.not.toThrow(/Expecting|LITERAL|BRALITERAL|Have you used/);
    expect(rowsOf(await h.run('SELECT `rows` FROM stats'))).toEqual([[3]]);
  });

  it('shows where the statement stopped, without the parser\'s list of expected tokens', async () => {
    const h = await harness();
    h.namespace.set('t', [{ v: 1 }], 'python');
    const failure = h.run('SELECT * FROM t WHERE');
    await expect(failure).rejects.toThrow(/^Syntax error on line 1: the statement ends too early\.\n {2}\S.* FROM `t` WHERE\n {2}-+\^$/);
    await expect(failure).rejects.not.toThrow(/Expecting|Have you used/);
    await expect(h.run('SELECT v FROM t WHERE v >> 1 1')).rejects.toThrow(/^Syntax error on line 1 near "1"\./);
  });
});
