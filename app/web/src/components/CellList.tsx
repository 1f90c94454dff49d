import { memo } from 'react';
import { useOrder } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { CellView } from './CellView';

/** Subscribes to the order only: typing or running never re-renders the list. */
export const CellList = memo(function CellList({ controller }: { controller: NotebookController }) {
  const order = useOrder(controller.model);
  const last = order[order.length - 1] ?? null;
  return (
    <div className="cells">
      {order.map((id) => <CellView key={id} cellId={id} controller={controller} />)}
      <div className="cells__add" role="group" aria-label="Add a cell at the end">
        <button type="button" className="btn" onClick={() => void controller.addCell(last, 'below', 'python')}>+ Python cell</button>
        <button type="button" className="btn" onClick={() => void controller.addCell(last, 'below', 'sql')}>+ SQL cell</button>
      </div>
    </div>
  );
});
