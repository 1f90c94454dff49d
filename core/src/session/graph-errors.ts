import { analysisCellError, graphCellError, type CellError } from './cell-error';
import type { DependencyGraph } from '../graph/dependency-graph';
import type { CellRunStates } from './cell-run-state';
import type { RunCoordinator, RunHost } from './run-coordinator';

/** What the graph errors of a notebook are kept against (the session, which owns them): its graph, its run states and its runs. */
export type GraphErrorHost = Pick<RunHost, 'hasCell' | 'label' | 'analysisOf'> & {
  readonly graph: DependencyGraph;
  readonly states: CellRunStates;
  readonly runs: Pick<RunCoordinator, 'invalidate' | 'forgetNames'>;
};

/**
 * The graph errors (cycles, names defined twice) shown on a notebook's cells:
 * which cells may have gained or lost one after an edit, and the transitions
 * that show or clear them.
 */
export class ShownGraphErrors {
  private readonly shown = new Map<string, CellError>();

  constructor(
    private readonly notebook: GraphErrorHost,
    /** The prefix that makes a name private to its cell in the cell's language (python: `_`). */
    private readonly privatePrefixOfCell: (cellId: string) => string | undefined,
  ) {}

  of(cellId: string): CellError | undefined {
    return this.shown.get(cellId);
  }

  forget(cellId: string): void {
    this.shown.delete(cellId);
  }

  /** The cells that show a graph error now. */
  shownOn(): Set<string> {
    return new Set(this.shown.keys());
  }

  /** The cells whose graph errors an edit of `cellId` may change: call before the edit, then pass to {@link affectedBy}. */
  footprint(cellId: string): Set<string> {
    const { graph } = this.notebook;
    const affected = new Set<string>([cellId, ...graph.cycleMembers()]);
    for (const id of graph.cellsSharingDefinitions(graph.defines(cellId))) affected.add(id);
    return affected;
  }

  affectedBy(cellId: string, before: Set<string>): Set<string> {
    const after = this.footprint(cellId);
    for (const id of before) after.add(id);
    return after;
  }

  /**
   * Shows or clears graph errors on the cells that may have changed.
   * `announce` is false while loading: a loaded notebook has no kernel yet, so nothing is forgotten or re-run.
   */
  refresh(cells: Set<string>, announce = true): void {
    const { graph, states, runs } = this.notebook;
    const label = (id: string): string => this.notebook.label(id);
    // Every cell's graph error is recorded before anything reacts to one: re-running the readers of a
    // name plans at once, and must see every cell that defines it as unable to run.
    const changes: { id: string; error: CellError | undefined; previous: CellError | undefined }[] = [];
    for (const id of cells) {
      if (!this.notebook.hasCell(id)) continue;
      const graphError = graph.errorOf(id);
      const error = graphError ? graphCellError(graphError, { label, cellId: id, privatePrefix: (name) => this.privatePrefixOf(name) }) : undefined;
      const previous = this.shown.get(id);
      if (error !== undefined) this.shown.set(id, error);
      else this.shown.delete(id);
      changes.push({ id, error, previous });
    }
    for (const { id, error, previous } of changes) {
      const analysisError = this.notebook.analysisOf(id)?.error;
      // The cell's own code is wrong: that is an error of this cell, not a block.
      const own = analysisError ? analysisCellError(analysisError) : undefined;
      if (!announce) states.loadedAs(id, own ?? error ?? null);
      else if (own) states.failed(id, own, { clearOutputs: true });
      else if (error !== undefined && error.message !== previous?.message) {
        runs.invalidate([id]);
        runs.forgetNames([...graph.defines(id)], [id]);
        states.failed(id, error, { clearOutputs: true });
      } else if (error === undefined && previous !== undefined) {
        states.errorCleared(id);
        states.stale(id);
      }
    }
  }

  /** The prefix that makes `name` private in the language of every cell defining it, if they agree on one. */
  private privatePrefixOf(name: string): string | undefined {
    const prefixes = new Set([...this.notebook.graph.definersOf(name)].map((id) => this.privatePrefixOfCell(id)));
    const [prefix] = prefixes;
    return prefixes.size === 1 ? prefix : undefined;
  }
}
