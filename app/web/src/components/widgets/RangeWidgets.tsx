import { useEffect, useState } from 'react';
import type { WidgetData } from '../../api/types';
import { fallbackName, useWidget, WidgetFrame } from './widget-channel';

export function numberProp(model: WidgetData, name: string): number | undefined {
  const value = model.props[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A native range input: mouse, touch and keyboard (arrows, Page Up/Down, Home/End) for free, and a screen reader's slider role. */
export function SliderWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const value = typeof state.value === 'number' ? state.value : (numberProp(model, 'start') ?? 0);
  return (
    <WidgetFrame model={model} state={state}>
      <div className="widget__row">
        <input
          id={state.inputId}
          type="range"
          className="widget__slider"
          min={numberProp(model, 'start')}
          max={numberProp(model, 'stop')}
          step={numberProp(model, 'step') ?? 'any'}
          value={value}
          disabled={state.disabled}
          aria-label={fallbackName(model)}
          onChange={(event) => state.set(Number(event.currentTarget.value))}
        />
        <output className="widget__readout" htmlFor={state.inputId} aria-live="off">
          {value}
        </output>
      </div>
    </WidgetFrame>
  );
}

/** Two range inputs (low, high), each keeping the other's side. */
export function RangeSliderWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const start = numberProp(model, 'start') ?? 0;
  const stop = numberProp(model, 'stop') ?? 100;
  const pair = Array.isArray(state.value) && state.value.length === 2 ? (state.value as number[]) : [start, stop];
  const [low, high] = [Number(pair[0]), Number(pair[1])];
  const name = typeof model.props.label === 'string' && model.props.label !== '' ? model.props.label : 'range';
  const common = { type: 'range', className: 'widget__slider', min: start, max: stop, step: numberProp(model, 'step') ?? 'any', disabled: state.disabled } as const;
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <fieldset className="widget__fieldset">
        <legend className="widget__label">{name}</legend>
        <div className="widget__row">
          <input {...common} id={state.inputId} aria-label={`${name}: low`} value={low} onChange={(event) => state.set([Math.min(Number(event.currentTarget.value), high), high])} />
          <input {...common} aria-label={`${name}: high`} value={high} onChange={(event) => state.set([low, Math.max(Number(event.currentTarget.value), low)])} />
          <output className="widget__readout">
            {low} – {high}
          </output>
        </div>
      </fieldset>
    </WidgetFrame>
  );
}

/** A number field: sent when it holds a number, so a half-typed "-" is neither sent nor overwritten. */
export function NumberWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const shown = typeof state.value === 'number' ? String(state.value) : '';
  const [text, setText] = useState(shown);
  useEffect(() => {
    // Another client (or the runtime's snapping) changed the number: show it, unless the text already means it.
    setText((current) => (Number(current) === Number(shown) && current.trim() !== '' ? current : shown));
  }, [shown]);
  return (
    <WidgetFrame model={model} state={state}>
      <input
        id={state.inputId}
        type="number"
        className="widget__input widget__input--number"
        min={numberProp(model, 'start')}
        max={numberProp(model, 'stop')}
        step={numberProp(model, 'step') ?? 'any'}
        value={text}
        disabled={state.disabled}
        aria-label={fallbackName(model)}
        onChange={(event) => {
          const typed = event.currentTarget.value;
          setText(typed);
          if (typed.trim() !== '' && Number.isFinite(Number(typed))) state.set(Number(typed));
        }}
      />
    </WidgetFrame>
  );
}
