/**
 * The notebook's dependency graph as the browser sees it, rebuilt from each cell's reads and
 * writes: for the graph view, "jump to definition" and explaining why a cell is blocked when the
 * host did not say. The host's graph is the authority; this one only describes it.
 */
export interface GraphCell {
  id: string;
  reads: readonly string[];
  writes: readonly string[];
  status: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  names: string[];
}

export interface NotebookGraph {
  /** Cell ids in notebook order. */
  order: string[];
  edges: GraphEdge[];
  /** name → ids of the cells that define it, in notebook order. */
  definers: Map<string, string[]>;
  /** ids of cells that sit on a dependency cycle. */
  inCycle: Set<string>;
  /**
   * Cell id → the cycle it belongs to: the members of its strongly connected component of two or
   * more cells, in notebook order (the same analysis as the host's, which blocks those cells).
   */
  cycleOf: Map<string, readonly string[]>;
}

export function buildGraph(cells: readonly GraphCell[]): NotebookGraph {
  const definers = new Map<string, string[]>();
  for (const cell of cells) {
    for (const name of cell.writes) {
      const list = definers.get(name);
      if (list) list.push(cell.id);
      else definers.set(name, [cell.id]);
    }
  }
  const byPair = new Map<string, GraphEdge>();
  for (const cell of cells) {
    for (const name of cell.reads) {
      for (const writer of definers.get(name) ?? []) {
        if (writer === cell.id) continue;
        const key = `${writer}\u0000${cell.id}`;
        const edge = byPair.get(key);
        if (edge) edge.names.push(name);
        else byPair.set(key, { from: writer, to: cell.id, names: [name] });
      }
    }
  }
  const edges = [...byPair.values()];
  const order = cells.map((c) => c.id);
  const cycleOf = new Map<string, readonly string[]>();
  const position = new Map(order.map((id, i) => [id, i]));
  for (const component of cycles(order, edges)) {
    const members = component.sort((a, b) => position.get(a)! - position.get(b)!);
    for (const id of members) cycleOf.set(id, members);
  }
  return { order, edges, definers, inCycle: new Set(cycleOf.keys()), cycleOf };
}

/**
 * Whether an edge lies on a cycle: both ends in the same strongly connected component (then the
 * target reaches the source back). An edge that merely goes up in notebook order is no cycle:
 * the host runs cells in dependency order, not notebook order.
 */
export function isCycleEdge(graph: NotebookGraph, edge: GraphEdge): boolean {
  const component = graph.cycleOf.get(edge.from);
  return component !== undefined && component === graph.cycleOf.get(edge.to);
}

/** The strongly connected components of more than one cell (Tarjan): the cycles. */
function cycles(ids: string[], edges: GraphEdge[]): string[][] {
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of edges) next.get(edge.from)?.push(edge.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  // Iterative, so that a long chain of cells cannot overflow the call stack.
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = next.get(frame.id) ?? [];
      if (frame.i < targets.length) {
        const target = targets[frame.i++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, i: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        if (component.length > 1) result.push(component);
      }
    }
  }
  return result;
}

/**
 * A sentence saying why a cell is blocked, from the graph alone: a name defined twice, a cycle,
 * or an upstream cell that failed. Cells are named by their 1-based position.
 */
export function explainBlocked(cellId: string, cells: readonly GraphCell[], graph: NotebookGraph = buildGraph(cells)): string | null {
  const position = new Map(graph.order.map((id, i) => [id, i + 1]));
  const cell = cells.find((c) => c.id === cellId);
  if (!cell) return null;
  for (const name of [...cell.writes, ...cell.reads]) {
    const owners = graph.definers.get(name) ?? [];
    if (owners.length > 1) {
      return `\`${name}\` is defined in more than one cell (cells ${owners.map((id) => position.get(id)).join(', ')})`;
    }
  }
  const members = graph.cycleOf.get(cellId);
  if (members) {
    return `Part of a dependency cycle (cells ${members.map((id) => position.get(id)).join(', ')})`;
  }
  const byId = new Map(cells.map((c) => [c.id, c]));
  const parents = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    const list = parents.get(edge.to);
    if (list) list.push(edge);
    else parents.set(edge.to, [edge]);
  }
  // Breadth first, so the nearest failing ancestor is the one named.
  const seen = new Set<string>([cellId]);
  let frontier = [cellId];
  while (frontier.length > 0) {
    const nextFrontier: string[] = [];
    for (const id of frontier) {
      for (const edge of parents.get(id) ?? []) {
        if (seen.has(edge.from)) continue;
        seen.add(edge.from);
        const upstream = byId.get(edge.from);
        if (upstream?.status === 'error') {
          return `Upstream cell ${position.get(edge.from)} (defines ${edge.names.join(', ')}) failed`;
        }
        nextFrontier.push(edge.from);
      }
    }
    frontier = nextFrontier;
  }
  return null;
}

/** Every cell downstream of `cellId` (not itself): what the host marks stale when its code changes. */
export function descendantsOf(cellId: string, graph: NotebookGraph): Set<string> {
  const children = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const list = children.get(edge.from);
    if (list) list.push(edge.to);
    else children.set(edge.from, [edge.to]);
  }
  const seen = new Set<string>();
  const work = [cellId];
  while (work.length > 0) {
    for (const child of children.get(work.pop()!) ?? []) {
      if (child === cellId || seen.has(child)) continue;
      seen.add(child);
      work.push(child);
    }
  }
  return seen;
}
