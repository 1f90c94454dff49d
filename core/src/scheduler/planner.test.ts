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
  /** Names a widget (or another outside source) just set: their readers run, not their definers. */
  setFromOutside?: string[];
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

/** "Readers of this name, not its definer": a value set from outside a cell. */
const outsideCases: PlanCase[] = [
  {
    name: 'the readers and their descendants run, the definer does not',
    cells: [['w', ['t'], []], ['r', ['y'], ['t']], ['s', [], ['y']], ['o', [], []]],
    roots: [], setFromOutside: ['t'], hasValue: ['w', 'r', 's', 'o'],
    runs: ['r', 's'],
  },
  {
    name: 'the definer is not run even when the kernel lost its value (the outside value is in the kernel)',
    cells: [['w', ['t'], []], ['r', [], ['t']]],
    roots: [], setFromOutside: ['t'],
    runs: ['r'],
  },
  {
    name: "a reader's other missing ancestors still run first",
    cells: [['w', ['t'], []], ['a', ['k'], []], ['r', [], ['t', 'k']]],
    roots: [], setFromOutside: ['t'], hasValue: ['w'],
    runs: ['a', 'r'],
  },
  {
    name: 'a reader behind a cell that cannot run is blocked',
    cells: [['w', ['t'], []], ['a', ['k'], []], ['r', [], ['t', 'k']]],
    roots: [], setFromOutside: ['t'], hasValue: ['w', 'a'], staticErrors: { a: 'defined twice' },
    runs: [], blocked: { a: 'defined twice', r: 'Not run: upstream cell a did not succeed.' },
  },
  {
    name: 'a definer that cannot run blocks its readers',
    cells: [['w', ['t'], []], ['r', [], ['t']]],
    roots: [], setFromOutside: ['t'], hasValue: ['w'], staticErrors: { w: 'SyntaxError (line 1)' },
    runs: [], blocked: { r: 'Not run: upstream cell w did not succeed.' },
  },
  {
    name: 'a name nobody reads runs nothing',
    cells: [['w', ['t'], []], ['o', [], ['u']]],
    roots: [], setFromOutside: ['t'], hasValue: ['w', 'o'],
    runs: [],
  },
  {
    name: 'several names: each reader once, in topological order',
    cells: [['w1', ['t'], []], ['w2', ['u'], []], ['r1', ['y'], ['t']], ['r2', [], ['u', 'y']]],
    roots: [], setFromOutside: ['t', 'u'], hasValue: ['w1', 'w2', 'r1', 'r2'],
    runs: ['r1', 'r2'],
  },
  {
    name: 'lazy: the readers run, their descendants are stale',
    cells: [['w', ['t'], []], ['r', ['y'], ['t']], ['s', [], ['y']]],
    roots: [], setFromOutside: ['t'], withDescendants: false, hasValue: ['w', 'r', 's'],
    runs: ['r'], stale: ['s'],
  },
  {
    name: 'a definer asked for explicitly in the same plan still runs',
    cells: [['w', ['t'], []], ['r', [], ['t']]],
    roots: ['w'], setFromOutside: ['t'], hasValue: ['w', 'r'],
    runs: ['w', 'r'],
  },
  {
    name: 'a cell that reads one outside name and defines another does not run (it would overwrite the value set)',
    cells: [['w', ['t'], []], ['r', ['u'], ['t']], ['s', [], ['u']]],
    roots: [], setFromOutside: ['t', 'u'], hasValue: ['w', 'r', 's'],
    runs: ['s'],
  },
];

describe('planRun', () => {
  it.each([...cases, ...outsideCases.map((c) => ({ ...c, name: `set from outside: ${c.name}` }))])('$name', (c) => {
    const order = c.cells.map(([id]) => id);
    const graph = new DependencyGraph((id) => order.indexOf(id));
    graph.load(c.cells.map(([id, defines, references]) => ({ id, defines, references })));
    const hasValue = new Set(c.hasValue ?? []);
    const plan = planRun(graph, {
      roots: c.roots,
      withDescendants: c.withDescendants ?? true,
      carried: c.carried ?? [],
      hasValue: (id) => hasValue.has(id),
      staticError: (id) => (c.staticErrors?.[id] === undefined ? undefined : { kind: 'analysis', message: c.staticErrors[id]! }),
      label,
      ...(c.setFromOutside ? { setFromOutside: { names: c.setFromOutside, withDescendants: c.withDescendants ?? true } } : {}),
    });
    expect(plan.runnable.map((p) => p.cellId)).toEqual(c.runs);
    expect(Object.fromEntries([...plan.blocked].map(([id, error]) => [id, error.message]))).toEqual(c.blocked ?? {});
    // An upstream block names the cell that stops it.
    for (const error of plan.blocked.values()) if (error.kind === 'upstream') expect(error.cells).toEqual([error.message.match(/upstream cell (\S+) did/)![1]]);
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
