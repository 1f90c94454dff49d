import { findIn, findInCells, replaceAllIn, searchPattern } from './find-replace';

const pattern = (query: string, regex = false, caseSensitive = false): RegExp => searchPattern(query, { regex, caseSensitive }) as RegExp;

describe('find and replace across cells', () => {
  it('finds plain text literally, case-insensitively unless asked', () => {
    expect(findIn('a.b A.B axb', pattern('a.b'))).toEqual([{ from: 0, to: 3 }, { from: 4, to: 7 }]);
    expect(findIn('a.b A.B axb', pattern('a.b', false, true))).toEqual([{ from: 0, to: 3 }]);
  });

  it('finds by regular expression, skips empty matches, and reports a pattern that does not compile', () => {
    expect(findIn('x1 y22 z', pattern('\\d+', true))).toEqual([{ from: 1, to: 2 }, { from: 4, to: 6 }]);
    expect(findIn('abc', pattern('x*', true))).toEqual([]);
    expect(searchPattern('(', { regex: true, caseSensitive: false })).toEqual({ error: expect.any(String) });
    expect(searchPattern('', { regex: false, caseSensitive: false })).toBeNull();
  });

  it('lists matches across cells in notebook order', () => {
    const cells = [{ id: 'a', code: 'total = 1' }, { id: 'b', code: 'x' }, { id: 'c', code: 'total + total' }];
    expect(findInCells(cells, pattern('total')).map((m) => [m.cellId, m.from])).toEqual([['a', 0], ['c', 0], ['c', 8]]);
  });

  it('replaces every match, with $1 groups in regex mode and literal text otherwise', () => {
    expect(replaceAllIn('f(a) f(b)', pattern('f\\((\\w)\\)', true), 'g($1, 0)', { regex: true, caseSensitive: false })).toBe('g(a, 0) g(b, 0)');
    expect(replaceAllIn('cost $1', pattern('cost'), '$1', { regex: false, caseSensitive: false })).toBe('$1 $1');
    expect(replaceAllIn('nothing', pattern('zzz'), 'y', { regex: false, caseSensitive: false })).toBeNull();
  });
});
