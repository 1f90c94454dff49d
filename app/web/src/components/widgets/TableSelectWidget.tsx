import type { JsonValue, WidgetData } from '../../api/types';
import { useWidget, WidgetFrame } from './widget-channel';

function cellText(value: JsonValue): string {
  return value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A table whose rows are chosen with a checkbox (a radio for `selection: "single"`) each; the value is the chosen row indices. */
export function TableSelectWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const columns = Array.isArray(model.props.columns) ? model.props.columns.map(String) : [];
  const rows = Array.isArray(model.props.rows) ? (model.props.rows as JsonValue[][]) : [];
  const single = model.props.selection === 'single';
  const chosen = new Set(Array.isArray(state.value) ? (state.value as number[]) : []);
  const name = typeof model.props.label === 'string' && model.props.label !== '' ? model.props.label : 'Rows to select';
  const toggle = (index: number, on: boolean): void => {
    if (single) return state.set(on ? [index] : []);
    const next = new Set(chosen);
    if (on) next.add(index);
    else next.delete(index);
    state.set([...next].sort((a, b) => a - b));
  };
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <div className="widget__table-wrap">
        <table className="widget__table" aria-label={name}>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Selected</span>
              </th>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index} aria-selected={chosen.has(index)} className={chosen.has(index) ? 'widget__row--selected' : undefined}>
                <td>
                  <input
                    type={single ? 'radio' : 'checkbox'}
                    name={single ? state.inputId : undefined}
                    aria-label={`Select row ${index + 1}`}
                    checked={chosen.has(index)}
                    disabled={state.disabled}
                    onChange={(event) => toggle(index, event.currentTarget.checked)}
                  />
                </td>
                {row.map((value, column) => (
                  <td key={column}>{cellText(value)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </WidgetFrame>
  );
}
