import { ApiError } from '../api/http';
import type { Cell, ErrorCode } from '../api/types';

export interface CreationDeps {
  /** Sends the create with the id chosen here. */
  send(body: { type: string; code: string; cell_id: string; after_cell_id?: string; index?: number }): Promise<void>;
  /** Resolves when the host is reachable again. */
  online(): Promise<void>;
  confirmed(cellId: string): void;
  refused(cellId: string, error: unknown): void;
}

const CELL_EXISTS: ErrorCode = 'RNB_ERR_CELL_EXISTS';

/**
 * Creates on the host the cells the page already shows. Creates go out in order (a cell placed
 * after one still on its way waits for it); a create that cannot reach the host is sent again
 * once the connection is back, and the client-chosen id makes a repeat harmless.
 */
export class CellCreations {
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: CreationDeps) {}

  /**
   * `after()`: the cell the new one follows now (null for the top), asked again once any create it
   * waits for has settled, so a refused neighbour is skipped. Resolves false when the host refused it.
   */
  create(cellId: string, content: { type: string; code: string }, after: () => string | null): Promise<boolean> {
    const attempt = (async (): Promise<boolean> => {
      let previous: string | null;
      for (;;) {
        previous = after();
        const waiting = previous === null ? undefined : this.pending.get(previous);
        if (!waiting) break;
        await waiting;
      }
      for (;;) {
        try {
          await this.deps.send({ ...content, cell_id: cellId, ...(previous === null ? { index: 0 } : { after_cell_id: previous }) });
          break;
        } catch (err) {
          // Already there: an earlier attempt reached the host but its answer got lost.
          if (err instanceof ApiError && err.code === CELL_EXISTS) break;
          if (err instanceof ApiError && err.isNetwork) {
            await this.deps.online();
            continue;
          }
          this.deps.refused(cellId, err);
          return false;
        }
      }
      this.deps.confirmed(cellId);
      return true;
    })();
    this.pending.set(cellId, attempt);
    void attempt.finally(() => {
      if (this.pending.get(cellId) === attempt) this.pending.delete(cellId);
    });
    return attempt;
  }

  whenCreated(cellId: string): Promise<boolean> {
    return this.pending.get(cellId) ?? Promise.resolve(true);
  }

  /** Resolves once no create is on its way: the host's order then holds every cell this page shows. */
  async whenAllCreated(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.values()]);
  }
}

/** A UUID (v4); `crypto.randomUUID` exists only in secure contexts, `getRandomValues` everywhere. */
export function newCellId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function emptyCell(id: string, type: string, code: string): Cell {
  return { id, type, code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] };
}

/** A deleted cell, as Undo brings it back: its state, the cell it followed, its index as a fallback. */
export interface DeletedCell {
  cell: Cell;
  after: string | null;
  index: number;
  /** The "Cell deleted / Undo" notice, dismissed when the cell comes back another way. */
  noticeId: number;
}

/** The last deletes, newest last (bounded: undo is for slips, not history). */
export class UndoDeletes {
  private readonly entries: DeletedCell[] = [];

  constructor(private readonly limit = 20) {}

  push(entry: DeletedCell): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.shift();
  }

  pop(): DeletedCell | undefined {
    return this.entries.pop();
  }

  size(): number {
    return this.entries.length;
  }
}
