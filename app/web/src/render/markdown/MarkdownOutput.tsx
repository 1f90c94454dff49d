/**
 * The `text/markdown` renderer, in the lazily loaded markdown chunk with markdown-it, KaTeX and DOMPurify
 * (builtin-renderers.tsx loads it on the first markdown output).
 */
import { useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { WIDGET_MIME, type Output, type WidgetData } from '../../api/types';
import { OutputView } from '../../components/outputs/OutputView';
import { outputRenderers } from '../output-renderers';
import type { RendererRegistry } from '../registry';
import { morphChildren } from './morph';
import { renderMarkdown } from './render-markdown';

/** A widget's placeholder element in the rendered text and the widget output the page renders into it. */
interface WidgetSlot {
  element: HTMLElement;
  widget: Output | null;
}

/**
 * A markdown output rendered and sanitised (./render-markdown.ts), with every `<rnb-widget id>` placeholder given
 * the renderer the registry has for `application/vnd.rnb.widget+json` and the model in `metadata.widgets[id]`, or a
 * small "widget" note when no renderer (or no model) is there. Widgets are portals: live React renderers like any output.
 */
export default function MarkdownOutput({ output, registry = outputRenderers }: { output: Output; registry?: RendererRegistry }) {
  const host = useRef<HTMLDivElement>(null);
  const [slots, setSlots] = useState<WidgetSlot[]>([]);
  const markdown = typeof output.data === 'string' ? output.data : String(output.data);
  const html = useMemo(() => renderMarkdown(markdown), [markdown]);
  useSyncExternalStore(registry.subscribe, registry.getVersion);

  useLayoutEffect(() => {
    const element = host.current!;
    // Sanitised above: nothing of the text's own can script, style or navigate the page. Morphed, not replaced:
    // a new rendering (the value a widget set, interpolated) keeps the widget placeholders, and the controls in them.
    const rendering = document.createElement('template');
    rendering.innerHTML = html;
    morphChildren(element, rendering.content);
    const widgets = widgetModels(output);
    setSlots([...element.querySelectorAll<HTMLElement>('rnb-widget[id]')].map((placeholder) => {
      const model = Object.hasOwn(widgets, placeholder.id) ? widgets[placeholder.id] : undefined;
      return { element: placeholder, widget: model ? { mime_type: WIDGET_MIME, data: model as unknown as Output['data'] } : null };
    }));
  }, [html, output]);

  return (
    <>
      <div ref={host} className="output output--markdown markdown-body" />
      {slots.map((slot, index) => createPortal(
        slot.widget && registry.candidates(slot.widget).length > 0
          ? <OutputView output={slot.widget} registry={registry} />
          : <span className="markdown-widget-missing" title="No widget renderer is loaded">widget</span>,
        slot.element,
        // By widget id (and place): the same widget keeps its React tree across renderings.
        `${slot.element.id}:${index}`,
      ))}
    </>
  );
}

function widgetModels(output: Output): Record<string, WidgetData> {
  const widgets = output.metadata?.widgets;
  return widgets && typeof widgets === 'object' && !Array.isArray(widgets) ? (widgets as unknown as Record<string, WidgetData>) : {};
}
