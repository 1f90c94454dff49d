import { buildGraph } from './graph';
import { edgeInLineage, lineageOf, visibleRange } from './graph-view';

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

  it('draws only the rows in view, with some to spare', () => {
    expect(visibleRange(1000, 34, 0, 340)).toEqual([0, 20]);
    expect(visibleRange(1000, 34, 34 * 500, 340)).toEqual([490, 520]);
    expect(visibleRange(1000, 34, 34 * 995, 340)).toEqual([985, 1000]);
  });
});
