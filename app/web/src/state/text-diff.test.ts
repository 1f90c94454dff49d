import { middleChange } from './text-diff';

/** Applies a change as an editor would. */
const apply = (text: string, change: { from: number; to: number; insert: string }): string =>
  text.slice(0, change.from) + change.insert + text.slice(change.to);

describe('middleChange', () => {
  it('covers only what differs between the common prefix and suffix', () => {
    expect(middleChange('x = 1\ny = 2', 'x = 10\ny = 2')).toEqual({ from: 5, to: 5, insert: '0' });
    expect(middleChange('abcdef', 'abXYef')).toEqual({ from: 2, to: 4, insert: 'XY' });
    expect(middleChange('a = b', 'a = b')).toEqual({ from: 5, to: 5, insert: '' });
  });

  it('deletes, inserts at either end, and handles empty texts', () => {
    expect(middleChange('hello world', 'hello')).toEqual({ from: 5, to: 11, insert: '' });
    expect(middleChange('world', 'hello world')).toEqual({ from: 0, to: 0, insert: 'hello ' });
    expect(middleChange('', 'abc')).toEqual({ from: 0, to: 0, insert: 'abc' });
    expect(middleChange('abc', '')).toEqual({ from: 0, to: 3, insert: '' });
  });

  it('never lets the prefix and suffix overlap on repeated characters', () => {
    // "aaa" → "aa": the common prefix is 2, so the suffix may only use what is left.
    const change = middleChange('aaa', 'aa');
    expect(change.to - change.from).toBe(1);
    expect(apply('aaa', change)).toBe('aa');
    expect(apply('aa', middleChange('aa', 'aaaa'))).toBe('aaaa');
  });

  it('turns any text into any other', () => {
    const samples = ['', 'a', 'ab', 'ba', 'abab', 'x = 1\n', 'é😀é', '😀', 'def f():\n    return 1\n'];
    for (const before of samples) for (const after of samples) expect(apply(before, middleChange(before, after))).toBe(after);
  });
});
