import type { JsonValue, Output, WidgetData } from '../../api/types';
import { WIDGET_MIME } from '../../api/types';

/** A widget's model, when `data` is one (the renderer declines anything else). */
export function asWidget(data: unknown): WidgetData | null {
  const model = data as Partial<WidgetData> | null;
  if (typeof model !== 'object' || model === null || typeof model.widget_id !== 'string' || typeof model.kind !== 'string') return null;
  if (typeof model.props !== 'object' || model.props === null || Array.isArray(model.props) || !('value' in model)) return null;
  return model as WidgetData;
}

/**
 * `outputs` with the widget showing `value` (a widget output, or a markdown output's
 * `metadata.widgets` entry), or the same array when none shows it: `widget_value` moves every
 * copy of the control in every cell.
 */
export function withWidgetValue(outputs: Output[], widgetId: string, value: JsonValue): Output[] {
  let changed = false;
  const next = outputs.map((output) => {
    if (output.mime_type === WIDGET_MIME) {
      const model = asWidget(output.data);
      if (model?.widget_id !== widgetId) return output;
      changed = true;
      return { ...output, data: { ...model, value } as unknown as JsonValue };
    }
    const embedded = output.metadata?.widgets as { [id: string]: JsonValue } | undefined;
    const model = embedded ? asWidget(embedded[widgetId]) : null;
    if (!model) return output;
    changed = true;
    return { ...output, metadata: { ...output.metadata, widgets: { ...embedded, [widgetId]: { ...model, value } as unknown as JsonValue } } };
  });
  return changed ? next : outputs;
}
