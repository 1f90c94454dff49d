import type { WidgetData } from '../../api/types';
import { fallbackName, useWidget, WidgetFrame } from './widget-channel';

function textProp(model: WidgetData, name: string): string | undefined {
  const value = model.props[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function maxLength(model: WidgetData): number | undefined {
  const value = model.props.max_length;
  return typeof value === 'number' ? value : undefined;
}

/** One line of text, sent as typed (coalesced: one value in flight, the latest next). */
export function TextWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  return (
    <WidgetFrame model={model} state={state}>
      <input
        id={state.inputId}
        type="text"
        className="widget__input"
        value={typeof state.value === 'string' ? state.value : ''}
        placeholder={textProp(model, 'placeholder')}
        maxLength={maxLength(model)}
        disabled={state.disabled}
        aria-label={fallbackName(model)}
        onChange={(event) => state.set(event.currentTarget.value)}
      />
    </WidgetFrame>
  );
}

export function TextAreaWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  return (
    <WidgetFrame model={model} state={state}>
      <textarea
        id={state.inputId}
        className="widget__input widget__textarea"
        rows={4}
        value={typeof state.value === 'string' ? state.value : ''}
        placeholder={textProp(model, 'placeholder')}
        maxLength={maxLength(model)}
        disabled={state.disabled}
        aria-label={fallbackName(model)}
        // Keys typed here are the widget's, not the notebook's shortcuts.
        onKeyDown={(event) => event.stopPropagation()}
        onChange={(event) => state.set(event.currentTarget.value)}
      />
    </WidgetFrame>
  );
}

/** The browser's date picker; the wire value is the ISO day. */
export function DateWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  return (
    <WidgetFrame model={model} state={state}>
      <input
        id={state.inputId}
        type="date"
        className="widget__input"
        value={typeof state.value === 'string' ? state.value : ''}
        min={textProp(model, 'start')}
        max={textProp(model, 'stop')}
        disabled={state.disabled}
        aria-label={fallbackName(model)}
        onChange={(event) => {
          if (event.currentTarget.value !== '') state.set(event.currentTarget.value);
        }}
      />
    </WidgetFrame>
  );
}
