import type { Cell, CellStatus, NotebookView } from '@rnb/core';
import type { CommandRouter, NotebookCommand } from '../commands/command-router';
import type { HostEvent, NotebookEventBus } from '../events/event-bus';

export interface RunOutcome {
  /** False when the time limit came first: the cells may still be running. */
  settled: boolean;
  cell: Cell;
  /**
   * The other cells of the cascade, in notebook order: those this run touched
   * (ran, queued, blocked, made stale) and every descendant of the cell.
   */
  cascade: IndexedCell[];
}

export interface IndexedCell {
  cell: Cell;
  /** 0-based position in the notebook. */
  index: number;
}

export interface RunAllOutcome {
  settled: boolean;
  cells: IndexedCell[];
}

const ACTIVE: ReadonlySet<CellStatus> = new Set(['queued', 'running']);
/** A cell with an analysis error (or a blocked one) is asked to run without a status change: no event comes. */
const QUIET_GRACE_MS = 400;

/**
 * Runs a cell as a user would and waits for THIS run's result: listening
 * starts before the request, and a cell counts as done only once it went
 * through queued/running and out again, so an earlier run's status never
 * passes for this one. The events are the host's bus, so this holds in
 * cluster mode too, where the run happens on another instance.
 */
export async function runAndWait(
  deps: { commands: CommandRouter; events: NotebookEventBus },
  owner: string,
  notebookId: string,
  cellId: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<RunOutcome> {
  const { settled, view, touched } = await waitForRun(deps, owner, notebookId, { type: 'run_cell', cellId }, cellId, options);
  const cell = view.cells.find((c) => c.id === cellId);
  if (!cell) throw new Error(`Cell ${cellId} was deleted while it ran.`);
  const downstream = descendantsOf(view.cells, cellId);
  const cascade = view.cells
    .map((c, index) => ({ cell: c, index }))
    .filter(({ cell: c }) => c.id !== cellId && (touched.has(c.id) || downstream.has(c.id)));
  return { settled, cell, cascade };
}

/** Runs every cell (run all) and waits for that run to finish, like {@link runAndWait}. */
export async function runAllAndWait(
  deps: { commands: CommandRouter; events: NotebookEventBus },
  owner: string,
  notebookId: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<RunAllOutcome> {
  const { settled, view } = await waitForRun(deps, owner, notebookId, { type: 'run_all' }, null, options);
  return { settled, cells: view.cells.map((cell, index) => ({ cell, index })) };
}

/**
 * Sends a run command and waits until it is over: `target` went through
 * queued/running and out again (any cell, when null) and no cell is active;
 * or nothing started within a short grace and nothing is busy (every cell
 * concerned was blocked).
 */
async function waitForRun(
  deps: { commands: CommandRouter; events: NotebookEventBus },
  owner: string,
  notebookId: string,
  command: NotebookCommand,
  target: string | null,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<{ settled: boolean; view: NotebookView; touched: Set<string> }> {
  const active = new Set<string>();
  const touched = new Set<string>();
  let targetStarted = false;
  let targetDone = false;
  let deleted = false;
  let wake: () => void = () => undefined;

  const unsubscribe = deps.events.subscribe((id: string, event: HostEvent) => {
    if (id !== notebookId) return;
    if (event.type === 'notebook_deleted') deleted = true;
    else if (event.type === 'cell_status') {
      touched.add(event.cellId);
      const isTarget = target === null || event.cellId === target;
      if (ACTIVE.has(event.status)) {
        active.add(event.cellId);
        if (isTarget) {
          targetStarted = true;
          targetDone = false;
        }
      } else {
        active.delete(event.cellId);
        if (isTarget && targetStarted) targetDone = true;
      }
    } else if (event.type === 'cell_deleted') active.delete(event.cellId);
    else return;
    wake();
  });
  try {
    await deps.commands.dispatch(owner, notebookId, command);
    const started = Date.now();
    const deadline = started + options.timeoutMs;
    let settled = false;
    for (;;) {
      if (options.signal.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
      if (deleted) throw new Error('The notebook was deleted while the cell ran.');
      if (targetDone && active.size === 0) {
        settled = true;
        break;
      }
      if (!targetStarted && Date.now() - started >= QUIET_GRACE_MS) {
        const view = await deps.commands.dispatch(owner, notebookId, { type: 'get_notebook' });
        const busy = view.cells.some((c) => ACTIVE.has(c.status));
        if (target !== null) {
          const cell = view.cells.find((c) => c.id === target);
          if (!cell) throw new Error(`Cell ${target} was deleted while it ran.`);
          if (!targetStarted && !busy && (cell.status === 'blocked' || cell.status === 'error')) {
            settled = true;
            break;
          }
        } else if (!targetStarted && !busy) {
          settled = true;
          break;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', done);
          wake = () => undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(remaining, targetStarted ? 1000 : QUIET_GRACE_MS));
        options.signal.addEventListener('abort', done, { once: true });
        wake = done;
      });
    }
    const view = await deps.commands.dispatch(owner, notebookId, { type: 'get_notebook' });
    return { settled, view, touched };
  } finally {
    unsubscribe();
  }
}

/** The cells that read, directly or not, what `cellId` defines (from the reads and writes the view carries). */
function descendantsOf(cells: Cell[], cellId: string): Set<string> {
  const readers = new Map<string, string[]>();
  for (const cell of cells) {
    for (const name of cell.reads) {
      const list = readers.get(name);
      if (list) list.push(cell.id);
      else readers.set(name, [cell.id]);
    }
  }
  const byId = new Map(cells.map((cell) => [cell.id, cell]));
  const found = new Set<string>();
  const stack = [cellId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const name of byId.get(id)?.writes ?? []) {
      for (const reader of readers.get(name) ?? []) {
        if (reader === cellId || found.has(reader)) continue;
        found.add(reader);
        stack.push(reader);
      }
    }
  }
  return found;
}
