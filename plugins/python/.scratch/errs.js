const {parser} = require('./out/parser');
const cases = [
'with (a as b, c as d): pass', 'with (a as b, c as d,): pass','with (open(x)) as f: pass', 'with a as (b, c): pass', 'with a as b.c: pass', 'with a as b[0]: pass','@x[0]\ndef f(): pass','@(lambda f: f)\ndef f(): pass', 'match = 1\nmatch.x', 'x = *a, *b',
'a[1:2, ::3]', 'rb"x" + Rb"y" + BR"z"', 'x = 1_000.5e-3j', 'async def f():\n  async with a as b: pass\n  return [x async for x in y]',
'except_ = 1\ntry: pass\nexcept (A, B) as e: pass', 'f"{f"{x}"}"', 'def f(*, a): pass', 'del (a, b), [c, d]', 'for x, in y: pass',
'a[*b]', 'type(x)\ntype = 1', 'x = 1 + \\\n  2', 'if x:\n\tpass\nelif y:\n\tpass\nelse:\n\tpass', 't"{x}"', 'try: pass\nexcept A, B: pass',
'def f():\n  x = yield\n  y = yield from z\n  return', 'lambda: (yield)', 'x = [*a, *b]\ny = {**a, "k": 1}', 'print(*a, sep="")', 'f(x for x in y)',
'case = 1\nmatch x:\n  case {"a": 1, **rest}: pass\n  case Point(x=0, y=yy) | [1, *others]: pass\n  case str() as s if s: pass\n  case -1+2j: pass\n  case a.b.C: pass',
'global x', 'x = 1;', '', '\n\n# only comment\n', 'if True:\n    x = 1\n  y = 2', 'def f(:\n  pass', 'x = (1,\n 2', 'return 1', '1 = x', 'f() = 1', 'x +', ')',
'class A:\n  pass\n\n\n\nx = 1\n', 'x = """a\nb"""\n', 'def f(a, b=1, *c, d, e=2, **f): pass', 'nonlocal x', 'x = 0x_1f + 0o17 + 0b1',
'a if b else c', 'not x', 'x is not y', 'x not in y', '[i for i in range(3) if i if i]', '(yield)', 'await x', 'assert x, "m"', 'raise X from Y',
'import a as b, c.d as e', 'from . import x', 'from .a import (b,\n c,)', 'x = u"a" "b" f"c"', '...','@property\n@x.setter\ndef f(self): pass','x: "A" = 1',
'for i in range(3):\n  break\nelse:\n  continue', 'while (n := n - 1): pass', 'print(f"{x:>10}")', 'f(a)(b)[c]', 'x = lambda *a, **k: 0', 'def f(a, /): pass',
];
for (const c of cases) {
  const tree = parser.parse(c); let err=null;
  tree.iterate({enter(n){ if(n.type.isError && !err) err=n.from; }});
  console.log(err===null?'ok ':'ERR', JSON.stringify(c), err===null?'':err);
}
