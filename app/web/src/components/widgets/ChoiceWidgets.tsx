import type { WidgetData } from '../../api/types';
import { fallbackName, useWidget, WidgetFrame } from './widget-channel';

function options(model: WidgetData): string[] {
  const list = model.props.options;
  return Array.isArray(list) ? list.filter((o): o is string => typeof o === 'string') : [];
}

function groupName(model: WidgetData): string {
  return typeof model.props.label === 'string' && model.props.label !== '' ? model.props.label : model.kind;
}

export function DropdownWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  return (
    <WidgetFrame model={model} state={state}>
      <select
        id={state.inputId}
        className="widget__input"
        value={typeof state.value === 'string' ? state.value : ''}
        disabled={state.disabled}
        aria-label={fallbackName(model)}
        onChange={(event) => state.set(event.currentTarget.value === '' ? null : event.currentTarget.value)}
      >
        <option value="">—</option>
        {options(model).map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </WidgetFrame>
  );
}

/** Radio buttons in a fieldset: arrows move between them, as the browser does for a group. */
export function RadioWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <fieldset className="widget__fieldset" disabled={state.disabled}>
        <legend className="widget__label">{groupName(model)}</legend>
        {options(model).map((option) => (
          <label key={option} className="widget__choice">
            <input type="radio" name={state.inputId} value={option} checked={state.value === option} onChange={() => state.set(option)} />
            {option}
          </label>
        ))}
      </fieldset>
    </WidgetFrame>
  );
}

/** Checkboxes, one per option; the value keeps the options' order. */
export function MultiselectWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const chosen = new Set(Array.isArray(state.value) ? state.value : []);
  const all = options(model);
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <fieldset className="widget__fieldset" disabled={state.disabled}>
        <legend className="widget__label">{groupName(model)}</legend>
        {all.map((option) => (
          <label key={option} className="widget__choice">
            <input
              type="checkbox"
              checked={chosen.has(option)}
              onChange={(event) => {
                const next = new Set(chosen);
                if (event.currentTarget.checked) next.add(option);
                else next.delete(option);
                state.set(all.filter((o) => next.has(o)));
              }}
            />
            {option}
          </label>
        ))}
      </fieldset>
    </WidgetFrame>
  );
}

export function CheckboxWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <label className="widget__choice">
        <input type="checkbox" id={state.inputId} checked={state.value === true} disabled={state.disabled} onChange={(event) => state.set(event.currentTarget.checked)} />
        {groupName(model)}
      </label>
    </WidgetFrame>
  );
}

/** A checkbox with the switch role: Space toggles it, a screen reader says "switch, on". */
export function SwitchWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const on = state.value === true;
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <label className="widget__choice widget__switch">
        <input type="checkbox" role="switch" id={state.inputId} checked={on} aria-checked={on} disabled={state.disabled} onChange={(event) => state.set(event.currentTarget.checked)} />
        {groupName(model)}
      </label>
    </WidgetFrame>
  );
}
