import { memo, useEffect, useRef, useState } from 'react';
import { loadBrowserModules } from '../plugins/browser-modules';
import { useLanguages } from '../plugins/languages';
import { useOrder } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { CellView } from './CellView';
import { PluginProblems } from './PluginProblems';

/** Cells in the first render of a notebook: more than a screen holds, so the first screen is whole at once. */
const FIRST_CELLS = 40;
/** Cells added per later render while a long notebook opens. */
const CELLS_PER_STEP = 80;

/**
 * How many of the notebook's cells to render: a long notebook opens with its first screen, then the rest follows in
 * steps, each its own task (keys and clicks go through between them), instead of one render of a thousand cells
 * before anything shows. Not transitions: socket events re-render cells at every frame, and each would restart an
 * interrupted transition (measured: a thousand cells took 35 s to all appear on a loaded machine).
 */
function useCellsShown(total: number): number {
  const [shown, setShown] = useState(FIRST_CELLS);
  // Once every cell is shown, every cell stays shown: a cell added later (Shift+Enter at the end) renders at once.
  const complete = useRef(false);
  if (total > 0 && shown >= total) complete.current = true;
  useEffect(() => {
    if (complete.current || shown >= total) return undefined;
    const timer = setTimeout(() => setShown((n) => n + CELLS_PER_STEP), 0);
    return () => clearTimeout(timer);
  }, [shown, total]);
  return complete.current ? total : Math.min(shown, total);
}

/** Subscribes to the order only: typing or running never re-renders the list. */
export const CellList = memo(function CellList({ controller }: { controller: NotebookController }) {
  const order = useOrder(controller.model);
  const shown = useCellsShown(order.length);
  const last = order[order.length - 1] ?? null;
  const languages = useLanguages();
  // Plugins' editor modes and renderers load with the notebook page (they need its CodeMirror).
  useEffect(() => void loadBrowserModules(languages), [languages]);
  return (
    <div className="cells">
      <PluginProblems />
      {(shown === order.length ? order : order.slice(0, shown)).map((id) => <CellView key={id} cellId={id} controller={controller} />)}
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
