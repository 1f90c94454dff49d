import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseFake } from '../testing/fake-language';
import { DependencyGraph } from './dependency-graph';

const corpora = path.resolve(__dirname, '../../../testdata');
function load<T>(file: string): T {
  const full = path.join(corpora, file);
  if (!fs.existsSync(full)) throw new Error(`Corpus ${full} is missing: the repository's testdata/ folder holds the corpora (see testdata/README.md).`);
  return JSON.parse(fs.readFileSync(full, 'utf8')) as T;
}

function graphOf(cells: Record<string, { defines: string[]; references: string[]; deletes?: string[] }>): DependencyGraph {
  const ids = Object.keys(cells);
  const graph = new DependencyGraph((id) => ids.indexOf(id));
  for (const id of ids) graph.setCell(id, cells[id]!);
  return graph;
}

const sorted = (s: Iterable<string>): string[] => [...s].sort();

interface MarimoCase {
  name: string;
  language_mix: string;
  cells: Record<string, string>;
  expected_parents?: Record<string, string[]>;
  expected_children?: Record<string, string[]>;
  expected_cycle_edges?: [string, string][];
  after_delete?: { cell: string; expected_cycles: unknown[] };
}

describe('marimo graph corpus (python cases, analysed by the fake language)', () => {
  const cases = load<{ cases: MarimoCase[] }>('marimo/graph.json').cases.filter((c) => c.language_mix === 'python');
  it('has python cases to check', () => expect(cases.length).toBeGreaterThanOrEqual(8));
  for (const c of cases) {
    it(c.name, () => {
      const cells = Object.fromEntries(Object.entries(c.cells).map(([id, code]) => [id, analyseFake(code.replace(/;\s*/g, '\n'))]));
      for (const [id, analysis] of Object.entries(cells)) expect({ id, error: analysis.error }).toEqual({ id, error: undefined });
      const graph = graphOf(cells);
      for (const [id, parents] of Object.entries(c.expected_parents ?? {})) expect([id, sorted(graph.parents(id))]).toEqual([id, sorted(parents)]);
      for (const [id, children] of Object.entries(c.expected_children ?? {})) expect([id, sorted(graph.children(id))]).toEqual([id, sorted(children)]);
      if (c.expected_cycle_edges) {
        const members = new Set(c.expected_cycle_edges.flat());
        for (const id of members) expect(graph.errorOf(id)?.kind).toBe('cycle');
        for (const [from, to] of c.expected_cycle_edges) expect(graph.children(from).has(to)).toBe(true);
      }
      if (c.after_delete) {
        graph.removeCell(c.after_delete.cell);
        expect(graph.cycleMembers()).toEqual([]);
      }
    });
  }
});

interface OriginalCase {
  name: string;
  cells?: { id: string; reads: string[]; writes: string[] }[];
  steps?: { op: 'update' | 'remove'; id: string; reads?: string[]; writes?: string[] }[];
  expect: Record<string, unknown>;
}

describe('original implementation graph corpus', () => {
  const cases = load<OriginalCase[]>('original/graph.json');
  for (const c of cases) {
    it(c.name, () => {
      const order: string[] = [];
      const graph = new DependencyGraph((id) => order.indexOf(id));
      for (const cell of c.cells ?? []) {
        order.push(cell.id);
        graph.setCell(cell.id, { defines: cell.writes, references: cell.reads });
      }
      for (const step of c.steps ?? []) {
        if (step.op === 'remove') graph.removeCell(step.id);
        else {
          if (!order.includes(step.id)) order.push(step.id);
          graph.setCell(step.id, { defines: step.writes ?? [], references: step.reads ?? [] });
        }
      }
      const e = c.expect as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      let checked = 0;
      const check = (): number => checked++;
      for (const [a, b] of e.edges_include ?? []) check(), expect(graph.children(a).has(b)).toBe(true);
      for (const [id, cyclic] of Object.entries(e.cycle_from ?? {})) check(), expect(graph.errorOf(id)?.kind === 'cycle').toBe(cyclic);
      for (const [id, dependents] of Object.entries(e.dependents_of ?? {})) check(), expect(sorted(graph.descendants([id]))).toEqual(sorted(dependents as string[]));
      if (e.topo_sort) {
        check();
        const result = graph.topologicalOrder(new Set<string>(e.topo_sort.ids));
        if (e.topo_sort.error === 'cycle') expect(e.topo_sort.ids.some((id: string) => graph.errorOf(id)?.kind === 'cycle')).toBe(true);
        for (const [a, b] of e.topo_sort.before ?? []) expect(result.indexOf(a)).toBeLessThan(result.indexOf(b));
        if (e.topo_sort.first) expect(result[0]).toBe(e.topo_sort.first);
        if (e.topo_sort.last) expect(result[result.length - 1]).toBe(e.topo_sort.last);
      }
      if (e.run_order) {
        check();
        const result = graph.topologicalOrder(new Set([e.run_order.from as string, ...graph.descendants([e.run_order.from])]));
        if (e.run_order.order) expect(result).toEqual(e.run_order.order);
        if (e.run_order.set) expect(sorted(result)).toEqual(sorted(e.run_order.set));
        if (e.run_order.first) expect(result[0]).toBe(e.run_order.first);
        if (e.run_order.last) expect(result[result.length - 1]).toBe(e.run_order.last);
        // Two cells writing x is a multiple-definition error here, not shadowing (protocol.md): the reader still depends on both.
        for (const id of e.run_order.includes ?? []) expect(result).toContain(id);
      }
      if (e.after_steps) {
        check();
        for (const [a, b] of e.after_steps.edges_exclude ?? []) expect(graph.children(a).has(b)).toBe(false);
        for (const id of e.after_steps.node_absent ?? []) expect(graph.has(id)).toBe(false);
      }
      if (e.cycle_cells) for (const id of e.cycle_cells) check(), expect(graph.errorOf(id)?.kind).toBe('cycle');
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe('dependency graph', () => {
  it('reports a name defined in two cells on both, naming the other', () => {
    const graph = graphOf({ a: { defines: ['x'], references: [] }, b: { defines: ['x'], references: [] }, c: { defines: [], references: ['x'] } });
    expect(graph.errorOf('a')).toEqual({ kind: 'multiple-definitions', names: [{ name: 'x', otherCells: ['b'] }] });
    expect(graph.errorOf('b')).toEqual({ kind: 'multiple-definitions', names: [{ name: 'x', otherCells: ['a'] }] });
    expect(graph.errorOf('c')).toBeUndefined();
    graph.setCell('b', { defines: ['y'], references: [] });
    expect(graph.errorOf('a')).toBeUndefined();
  });

  it('finds a cycle an edit closes and forgets it when the edit is undone', () => {
    const graph = graphOf({ a: { defines: ['x'], references: [] }, b: { defines: ['y'], references: ['x'] }, c: { defines: ['z'], references: ['y'] } });
    expect(graph.cycleMembers()).toEqual([]);
    graph.setCell('a', { defines: ['x'], references: ['z'] });
    expect(graph.errorOf('b')).toEqual({ kind: 'cycle', cycle: ['a', 'b', 'c'] });
    graph.setCell('a', { defines: ['x'], references: [] });
    expect(graph.cycleMembers()).toEqual([]);
  });

  it('keeps a cycle that does not pass through the edited cell', () => {
    const graph = graphOf({ a: { defines: ['x'], references: ['y'] }, b: { defines: ['y'], references: ['x'] }, c: { defines: ['z'], references: [] } });
    graph.setCell('c', { defines: ['z'], references: ['x'] });
    expect(sorted(graph.cycleMembers())).toEqual(['a', 'b']);
    expect(graph.errorOf('c')).toBeUndefined();
  });

  it('merges two cycles joined by an edit and splits them again', () => {
    const graph = graphOf({
      a: { defines: ['a'], references: ['b'] },
      b: { defines: ['b'], references: ['a'] },
      c: { defines: ['c'], references: ['d'] },
      d: { defines: ['d'], references: ['c'] },
    });
    graph.setCell('a', { defines: ['a'], references: ['b', 'c'] });
    graph.setCell('c', { defines: ['c'], references: ['d', 'a'] });
    expect(graph.errorOf('d')).toEqual({ kind: 'cycle', cycle: ['a', 'b', 'c', 'd'] });
    graph.setCell('c', { defines: ['c'], references: ['d'] });
    expect(graph.errorOf('a')).toEqual({ kind: 'cycle', cycle: ['a', 'b'] });
    expect(graph.errorOf('c')).toEqual({ kind: 'cycle', cycle: ['c', 'd'] });
  });

  it('orders independent cells by notebook position', () => {
    const graph = graphOf({ b: { defines: ['y'], references: ['x'] }, z: { defines: ['q'], references: [] }, a: { defines: ['x'], references: [] } });
    expect(graph.topologicalOrder(new Set(['a', 'b', 'z']))).toEqual(['z', 'a', 'b']);
  });

  it('handles ten thousand cells in a chain without recursion limits', () => {
    const cells: Record<string, { defines: string[]; references: string[] }> = {};
    for (let i = 0; i < 10_000; i++) cells[`c${i}`] = { defines: [`x${i}`], references: i ? [`x${i - 1}`] : [] };
    const graph = graphOf(cells);
    expect(graph.descendants(['c0']).size).toBe(9_999);
    const order = graph.topologicalOrder(new Set(Object.keys(cells)));
    expect(order[0]).toBe('c0');
    expect(order[9_999]).toBe('c9999');
  });
});
