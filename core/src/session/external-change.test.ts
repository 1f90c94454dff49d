import { diffNotebooks, type ExternalStep } from './external-change';

type Shape = Parameters<typeof diffNotebooks>[0];
const nb = (cells: [string, string][], name = 'n', lazy = false): Shape => ({ name, lazy, cells: cells.map(([id, code]) => ({ id, type: 'python', code })) });

/** Applies the steps the way the session does, to check they lead to the target. */
function apply(current: Shape, steps: ExternalStep[]): Shape {
  let cells = current.cells.map((c) => ({ ...c }));
  let { name, lazy } = current;
  for (const step of steps) {
    if (step.kind === 'delete') cells = cells.filter((c) => c.id !== step.cellId);
    else if (step.kind === 'update') cells = cells.map((c) => (c.id === step.cellId ? { ...c, code: step.code, type: step.type } : c));
    else if (step.kind === 'create') cells.push({ id: step.cellId, type: step.type, code: step.code });
    else if (step.kind === 'move') {
      const cell = cells.find((c) => c.id === step.cellId)!;
      cells = cells.filter((c) => c !== cell);
      cells.splice(step.index, 0, cell);
    } else {
      name = step.change.name ?? name;
      lazy = step.change.lazy ?? lazy;
    }
  }
  return { name, lazy, cells };
}

describe('diffNotebooks (an edit on disk as edits)', () => {
  it('gives nothing for the same notebook', () => {
    expect(diffNotebooks(nb([['a', '1'], ['b', '2']]), nb([['a', '1'], ['b', '2']]))).toEqual([]);
  });

  it('matches cells by id: one changed cell is one update, not a delete and a create', () => {
    expect(diffNotebooks(nb([['a', '1'], ['b', '2']]), nb([['a', '1'], ['b', '3']]))).toEqual([{ kind: 'update', cellId: 'b', code: '3', type: 'python' }]);
  });

  it('reaches the target for deletions, insertions, reorderings, renames and lazy mode together', () => {
    const from = nb([['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']]);
    const to = nb([['d', '4'], ['x', 'new'], ['b', '2!'], ['a', '1']], 'renamed', true);
    const steps = diffNotebooks(from, to);
    expect(apply(from, steps)).toEqual(to);
    expect(steps.filter((s) => s.kind === 'delete')).toEqual([{ kind: 'delete', cellId: 'c' }]);
    expect(steps[steps.length - 1]).toEqual({ kind: 'settings', change: { name: 'renamed', lazy: true } });
  });

  it("carries a change of the file's packages (its PEP 723 block), and none when the packages are the same", () => {
    const from = { ...nb([['a', '1']]), settings: { python: { packages: 'x==1' }, sql: { row_limit: 5 } } };
    expect(diffNotebooks(from, { ...nb([['a', '1']]), settings: { python: { packages: 'x==2, y' } } })).toEqual([{ kind: 'settings', change: { packages: ['x==2', 'y'] } }]);
    expect(diffNotebooks(from, { ...nb([['a', '1']]), settings: {} })).toEqual([{ kind: 'settings', change: { packages: [] } }]);
    expect(diffNotebooks(from, { ...nb([['a', '1']]), settings: { python: { packages: 'x==1' } } })).toEqual([]);
  });

  it('reaches the target for many random reorderings', () => {
    for (let seed = 1; seed < 200; seed++) {
      const ids = Array.from({ length: 1 + (seed % 9) }, (_, i) => `c${i}`);
      const shuffled = [...ids].sort((x, y) => ((x.charCodeAt(1) * seed) % 7) - ((y.charCodeAt(1) * seed) % 7));
      const from = nb(ids.map((id) => [id, id]));
      const to = nb(shuffled.filter((_, i) => i % 4 !== 3).map((id) => [id, id]).concat([[`n${seed}`, 'x']]));
      expect(apply(from, diffNotebooks(from, to))).toEqual(to);
    }
  });
});
