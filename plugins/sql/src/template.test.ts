import * as fs from 'node:fs';
import * as path from 'node:path';
import alasql from 'alasql';
import { bindSql, cellOffset, lookupIn, TemplateError } from './template';

const CORPORA = path.resolve(__dirname, '../../../testdata');

describe('the original project\'s template cases (we bind; see each case\'s "derived")', () => {
  const cases = (JSON.parse(fs.readFileSync(path.join(CORPORA, 'original/sql.json'), 'utf8')) as {
    name: string;
    kind: string;
    sql: string;
    variables: Record<string, unknown>;
    expect: { error?: string };
    derived?: { sql: string; params: unknown[] };
  }[]).filter((c) => c.kind === 'substitution');

  it('has cases', () => expect(cases.length).toBeGreaterThan(4));

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.derived) {
      const [statement] = bindSql(c.sql, lookupIn(c.variables), 'postgres');
      expect(statement).toMatchObject({ sql: c.derived.sql, params: c.derived.params });
    } else {
      expect(c.expect.error).toBe('NameError');
      expect(() => bindSql(c.sql, lookupIn(c.variables), 'postgres')).toThrow(/user_id.*not found/);
    }
  });
});

describe('binding', () => {
  it('uses ? for alasql and $n for PostgreSQL, reusing $n for a repeated name', () => {
    const values = lookupIn({ a: 1, b: 'x' });
    expect(bindSql('SELECT {a}, {b}, {a}', values, 'alasql')[0]).toMatchObject({ sql: 'SELECT ?, ?, ?', params: [1, 'x', 1] });
    expect(bindSql('SELECT {a}, {b}, {a}', values, 'postgres')[0]).toMatchObject({ sql: 'SELECT $1, $2, $1', params: [1, 'x'] });
  });

  it('never pastes a value into the SQL text', () => {
    const evil = "'; DROP TABLE users; --";
    const [statement] = bindSql('SELECT * FROM users WHERE name = {name}', lookupIn({ name: evil }), 'alasql');
    expect(statement!.sql).toBe('SELECT * FROM users WHERE name = ?');
    expect(statement!.params).toEqual([evil]);
  });

  it('keeps the injection attempt a plain string when alasql runs it', () => {
    const db = new alasql.Database();
    db.exec('CREATE TABLE users (name STRING); INSERT INTO users VALUES ("ann"), ("bob")');
    const evil = "ann'; DROP TABLE users; --";
    const [statement] = bindSql('SELECT * FROM users WHERE name = {name}', lookupIn({ name: evil }), 'alasql');
    expect(db.exec(statement!.sql, statement!.params)).toEqual([]);
    expect(db.exec('SELECT COUNT(*) AS n FROM users')).toEqual([{ n: 2 }]);
  });

  it('expands a list in IN ({ids}) to one placeholder per element', () => {
    const values = lookupIn({ ids: [3, 5, 8], none: [] as number[], typed: new Int32Array([1, 2]) });
    expect(bindSql('SELECT * FROM t WHERE id IN ({ids})', values, 'postgres')[0]).toMatchObject({
      sql: 'SELECT * FROM t WHERE id IN ($1, $2, $3)',
      params: [3, 5, 8],
    });
    expect(bindSql('SELECT * FROM t WHERE id NOT IN ( {ids} ) AND x = {ids}', values, 'alasql')[0]).toMatchObject({
      sql: 'SELECT * FROM t WHERE id NOT IN ( ?, ?, ? ) AND x = ?',
      params: [3, 5, 8, [3, 5, 8]],
    });
    expect(bindSql('SELECT * FROM t WHERE id IN ({none})', values, 'alasql')[0]!.sql).toBe('SELECT * FROM t WHERE id IN (NULL)');
    expect(bindSql('SELECT 1 WHERE 2 IN ({typed})', values, 'alasql')[0]!.params).toEqual([1, 2]);
  });

  it('the expanded list filters rows in alasql', () => {
    const db = new alasql.Database();
    db.exec('CREATE TABLE t (id INT); INSERT INTO t VALUES (1), (2), (3)');
    const [statement] = bindSql('SELECT VALUE COUNT(*) FROM t WHERE id IN ({ids})', lookupIn({ ids: [1, 3] }), 'alasql');
    expect(db.exec(statement!.sql, statement!.params)).toBe(2);
  });

  it('refuses a name no cell defines, before anything runs', () => {
    expect(() => bindSql('SELECT 1;\nSELECT {missing_var}', lookupIn({}), 'alasql')).toThrow(TemplateError);
    try {
      bindSql('SELECT 1;\nSELECT {missing_var}', lookupIn({}), 'alasql');
    } catch (error) {
      expect(error).toMatchObject({ line: 2, column: 8 });
      expect((error as Error).message).toMatch(/'missing_var' not found/);
    }
  });

  it('refuses hand-written placeholders, which would have no value', () => {
    expect(() => bindSql('SELECT * FROM t WHERE a = ?', lookupIn({}), 'alasql')).toThrow(/Write \{name\}/);
    expect(() => bindSql('SELECT * FROM t WHERE a = $1', lookupIn({}), 'postgres')).toThrow(/Write \{name\}/);
    // In PostgreSQL ? is a jsonb operator, not a placeholder.
    expect(bindSql("SELECT '{}'::jsonb ? 'a'", lookupIn({}), 'postgres')[0]!.params).toEqual([]);
  });

  it('turns {{ into a literal brace and leaves strings, comments and dollar quotes alone', () => {
    const code = "SELECT '{x}' AS s, {{x} AS b -- {x}\n, $$ {x} $$ AS d";
    expect(bindSql(code, lookupIn({}), 'postgres')[0]!.sql).toBe("SELECT '{x}' AS s, {x} AS b -- {x}\n, $$ {x} $$ AS d");
  });

  it('splits statements and records where each starts', () => {
    const statements = bindSql('SELECT 1;\n\n  INSERT INTO t VALUES ({v});', lookupIn({ v: 2 }), 'alasql');
    expect(statements.map((s) => [s.sql, s.keyword, s.line])).toEqual([
      ['SELECT 1', 'SELECT', 1],
      ['INSERT INTO t VALUES (?)', 'INSERT', 3],
    ]);
  });

  it('maps an offset in the bound SQL back to the cell', () => {
    const code = 'SELECT 1;\nSELECT {long_name}, bad_column';
    const [, second] = bindSql(code, lookupIn({ long_name: 1 }), 'postgres');
    const offset = second!.sql.indexOf('bad_column');
    expect(cellOffset(second!, offset)).toBe(code.indexOf('bad_column'));
    expect(cellOffset(second!, second!.sql.indexOf('$1'))).toBe(code.indexOf('{long_name}'));
  });
});
