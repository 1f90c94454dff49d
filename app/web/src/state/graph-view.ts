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

/**
 * The rows to draw for a viewport showing `top` to `top + height` pixels: whole blocks of `block` rows, with one block
 * to spare on each side. Aligned to blocks, the range changes once per `block` rows scrolled, not at every pixel, so
 * panning re-renders the graph a few times a second rather than at every scroll event.
 */
export function visibleRange(count: number, rowHeight: number, top: number, height: number, block = 16): [number, number] {
  const firstBlock = Math.floor(Math.max(0, top) / rowHeight / block) - 1;
  const lastBlock = Math.ceil((Math.max(0, top) + height) / rowHeight / block) + 1;
  return [Math.max(0, firstBlock * block), Math.min(count, lastBlock * block)];
}

/** One dependency as drawn: its edge, the rows of its two ends, and whether it lies on a cycle. */
export interface Arc {
  edge: GraphEdge;
  from: number;
  to: number;
  cycle: boolean;
}

/** The arcs between the rows shown (an edge with an end not shown is left out), and the longest span among them. */
export function arcsOf(edges: readonly GraphEdge[], rowOf: ReadonlyMap<string, number>, isCycle: (edge: GraphEdge) => boolean): { arcs: Arc[]; maxSpan: number } {
  const arcs: Arc[] = [];
  let maxSpan = 1;
  for (const edge of edges) {
    const from = rowOf.get(edge.from);
    const to = rowOf.get(edge.to);
    if (from === undefined || to === undefined) continue;
    arcs.push({ edge, from, to, cycle: isCycle(edge) });
    maxSpan = Math.max(maxSpan, Math.abs(to - from));
  }
  return { arcs, maxSpan };
}

/** Whether an arc crosses the rows `first` to `last` (it is drawn only then). */
export function arcInRows(arc: Arc, first: number, last: number): boolean {
  return Math.max(arc.from, arc.to) >= first && Math.min(arc.from, arc.to) <= last;
}

export interface ArcGeometry {
  rowHeight: number;
  zoom: number;
  maxSpan: number;
  /** Where arcs start and end: just left of the nodes. */
  x: number;
}

/**
 * An arc's SVG path: a curve bulging left from its source row to its target row. Arcs going up bulge further, so the
 * two arcs between a pair of cells do not overlap. `withHead` adds the arrowhead as two strokes of the path itself,
 * for arcs drawn many to one path (an SVG marker would mark only the end of the whole path).
 */
export function arcPath(arc: Arc, { rowHeight, zoom, maxSpan, x }: ArcGeometry, withHead = false): string {
  const y1 = arc.from * rowHeight + rowHeight / 2;
  const y2 = arc.to * rowHeight + rowHeight / 2;
  const upward = arc.to < arc.from;
  const bulge = (8 + (Math.abs(arc.to - arc.from) / maxSpan) * 22 + (upward ? 10 : 0)) * Math.min(1, zoom + 0.25);
  const curve = `M${x},${y1} C${x - bulge},${y1} ${x - bulge},${y2} ${x},${y2}`;
  if (!withHead) return curve;
  const head = Math.max(2, 4 * Math.min(1, zoom));
  return `${curve} M${x - head},${y2 - head} L${x},${y2} L${x - head},${y2 + head}`;
}
