import { useState } from 'react';
import { useOrder, useSignal } from '../state/hooks';
import type { NotebookController } from '../state/notebook-controller';
import { sizeLabel, visibleVariables } from '../state/variables';

/**
 * Every name in the notebook's kernel, as the host pushes it after each run (the `variables`
 * event; nothing is polled): name, type, a short value or shape, size, the defining cell and the
 * cells reading it. Clicking a name (or a cell number) jumps to that cell. Private `_names` show
 * only when asked for.
 */
export function VariableExplorer({ controller }: { controller: NotebookController }) {
  const { list, truncated } = useSignal(controller.variables);
  const order = useOrder(controller.model);
  const [query, setQuery] = useState('');
  const [showPrivate, setShowPrivate] = useState(false);
  const position = new Map(order.map((id, i) => [id, i + 1]));
  const rows = visibleVariables(list, { query, showPrivate, hasCell: (id) => position.has(id) });
  const jump = (cellId: string): void => controller.revealCell(cellId);
  const cellButton = (cellId: string) => (
    <button key={cellId} type="button" className="vars__cell" onClick={() => jump(cellId)} title={`Go to cell ${position.get(cellId)}`}>
      {position.get(cellId)}
    </button>
  );
  return (
    <section className="vars" aria-label="Variables">
      <div className="vars__tools">
        <input type="search" className="vars__filter" aria-label="Filter variables" placeholder="Filter by name" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="vars__private">
          <input type="checkbox" checked={showPrivate} onChange={(e) => setShowPrivate(e.target.checked)} /> Private
        </label>
      </div>
      {rows.length === 0 ? (
        <p className="vars__empty">{list.length === 0 ? 'No variables yet: run a cell.' : 'No variable matches.'}</p>
      ) : (
        <table className="vars__table">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Size</th><th scope="col">Cells</th></tr>
          </thead>
          <tbody>
            {rows.map((v) => (
              <tr key={`${v.language}:${v.name}`} data-variable={v.name}>
                <th scope="row">
                  {v.defined_by ? (
                    <button type="button" className="vars__name" onClick={() => jump(v.defined_by!)} title={`Go to the cell that defines ${v.name}`}>{v.name}</button>
                  ) : <span className="vars__name vars__name--plain">{v.name}</span>}
                  <span className="vars__type">{v.type}</span>
                </th>
                <td className="vars__summary" title={v.summary}>{v.summary}</td>
                <td className="vars__size">{sizeLabel(v.size)}</td>
                <td className="vars__cells">
                  {v.defined_by && <span className="vars__defined" aria-label="defined in">{cellButton(v.defined_by)}</span>}
                  {v.read_by.length > 0 && <span className="vars__readers" aria-label="read by"> → {v.read_by.filter((id) => position.has(id)).map(cellButton)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {truncated && <p className="vars__note" role="note">The kernel listed only its first names (a bound on names and time).</p>}
    </section>
  );
}
