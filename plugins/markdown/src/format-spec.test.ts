import { formatValue, parseFormatSpec } from './format-spec';
import cases from './test-support/python-format-cases.json';
import { pythonStr } from './values';

describe('the format-spec mini-language', () => {
  // Every row is what CPython's format(value, spec) printed (test-support/python-format-cases.py).
  it.each(cases as [number | string | boolean, string, string][])('format(%p, %p) is %p, as in Python', (value, spec, expected) => {
    expect(formatValue(value, spec, pythonStr)).toBe(expected);
  });

  it('rounds exact ties to even as Python does, not up as toFixed does', () => {
    expect(formatValue(2.5, '.0f', pythonStr)).toBe('2');
    expect(formatValue(0.125, '.2f', pythonStr)).toBe('0.12');
    expect(formatValue(0.375, '.2f', pythonStr)).toBe('0.38');
  });

  it.each([
    [3.5, 'd', "Unknown format code 'd' for object of type 'float'"],
    ['text', '.2f', "Unknown format code 'f' for object of type 'str'"],
    ['text', '+', 'Sign not allowed in string format specifier'],
    [5, '.2d', 'Precision not allowed in integer format specifier'],
    [null, '>5', 'unsupported format string passed to NoneType.__format__'],
    [[1, 2], '.2f', 'unsupported format string passed to list.__format__'],
  ])('refuses %p with %p like Python: %s', (value, spec, message) => {
    expect(() => formatValue(value, spec, pythonStr)).toThrow(message);
  });

  it('refuses a spec Python cannot read', () => {
    expect(() => parseFormatSpec('.2q')).toThrow("Invalid format specifier '.2q'");
    expect(() => parseFormatSpec('abc')).toThrow('Invalid format specifier');
  });

  it('formats big integers exactly', () => {
    expect(formatValue(12345678901234567890n, ',', pythonStr)).toBe('12,345,678,901,234,567,890');
  });
});
