import type { GraphView } from '../graph/dependency-graph';
import { upstreamCellError, type CellError } from '../session/cell-error';

export interface PlanRequest {
  /** Cells the user (or an edit) asked to run. */
  roots: Iterable<string>;
  /** Also run every descendant of the roots (autorun); lazy mode says no. */
  withDescendants: boolean;
  /** Cells left over from a superseded run: run them, without expanding. */
  carried: Iterable<string>;
  /** The cell's current values are in the kernel (it ran successfully since its last change). */
  hasValue(cellId: string): boolean;
  /** Why the cell cannot run at all (syntax error, cycle, defined twice), if so. */
  staticError(cellId: string): CellError | undefined;
  /** How messages name a cell (default: its id). */
  label?(cellId: string): string;
  /**
   * Names whose values were set from outside any cell (a widget moved): their
   * readers run (and, with `withDescendants`, what depends on them), their
   * definers do not, neither as roots nor as missing ancestors, since running
   * one would overwrite the value just set. A definer that is a root or
   * carried itself still runs: that was asked for explicitly.
   */
  setFromOutside?: { names: Iterable<string>; withDescendants: boolean };
}

export interface PlannedCell {
  cellId: string;
  /** Indices into `runnable` of this cell's parents that run too. */
  parents: number[];
}

export interface Plan {
  runnable: PlannedCell[];
  /** Cells that will not run, with why: their own static error, or the upstream cell that stops them. */
  blocked: Map<string, CellError>;
  /** Cells descending from the roots that lazy mode leaves stale. */
  stale: Set<string>;
}

/**
 * Decides what a run request runs: the roots, their descendants (autorun),
 * and the ancestors whose values are missing (a new kernel, an edit) — only
 * those. Order is topological with ties broken by notebook position.
 */
export function planRun(graph: GraphView, request: PlanRequest): Plan {
  const roots = [...request.roots].filter((id) => graph.has(id));
  const selected = new Set<string>(roots);
  const stale = new Set<string>();
  const expand = (from: string[], withDescendants: boolean): void => {
    for (const id of graph.descendants(from)) {
      if (withDescendants) selected.add(id);
      else if (!selected.has(id)) stale.add(id);
    }
  };
  expand(roots, request.withDescendants);
  const { readers, pinned } = outsideValues(graph, request.setFromOutside?.names ?? []);
  for (const id of readers) selected.add(id);
  expand([...readers], request.setFromOutside?.withDescendants ?? false);
  for (const id of request.carried) if (graph.has(id)) selected.add(id);
  for (const id of selected) stale.delete(id);

  // Missing ancestors: walk up until a cell whose values exist.
  const stack = [...selected];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const parent of graph.parents(id)) {
      if (selected.has(parent) || pinned.has(parent)) continue;
      if (request.hasValue(parent) && request.staticError(parent) === undefined) continue;
      selected.add(parent);
      stale.delete(parent);
      if (request.staticError(parent) === undefined) stack.push(parent);
    }
  }

  const order = graph.topologicalOrder(selected);
  const blocked = new Map<string, CellError>();
  const runnable: PlannedCell[] = [];
  const indexOf = new Map<string, number>();
  for (const id of order) {
    const own = request.staticError(id);
    if (own !== undefined) {
      blocked.set(id, own);
      continue;
    }
    const parents: number[] = [];
    let blocker: string | undefined;
    for (const parent of graph.parents(id)) {
      if (blocked.has(parent)) blocker ??= parent;
      else if (request.staticError(parent) !== undefined && !selected.has(parent)) blocker ??= parent;
      const index = indexOf.get(parent);
      if (index !== undefined) parents.push(index);
    }
    if (blocker !== undefined) {
      blocked.set(id, upstreamCellError(request.label ? request.label(blocker) : `cell ${blocker}`, blocker));
      continue;
    }
    indexOf.set(id, runnable.length);
    runnable.push({ cellId: id, parents: parents.sort((a, b) => a - b) });
  }
  return { runnable, blocked, stale };
}

/** The readers of names set from outside, and their definers (which must not run for it). */
function outsideValues(graph: GraphView, names: Iterable<string>): { readers: Set<string>; pinned: Set<string> } {
  const readers = new Set<string>();
  const pinned = new Set<string>();
  for (const name of names) {
    for (const id of graph.readersOf(name)) readers.add(id);
    for (const id of graph.definersOf(name)) pinned.add(id);
  }
  for (const id of pinned) readers.delete(id);
  return { readers, pinned };
}
