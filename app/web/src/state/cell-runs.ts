import { ApiError, type ApiClient } from '../api/http';
import type { CoeditSession } from './coedit';
import type { DraftSaver } from './draft-saver';
import type { NotebookModel } from './notebook-model';
import type { NoticeBoard } from './notices';

export interface RunDeps {
  api: Pick<ApiClient, 'runAll'>;
  model: Pick<NotebookModel, 'getMeta' | 'cellList' | 'has'>;
  saver: Pick<DraftSaver, 'state' | 'flush' | 'flushAll'>;
  /** The shared text (co-editing), or null: then a run waits for the autosave instead. */
  coedit: Pick<CoeditSession, 'textReady' | 'acknowledged'> | null;
  isOnline(): boolean;
  /** Resolves true once the host holds the cell (a new cell is created behind the page). */
  whenCreated(cellId: string): Promise<boolean>;
  /** Asks the host to run a cell over the socket (nothing while there is no socket yet). */
  sendRun(cellId: string): void;
  notices: Pick<NoticeBoard, 'notify' | 'report'>;
}

/**
 * Runs asked for on this page. A run goes once the host has the code on screen (the shared text acknowledged,
 * or the draft saved), so it never runs older code; a run asked for while the host is unreachable is held and
 * sent after the drafts once the page is back ({@link sendHeld}).
 */
export class CellRuns {
  /** Runs asked for while the host was unreachable: sent after the drafts, once back online. */
  private readonly heldRuns = new Set<string>();
  /** Run all asked for while the host was unreachable: sent after the drafts, once back online. */
  private heldRunAll = false;

  constructor(private readonly deps: RunDeps) {}

  private get notebookId(): string {
    return this.deps.model.getMeta().id;
  }

  run = async (cellId: string): Promise<void> => {
    const { saver, coedit } = this.deps;
    if (saver.state(cellId) === 'conflict') {
      this.deps.notices.notify('error', 'This cell has an edit conflict: keep your version or take theirs, then run it.');
      return;
    }
    if (!this.deps.isOnline()) {
      this.heldRuns.add(cellId);
      return;
    }
    try {
      // Co-edited text: the run goes once the host stored it (it hands it to the notebook before running).
      if (coedit) {
        // A new cell: its text first (what was typed before it arrived is merged into it just after), then stored.
        await coedit.textReady(cellId);
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        await coedit.acknowledged();
      } else await saver.flush(cellId);
    } catch (err) {
      // Offline: the run waits until the draft has reached the host; refused code is not run.
      if (err instanceof ApiError && err.isNetwork) this.heldRuns.add(cellId);
      return;
    }
    if (await this.deps.whenCreated(cellId)) this.deps.sendRun(cellId);
  };

  /** Lazy mode: brings every stale cell up to date, in notebook order. */
  runStale = (): void => {
    for (const cell of this.deps.model.cellList()) if (cell.status === 'stale') void this.run(cell.id);
  };

  /** Runs every cell once, after every unsaved draft reached the host (so it runs what is on screen). */
  runAll = async (): Promise<void> => {
    if (!this.deps.isOnline()) {
      this.heldRunAll = true;
      return;
    }
    try {
      await this.deps.saver.flushAll();
      await this.deps.coedit?.acknowledged();
      await this.deps.api.runAll(this.notebookId);
    } catch (err) {
      if (err instanceof ApiError && err.isNetwork) this.heldRunAll = true;
      else this.deps.notices.report(err);
    }
  };

  /**
   * Back online, the snapshot loaded and the drafts sent: the runs held meanwhile go out (those of cells
   * still there). Rejects when the held run-all fails; the caller reports it.
   */
  async sendHeld(): Promise<void> {
    const runs = [...this.heldRuns].filter((id) => this.deps.model.has(id));
    this.heldRuns.clear();
    for (const id of runs) this.deps.sendRun(id);
    if (this.heldRunAll) {
      this.heldRunAll = false;
      await this.deps.api.runAll(this.notebookId);
    }
  }
}
