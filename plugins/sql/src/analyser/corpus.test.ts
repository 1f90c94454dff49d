/**
 * The analyser against marimo's SQL test cases (testdata/marimo/sql.json)
 * and the original project's template cases (testdata/original/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import alasql from 'alasql';
import { analyseSql, type SqlCellMeta } from './index';

const CORPORA = path.resolve(__dirname, '../../../../testdata');
const marimo = JSON.parse(fs.readFileSync(path.join(CORPORA, 'marimo/sql.json'), 'utf8')) as {
  find_sql_refs: { name: string; sql: string; expected_qualified_names: string[] }[];
  find_sql_defs: {
    name: string;
    sql: string;
    expected: { tables: TableDef[]; views: TableDef[]; schemas: string[]; catalogs: string[] };
  }[];
};
interface TableDef {
  table: string;
  schema?: string;
  catalog?: string;
}

/**
 * Cases we deliberately answer differently, with the reason. Everything else
 * in the corpus must match, whether or not alasql parses it.
 */
const DELIBERATE: Record<string, string> = {
  // Our contract (issue 14): a cell that fills a table defines it; marimo makes DML targets references.
  test_insert: 'INSERT INTO t defines t (here: my_schema.table1) instead of referencing it',
  test_multi_dml: 'INSERT INTO table1 defines table1 instead of referencing it',
  test_select_in_insert: 'INSERT INTO table1 defines table1 instead of referencing it',
  'test_dml_with_subquery#1': 'INSERT INTO table1 defines table1 instead of referencing it',
  test_dml_with_cte: 'INSERT INTO target_table defines target_table instead of referencing it',
  // alasql table names and Python names are case-sensitive, so lower-casing would break edges to Python values.
  'test_find_sql_defs_case_insensitive#table': 'unquoted names keep their case (alasql and Python are case-sensitive)',
  'test_find_sql_defs_case_insensitive#view': 'unquoted names keep their case (alasql and Python are case-sensitive)',
  // DuckDB's ATTACH of database files: alasql's ATTACH engines are switched off in notebooks.
  'test_find_created_database#1': 'ATTACH (database files) is not supported',
  'test_find_created_database#2': 'ATTACH (database files) is not supported',
  'test_find_created_database#3': 'ATTACH (database files) is not supported',
  'test_find_created_database#4': 'ATTACH (database files) is not supported',
  'test_find_created_database#5': 'ATTACH (database files) is not supported',
  test_find_sql_defs_attach_with_colon: 'ATTACH (database files) is not supported',
};

function alasqlParses(sql: string): boolean {
  try {
    alasql.parse(sql);
    return true;
  } catch {
    return false;
  }
}

const metaOf = (sql: string): SqlCellMeta => analyseSql(sql).meta as SqlCellMeta;
const qualified = (t: TableDef): string => [t.catalog, t.schema, t.table].filter((p) => p !== undefined).join('.');

describe('marimo find_sql_refs: tables a statement reads', () => {
  const cases = marimo.find_sql_refs.filter((c) => !(c.name in DELIBERATE));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect([...metaOf(c.sql).tables.referenced].sort()).toEqual([...c.expected_qualified_names].sort());
  });
});

describe('marimo find_sql_defs: tables and schemas a statement creates', () => {
  const cases = marimo.find_sql_defs.filter((c) => !(c.name in DELIBERATE));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const meta = metaOf(c.sql);
    expect([...meta.tables.created].sort()).toEqual([...c.expected.tables, ...c.expected.views].map(qualified).sort());
    expect(meta.tables.schemas).toEqual(c.expected.schemas);
  });
});

describe('deliberate differences from marimo', () => {
  it('lists only cases that exist in the corpus', () => {
    const names = new Set([...marimo.find_sql_refs, ...marimo.find_sql_defs].map((c) => c.name));
    expect(Object.keys(DELIBERATE).filter((n) => !names.has(n))).toEqual([]);
  });

  it('INSERT INTO defines the table it fills', () => {
    const analysis = analyseSql('INSERT INTO my_schema.table1 (id) VALUES (1);');
    expect(analysis.defines).toEqual(['my_schema.table1']);
    expect(analysis.references).toEqual([]);
  });

  it('keeps the case of unquoted names', () => {
    expect(analyseSql('create TABLE Test_Table (id INT);').defines).toEqual(['Test_Table']);
  });

  it('most of the corpus is SQL that alasql itself parses', () => {
    const all = [...marimo.find_sql_refs, ...marimo.find_sql_defs];
    const parsed = all.filter((c) => alasqlParses(c.sql));
    // Recorded so that a change in how many cases are engine-valid is noticed.
    expect(parsed.length).toBeGreaterThan(40);
  });
});

describe('original project: template names are references', () => {
  const extract = JSON.parse(fs.readFileSync(path.join(CORPORA, 'original/extract.json'), 'utf8')) as {
    name: string;
    language: string;
    code: string;
    reads: string[];
  }[];
  const sqlCases = extract.filter((c) => c.language === 'sql');
  it('has SQL cases', () => expect(sqlCases.length).toBeGreaterThan(0));
  it.each(sqlCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const analysis = analyseSql(c.code);
    // reads_superset: table names are references too.
    for (const read of c.reads) expect(analysis.references).toContain(read);
    expect((analysis.meta as SqlCellMeta).templates).toEqual(expect.arrayContaining(c.reads));
    expect(analysis.references).toContain('users');
    expect(analysis.defines).toEqual([]);
  });
});
