import { analyseSql, type SqlCellMeta } from './index';

const meta = (code: string): SqlCellMeta => analyseSql(code).meta as SqlCellMeta;

describe('templates', () => {
  it('reads {name} templates as references, with the tables', () => {
    const analysis = analyseSql('SELECT * FROM users WHERE id = {user_id} AND name = { user_name }');
    expect(analysis.references).toEqual(['user_id', 'user_name', 'users']);
    expect(meta('SELECT {b}, {a}, {b}').templates).toEqual(['b', 'a']);
  });

  it('does not read names inside strings, quoted names or comments', () => {
    const code = [
      "SELECT '{in_string}', \"{in_quotes}\", `{in_backticks}` -- {in_line_comment}",
      '/* {in_block_comment} */ FROM t WHERE a = {real}',
    ].join('\n');
    expect(meta(code).templates).toEqual(['real']);
  });

  it('reads {{ as a literal brace, not a template', () => {
    expect(meta('SELECT {{not_a_template} AS x, {yes}').templates).toEqual(['yes']);
  });

  it('reports a dotted template as an error with its position', () => {
    const analysis = analyseSql('SELECT 1\nWHERE a = {user.id}');
    expect(analysis.error).toMatchObject({ line: 2, column: 11 });
    expect(analysis.error?.message).toMatch(/one value/);
  });

  it('leaves alasql JSON objects alone', () => {
    const analysis = analyseSql('SELECT @{a:1, b:2} AS j');
    expect(analysis.error).toBeUndefined();
    expect(meta('SELECT @{a:1, b:2} AS j').templates).toEqual([]);
  });
});

describe('result name', () => {
  it('a first-line "-- name:" comment defines the result', () => {
    const analysis = analyseSql('-- name: top_users\nSELECT * FROM users ORDER BY score DESC LIMIT 10');
    expect(analysis.defines).toEqual(['top_users']);
    expect(analysis.references).toEqual(['users']);
    expect(meta('--name:Top\nSELECT 1').resultName).toBe('Top');
  });

  it('only on the first line', () => {
    expect(analyseSql('SELECT 1\n-- name: later').defines).toEqual([]);
  });

  it('rejects a name that is not an identifier, pointing at it', () => {
    const analysis = analyseSql('-- name: 2fast\nSELECT 1');
    expect(analysis.error).toMatchObject({ line: 1, column: 10 });
    expect(analysis.defines).toEqual([]);
  });
});

describe('tables as graph edges', () => {
  it('CREATE TABLE, INSERT INTO and SELECT INTO define; FROM and JOIN reference', () => {
    const analysis = analyseSql(`
      CREATE TABLE orders (id INT, user_id INT);
      INSERT INTO orders SELECT * FROM staging;
      SELECT o.id INTO archive FROM orders o JOIN users u ON u.id = o.user_id;
    `);
    expect(analysis.defines).toEqual(['archive', 'orders']);
    expect(analysis.references).toEqual(['staging', 'users']);
    expect(meta('CREATE TABLE a (x INT); INSERT INTO b VALUES (1)').tables).toMatchObject({ created: ['a'], filled: ['b'] });
  });

  it('ignores CTE names, aliases, table functions and file sources', () => {
    const analysis = analyseSql(`
      WITH recent AS (SELECT * FROM events WHERE ts > {since})
      SELECT r.kind, n.v FROM recent AS r, RANGE(1, 10) AS n, TXT('/etc/passwd') f`);
    expect(analysis.references).toEqual(['events', 'since']);
  });

  it('is not fooled by FROM inside function arguments', () => {
    expect(analyseSql('SELECT EXTRACT(YEAR FROM created_at), SUBSTRING(s FROM 2 FOR 3) FROM t').references).toEqual(['t']);
    expect(analyseSql('SELECT ARRAY(SELECT x FROM inner_t) FROM outer_t').references).toEqual(['inner_t', 'outer_t']);
  });

  it('keeps schema-qualified and quoted names whole', () => {
    expect(analyseSql('SELECT * FROM sales.q1 JOIN "Odd Name" ON 1=1 JOIN [other] ON 1=1').references).toEqual([
      'Odd Name',
      'other',
      'sales.q1',
    ]);
  });

  it('SELECT INTO a file writer is not a table', () => {
    expect(analyseSql('SELECT * INTO TXT("/tmp/x") FROM t').defines).toEqual([]);
  });

  it('a cell that fills and reads a table only defines it', () => {
    const analysis = analyseSql('INSERT INTO t SELECT x + 1 FROM t');
    expect(analysis.defines).toEqual(['t']);
    expect(analysis.references).toEqual([]);
  });

  it('UPDATE, DELETE, DROP and foreign keys reference', () => {
    expect(analyseSql('UPDATE a SET x = 1; DELETE FROM b; DROP TABLE IF EXISTS c, d').references).toEqual(['a', 'b', 'c', 'd']);
    expect(analyseSql('CREATE TABLE child (pid INT REFERENCES parent(id))').references).toEqual(['parent']);
  });
});

describe('syntax problems', () => {
  it.each([
    ["SELECT 'abc", 1, 8, /string/],
    ['SELECT 1\n  /* open', 2, 3, /comment/],
    ['SELECT (1 + 2', 1, 8, /never closed/],
    ['SELECT 1)\n', 1, 9, /closes nothing/],
    ['SELECT "abc', 1, 8, /never closed/],
  ])('%j is an error at line %i, column %i', (code, line, column, message) => {
    const analysis = analyseSql(code);
    expect(analysis.error).toMatchObject({ line, column });
    expect(analysis.error?.message).toMatch(message);
  });

  it('an empty cell is fine and defines nothing', () => {
    expect(analyseSql('')).toEqual({ defines: [], references: [], meta: expect.any(Object) });
    expect(analyseSql('  ;\n-- just a comment').error).toBeUndefined();
  });

  it('never throws on hostile input', () => {
    for (const code of ['{', '}', '{{{', "'\\", '``', '`', '[', '$$', 'FROM', 'WITH AS (', '((((', ')))', '\u0000', 'INSERT INTO']) {
      expect(() => analyseSql(code)).not.toThrow();
    }
  });
});
