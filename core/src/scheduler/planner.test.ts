import { DependencyGraph } from '../graph/dependency-graph';
import { planRun } from './planner';

/** A cell of a case: `id: defines <- references`, in notebook order. */
type CaseCell = [id: string, defines: string[], references: string[]];

interface PlanCase {
  name: string;
  cells: CaseCell[];
  roots: string[];
  withDescendants?: boolean;
  carried?: string[];
  /** Cells whose values the kernel holds. */
  hasValue?: string[];
  /** Cells that cannot run at all, with why. */
  staticErrors?: Record<string, string>;
  runs: string[];
  blocked?: Record<string, string>;
  stale?: string[];
}

const label = (id: string): string => `cell ${id}`;

const cases: PlanCase[] = [
  { name: 'a chain runs in order', cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', [], ['y']]], roots: ['a'], runs: ['a', 'b', 'c'] },
  { name: 'a diamond runs each cell once, the join last', cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', ['z'], ['x']], ['d', [], ['y', 'z']]], roots: ['a'], runs: ['a', 'b', 'c', 'd'] },
  { name: 'an independent cell is left alone', cells: [['a', ['x'], []], ['b', ['y'], []], ['c', [], ['x']]], roots: ['a'], runs: ['a', 'c'] },
  { name: 'missing ancestors run first, and only those', cells: [['a', ['x'], []], ['b', ['z'], []], ['c', ['y'], ['x']], ['d', [], ['y']]], roots: ['d'], runs: ['a', 'c', 'd'] },
  { name: 'ancestors whose values the kernel holds do not run', cells: [['a', ['x'], []], ['c', ['y'], ['x']], ['d', [], ['y']]], roots: ['d'], hasValue: ['a', 'c'], runs: ['d'] },
  { name: 'ties follow notebook order, not request order', cells: [['a', ['x'], []], ['b', ['y'], []]], roots: ['b', 'a'], runs: ['a', 'b'] },
  { name: 'lazy: descendants are stale, not run', cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', [], ['y']]], roots: ['a'], withDescendants: false, runs: ['a'], stale: ['b', 'c'] },
  { name: 'carried cells run without their descendants', cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', [], ['y']]], roots: [], carried: ['b'], hasValue: ['a'], runs: ['b'] },
  {
    name: 'a cell that cannot run is blocked with its own reason, its readers name it',
    cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', [], ['y']]],
    roots: ['a'],
    staticErrors: { a: 'SyntaxError (line 1)' },
    runs: [],
    blocked: { a: 'SyntaxError (line 1)', b: 'Not run: upstream cell a did not succeed.', c: 'Not run: upstream cell b did not succeed.' },
  },
  {
    name: 'an ancestor that cannot run blocks the request, even when the kernel holds its old value',
    cells: [['a', ['x'], []], ['b', [], ['x']]],
    roots: ['b'],
    hasValue: ['a'],
    staticErrors: { a: 'defined twice' },
    runs: [],
    blocked: { a: 'defined twice', b: 'Not run: upstream cell a did not succeed.' },
  },
  {
    name: 'a blocked branch does not stop the other branch',
    cells: [['a', ['x'], []], ['b', ['y'], ['x']], ['c', ['z'], ['x']], ['d', [], ['z']]],
    roots: ['a'],
    staticErrors: { b: 'cycle' },
    runs: ['a', 'c', 'd'],
    blocked: { b: 'cycle' },
  },
];

describe('planRun', () => {
  it.each(cases)('$name', (c) => {
    const order = c.cells.map(([id]) => id);
    const graph = new DependencyGraph((id) => order.indexOf(id));
    graph.load(c.cells.map(([id, defines, references]) => ({ id, defines, references })));
    const hasValue = new Set(c.hasValue ?? []);
    const plan = planRun(graph, {
      roots: c.roots,
      withDescendants: c.withDescendants ?? true,
      carried: c.carried ?? [],
      hasValue: (id) => hasValue.has(id),
      staticError: (id) => c.staticErrors?.[id],
      label,
    });
    expect(plan.runnable.map((p) => p.cellId)).toEqual(c.runs);
    expect(Object.fromEntries(plan.blocked)).toEqual(c.blocked ?? {});
    expect([...plan.stale].sort()).toEqual([...(c.stale ?? [])].sort());
  });

  it('gives each planned cell the indices of its planned parents', () => {
    const order = ['a', 'b', 'c', 'd'];
    const graph = new DependencyGraph((id) => order.indexOf(id));
    graph.load([
      { id: 'a', defines: ['x'], references: [] },
      { id: 'b', defines: ['y'], references: ['x'] },
      { id: 'c', defines: ['z'], references: ['x'] },
      { id: 'd', defines: [], references: ['y', 'z'] },
    ]);
    const plan = planRun(graph, { roots: ['a'], withDescendants: true, carried: [], hasValue: () => false, staticError: () => undefined });
    expect(plan.runnable).toEqual([
      { cellId: 'a', parents: [] },
      { cellId: 'b', parents: [0] },
      { cellId: 'c', parents: [0] },
      { cellId: 'd', parents: [1, 2] },
    ]);
  });
});
