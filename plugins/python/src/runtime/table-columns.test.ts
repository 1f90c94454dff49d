/**
 * Python tables crossing to other languages by columns (python/rnb_columns.py, table-columns.ts), with real Pyodide: the
 * columns hold exactly what the record-by-record conversion gives at each place, and what is not a table of
 * same-keyed dicts still converts record by record.
 */
import { numbersOfInt64Words, splitSharing } from './table-columns';
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';

/** Typed arrays come through postMessage, made in another realm than the test's. */
const tagOf = (value: unknown): string => Object.prototype.toString.call(value);

let kernel: FakeKernel;

beforeAll(async () => {
  kernel = await FakeKernel.start();
}, PYODIDE_START_TIMEOUT_MS);

afterAll(async () => {
  await kernel?.close();
});

async function define(name: string, code: string): Promise<void> {
  const result = await kernel.run({ code: `${name} = ${code}`, defines: [name] });
  expect(result.error).toBeNull();
}

describe('a list of same-keyed dicts crosses by columns', () => {
  it('numbers as float64, text as strings, everything else as the record conversion gives it', async () => {
    await define('mixed', `[
      {"i": 1, "f": 0.5, "s": "a", "none": None, "flag": True, "when": __import__("datetime").date(2024, 1, 2), "nested": {"k": [1, 2]}, "big": 2**60, "b": b"x"},
      {"i": -2, "f": float("nan"), "s": "", "none": None, "flag": False, "when": __import__("datetime").date(2024, 1, 3), "nested": None, "big": 1, "b": None},
      {"i": 3, "f": float("-inf"), "s": "é\\u2028", "none": 1, "flag": None, "when": __import__("datetime").date(2024, 1, 4), "nested": (3,), "big": 2, "b": b""},
    ]`);
    const table = await kernel.columns('mixed');
    expect(table).not.toBeNull();
    expect(table!.names).toEqual(['i', 'f', 's', 'none', 'flag', 'when', 'nested', 'big', 'b']);
    expect(table!.rowCount).toBe(3);
    const [i, f, s, none, flag, when, nested, big, b] = table!.columns;
    // Ints that fit 32 bits: an Int32Array, whose numbers rows hold unboxed.
    expect(tagOf(i)).toBe('[object Int32Array]');
    expect(Array.from(i!)).toEqual([1, -2, 3]);
    expect(tagOf(f)).toBe('[object Float64Array]');
    expect(Array.from(f!)).toEqual([0.5, Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(s).toEqual(['a', '', 'é\u2028']);
    expect(Array.from(none!)).toEqual([undefined, undefined, 1]);
    expect(Array.from(flag!)).toEqual([true, false, undefined]);
    expect(when).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(Array.from(nested!)).toEqual([{ k: [1, 2] }, undefined, [3]]);
    // Past 2**53 - 1 Pyodide gives a BigInt: the column keeps each value as the record conversion would.
    expect(Array.from(big!)).toEqual([2n ** 60n, 1, 2]);
    expect(Array.from(b!)).toEqual([new Uint8Array([120]), undefined, new Uint8Array([])]);
    // Records from the columns: what other languages read.
    expect(await kernel.read('mixed')).toEqual([
      { i: 1, f: 0.5, s: 'a', none: undefined, flag: true, when: '2024-01-02', nested: { k: [1, 2] }, big: 2n ** 60n, b: new Uint8Array([120]) },
      { i: -2, f: Number.NaN, s: '', none: undefined, flag: false, when: '2024-01-03', nested: undefined, big: 1, b: undefined },
      { i: 3, f: Number.NEGATIVE_INFINITY, s: 'é\u2028', none: 1, flag: undefined, when: '2024-01-04', nested: [3], big: 2, b: new Uint8Array([]) },
    ]);
  });

  it('keeps ints at the edge of float64 exact: 2**53 - 2 crosses as a number, 2**53 - 1 as a BigInt', async () => {
    await define('edges', '[{"n": 2**53 - 2}, {"n": -(2**53 - 2)}, {"n": 0.25}]');
    expect(Array.from((await kernel.columns('edges'))!.columns[0]!)).toEqual([2 ** 53 - 2, -(2 ** 53 - 2), 0.25]);
    await define('edges', '[{"n": 2**53 - 1}, {"n": 1.5}]');
    expect(Array.from((await kernel.columns('edges'))!.columns[0]!)).toEqual([2n ** 53n - 1n, 1.5]);
  });

  it('a column of ints alone crosses as int64 words read in place: numbers up to 2**53 - 2, BigInts from 2**53 - 1 and past 64 bits', async () => {
    await define('ints', '[{"n": 2**53 - 2, "m": 5}, {"n": -(2**53 - 2), "m": True}, {"n": 0, "m": 7}, {"n": -1, "m": 8}]');
    const kinds = await kernel.run('import rnb_columns\nprint(rnb_columns.table_columns(ints)[1])');
    // One pass over the types and an array('q') for "n"; "m" holds a bool, so it is no int column.
    expect(kinds.stdout.trim()).toBe("['i64', 'any']");
    const table = (await kernel.columns('ints'))!;
    expect(tagOf(table.columns[0])).toBe('[object Float64Array]');
    expect(Array.from(table.columns[0]!)).toEqual([2 ** 53 - 2, -(2 ** 53 - 2), 0, -1]);
    expect(Array.from(table.columns[1]!)).toEqual([5, true, 7, 8]);
    await define('ints', '[{"n": 1}, {"n": 2**53 - 1}, {"n": -(2**53 - 1)}, {"n": 2**63 - 1}, {"n": -(2**63)}, {"n": -3}]');
    expect(Array.from((await kernel.columns('ints'))!.columns[0]!)).toEqual([1, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 63n - 1n, -(2n ** 63n), -3]);
    await define('ints', '[{"n": 2**64}, {"n": 1}]'); // past 64 bits: the list conversion, as before
    expect(Array.from((await kernel.columns('ints'))!.columns[0]!)).toEqual([2n ** 64n, 1]);
    expect(await kernel.read('ints')).toEqual([{ n: 2n ** 64n }, { n: 1 }]);
  });

  it('a text column is joined without a pass over its types: str subclasses as their text, anything else read value by value', async () => {
    await kernel.run({
      code: 'class Loud(str):\n    def __str__(self): return "not this"\ntexts = [{"s": "a", "t": Loud("x"), "u": "p"}, {"s": Loud("b"), "t": "y", "u": None}, {"s": "c", "t": "z", "u": 3}]',
      defines: ['texts', 'Loud'],
    });
    expect((await kernel.run('import rnb_columns\nprint(rnb_columns.table_columns(texts)[1])')).stdout.trim()).toBe("['str', 'any', 'any']");
    const table = (await kernel.columns('texts'))!;
    expect(table.columns.map((column) => Array.from(column))).toEqual([['a', 'b', 'c'], ['x', 'y', 'z'], ['p', undefined, 3]]);
    expect(await kernel.read('texts')).toEqual([{ s: 'a', t: 'x', u: 'p' }, { s: 'b', t: 'y', u: undefined }, { s: 'c', t: 'z', u: 3 }]);
  });

  it('a row that is no exact dict is never indexed: a dict subclass whose __getitem__ raises reads record by record', async () => {
    await kernel.run({
      code: 'class Guarded(dict):\n    def __getitem__(self, key): raise RuntimeError("indexed")\nguarded = [{"a": 1}, Guarded(a=2), {"a": 3}]',
      defines: ['guarded', 'Guarded'],
    });
    expect(await kernel.columns('guarded')).toBeNull();
    expect(await kernel.read('guarded')).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('int64 words read as Pyodide converts each int', () => {
    const words = (values: bigint[]): Int32Array => Int32Array.from(values.flatMap((v) => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))]));
    const edges = [0n, 1n, -1n, 2n ** 32n, -(2n ** 32n), 2n ** 32n - 1n, -(2n ** 32n) - 1n, 2n ** 53n - 2n, -(2n ** 53n - 2n)];
    expect(Array.from(numbersOfInt64Words(words(edges)))).toEqual(edges.map(Number));
    expect(tagOf(numbersOfInt64Words(words(edges)))).toBe('[object Float64Array]');
    const small = [0n, 1n, -1n, 2n ** 31n - 1n, -(2n ** 31n), 97n];
    expect(tagOf(numbersOfInt64Words(words(small)))).toBe('[object Int32Array]');
    expect(Array.from(numbersOfInt64Words(words(small)))).toEqual(small.map(Number));
    for (const wider of [2n ** 31n, -(2n ** 31n) - 1n]) {
      const column = numbersOfInt64Words(words([...small, wider, 3n]));
      expect(tagOf(column)).toBe('[object Float64Array]');
      expect(Array.from(column)).toEqual([...small, wider, 3n].map(Number));
    }
    const past = [5n, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), -7n];
    expect(numbersOfInt64Words(words(past))).toEqual([5, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), -7]);
    expect(Array.from(numbersOfInt64Words(new Int32Array(0)))).toEqual([]);
  });

  it('text columns split as split() does, repeated pieces shared, mostly distinct ones split past the trial rows', () => {
    const cases = [
      '',
      'a',
      '\0',
      'north\0south\0north\0\0north',
      // Same length, first, middle and last characters: one slot, told apart by comparing the text.
      'aXbcd\0aYbcd\0aXbcd\0aYbcd',
      'é\u2028\0😀\0é\u2028\0',
      Array.from({ length: 3000 }, (_, i) => ['open', 'closed', 'on hold'][i % 3]).join('\0'),
      Array.from({ length: 3000 }, (_, i) => `name ${i}`).join('\0'),
      Array.from({ length: 3000 }, (_, i) => (i < 600 ? 'same' : `name ${i}`)).join('\0'),
    ];
    for (const joined of cases) {
      const expected = joined.split('\0');
      expect([joined.slice(0, 20), splitSharing(joined)]).toEqual([joined.slice(0, 20), expected]);
      // Made at the row count Python gives; a count that is wrong (never, from Python) still gives what split() gives.
      expect([joined.slice(0, 20), splitSharing(joined, expected.length)]).toEqual([joined.slice(0, 20), expected]);
      expect([joined.slice(0, 20), splitSharing(joined, expected.length + 3)]).toEqual([joined.slice(0, 20), expected]);
      if (expected.length > 1) expect([joined.slice(0, 20), splitSharing(joined, expected.length - 1)]).toEqual([joined.slice(0, 20), expected]);
    }
  });

  it('a hostile key or value fails the conversion with its own error, as the record conversion does', async () => {
    // A str subclass key of the same hash whose __eq__ raises: looking up the first row's key in the second row calls it.
    await kernel.run({
      code: 'class Evil(str):\n    def __hash__(self): return hash("a")\n    def __eq__(self, other): raise RuntimeError("no eq")\nhostile = [{"a": 1}, {Evil("b"): 2}]',
      defines: ['hostile', 'Evil'],
    });
    expect((await kernel.run('import rnb_columns\nrnb_columns.table_columns(hostile)')).error?.message).toMatch(/RuntimeError: no eq/);
    await expect(kernel.columns('hostile')).rejects.toThrow(/PythonError/);
    await kernel.run({ code: 'class Loud:\n    def __repr__(self): raise ValueError("no repr")\nloud = [{"a": 1}, {"a": Loud()}]', defines: ['loud', 'Loud'] });
    expect((await kernel.run('rnb_columns.table_columns(loud)')).error?.message).toMatch(/ValueError: no repr/);
    expect((await kernel.run('import _rnb_runner\n_rnb_runner.plain(loud)')).error?.message).toMatch(/ValueError: no repr/);
    await expect(kernel.columns('loud')).rejects.toThrow(/PythonError/);
  });

  it('a string holding NUL, a "__proto__" key and numeric-looking keys stay what they are', async () => {
    await define('odd', '[{"__proto__": "p", "1": "a\\x00b", "x": 1}, {"__proto__": "q", "1": "c", "x": 2}]');
    const table = (await kernel.columns('odd'))!;
    expect(table.names).toEqual(['__proto__', '1', 'x']);
    expect(Array.from(table.columns[1]!)).toEqual(['a\u0000b', 'c']);
    const rows = (await kernel.read('odd')) as Record<string, unknown>[];
    expect(Object.getPrototypeOf(Object.getPrototypeOf(rows[0]))).toBeNull(); // an object whose prototype is Object.prototype
    expect(Object.getOwnPropertyDescriptor(rows[0], '__proto__')?.value).toBe('p');
    expect(Object.keys(rows[1]!)).toEqual(['1', '__proto__', 'x']);
  });

  it('anything else is no table by columns and still reads record by record', async () => {
    const cases: [string, unknown][] = [
      ['[{"a": 1}, {"b": 2}]', [{ a: 1 }, { b: 2 }]],
      ['[{"a": 1}, {"a": 2, "b": 3}]', [{ a: 1 }, { a: 2, b: 3 }]],
      ['[{"a": 1}, 5]', [{ a: 1 }, 5]],
      ['[{1: "x"}, {1: "y"}]', [{ 1: 'x' }, { 1: 'y' }]],
      ['[]', []],
      ['[{}]', [{}]],
      ['{"a": [1, 2]}', { a: [1, 2] }],
      ['__import__("collections").OrderedDict(a=1)', { a: 1 }],
      ['[__import__("collections").OrderedDict(a=1)]', [{ a: 1 }]],
    ];
    for (const [code, expected] of cases) {
      await define('other', code);
      expect([code, await kernel.columns('other')]).toEqual([code, null]);
      expect([code, await kernel.read('other')]).toEqual([code, expected]);
    }
  });

  it('a name defined again crosses again: the entry holds the value of its definition', async () => {
    await define('again', '[{"v": 1}]');
    expect(Array.from((await kernel.columns('again'))!.columns[0]!)).toEqual([1]);
    await define('again', '[{"v": "two"}, {"v": "three"}]');
    expect((await kernel.columns('again'))!.columns[0]).toEqual(['two', 'three']);
    expect(await kernel.read('again')).toEqual([{ v: 'two' }, { v: 'three' }]);
  });
});
