import type { ApiClient } from '../api/http';
import { CellCreations, emptyCell, newCellId, UndoDeletes } from './cell-creations';
import type { CellNavigator } from './cell-navigation';
import type { ConflictStore } from './conflicts';
import type { DraftSaver } from './draft-saver';
import type { NotebookModel } from './notebook-model';
import type { NoticeBoard } from './notices';

export interface StructureDeps {
  api: Pick<ApiClient, 'createCell' | 'deleteCell' | 'moveCell' | 'changeCellType'>;
  model: NotebookModel;
  saver: Pick<DraftSaver, 'discard'>;
  conflicts: Pick<ConflictStore, 'close'>;
  navigation: Pick<CellNavigator, 'focusCell' | 'focusCellFrame' | 'focusWhenMounted'>;
  notices: Pick<NoticeBoard, 'notify' | 'dismiss' | 'report'>;
  /** What the cell's editor shows (shared text, draft or host code): a delete keeps it for Undo, a type change sends it. */
  currentCode(cellId: string, hostCode: string): string;
  /** Resolves when the host is reachable again (a create that could not reach it is sent again then). */
  online(): Promise<void>;
  /** Runs a cell (an undone delete of a cell that had run runs again). */
  run(cellId: string): Promise<void>;
}

/**
 * The notebook's shape: adding, deleting (with Undo), moving cells and changing their language.
 * A new cell is shown at once with an id chosen here and created on the host behind it
 * ({@link CellCreations}); every other edit of a cell waits for that create (`whenCreated`).
 */
export class CellStructure {
  private readonly creations: CellCreations;
  private readonly undo = new UndoDeletes();

  constructor(private readonly deps: StructureDeps) {
    const { api, model, saver, notices } = deps;
    this.creations = new CellCreations({
      send: async (body) => {
        await api.createCell(model.getMeta().id, body);
      },
      online: () => deps.online(),
      confirmed: (cellId) => model.confirm(cellId),
      refused: (cellId, err) => {
        saver.discard(cellId);
        model.dropUnconfirmed(cellId);
        notices.report(err);
      },
    });
  }

  private get notebookId(): string {
    return this.deps.model.getMeta().id;
  }

  /**
   * Adds a cell and returns its id at once: the cell is shown (and focused once its editor mounts)
   * before the host answers, with an id chosen here, so typing right after Shift+Enter lands in
   * it. The host's answer confirms it; a refusal removes it and says why. `focus: 'cell'` leaves the focus to the caller
   * (command mode selects the new cell, not its editor).
   */
  addCell = (relativeTo: string | null, where: 'above' | 'below', type: string, code = '', focus: 'editor' | 'cell' = 'editor'): string => {
    const order = this.deps.model.getOrder();
    const at = relativeTo === null ? order.length - 1 : order.indexOf(relativeTo);
    const index = where === 'below' ? at + 1 : Math.max(at, 0);
    const id = newCellId();
    this.deps.model.insertUnconfirmed(emptyCell(id, type, code), index);
    if (focus === 'editor') this.deps.navigation.focusWhenMounted(id, 'start');
    void this.creations.create(id, { type, code }, () => this.cellBefore(id));
    return id;
  };

  /** Resolves true once the host holds the cell (at once for a cell it already had). */
  whenCreated = (cellId: string): Promise<boolean> => this.creations.whenCreated(cellId);

  deleteCell = async (cellId: string, undoable = true): Promise<void> => {
    const { model } = this.deps;
    const cell = model.getCell(cellId);
    if (!cell || !(await this.whenCreated(cellId))) return;
    const order = model.getOrder();
    const i = order.indexOf(cellId);
    const neighbour = order[i + 1] ?? order[i - 1];
    const code = this.deps.currentCode(cellId, cell.code);
    try {
      await this.deps.api.deleteCell(this.notebookId, cellId);
      this.deps.saver.discard(cellId);
      this.deps.conflicts.close(cellId);
      model.apply({ type: 'cell_deleted', cellId });
      if (!undoable) return;
      // The neighbour's cell, not its editor, gets the focus: Ctrl+Z then undoes the delete
      // instead of the neighbour's own typing.
      if (neighbour) this.deps.navigation.focusCellFrame(neighbour);
      const noticeId = this.deps.notices.notify('info', 'Cell deleted', { label: 'Undo', run: () => void this.restoreDeleted() });
      this.undo.push({ cell: { ...cell, code }, after: order[i - 1] ?? null, index: i, noticeId });
    } catch (err) {
      this.deps.notices.report(err);
    }
  };

  /** True when a deleted cell can be brought back (Ctrl+Z or `z` outside an editor). */
  canRestore = (): boolean => this.undo.size() > 0;

  /**
   * Undoes the last delete: the cell comes back with its id, type, code and place, shows its last
   * outputs, and re-runs when it had run (which re-runs, or in lazy mode marks stale, what it fed).
   */
  restoreDeleted = async (): Promise<void> => {
    const entry = this.undo.pop();
    if (!entry) return;
    this.deps.notices.dismiss(entry.noticeId);
    const { cell } = entry;
    const order = this.deps.model.getOrder();
    const index = entry.after === null ? 0 : order.includes(entry.after) ? order.indexOf(entry.after) + 1 : Math.min(entry.index, order.length);
    const rerun = cell.status !== 'idle';
    this.deps.model.insertUnconfirmed({ ...cell, status: rerun ? 'queued' : 'idle' }, index);
    this.deps.navigation.focusWhenMounted(cell.id, 'end');
    const created = await this.creations.create(cell.id, { type: cell.type, code: cell.code }, () => this.cellBefore(cell.id));
    if (created && rerun) await this.deps.run(cell.id);
  };

  moveCell = (cellId: string, delta: -1 | 1): Promise<void> => this.moveCellTo(cellId, this.deps.model.indexOf(cellId) + delta);

  /** Moves a cell to a position of the order (dragging it by its handle, or a key). */
  moveCellTo = async (cellId: string, index: number): Promise<void> => {
    const { model } = this.deps;
    if (index < 0 || index >= model.getOrder().length || index === model.indexOf(cellId) || !(await this.whenCreated(cellId))) return;
    // The index is a place in this page's order: sent before a new cell reached the host, it meant another place
    // there, and the new cell's create then put it back in front of the moved one (the move was lost).
    await this.creations.whenAllCreated();
    if (model.indexOf(cellId) === index) return;
    try {
      await this.deps.api.moveCell(this.notebookId, cellId, index);
      model.apply({ type: 'cell_moved', cellId, index });
      this.deps.navigation.focusCell(cellId);
    } catch (err) {
      this.deps.notices.report(err);
    }
  };

  /**
   * Changes the cell's language in place (`PUT cells/{id}` with `type`): the cell keeps its id,
   * position and code (an unsaved draft goes with it); the server re-analyses it and marks it stale.
   */
  changeType = async (cellId: string, type: string): Promise<void> => {
    const cell = this.deps.model.getCell(cellId);
    if (!cell || cell.type === type) return;
    const code = this.deps.currentCode(cellId, cell.code);
    // A cell shown before the host has it changes language once it exists there.
    if (!(await this.whenCreated(cellId))) return;
    try {
      const updated = await this.deps.api.changeCellType(this.notebookId, cellId, type, code);
      this.deps.model.apply({ type: 'cell_updated', cellId, code: updated.code, cell_type: updated.type, reads: updated.reads, writes: updated.writes });
    } catch (err) {
      this.deps.notices.report(err);
    }
  };

  /** The cell a new one follows now (null for the top): asked again after any create it waits for. */
  private cellBefore(cellId: string): string | null {
    const order = this.deps.model.getOrder();
    return order[order.indexOf(cellId) - 1] ?? null;
  }
}
