/**
 * Markdown as static HTML for exports (the server and the command line): raw HTML off, so the text's own markup
 * shows as text and nothing needs a DOM sanitiser; a widget placeholder becomes the widget's value, as text.
 */
import type { JsonValue } from '@rnb/core';
import { createMarkdownRenderer, WIDGET_PLACEHOLDER } from './render';
import { escapeMarkdown, pythonStr } from './values';

let renderer: ReturnType<typeof createMarkdownRenderer> | null = null;

/** `widgets`: the output's `metadata.widgets`, to show each embedded widget's current value. */
export function renderMarkdownHtml(markdown: string, widgets?: { [widgetId: string]: JsonValue }): string {
  renderer ??= createMarkdownRenderer({ html: false });
  const withValues = markdown.replace(WIDGET_PLACEHOLDER, (_placeholder, id: string) => {
    const model = widgets?.[id];
    const value = model && typeof model === 'object' && !Array.isArray(model) ? model.value : undefined;
    return value === undefined ? '*(widget)*' : escapeMarkdown(pythonStr(value));
  });
  return renderer.render(withValues);
}
