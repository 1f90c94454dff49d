import type { GraphEdge, NotebookGraph } from './graph';

/** What the graph view highlights around a selected cell. */
export interface Lineage {
  ancestors: Set<string>;
  descendants: Set<string>;
}

/** Every cell upstream and downstream of `cellId` (not itself), by breadth-first walks over the edges. */
export function lineageOf(cellId: string, graph: NotebookGraph): Lineage {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const edge of graph.edges) {
    push(parents, edge.to, edge.from);
    push(children, edge.from, edge.to);
  }
  return { ancestors: reach(cellId, parents), descendants: reach(cellId, children) };
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function reach(start: string, next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const work = [start];
  while (work.length > 0) {
    for (const id of next.get(work.pop()!) ?? []) {
      if (id === start || seen.has(id)) continue;
      seen.add(id);
      work.push(id);
    }
  }
  return seen;
}

/** Whether an edge lies on the selected cell's lineage (both ends the cell or its relatives on one side). */
export function edgeInLineage(edge: GraphEdge, selected: string, lineage: Lineage): boolean {
  const up = (id: string): boolean => id === selected || lineage.ancestors.has(id);
  const down = (id: string): boolean => id === selected || lineage.descendants.has(id);
  return (up(edge.from) && up(edge.to)) || (down(edge.from) && down(edge.to));
}

/** The rows (indices into `rows`) between `top` and `bottom` pixels, with some to spare: only those are drawn. */
export function visibleRange(count: number, rowHeight: number, top: number, height: number, overscan = 10): [number, number] {
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);
  return [first, last];
}
