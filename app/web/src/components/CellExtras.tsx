import { memo, useEffect, useRef, useState, useSyncExternalStore, type PointerEvent as ReactPointerEvent } from 'react';
import { cellUiOf, readersOf, useCollapsed } from '../state/cell-ui';
import { useSignal } from '../state/hooks';
import type { CellState } from '../state/notebook-model';
import type { NotebookController } from '../state/notebook-controller';

/**
 * What the cell toolbar has beside its buttons: a drag handle, the collapse toggles, when the cell
 * last ran and how long it took, and the list of the cells that read its names. Kept apart from
 * CellView so that file stays about the cell itself.
 */
export function CellToolbarExtras({ cell, controller }: { cell: CellState; controller: NotebookController }) {
  const ui = cellUiOf(controller);
  const collapsed = useCollapsed(ui, cell.id);
  return (
    <>
      <DragHandle cellId={cell.id} controller={controller} />
      <RunTiming cell={cell} />
      <button type="button" className="icon-btn cell__collapse" aria-pressed={collapsed.code} onClick={() => ui.toggle(cell.id, 'code')} aria-label="Collapse code" title={collapsed.code ? 'Show the code' : 'Collapse the code'}>
        {collapsed.code ? '▸' : '▾'}<span className="cell__collapse-label">code</span>
      </button>
      <button type="button" className="icon-btn cell__collapse" aria-pressed={collapsed.output} onClick={() => ui.toggle(cell.id, 'output')} aria-label="Collapse output" title={collapsed.output ? 'Show the output' : 'Collapse the output'}>
        {collapsed.output ? '▸' : '▾'}<span className="cell__collapse-label">output</span>
      </button>
      {cell.writes.length > 0 && <ReadersButton cellId={cell.id} controller={controller} />}
    </>
  );
}

/** "ran 3 min ago · 1.2 s": when the cell's last run ended and how long it took (from the host). */
export function RunTiming({ cell }: { cell: CellState }) {
  if (!cell.last_run_at || cell.status === 'running') return null;
  return <RunTimingText lastRunAt={cell.last_run_at} durationMs={cell.duration_ms ?? null} />;
}

/**
 * Re-rendered only when the run's times change or the shared clock ticks: a status change of the cell (a cascade
 * makes hundreds) does not format dates again. One clock for every cell, not a timer per cell.
 */
const RunTimingText = memo(function RunTimingText({ lastRunAt, durationMs }: { lastRunAt: string; durationMs: number | null }) {
  const now = useSyncExternalStore(minuteClock.subscribe, minuteClock.now, minuteClock.now);
  const ended = new Date(lastRunAt);
  return (
    // The exact time as a tooltip, formatted when pointed at: formatting it at each render cost a cascade of a thousand
    // cells a second.
    <span className="cell__timing" data-testid="run-timing" onPointerEnter={(event) => {
      event.currentTarget.title = `Last run ended ${dateTimeFormat().format(ended)}${durationMs === null ? '' : ` and took ${numberFormat().format(durationMs)} ms`}`;
    }}>
      ran {agoText(Math.max(now, Date.now()) - ended.getTime())}{durationMs === null ? '' : ` · ${durationText(durationMs)}`}
    </span>
  );
});

/** Ticks every 30 s while anything shows a run time ("just now" becomes "1 min ago"). */
const minuteClock = (() => {
  const listeners = new Set<() => void>();
  let current = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    now: (): number => current,
    subscribe: (listener: () => void): (() => void) => {
      listeners.add(listener);
      timer ??= setInterval(() => {
        current = Date.now();
        for (const l of [...listeners]) l();
      }, 30_000);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
  };
})();

// `toLocaleString` builds a formatter per call (a millisecond each, a thousand cells): one each, as it formats.
let dates: Intl.DateTimeFormat | undefined;
let numbers: Intl.NumberFormat | undefined;
const dateTimeFormat = (): Intl.DateTimeFormat =>
  (dates ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }));
const numberFormat = (): Intl.NumberFormat => (numbers ??= new Intl.NumberFormat());

export function agoText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * Reordering by mouse (or pen, or touch): press the handle, move, release. Pointer events rather
 * than HTML drag and drop, so the line showing where the cell goes follows the pointer exactly and
 * no ghost image covers it. Arrow keys on the handle move the cell too, as Ctrl+Shift+↑/↓ does.
 */
function DragHandle({ cellId, controller }: { cellId: string; controller: NotebookController }) {
  const marked = useRef<HTMLElement | null>(null);
  const target = useRef<number | null>(null);

  const mark = (element: HTMLElement | null, side: 'before' | 'after' | null): void => {
    marked.current?.classList.remove('cell--drop-before', 'cell--drop-after');
    marked.current = element;
    if (element && side) element.classList.add(`cell--drop-${side}`);
  };
  const onPointerDown = (event: ReactPointerEvent<HTMLButtonElement>): void => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.closest('[data-cell-id]')?.classList.add('cell--dragging');
    target.current = null;
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLButtonElement>): void => {
    if (!event.currentTarget.hasPointerCapture(event.pointerId)) return;
    const others = [...document.querySelectorAll<HTMLElement>('.cells > [data-cell-id]')].filter((el) => el.dataset.cellId !== cellId);
    // The new index: before the first cell in layout whose middle is below the pointer, else after the last one in
    // layout (a long notebook keeps far cells out of layout: they have no box to compare with).
    const shown = others.filter((el) => el.getClientRects().length > 0);
    const below = shown.find((el) => {
      const box = el.getBoundingClientRect();
      return box.top + box.height / 2 >= event.clientY;
    });
    const last = shown[shown.length - 1];
    target.current = below ? others.indexOf(below) : last ? others.indexOf(last) + 1 : others.length;
    if (below) mark(below, 'before');
    else mark(last ?? null, 'after');
  };
  const onPointerUp = (event: ReactPointerEvent<HTMLButtonElement>): void => {
    if (!event.currentTarget.hasPointerCapture(event.pointerId)) return;
    event.currentTarget.releasePointerCapture(event.pointerId);
    event.currentTarget.closest('[data-cell-id]')?.classList.remove('cell--dragging');
    mark(null, null);
    const index = target.current;
    target.current = null;
    if (index !== null && index !== controller.model.indexOf(cellId)) void controller.moveCellTo(cellId, index);
  };
  return (
    <button
      type="button"
      className="icon-btn cell__drag"
      aria-label="Drag to move the cell"
      title="Drag to move the cell (or ↑/↓ here)"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
        e.preventDefault();
        void controller.moveCell(cellId, e.key === 'ArrowUp' ? -1 : 1);
      }}
    >
      ⠿
    </button>
  );
}

/** "Read by": the cells that read a name this cell defines, each a button that goes there. */
function ReadersButton({ cellId, controller }: { cellId: string; controller: NotebookController }) {
  const ui = cellUiOf(controller);
  const open = useSignal(ui.readersOf) === cellId;
  return (
    <span className="readers">
      <button type="button" className="btn btn--ghost btn--small" aria-expanded={open} aria-haspopup="true" onClick={() => ui.readersOf.set(open ? null : cellId)} title="The cells that read this cell's names (Shift+F12)">
        read by…
      </button>
      {open && <ReadersList cellId={cellId} controller={controller} />}
    </span>
  );
}

function ReadersList({ cellId, controller }: { cellId: string; controller: NotebookController }) {
  const ui = cellUiOf(controller);
  const readers = readersOf(controller.model, cellId);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    list.current?.querySelector<HTMLElement>('button')?.focus();
    const close = (event: MouseEvent): void => {
      if (!list.current?.parentElement?.contains(event.target as Node)) ui.readersOf.set(null);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [ui]);
  return (
    <div
      ref={list}
      className="readers__list"
      role="menu"
      aria-label="Cells that read this cell's names"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          ui.readersOf.set(null);
          controller.focusCell(cellId);
        }
      }}
    >
      {readers.length === 0 && <p className="readers__none" role="none">No cell reads its names.</p>}
      {readers.map((r) => (
        <button
          key={r.cellId}
          type="button"
          role="menuitem"
          className="readers__item"
          onClick={() => {
            ui.readersOf.set(null);
            controller.revealCell(r.cellId);
          }}
        >
          cell {r.index + 1} <span className="readers__names">reads {r.names.join(', ')}</span>
        </button>
      ))}
    </div>
  );
}
