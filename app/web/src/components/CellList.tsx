import { memo, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { loadBrowserModules } from '../plugins/browser-modules';
import { useLanguages } from '../plugins/languages';
import { useOrder } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { CellView } from './CellView';
import { CellWindow, WINDOW_FROM } from './cell-window';
import { CellWindowContext } from './cell-window-context';
import { estimatedCellHeight } from './cell-height';
import { PluginProblems } from './PluginProblems';

/** Cells in the first render of a notebook: more than a screen holds, so the first screen is whole at once. */
const FIRST_CELLS = 40;

/**
 * How many of the notebook's cells to render: a long notebook opens with its first screen, then the rest follows in
 * one later task, instead of one render of a thousand cells before anything shows. One task, not steps: with
 * off-screen cells out of layout (content-visibility), the rest of 1,000 cells took 3.8–7.0 s to be all there in one
 * step and 6.5–16 s in steps of 80 or 320 (paired runs of `bench/page-profile.js 1000 time-open` at load average
 * 18–24; every step paid the frame and observers in between). A key pressed meanwhile waits for that task.
 */
function useCellsShown(total: number): number {
  const [shown, setShown] = useState(FIRST_CELLS);
  // Once every cell is shown, every cell stays shown: a cell added later (Shift+Enter at the end) renders at once.
  const complete = useRef(false);
  if (total > 0 && shown >= total) complete.current = true;
  useEffect(() => {
    if (complete.current || shown >= total) return undefined;
    const timer = setTimeout(() => setShown(Number.POSITIVE_INFINITY), 0);
    return () => clearTimeout(timer);
  }, [shown, total]);
  return complete.current ? total : Math.min(shown, total);
}

/** A window over the list while the notebook is long; the cells re-render once to register with it. */
function useCellWindow(controller: NotebookController, list: RefObject<HTMLDivElement | null>, windowed: boolean): CellWindow | null {
  const [cellWindow, setCellWindow] = useState<CellWindow | null>(null);
  useLayoutEffect(() => {
    if (!windowed || !list.current) return undefined;
    const made = new CellWindow(list.current, {
      order: () => controller.model.getOrder(),
      estimate: (id) => {
        const cell = controller.model.getCell(id);
        return cell ? estimatedCellHeight(cell) : 0;
      },
    });
    setCellWindow(made);
    controller.setCellRevealer((id) => made.reveal(id));
    return () => {
      controller.setCellRevealer(null);
      made.dispose();
      setCellWindow(null);
    };
  }, [controller, list, windowed]);
  return windowed ? cellWindow : null;
}

/** Subscribes to the order only: typing or running never re-renders the list. */
export const CellList = memo(function CellList({ controller }: { controller: NotebookController }) {
  const order = useOrder(controller.model);
  const shown = useCellsShown(order.length);
  const list = useRef<HTMLDivElement>(null);
  const cellWindow = useCellWindow(controller, list, order.length >= WINDOW_FROM);
  // A move changes which runs of cells out of layout lie between the cells in it: placed again before the paint.
  useLayoutEffect(() => cellWindow?.update(false), [cellWindow, order]);
  const last = order[order.length - 1] ?? null;
  const languages = useLanguages();
  // Plugins' editor modes and renderers load with the notebook page (they need its CodeMirror).
  useEffect(() => void loadBrowserModules(languages), [languages]);
  return (
    <div className="cells" ref={list}>
      <PluginProblems />
      <CellWindowContext.Provider value={cellWindow}>
        {(shown === order.length ? order : order.slice(0, shown)).map((id) => <CellView key={id} cellId={id} controller={controller} />)}
      </CellWindowContext.Provider>
      {!controller.readOnly && (
        <div className="cells__add" role="group" aria-label="Add a cell at the end">
          {languages.map((l) => (
            <button key={l.id} type="button" className="btn" onClick={() => void controller.addCell(last, 'below', l.id)}>+ {l.display_name} cell</button>
          ))}
        </div>
      )}
    </div>
  );
});
