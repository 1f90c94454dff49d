/**
 * Inputs an attacker stores in a SQL cell: each finishes with the right
 * answer. A long JOIN chain overflowed the stack (push(...names) past the
 * engine's argument limit) and many CTEs took seconds (a scan of every CTE
 * for every table name); bench/analyser-pathological.js has the figures.
 */
import { analyseSql } from './index';

describe('SQL analyser: pathological inputs', () => {
  it('reads a JOIN chain of 150,000 tables without overflowing the stack', () => {
    const analysis = analyseSql(`SELECT * FROM a ${'JOIN b '.repeat(150_000)}`);
    expect(analysis.error).toBeUndefined();
    expect(analysis.references).toEqual(['a', 'b']);
  });

  it('reads 50,000 chained CTEs in linear time: each name is one lookup', () => {
    const code = `WITH ${Array.from({ length: 50_000 }, (_, i) => `c${i} AS (SELECT * FROM c${Math.max(0, i - 1)})`).join(', ')} SELECT * FROM c0 JOIN outside`;
    const started = performance.now();
    const analysis = analyseSql(code);
    const ms = performance.now() - started;
    expect(analysis.references).toEqual(['outside']);
    // Quadratic before: 32,000 CTEs took 10 s, so these about 25 s; linear now (under 1 s). A bound in seconds, where the time was the attack.
    expect(ms).toBeLessThan(10_000);
  });

  it('keeps CTE scopes right with the index: a CTE name outside its WITH is a table', () => {
    const analysis = analyseSql('SELECT * FROM (WITH t AS (SELECT 1) SELECT * FROM t) AS inner_q JOIN t');
    expect(analysis.references).toEqual(['t']);
    expect(analyseSql('WITH t AS (SELECT 1) SELECT * FROM t').references).toEqual([]);
  });

  it('reports 100,000 unclosed parentheses at once', () => {
    expect(analyseSql(`SELECT ${'('.repeat(100_000)}`).error?.message).toBe('This "(" is never closed.');
  });
});
