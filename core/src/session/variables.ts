import type { KernelVariable } from '../kernel/protocol';
import type { VariableInfo } from '../wire';
import type { NotebookEvent, NotebookEventPayloads } from './events';
import type { RunHost } from './run-coordinator';

/**
 * The variable explorer's list on the server: the kernel's last description
 * of its names, joined with the graph (who defines a name, who reads it) when
 * it goes out. The join is a lookup per name, so a list of the kernel's
 * bounded size costs the event loop next to nothing.
 */
export class VariableList {
  private kernelList: KernelVariable[] = [];
  private truncated = false;
  /**
   * Names deleted from the kernel whose deletion a description may not show yet: a list the kernel made before the
   * deletion can arrive after it, and must not bring a deleted cell's name back. Forgotten once a description lacks it.
   */
  private readonly deleted = new Set<string>();

  constructor(
    private readonly notebook: Pick<RunHost, 'graph' | 'cellIds'>,
    private readonly emit: (event: NotebookEvent) => void,
  ) {}

  /** The kernel described its names (after a plan or a deletion). */
  described(variables: KernelVariable[], truncated: boolean): void {
    const listed = new Set(variables.map((v) => v.name));
    for (const name of this.deleted) if (!listed.has(name)) this.deleted.delete(name);
    this.kernelList = this.deleted.size > 0 ? this.withoutStale(variables) : variables;
    this.truncated = truncated;
    this.send();
  }

  /** These names are gone from the kernel (their cell was deleted or no longer defines them): out of the list at once. */
  removed(names: readonly string[]): void {
    const gone = new Set(names);
    for (const name of names) this.deleted.add(name);
    const kept = this.kernelList.filter((v) => !gone.has(v.name));
    if (kept.length === this.kernelList.length) return;
    this.kernelList = kept;
    this.send();
  }

  /** The kernel's values are gone (restart, crash). */
  cleared(): void {
    this.deleted.clear();
    if (this.kernelList.length === 0) return;
    this.kernelList = [];
    this.truncated = false;
    this.send();
  }

  /** The `variables` event's payload now: what a client that connects is sent first. */
  snapshot(): NotebookEventPayloads['variables'] {
    return { variables: this.current(), truncated: this.truncated };
  }

  /** The list as clients get it. */
  current(): VariableInfo[] {
    const graph = this.notebook.graph;
    const order = new Map(this.notebook.cellIds().map((id, index) => [id, index]));
    const byOrder = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
    return this.kernelList.map((v) => {
      const definers = [...graph.definersOf(v.name)].filter((id) => order.has(id)).sort(byOrder);
      return {
        name: v.name,
        language: v.language,
        type: v.type,
        summary: v.summary,
        size: v.size,
        defined_by: definers[0] ?? null,
        read_by: [...graph.readersOf(v.name)].filter((id) => order.has(id)).sort(byOrder),
        private: v.name.startsWith('_'),
      };
    });
  }

  /** A deleted name in a description is stale unless a cell of the notebook defines it again. */
  private withoutStale(variables: KernelVariable[]): KernelVariable[] {
    // One set of the notebook's cells for the whole list: the check is per name, the notebook may have many cells.
    const cells = new Set(this.notebook.cellIds());
    const definedByACell = (name: string): boolean => [...this.notebook.graph.definersOf(name)].some((id) => cells.has(id));
    return variables.filter((v) => !this.deleted.has(v.name) || definedByACell(v.name));
  }

  private send(): void {
    this.emit({ type: 'variables', variables: this.current(), truncated: this.truncated });
  }
}
