/**
 * The renderer of `application/vnd.rnb.widget+json` (a control bound to a notebook variable):
 * one component per kind. Registered in ../../render/builtin-renderers.tsx, so anything that
 * resolves the MIME type in the renderer registry (a markdown output embedding a widget) mounts it.
 */
import type { ComponentType } from 'react';
import type { Output, WidgetData } from '../../api/types';
import { JsonOutput } from '../outputs/JsonOutput';
import { ButtonWidget, FileWidget } from './ActionWidgets';
import { CheckboxWidget, DropdownWidget, MultiselectWidget, RadioWidget, SwitchWidget } from './ChoiceWidgets';
import { NumberWidget, RangeSliderWidget, SliderWidget } from './RangeWidgets';
import { TableSelectWidget } from './TableSelectWidget';
import { DateWidget, TextAreaWidget, TextWidget } from './TextWidgets';
import { asWidget } from './widget-values';

export const WIDGET_COMPONENTS: Readonly<Record<string, ComponentType<{ model: WidgetData }>>> = {
  slider: SliderWidget,
  range_slider: RangeSliderWidget,
  number: NumberWidget,
  text: TextWidget,
  text_area: TextAreaWidget,
  dropdown: DropdownWidget,
  multiselect: MultiselectWidget,
  checkbox: CheckboxWidget,
  switch: SwitchWidget,
  radio: RadioWidget,
  date: DateWidget,
  button: ButtonWidget,
  file: FileWidget,
  table: TableSelectWidget,
};

/** A widget of a kind this page does not know shows its model, as data. */
export function WidgetOutput({ output }: { output: Output }) {
  const model = asWidget(output.data);
  const Component = model ? WIDGET_COMPONENTS[model.kind] : undefined;
  if (!model || !Component) return <JsonOutput value={output.data} label="Widget this page cannot show" />;
  // Keyed by id: a new widget in the same place starts from its own state.
  return <Component key={model.widget_id} model={model} />;
}
