import { createContext, useCallback, useContext, useEffect, useId, useState, type ReactNode } from 'react';
import type { JsonValue, WidgetData, WidgetValueAnswer } from '../../api/types';

/** How a widget on the page reaches the host: the controller's coalescing sender (state/widget-sender.ts). */
export interface WidgetChannel {
  set(widgetId: string, value: JsonValue): Promise<WidgetValueAnswer | null>;
  busy(widgetId: string): boolean;
}

const WidgetChannelContext = createContext<WidgetChannel | null>(null);

/**
 * The open notebook's channel, for widgets mounted in a React root of their own (a renderer that
 * draws into a DOM element and mounts the widget component there): context does not cross roots.
 */
let openNotebookChannel: WidgetChannel | null = null;

/** Widgets below it (and in other roots while it is mounted) are live; without one (a static view) they show their value, disabled. */
export function WidgetChannelProvider({ channel, children }: { channel: WidgetChannel; children: ReactNode }) {
  useEffect(() => {
    openNotebookChannel = channel;
    return () => {
      if (openNotebookChannel === channel) openNotebookChannel = null;
    };
  }, [channel]);
  return <WidgetChannelContext.Provider value={channel}>{children}</WidgetChannelContext.Provider>;
}

export interface WidgetState {
  /** What the control shows: the user's latest value while theirs are on the way, else the notebook's. */
  value: JsonValue;
  set(value: JsonValue): void;
  /** The host's refusal of the last value (out of range, too large), or a check made here. */
  error: string | null;
  setError(message: string | null): void;
  disabled: boolean;
  /** An id for the control, for its label. */
  inputId: string;
}

export function useWidget(model: WidgetData): WidgetState {
  const channel = useContext(WidgetChannelContext) ?? openNotebookChannel;
  const [value, setValue] = useState<JsonValue>(model.value);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const key = JSON.stringify(model.value);
  useEffect(() => {
    // Broadcasts of the user's own earlier values arrive while they drag: keep what they set until the last has landed.
    if (channel?.busy(model.widget_id)) return;
    setValue(model.value);
  }, [key, model.widget_id, channel]);
  const set = useCallback(
    (next: JsonValue) => {
      setValue(next);
      setError(null);
      if (!channel) return;
      channel.set(model.widget_id, next).then(
        (answer) => {
          // The value the runtime kept (a slider snaps to its step), unless a newer one is on its way.
          if (answer && !channel.busy(model.widget_id)) setValue(answer.value);
        },
        (refused: unknown) => {
          setError(refused instanceof Error ? refused.message : String(refused));
          if (!channel.busy(model.widget_id)) setValue(model.value);
        },
      );
    },
    [channel, model.widget_id, model.value],
  );
  return { value, set, error, setError, disabled: channel === null, inputId };
}

/** A widget's frame: its label (tied to the control), the control, and its error. */
export function WidgetFrame({ model, state, children, labelFor = true }: { model: WidgetData; state: WidgetState; children: ReactNode; labelFor?: boolean }) {
  const label = typeof model.props.label === 'string' && model.props.label !== '' ? model.props.label : null;
  return (
    <div className={`widget widget--${model.kind}`} data-widget-id={model.widget_id} data-widget-kind={model.kind}>
      {label && labelFor ? (
        <label className="widget__label" htmlFor={state.inputId}>
          {label}
        </label>
      ) : null}
      {children}
      {state.error ? (
        <div className="widget__error" role="alert">
          {state.error}
        </div>
      ) : null}
    </div>
  );
}

/** The control's accessible name when it has no visible label. */
export function fallbackName(model: WidgetData): string | undefined {
  return typeof model.props.label === 'string' && model.props.label !== '' ? undefined : model.kind.replace('_', ' ');
}
