import { buildGraph } from './graph';
import { isCycleEdge } from './graph';
import { arcInRows, arcPath, arcsOf, edgeInLineage, lineageOf, visibleRange } from './graph-view';

const cell = (id: string, reads: string[], writes: string[]) => ({ id, reads, writes, status: 'idle' });

describe('the graph view', () => {
  // a → b → c, a → d; e alone; f ⇄ g a cycle.
  const graph = buildGraph([
    cell('A', [], ['a']), cell('B', ['a'], ['b']), cell('C', ['b'], ['c']), cell('D', ['a'], ['d']), cell('E', [], ['e']),
    cell('F', ['g'], ['f']), cell('G', ['f'], ['g']),
  ]);

  it('finds a cell’s ancestors and descendants, and nothing unrelated', () => {
    const lineage = lineageOf('B', graph);
    expect([...lineage.ancestors]).toEqual(['A']);
    expect([...lineage.descendants]).toEqual(['C']);
    expect(lineageOf('E', graph)).toEqual({ ancestors: new Set(), descendants: new Set() });
  });

  it('terminates on a cycle, each member both ancestor and descendant of the other', () => {
    const lineage = lineageOf('F', graph);
    expect([...lineage.ancestors]).toEqual(['G']);
    expect([...lineage.descendants]).toEqual(['G']);
  });

  it('lights only the arcs on the selected cell’s lineage', () => {
    const lineage = lineageOf('B', graph);
    const lit = graph.edges.filter((e) => edgeInLineage(e, 'B', lineage)).map((e) => `${e.from}${e.to}`);
    expect(lit.sort()).toEqual(['AB', 'BC']);
  });

  it('draws only the rows in view, in whole blocks of rows with one to spare on each side', () => {
    expect(visibleRange(1000, 34, 0, 340)).toEqual([0, 32]);
    expect(visibleRange(1000, 34, 34 * 500, 340)).toEqual([480, 528]);
    expect(visibleRange(1000, 34, 34 * 995, 340)).toEqual([976, 1000]);
  });

  it('keeps the same rows while a pan stays within a block, so the graph re-renders once per block', () => {
    const start = visibleRange(1000, 34, 34 * 496, 340);
    for (let pixels = 1; pixels < 34 * 5; pixels += 7) expect(visibleRange(1000, 34, 34 * 496 + pixels, 340)).toEqual(start);
    expect(visibleRange(1000, 34, 34 * 520, 340)).not.toEqual(start);
  });

  it('places arcs between the rows shown, marks the cycle’s, and leaves out arcs to a cell not shown', () => {
    const rows = new Map(['A', 'B', 'C', 'F', 'G'].map((id, i) => [id, i]));
    const { arcs, maxSpan } = arcsOf(graph.edges, rows, (edge) => isCycleEdge(graph, edge));
    expect(arcs.map((a) => `${a.edge.from}${a.edge.to}:${a.from}-${a.to}${a.cycle ? ' cycle' : ''}`).sort()).toEqual(['AB:0-1', 'BC:1-2', 'FG:3-4 cycle', 'GF:4-3 cycle']);
    expect(maxSpan).toBe(1);
    const bc = arcs.find((a) => a.edge.from === 'B')!;
    expect(arcInRows(bc, 2, 10)).toBe(true);
    expect(arcInRows(bc, 3, 10)).toBe(false);
  });

  it('draws an arc from its source row to its target row, with its arrowhead in the path when asked', () => {
    const arc = { edge: { from: 'A', to: 'B', names: ['a'] }, from: 0, to: 2, cycle: false };
    const geometry = { rowHeight: 34, zoom: 1, maxSpan: 2, x: 33 };
    expect(arcPath(arc, geometry)).toBe('M33,17 C3,17 3,85 33,85');
    expect(arcPath(arc, geometry, true)).toBe('M33,17 C3,17 3,85 33,85 M29,81 L33,85 L29,89');
  });
});
