/**
 * The analyser against peers' test suites, as data (testdata/ at the repository's root):
 * marimo's own cases and the original implementation's.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analysePython } from './analyse';

const CORPORA = path.resolve(__dirname, '../../../../testdata');

function load<T>(relative: string): T[] {
  const file = path.join(CORPORA, relative);
  if (!existsSync(file)) {
    throw new Error(`Corpus ${file} is missing: the repository's testdata/ folder holds the corpora (see testdata/README.md).`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T[];
}

interface MarimoCase {
  id: number;
  name: string;
  code: string;
  defs: string[];
  refs: string[];
  builtins_in_refs: string[];
  deleted_refs?: string[];
  refs_contains?: string[];
  refs_excludes?: string[];
  error?: string;
  note: string;
}

/**
 * Cases where we follow Python's scoping instead of marimo's answer. A wrong
 * edge is worse than a missing one only when it points at a real definer; in
 * both cases Python itself never reads the name from another cell.
 */
const DIVERGENCES: Record<number, string> = {
  13: 'Inside a function `x = x` makes x local (Python raises UnboundLocalError when it runs); it never reads a global x, so it is not a reference. marimo reports it because it resolves function locals in textual order.',
  143: 'A comprehension in a class body cannot see the class\'s names (Python 3 scoping, kept by PEP 709): `x` there reads the global x, so it is a reference. The corpus itself calls marimo\'s answer a divergence from Python.',
};

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('Python analyser on marimo\'s cases (testdata/marimo/extract.json)', () => {
  const cases = load<MarimoCase>('marimo/extract.json');

  it('has the whole corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(148);
  });

  const regular = cases.filter((c) => !(c.id in DIVERGENCES));
  it.each(regular.map((c) => [`#${c.id} ${c.name}`, c] as const))('%s', (_title, c) => {
    const analysis = analysePython(c.code);
    if (c.error) {
      expect(analysis.error).toEqual(expect.objectContaining({ message: expect.any(String), line: expect.any(Number) }));
      return;
    }
    expect(analysis.error).toBeUndefined();
    expect(sorted(analysis.defines)).toEqual(sorted(c.defs));
    const expectedRefs = c.refs.filter((r) => !c.builtins_in_refs.includes(r));
    expect(sorted(analysis.references)).toEqual(sorted(expectedRefs));
    expect(sorted(analysis.deletes ?? [])).toEqual(sorted(c.deleted_refs ?? []));
    for (const name of c.refs_contains ?? []) expect(analysis.references).toContain(name);
    for (const name of c.refs_excludes ?? []) expect(analysis.references).not.toContain(name);
    const builtins = (analysis.meta?.builtins ?? []) as string[];
    for (const name of c.builtins_in_refs) expect(builtins).toContain(name);
  });

  describe('deliberate divergences from marimo (Python semantics)', () => {
    it.each(Object.entries(DIVERGENCES))('#%s differs from marimo for a stated reason', (id, reason) => {
      const c = cases.find((x) => x.id === Number(id));
      expect(c).toBeDefined();
      expect(reason.length).toBeGreaterThan(20);
      const analysis = analysePython(c!.code);
      expect(analysis.error).toBeUndefined();
      expect(sorted(analysis.defines)).toEqual(sorted(c!.defs));
      // The one difference is the reference named in the reason.
      const expectedRefs = c!.refs.filter((r) => !c!.builtins_in_refs.includes(r));
      expect(sorted(analysis.references)).not.toEqual(sorted(expectedRefs));
    });
    it('#13: `x = x` inside a function is a local, not a reference', () => {
      expect(analysePython('def f(): x = x; return x').references).toEqual([]);
    });
    it('#143: a class-body comprehension reads the global, not the class attribute', () => {
      expect(analysePython('class A:\n    x = 1\n    y = [x for _ in range(2)]').references).toEqual(['x']);
    });
  });
});

interface OriginalCase {
  name: string;
  language: string;
  code: string;
  reads: string[];
  writes: string[];
  asserted: string[];
  note: string;
}

describe('Python analyser on the original implementation\'s cases (testdata/original/extract.json)', () => {
  const cases = load<OriginalCase>('original/extract.json').filter((c) => c.language === 'python');

  it('has the Python cases', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_title, c) => {
    const analysis = analysePython(c.code);
    const syntaxError = /syntax_error/.test(c.name);
    if (syntaxError) expect(analysis.error).toEqual(expect.objectContaining({ line: expect.any(Number), column: expect.any(Number) }));
    else expect(analysis.error).toBeUndefined();
    expect(sorted(analysis.defines)).toEqual(sorted(c.writes));
    expect(sorted(analysis.references)).toEqual(sorted(c.reads));
  });
});
