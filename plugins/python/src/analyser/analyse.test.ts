/**
 * Python scoping beyond the corpora: syntax the original grammar rejected,
 * syntax errors, and the contract's shape (sorted, never throws).
 */
import { analysePython } from './analyse';

type Case = [title: string, code: string, defines: string[], references: string[], deletes?: string[]];

const cases: Case[] = [
  ['parenthesized context managers bind their targets', 'with (open(p) as f, lock as (a, b)):\n    data = f.read()', ['a', 'b', 'data', 'f'], ['lock', 'p']],
  ['a with-target attribute is a read', 'with ctx as obj.attr: pass', [], ['ctx', 'obj']],
  ['PEP 614 decorators are read at definition time', '@registry[kind].register\ndef handler(): return helper()', ['handler'], ['helper', 'kind', 'registry']],
  ['an empty class pattern, a guard and an or-pattern', 'match cmd:\n    case Quit() | Stop():\n        done = True\n    case Move(x=dx) if dx > limit:\n        pos = dx', ['done', 'pos', 'dx'], ['Move', 'Quit', 'Stop', 'cmd', 'limit']],
  ['a value pattern reads its root', 'match c:\n    case Color.RED: r = 1', ['r'], ['Color', 'c']],
  ['star subscripts', 'v = arr[*idx]', ['v'], ['arr', 'idx']],
  ['bare yield inside a function', 'def gen():\n    got = yield\n    yield from source', ['gen'], ['source']],
  ['t-strings read their fields', 'msg = t"hello {name!r:>{width}}"', ['msg'], ['name', 'width']],
  ['nested f-strings', 'label = f"{f"{a}"}-{b=}"', ['label'], ['a', 'b']],
  ['PEP 758 except without parentheses reads both types', 'try:\n    go()\nexcept KeyErr, ValErr:\n    pass', [], ['KeyErr', 'ValErr', 'go']],
  ['except-as names do not leak', 'try:\n    go()\nexcept Exception as err:\n    last = err\nerr', ['last'], ['err', 'go']],
  ['type parameter defaults (PEP 696)', 'def first[T = Default](xs: list[T]) -> T: return xs[0]', ['first'], ['Default']],
  ['lambda with positional-only marker', 'f = lambda a, /, b=dflt: a + b + free', ['f'], ['dflt', 'free']],
  ['keyword arguments are not reads; walrus arguments bind', 'r = call(key=val, n := size)', ['n', 'r'], ['call', 'size', 'val']],
  ['generator argument scope', 'total = sum(x * w for x in xs)', ['total'], ['w', 'xs']],
  ['nonlocal in nested function', 'def outer():\n    n = 0\n    def inc():\n        nonlocal n\n        n += step\n    return inc', ['outer'], ['step']],
  ['global in a function defines the name for the cell', 'def setup():\n    global config\n    config = load()', ['config', 'setup'], ['load']],
  ['class body reads in order, methods skip the class', 'class A:\n    x = base\n    y = x\n    def m(self): return y', ['A'], ['base', 'y']],
  ['del of a foreign name is a reference and a deletion', 'del cache, table[0], obj.attr', [], ['cache', 'obj', 'table'], ['cache']],
  ['augmented assignment to a subscript reads the object', 'counts[k] += 1', [], ['counts', 'k']],
  ['annotations without a value define the name', 'limit: Threshold', ['limit'], ['Threshold']],
  ['string annotations are not parsed', 'v: "NotARef" = 1', ['v'], []],
  ['private names are neither defined nor referenced', '_tmp = compute()\nresult = _tmp + _other', ['result'], ['compute']],
  ['dunder names are public', '__version__ = "1"', ['__version__'], []],
  ['builtins are not references', 'n = len(items) + max(1, 2)', ['n'], ['items']],
  ['a shadowed builtin is a local name', 'len = 3\nprint(len)', ['len'], []],
  ['display() is a builtin (the runtimes provide it, as IPython does)', 'display(frame)', [], ['frame']],
  ['async comprehensions and async with', 'async def main():\n    async with session() as s:\n        return [r async for r in s.rows() if r.ok]', ['main'], ['session']],
  ['comments and blank lines', '# heading\n\nx = 1  # note\n\n', ['x'], []],
  ['an empty cell', '', [], []],
];

describe('Python analyser: scoping', () => {
  it.each(cases.map((c) => [c[0], c] as const))('%s', (_title, [, code, defines, references, deletes]) => {
    const analysis = analysePython(code);
    expect(analysis.error).toBeUndefined();
    expect(analysis.defines).toEqual([...defines].sort());
    expect(analysis.references).toEqual([...references].sort());
    expect(analysis.deletes ?? []).toEqual(deletes ?? []);
  });

  it('lists the builtins a cell reads under meta, for hosts that link shadowed builtins', () => {
    expect(analysePython('print(len(xs))').meta).toEqual({ builtins: ['len', 'print'] });
  });
});

describe('Python analyser: errors come back as data, with a position', () => {
  it.each([
    ['an unclosed bracket', 'x = (1,\n  2', 2, /ends in the middle/],
    ['a stray token', 'x = = 1', 1, /invalid syntax/],
    ['an unexpected indent', 'x = 1\n    y = 2', 2, /unexpected indent/],
    ['a dedent to no enclosing block', 'if x:\n    a = 1\n  b = 2', 3, /unindent does not match/],
    ['an indented first line', '  x = 1', 1, /unexpected indent/],
    ['Python 2 print', 'print "hi"', 1, /Missing parentheses in call to 'print'/],
    ['assignment to a call', 'f() = 1', 1, /cannot assign to function call/],
    ['assignment to a literal', '1 = x', 1, /cannot assign to literal/],
    ['return outside a function', 'return 5', 1, /'return' outside function/],
    ['yield outside a function', 'yield 5', 1, /'yield' outside function/],
    ['nonlocal at module level', 'nonlocal x', 1, /nonlocal declaration not allowed at module level/],
    ['import * anywhere', 'def f():\n    from os import *', 2, /import \*/],
    ['a walrus on an attribute', '(a.b := 1)', 1, /cannot use assignment expressions with attribute/],
  ])('%s', (_title, code, line, message) => {
    const analysis = analysePython(code);
    expect(analysis.error).toEqual({ message: expect.stringMatching(message), line, column: expect.any(Number) });
    expect(analysis.defines).toEqual([]);
    expect(analysis.references).toEqual([]);
  });

  it('gives 1-based columns', () => {
    expect(analysePython('ok = 1\nx = = 2').error).toMatchObject({ line: 2, column: 5 });
  });

  it('never throws, even on absurd nesting or a non-string', () => {
    const deep = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
    expect(() => analysePython(deep)).not.toThrow();
    expect(analysePython(42 as unknown as string).error?.message).toMatch(/must be a string/);
  });
});
