import { MinHeap } from './min-heap';

/** What the graph needs to know of a cell: the analyser's answer. */
export interface CellDependencies {
  defines: readonly string[];
  references: readonly string[];
  /** Names the cell deletes: it runs after every other cell that reads them. */
  deletes?: readonly string[];
}

/** Why the graph will not let a cell run. */
export type GraphError =
  | { kind: 'cycle'; cycle: string[] }
  | { kind: 'multiple-definitions'; names: { name: string; otherCells: string[] }[] };

interface Node {
  id: string;
  readonly defines: ReadonlySet<string>;
  readonly references: ReadonlySet<string>;
  readonly deletes: ReadonlySet<string>;
}

/** A node's sets are never changed in place (an edit makes a new node), so empty ones can be shared. */
function setOf(names: readonly string[] | undefined): ReadonlySet<string> {
  return names && names.length > 0 ? new Set(names) : EMPTY;
}

/**
 * The incremental dependency graph of one notebook. Edges run writer →
 * reader and are derived from two indexes (who defines a name, who reads it),
 * so changing one cell touches only that cell's names. Cycles are tracked per
 * strongly connected component and recomputed only where an edit can change them.
 */
/** What a run needs to know of the graph (the planner and the coordinator read it; only the session changes it). */
export interface GraphView {
  has(cellId: string): boolean;
  definersOf(name: string): ReadonlySet<string>;
  readersOf(name: string): ReadonlySet<string>;
  parents(cellId: string): ReadonlySet<string>;
  descendants(roots: Iterable<string>): Set<string>;
  ancestors(roots: Iterable<string>): Set<string>;
  topologicalOrder(cells: ReadonlySet<string>): string[];
}

export class DependencyGraph implements GraphView {
  private readonly nodes = new Map<string, Node>();
  private readonly definers = new Map<string, Set<string>>();
  private readonly readers = new Map<string, Set<string>>();
  private readonly deleters = new Map<string, Set<string>>();
  /** Adjacency derived from the indexes, cached until an edit touches the cell's names. */
  private readonly parentCache = new Map<string, Set<string>>();
  private readonly childCache = new Map<string, Set<string>>();
  /** Cell → the members of the cycle (strongly connected component) it is in. */
  private readonly cycleOf = new Map<string, string[]>();

  /** @param position the cell's index in the notebook: ties in topological order follow it. */
  constructor(private readonly position: (cellId: string) => number) {}

  has(cellId: string): boolean {
    return this.nodes.has(cellId);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Adds many cells at once (opening a notebook): one pass for cycles instead of one per cell. */
  load(cells: Iterable<{ id: string } & CellDependencies>): void {
    for (const cell of cells) {
      const old = this.nodes.get(cell.id);
      if (old) this.unindex(old);
      const node: Node = { id: cell.id, defines: setOf(cell.defines), references: setOf(cell.references), deletes: setOf(cell.deletes) };
      this.nodes.set(cell.id, node);
      this.index(node);
    }
    this.parentCache.clear();
    this.childCache.clear();
    this.cycleOf.clear();
    for (const component of this.stronglyConnectedComponents()) {
      if (component.length < 2) continue;
      const members = this.sortByPosition(component);
      for (const id of members) this.cycleOf.set(id, members);
    }
  }

  /**
   * Tarjan's algorithm, iterative (a long chain must not overflow the stack),
   * over integer indices and typed arrays: on 10,000 cells the Map-and-Set
   * version took most of a bulk load. Only components of two or more cells
   * (cycles) are returned.
   */
  private stronglyConnectedComponents(): string[][] {
    const ids = [...this.nodes.keys()];
    const n = ids.length;
    const numberOf = new Map<string, number>();
    for (let i = 0; i < n; i++) numberOf.set(ids[i]!, i);
    const edgeStart = new Int32Array(n + 1);
    const edges: number[] = [];
    for (let v = 0; v < n; v++) {
      edgeStart[v] = edges.length;
      for (const child of this.children(ids[v]!)) {
        const w = numberOf.get(child);
        if (w !== undefined) edges.push(w);
      }
    }
    edgeStart[n] = edges.length;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack = new Int32Array(n);
    const frameCell = new Int32Array(n);
    const frameEdge = new Int32Array(n);
    let stackSize = 0;
    let frames = 0;
    let counter = 0;
    const components: string[][] = [];
    const visit = (v: number): void => {
      index[v] = low[v] = counter++;
      stack[stackSize++] = v;
      onStack[v] = 1;
      frameCell[frames] = v;
      frameEdge[frames++] = edgeStart[v]!;
    };
    for (let start = 0; start < n; start++) {
      if (index[start] !== -1) continue;
      visit(start);
      while (frames > 0) {
        const v = frameCell[frames - 1]!;
        const edge = frameEdge[frames - 1]!;
        if (edge < edgeStart[v + 1]!) {
          frameEdge[frames - 1] = edge + 1;
          const w = edges[edge]!;
          if (index[w] === -1) visit(w);
          else if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
          continue;
        }
        frames--;
        if (frames > 0) {
          const parent = frameCell[frames - 1]!;
          if (low[v]! < low[parent]!) low[parent] = low[v]!;
        }
        if (low[v] !== index[v]) continue;
        if (stack[stackSize - 1] === v) {
          // A single cell: not a cycle (a cell's reads of its own names are no edge).
          stackSize--;
          onStack[v] = 0;
          continue;
        }
        const component: string[] = [];
        let member: number;
        do {
          member = stack[--stackSize]!;
          onStack[member] = 0;
          component.push(ids[member]!);
        } while (member !== v);
        components.push(component);
      }
    }
    return components;
  }

  /** Adds or replaces a cell's dependencies. */
  setCell(cellId: string, deps: CellDependencies): void {
    const previousCycle = this.cycleOf.get(cellId);
    const old = this.nodes.get(cellId);
    if (old) {
      this.invalidateAround(old);
      this.unindex(old);
    }
    const node: Node = { id: cellId, defines: setOf(deps.defines), references: setOf(deps.references), deletes: setOf(deps.deletes) };
    this.nodes.set(cellId, node);
    this.index(node);
    this.invalidateAround(node);
    this.refreshCycles([cellId, ...(previousCycle ?? [])]);
  }

  removeCell(cellId: string): void {
    const node = this.nodes.get(cellId);
    if (!node) return;
    const previousCycle = this.cycleOf.get(cellId) ?? [];
    this.invalidateAround(node);
    this.unindex(node);
    this.nodes.delete(cellId);
    this.cycleOf.delete(cellId);
    this.refreshCycles(previousCycle.filter((id) => id !== cellId));
  }

  defines(cellId: string): ReadonlySet<string> {
    return this.nodes.get(cellId)?.defines ?? EMPTY;
  }

  definersOf(name: string): ReadonlySet<string> {
    return this.definers.get(name) ?? EMPTY;
  }

  readersOf(name: string): ReadonlySet<string> {
    return this.readers.get(name) ?? EMPTY;
  }

  /** The cells this one reads from (do not mutate the returned set). */
  parents(cellId: string): ReadonlySet<string> {
    const cached = this.parentCache.get(cellId);
    if (cached) return cached;
    const node = this.nodes.get(cellId);
    const result = new Set<string>();
    if (!node) return result;
    this.parentCache.set(cellId, result);
    for (const name of node.references) {
      for (const definer of this.definers.get(name) ?? EMPTY) if (definer !== cellId) result.add(definer);
    }
    for (const name of node.deletes) {
      for (const reader of this.readers.get(name) ?? EMPTY) if (reader !== cellId) result.add(reader);
    }
    return result;
  }

  /** The cells that read from this one (do not mutate the returned set). */
  children(cellId: string): ReadonlySet<string> {
    const cached = this.childCache.get(cellId);
    if (cached) return cached;
    const node = this.nodes.get(cellId);
    const result = new Set<string>();
    if (!node) return result;
    this.childCache.set(cellId, result);
    for (const name of node.defines) {
      for (const reader of this.readers.get(name) ?? EMPTY) if (reader !== cellId) result.add(reader);
    }
    for (const name of node.references) {
      for (const deleter of this.deleters.get(name) ?? EMPTY) if (deleter !== cellId) result.add(deleter);
    }
    return result;
  }

  /** Every cell reachable from `roots` along edges (roots excluded unless a cycle leads back). */
  descendants(roots: Iterable<string>): Set<string> {
    return this.reach(roots, (id) => this.children(id));
  }

  ancestors(roots: Iterable<string>): Set<string> {
    return this.reach(roots, (id) => this.parents(id));
  }

  /** The reason the graph keeps this cell from running, if any. */
  errorOf(cellId: string): GraphError | undefined {
    const cycle = this.cycleOf.get(cellId);
    if (cycle) return { kind: 'cycle', cycle };
    const node = this.nodes.get(cellId);
    if (!node) return undefined;
    const names: { name: string; otherCells: string[] }[] = [];
    for (const name of node.defines) {
      const definers = this.definers.get(name);
      if (definers && definers.size > 1) {
        names.push({ name, otherCells: this.sortByPosition([...definers].filter((id) => id !== cellId)) });
      }
    }
    return names.length > 0 ? { kind: 'multiple-definitions', names } : undefined;
  }

  /** Cells whose graph error may differ after `cellId`'s names changed (those that share a name with it). */
  cellsSharingDefinitions(names: Iterable<string>): Set<string> {
    const result = new Set<string>();
    for (const name of names) for (const id of this.definers.get(name) ?? EMPTY) result.add(id);
    return result;
  }

  /** The cells in cycles right now. */
  cycleMembers(): string[] {
    return [...this.cycleOf.keys()];
  }

  /**
   * `cells` in topological order, ties broken by notebook position. Members
   * of a cycle, which have no order, come last by position.
   */
  topologicalOrder(cells: ReadonlySet<string>): string[] {
    const inDegree = new Map<string, number>();
    for (const id of cells) inDegree.set(id, 0);
    for (const id of cells) {
      for (const child of this.children(id)) {
        if (inDegree.has(child)) inDegree.set(child, inDegree.get(child)! + 1);
      }
    }
    const heap = new MinHeap(this.position);
    for (const [id, degree] of inDegree) if (degree === 0) heap.push(id);
    const order: string[] = [];
    while (heap.size > 0) {
      const id = heap.pop()!;
      order.push(id);
      for (const child of this.children(id)) {
        const degree = inDegree.get(child);
        if (degree === undefined) continue;
        inDegree.set(child, degree - 1);
        if (degree === 1) heap.push(child);
      }
    }
    if (order.length < cells.size) {
      const placed = new Set(order);
      order.push(...this.sortByPosition([...cells].filter((id) => !placed.has(id))));
    }
    return order;
  }

  sortByPosition(ids: string[]): string[] {
    return ids.sort((a, b) => this.position(a) - this.position(b));
  }

  private reach(roots: Iterable<string>, next: (id: string) => Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (const other of next(id)) {
        if (!seen.has(other)) {
          seen.add(other);
          stack.push(other);
        }
      }
    }
    return seen;
  }

  /**
   * An edit changes only edges that touch the edited cell, so a new cycle must
   * pass through it, and only cycles it was part of can break. Recompute the
   * component of each of those cells: desc(v) ∩ anc(v).
   */
  private refreshCycles(cells: string[]): void {
    const done = new Set<string>();
    for (const id of cells) {
      if (done.has(id) || !this.nodes.has(id)) continue;
      const old = this.cycleOf.get(id);
      if (old) for (const member of old) if (this.cycleOf.get(member) === old) this.cycleOf.delete(member);
      if (this.parents(id).size === 0 || this.children(id).size === 0) {
        done.add(id);
        continue;
      }
      const down = this.descendants([id]);
      if (!down.has(id)) {
        done.add(id);
        continue;
      }
      const up = this.ancestors([id]);
      const members = this.sortByPosition([...down].filter((member) => up.has(member)));
      for (const member of members) {
        const stale = this.cycleOf.get(member);
        if (stale && stale !== members) for (const m of stale) if (this.cycleOf.get(m) === stale) this.cycleOf.delete(m);
      }
      for (const member of members) {
        this.cycleOf.set(member, members);
        done.add(member);
      }
    }
  }

  /** Forgets cached adjacency of every cell whose edges may involve this cell's names. */
  private invalidateAround(node: Node): void {
    this.parentCache.delete(node.id);
    this.childCache.delete(node.id);
    for (const name of node.references) {
      for (const id of this.definers.get(name) ?? EMPTY) this.childCache.delete(id);
      for (const id of this.deleters.get(name) ?? EMPTY) this.parentCache.delete(id);
    }
    for (const name of node.defines) for (const id of this.readers.get(name) ?? EMPTY) this.parentCache.delete(id);
    for (const name of node.deletes) for (const id of this.readers.get(name) ?? EMPTY) this.childCache.delete(id);
  }

  private index(node: Node): void {
    for (const name of node.defines) addTo(this.definers, name, node.id);
    for (const name of node.references) addTo(this.readers, name, node.id);
    for (const name of node.deletes) addTo(this.deleters, name, node.id);
  }

  private unindex(node: Node): void {
    for (const name of node.defines) removeFrom(this.definers, name, node.id);
    for (const name of node.references) removeFrom(this.readers, name, node.id);
    for (const name of node.deletes) removeFrom(this.deleters, name, node.id);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function addTo(index: Map<string, Set<string>>, name: string, id: string): void {
  let set = index.get(name);
  if (!set) index.set(name, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, name: string, id: string): void {
  const set = index.get(name);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) index.delete(name);
}
