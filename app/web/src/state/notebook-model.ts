import type { AppSettings, Cell, CellStatus, Notebook, NotebookSettings, PageEvent } from '../api/types';
import { buildGraph, descendantsOf, explainBlocked, type NotebookGraph } from './graph';
import { KeyedListeners } from './signal';
import { withWidgetValue } from '../components/widgets/widget-values';

/** A cell as the UI shows it: the wire cell plus when it started running (for the elapsed time). */
export interface CellState extends Cell {
  runningSince: number | null;
}

export interface NotebookMeta {
  id: string;
  name: string;
  lazy: boolean;
  /** Every plugin's settings as the host shows them (secret values masked). */
  settings: NotebookSettings;
  revision: number;
  /** The last kernel restart's reason, until the next run. */
  kernelNotice: string | null;
  /** The app view's settings; null from a host older than apps. */
  app: AppSettings | null;
}

export type CellPosition = 'only' | 'first' | 'last' | 'middle' | 'none';

const STRUCTURAL = new Set(['cell_created', 'cell_updated', 'cell_deleted', 'cell_moved', 'notebook_updated']);
/** Statuses a kernel restart turns into `stale`, as the server does. */
const LOST_ON_RESTART: ReadonlySet<CellStatus> = new Set(['success', 'queued', 'running']);

/** Statuses an edit turns into `stale` (as the host does): the others say something an edit does not change. */
const STALE_ON_EDIT = new Set<CellStatus>(['success', 'error', 'stale']);

/**
 * The client-side state of one open notebook. Every cell is an immutable object replaced on
 * change, and listeners are per cell, per order and per settings: a keystroke or an event that
 * touches one cell wakes only that cell's component, which is what keeps a 200-cell notebook
 * smooth.
 */
/** Core's MARKDOWN_CELL_TYPE: a markdown cell's run yields exactly one output, its rendering. */
const MARKDOWN_CELL_TYPE = 'markdown';

export class NotebookModel {
  private cells = new Map<string, CellState>();
  private order: readonly string[] = [];
  private meta: NotebookMeta;
  private graphCache: NotebookGraph | null = null;
  private readonly cellListeners = new KeyedListeners();
  private readonly orderListeners = new Set<() => void>();
  private readonly metaListeners = new Set<() => void>();
  private readonly graphListeners = new Set<() => void>();
  private graphVersion = 0;
  /** Cells shown before the host confirmed them (created here with a client id). */
  private readonly unconfirmed = new Set<string>();
  /** Cells created here whose host event has not arrived yet: the event's place wins, even after the host answered. */
  private readonly awaitingEvent = new Set<string>();
  /**
   * Markdown cells running again that still show their last rendering: it stays until the run's one output
   * replaces it (or the run ends without one), so text that follows a dragged slider never blinks out, and a
   * widget it embeds is not unmounted in the middle of the drag.
   */
  private readonly heldRenderings = new Set<string>();

  constructor(
    notebook: Notebook,
    private readonly now: () => number = Date.now,
  ) {
    this.meta = metaOf(notebook, null);
    this.load(notebook);
  }

  // ---- reads (stable function identities for useSyncExternalStore) ----

  getCell = (id: string): CellState | undefined => this.cells.get(id);
  getOrder = (): readonly string[] => this.order;
  getMeta = (): NotebookMeta => this.meta;
  getGraphVersion = (): number => this.graphVersion;

  subscribeCell = (id: string, listener: () => void): (() => void) => this.cellListeners.subscribe(id, listener);
  subscribeOrder = (listener: () => void): (() => void) => subscribe(this.orderListeners, listener);
  subscribeMeta = (listener: () => void): (() => void) => subscribe(this.metaListeners, listener);
  /** Wakes on anything the graph view shows: order, reads/writes, status. */
  subscribeGraph = (listener: () => void): (() => void) => subscribe(this.graphListeners, listener);

  has(id: string): boolean {
    return this.cells.has(id);
  }

  /** True while a cell created here waits for the host. */
  isUnconfirmed(id: string): boolean {
    return this.unconfirmed.has(id);
  }

  cellList(): CellState[] {
    return this.order.map((id) => this.cells.get(id)!);
  }

  positionOf = (id: string): CellPosition => {
    const i = this.order.indexOf(id);
    if (i < 0) return 'none';
    if (this.order.length === 1) return 'only';
    if (i === 0) return 'first';
    return i === this.order.length - 1 ? 'last' : 'middle';
  };

  indexOf(id: string): number {
    return this.order.indexOf(id);
  }

  graph(): NotebookGraph {
    this.graphCache ??= buildGraph(this.cellList());
    return this.graphCache;
  }

  /** Cells that define `name`, in notebook order. */
  definersOf(name: string): string[] {
    return this.graph().definers.get(name) ?? [];
  }

  explainBlocked(id: string): string | null {
    return explainBlocked(id, this.cellList(), this.graph());
  }

  // ---- writes ----

  /**
   * Replaces the state with a snapshot from the host. Cells that did not change keep their object,
   * so a resync after a reconnect re-renders only what really changed.
   */
  load(notebook: Notebook): void {
    // Cells created here that the host does not hold yet stay where they are.
    const waiting = [...this.unconfirmed]
      .filter((id) => !notebook.cells.some((c) => c.id === id) && this.cells.has(id))
      .map((id) => ({ cell: this.cells.get(id)!, index: this.order.indexOf(id) }))
      .sort((a, b) => a.index - b.index);
    for (const cell of notebook.cells) {
      this.unconfirmed.delete(cell.id);
      this.awaitingEvent.delete(cell.id);
    }
    const next = new Map<string, CellState>();
    for (const cell of notebook.cells) {
      const old = this.cells.get(cell.id);
      const runningSince = cell.status === 'running' ? (old?.runningSince ?? this.now()) : null;
      next.set(cell.id, old && sameCell(old, cell) && old.runningSince === runningSince ? old : { ...withStderr(cell), runningSince });
    }
    const order = notebook.cells.map((c) => c.id);
    for (const { cell, index } of waiting) {
      next.set(cell.id, cell);
      order.splice(clamp(index, 0, order.length), 0, cell.id);
    }
    const removed = [...this.cells.keys()].filter((id) => !next.has(id));
    const changed = [...next.entries()].filter(([id, cell]) => this.cells.get(id) !== cell).map(([id]) => id);
    this.cells = next;
    const orderChanged = !sameList(order, this.order);
    if (orderChanged) this.order = order;
    this.setMeta(metaOf(notebook, this.meta));
    for (const id of [...removed, ...changed]) this.cellListeners.notify(id);
    if (orderChanged) emit(this.orderListeners);
    this.graphChanged();
  }

  /** Applies one host event. With `sinceRevision`, structural events at or below it are skipped (already in a snapshot). */
  apply(event: PageEvent, sinceRevision?: number): void {
    if (sinceRevision !== undefined && STRUCTURAL.has(event.type)) {
      const revision = (event as { revision?: number }).revision;
      if (revision !== undefined && revision <= sinceRevision) return;
    }
    switch (event.type) {
      case 'cell_status':
        this.setStatus(event.cellId, event.status);
        if (event.last_run_at !== undefined) {
          const timing = { last_run_at: event.last_run_at, duration_ms: event.duration_ms ?? null };
          this.updateCell(event.cellId, (c) => ({ ...c, ...timing }));
        }
        return;
      case 'cell_stdout':
        if (event.stream === 'stderr') return this.updateCell(event.cellId, (c) => ({ ...c, stderr: c.stderr + event.data }));
        return this.updateCell(event.cellId, (c) => ({ ...c, stdout: c.stdout + event.data }));
      case 'cell_output':
        if (this.heldRenderings.delete(event.cellId)) return this.updateCell(event.cellId, (c) => ({ ...c, outputs: [event.output] }));
        return this.updateCell(event.cellId, (c) => ({ ...c, outputs: [...c.outputs, event.output] }));
      case 'cell_cleared':
        // The running cell's clear_output(): what it showed so far goes, what it shows next follows.
        return this.updateCell(event.cellId, (c) => ({ ...c, stdout: '', stderr: '', outputs: [] }));
      case 'cell_error':
        // The structure follows the text: a cleared error clears both.
        return this.updateCell(event.cellId, (c) => ({ ...c, error: event.error, error_detail: event.detail ?? null }));
      case 'cell_created':
        return this.insertCell(event.cell, event.index, event.revision);
      case 'cell_updated':
        this.bumpRevision(event.revision);
        // `cell_type`: the assistant (or another page) may have changed the cell's language.
        this.updateCell(event.cellId, (c) => {
          const type = event.cell_type;
          return c.code === event.code && c.type === type && sameList(c.reads, event.reads) && sameList(c.writes, event.writes)
            ? c
            : { ...c, code: event.code, type, reads: event.reads, writes: event.writes };
        });
        return this.graphChanged();
      case 'cell_deleted':
        return this.removeCell(event.cellId, event.revision);
      case 'cell_moved':
        return this.moveCell(event.cellId, event.index, event.revision);
      case 'notebook_updated':
        return this.setMeta({
          ...this.meta,
          name: event.name,
          lazy: event.lazy,
          settings: event.settings ?? this.meta.settings,
          app: event.app ?? this.meta.app,
          revision: Math.max(this.meta.revision, event.revision ?? 0),
        });
      case 'kernel_restarted':
        // What had values in the kernel (or was about to run) is stale; an error or a block stays what it is.
        for (const id of this.order) {
          this.updateCell(id, (c) => (LOST_ON_RESTART.has(c.status) ? { ...c, status: 'stale', runningSince: null } : c));
        }
        this.setMeta({ ...this.meta, kernelNotice: event.reason });
        return this.graphChanged();
      case 'outputs_cleared':
        for (const id of this.order) {
          // stderr, where the cell has it, goes with stdout.
          this.updateCell(id, (c) => (c.stdout === '' && c.stderr === '' && c.outputs.length === 0 ? c : { ...c, stdout: '', stderr: '', outputs: [] }));
        }
        return;
      case 'widget_value':
        // Every copy of the control moves, in whichever cell shows it.
        for (const id of this.order) this.updateCell(id, (c) => {
          const outputs = withWidgetValue(c.outputs, event.widget_id, event.value);
          return outputs === c.outputs ? c : { ...c, outputs };
        });
        return;
      case 'error':
      case 'external_edit_error':
        return;
    }
  }

  /**
   * Shows a cell at once, before the host has it (its id chosen here): typing right after
   * Shift+Enter must land in it. The host's `cell_created` for the same id then confirms it.
   */
  insertUnconfirmed(cell: Cell, index: number): void {
    this.unconfirmed.add(cell.id);
    this.awaitingEvent.add(cell.id);
    this.insertCell(cell, index, undefined);
  }

  /** The host answered the create: the cell is real (its event may come before or after). */
  confirm(id: string): void {
    this.unconfirmed.delete(id);
  }

  /** The host refused the create: the cell goes. */
  dropUnconfirmed(id: string): void {
    this.awaitingEvent.delete(id);
    if (this.unconfirmed.delete(id)) this.removeCell(id, undefined);
  }

  /**
   * Typed code not yet run: the cell and what reads it are `stale`, as the host will say once it
   * has the code (an edit made offline must not keep showing `success`).
   */
  markEdited(id: string): void {
    const cell = this.cells.get(id);
    if (!cell || !STALE_ON_EDIT.has(cell.status) || cell.status === 'stale') return;
    for (const target of [id, ...descendantsOf(id, this.graph())]) {
      this.updateCell(target, (c) => (STALE_ON_EDIT.has(c.status) && c.status !== 'stale' ? { ...c, status: 'stale', runningSince: null } : c));
    }
    this.graphChanged();
  }

  /** Local settings change, for immediate feedback before (or without) the host's event. */
  patchMeta(patch: Partial<Omit<NotebookMeta, 'id'>>): void {
    this.setMeta({ ...this.meta, ...patch });
  }

  private setStatus(id: string, status: CellStatus): void {
    // (A held markdown rendering: see heldRenderings.)
    this.updateCell(id, (c) => {
      if (c.status === status) return c;
      const held = this.heldRenderings.delete(id);
      if (status === 'running') {
        // A new run replaces the last run's results; they stay visible (dimmed) while only queued.
        if (c.type === MARKDOWN_CELL_TYPE && c.outputs.length > 0 && c.error === null) {
          this.heldRenderings.add(id);
          return { ...c, status, runningSince: this.now(), stdout: '', stderr: '' };
        }
        return { ...c, status, runningSince: this.now(), stdout: '', stderr: '', outputs: [], error: null };
      }
      // The run ended without an output of its own: the held rendering was not its result.
      if (held) c = { ...c, outputs: [] };
      if (status === 'queued') return { ...c, status, runningSince: null, error: null };
      return { ...c, status, runningSince: null };
    });
    if (status === 'running' && this.meta.kernelNotice) this.setMeta({ ...this.meta, kernelNotice: null });
    // A status is not part of the graph's structure (who defines and reads what): it is kept, only redrawn.
    this.graphChanged(false);
  }

  private updateCell(id: string, update: (cell: CellState) => CellState): void {
    const cell = this.cells.get(id);
    if (!cell) return;
    const next = update(cell);
    if (next === cell) return;
    this.cells.set(id, next);
    this.cellListeners.notify(id);
  }

  private insertCell(cell: Cell, index: number, revision: number | undefined): void {
    this.bumpRevision(revision);
    if (this.unconfirmed.has(cell.id) && revision !== undefined) {
      // The host's answer for a cell shown early: its state and place win, except that a restored
      // cell keeps showing its last outputs (dimmed, queued) until its re-run replaces them.
      this.unconfirmed.delete(cell.id);
      this.awaitingEvent.delete(cell.id);
      this.updateCell(cell.id, (c) => {
        const restoring = c.status === 'queued' && cell.status === 'idle';
        const next: CellState = restoring ? { ...cell, status: 'queued', stdout: c.stdout, outputs: c.outputs, runningSince: null } : { ...cell, runningSince: c.runningSince };
        return sameCell(c, next) ? c : next;
      });
      this.moveCell(cell.id, index, undefined);
      return;
    }
    if (this.cells.has(cell.id)) {
      // The host answered the create before its event came: the cell keeps its state, but takes the
      // host's place (two people adding below one cell at once end in the host's order everywhere).
      if (revision !== undefined && this.awaitingEvent.delete(cell.id)) this.moveCell(cell.id, index, undefined);
      return;
    }
    this.cells.set(cell.id, { ...withStderr(cell), runningSince: cell.status === 'running' ? this.now() : null });
    const order = [...this.order];
    order.splice(clamp(index, 0, order.length), 0, cell.id);
    this.order = order;
    this.cellListeners.notify(cell.id);
    emit(this.orderListeners);
    this.graphChanged();
  }

  private removeCell(id: string, revision: number | undefined): void {
    this.bumpRevision(revision);
    if (!this.cells.delete(id)) return;
    this.order = this.order.filter((x) => x !== id);
    this.cellListeners.notify(id);
    emit(this.orderListeners);
    this.graphChanged();
  }

  private moveCell(id: string, index: number, revision: number | undefined): void {
    this.bumpRevision(revision);
    const from = this.order.indexOf(id);
    if (from < 0) return;
    const order = this.order.filter((x) => x !== id);
    order.splice(clamp(index, 0, order.length), 0, id);
    if (sameList(order, this.order)) return;
    this.order = order;
    emit(this.orderListeners);
    this.graphChanged();
  }

  private bumpRevision(revision: number | undefined): void {
    if (revision !== undefined && revision > this.meta.revision) this.setMeta({ ...this.meta, revision });
  }

  private setMeta(meta: NotebookMeta): void {
    if (shallowEqual(meta, this.meta)) return;
    this.meta = meta;
    emit(this.metaListeners);
  }

  private graphChanged(structure = true): void {
    if (structure) this.graphCache = null;
    this.graphVersion++;
    emit(this.graphListeners);
  }
}

function metaOf(notebook: Notebook, previous: NotebookMeta | null): NotebookMeta {
  return {
    id: notebook.id,
    name: notebook.name,
    lazy: notebook.lazy ?? false,
    settings: notebook.settings ?? {},
    revision: notebook.revision,
    kernelNotice: previous?.kernelNotice ?? null,
    app: notebook.app ?? null,
  };
}

/** A host older than stderr sends cells without it. */
function withStderr(cell: Cell): Cell {
  return typeof cell.stderr === 'string' ? cell : { ...cell, stderr: '' };
}

function sameCell(a: CellState, b: Cell): boolean {
  return (
    a.type === b.type && a.code === b.code && a.status === b.status && a.stdout === b.stdout && a.stderr === (b.stderr ?? '') && a.error === b.error &&
    sameList(a.reads, b.reads) && sameList(a.writes, b.writes) && JSON.stringify(a.outputs) === JSON.stringify(b.outputs)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function shallowEqual<T extends object>(a: T, b: T): boolean {
  return (Object.keys(a) as (keyof T)[]).every((k) => Object.is(a[k], b[k]));
}

function subscribe(set: Set<() => void>, listener: () => void): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

function emit(set: Set<() => void>): void {
  for (const listener of [...set]) listener();
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
