import { memo, useEffect } from 'react';
import { loadBrowserModules } from '../plugins/browser-modules';
import { useLanguages } from '../plugins/languages';
import { useOrder } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { CellView } from './CellView';
import { PluginProblems } from './PluginProblems';

/** Subscribes to the order only: typing or running never re-renders the list. */
export const CellList = memo(function CellList({ controller }: { controller: NotebookController }) {
  const order = useOrder(controller.model);
  const last = order[order.length - 1] ?? null;
  const languages = useLanguages();
  // Plugins' editor modes and renderers load with the notebook page (they need its CodeMirror).
  useEffect(() => void loadBrowserModules(languages), [languages]);
  return (
    <div className="cells">
      <PluginProblems />
      {order.map((id) => <CellView key={id} cellId={id} controller={controller} />)}
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
