/**
 * A markdown cell's text with its placeholders replaced by their values. Shared by the kernel runtime and tests;
 * imports nothing at run time but this package's own files.
 */
import type { WidgetData } from '@rnb/core';
import { parseTemplate } from './template';
import { followAttributes, interpolate } from './values';

/** A name's value, or `found: false` when no cell defines it (as SQL's template lookup). */
export type ValueLookup = (name: string) => { found: true; value: unknown } | { found: false };

/** The reason a placeholder has no value: the cell fails with it, naming the line and column. */
export class MarkdownValueError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'MarkdownValueError';
  }
}

export interface InterpolatedCell {
  markdown: string;
  /** Widgets the text embeds, by id. */
  widgets: { [widgetId: string]: WidgetData };
}

export function interpolateTemplate(code: string, lookup: ValueLookup): InterpolatedCell {
  const widgets: { [widgetId: string]: WidgetData } = {};
  let markdown = '';
  for (const part of parseTemplate(code)) {
    if (part.kind === 'text') {
      markdown += part.text;
      continue;
    }
    const path = [part.name, ...part.attributes].join('.');
    const found = lookup(part.name);
    if (!found.found) {
      throw new MarkdownValueError(`Markdown variable '${part.name}' not found: no cell defines ${part.name}, so {${path}} has no value`, part.line, part.column);
    }
    try {
      const value = followAttributes(found.value, part.attributes, part.name);
      const result = interpolate(value, part.spec);
      if (result.widget) widgets[result.widget.widget_id] = result.widget;
      markdown += result.markdown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MarkdownValueError(`{${path}${part.spec ? `:${part.spec}` : ''}}: ${reason}`, part.line, part.column);
    }
  }
  return { markdown, widgets };
}
