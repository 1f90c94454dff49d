import type { PortableNotebook } from '@rnb/core';
import { applySets } from './set-params';

const notebook = (codes: string[]): PortableNotebook => ({
  name: 'n',
  lazy: false,
  cells: codes.map((code, i) => ({ id: `c${i}`, type: 'python', code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null })),
});
const codes = (n: PortableNotebook): string[] => n.cells.map((c) => c.code);

describe('--set name=value', () => {
  it('replaces the literal of a top-level assignment, keeping annotations and comments', () => {
    const result = applySets(notebook(['import math\nlimit: int = 3  # rows\nname = "north"', 'print(limit)']), ['limit=10', 'name=south', 'name=south west']);
    expect(codes(result)).toEqual(['import math\nlimit: int = 10  # rows\nname = "south west"', 'print(limit)']);
  });

  it('writes Python literals as given and anything else as a string', () => {
    const base = notebook(['a = 1\nb = None\nc = "x"\nd = 0.5']);
    expect(codes(applySets(base, ['a=-2.5e3', 'b=True', "c='it''s'", 'd=[1, 2]']))[0]).toBe('a = -2.5e3\nb = True\nc = "\'it\'\'s\'"\nd = "[1, 2]"');
  });

  it('refuses a name no cell sets to a constant, and one that is computed', () => {
    expect(() => applySets(notebook(['total = sum(x)']), ['total=1'])).toThrow(/no Python cell sets "total" to a constant/);
    expect(() => applySets(notebook(['x = 1']), ['y=1'])).toThrow(/no Python cell sets "y"/);
    expect(() => applySets(notebook(['x = 1']), ['x'])).toThrow(/write it as name=value/);
    expect(() => applySets(notebook(['    x = 1']), ['x=2'])).toThrow(/no Python cell sets "x"/);
  });

  it('leaves SQL cells and the notebook given alone', () => {
    const base = { ...notebook(['x = 1']), cells: [...notebook(['x = 1']).cells, { id: 's', type: 'sql', code: 'x = 1', status: 'idle' as const, stdout: '', stderr: '', outputs: [], error: null }] };
    expect(codes(applySets(base, ['x=2']))).toEqual(['x = 2', 'x = 1']);
    expect(codes(base)).toEqual(['x = 1', 'x = 1']);
  });
});
