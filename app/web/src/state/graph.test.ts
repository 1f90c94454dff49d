import { buildGraph, explainBlocked, isCycleEdge, type GraphCell } from './graph';

const cell = (id: string, reads: string[], writes: string[]): GraphCell => ({ id, reads, writes, status: 'idle' });

/** The edges of a graph as `from→to`, marked `!` when they are on a cycle. */
function edgeMarks(cells: GraphCell[]): string[] {
  const graph = buildGraph(cells);
  return graph.edges.map((edge) => `${edge.from}→${edge.to}${isCycleEdge(graph, edge) ? '!' : ''}`);
}

describe('cycles in the page graph', () => {
  it('does not call an edge going up in notebook order a cycle', () => {
    // Cell a reads b, which cell b below it defines: it runs after b, nothing is wrong.
    const cells = [cell('a', ['b'], ['a']), cell('b', [], ['b'])];
    expect(edgeMarks(cells)).toEqual(['b→a']);
    expect(buildGraph(cells).cycleOf.size).toBe(0);
  });

  it('marks the edges of a real cycle, and only those', () => {
    const cells = [cell('a', ['b'], ['a']), cell('b', [], ['b']), cell('c', ['d'], ['c']), cell('d', ['c'], ['d'])];
    expect(edgeMarks(cells)).toEqual(['b→a', 'd→c!', 'c→d!']);
  });

  it('does not mark an edge joining two different cycles', () => {
    // a ⇄ b and c ⇄ d are cycles; b → c links them one way only, so it lies on no cycle.
    const cells = [cell('a', ['b'], ['a']), cell('b', ['a'], ['b']), cell('c', ['d', 'b'], ['c']), cell('d', ['c'], ['d'])];
    expect(edgeMarks(cells).sort()).toEqual(['a→b!', 'b→a!', 'b→c', 'c→d!', 'd→c!'].sort());
    expect(explainBlocked('c', cells)).toBe('Part of a dependency cycle (cells 3, 4)');
  });

  it('marks every edge inside a longer cycle, whatever the notebook order', () => {
    const cells = [cell('x', ['z'], ['x']), cell('z', ['y'], ['z']), cell('y', ['x'], ['y'])];
    expect(edgeMarks(cells).every((mark) => mark.endsWith('!'))).toBe(true);
    expect(buildGraph(cells).cycleOf.get('y')).toEqual(['x', 'z', 'y']);
  });
});
