/** @jest-environment jsdom */
import { act, cleanup, render } from '@testing-library/react';
import { WIDGET_MIME, type Output } from '../../api/types';
import { RendererRegistry } from '../registry';
import MarkdownOutput from './MarkdownOutput';

afterEach(cleanup);

const slider = { widget_id: 'w-1', kind: 'slider', value: 10, props: { min: 0, max: 100 } };
const output: Output = {
  mime_type: 'text/markdown',
  data: '# Threshold\n\nSet it: <rnb-widget id="w-1"></rnb-widget> and <rnb-widget id="unknown"></rnb-widget>',
  metadata: { widgets: { 'w-1': slider } },
};

describe('a markdown output in the page', () => {
  it('mounts the registry\'s widget renderer into each placeholder, with the model from metadata.widgets', () => {
    const registry = new RendererRegistry();
    const seen: Output[] = [];
    registry.register({
      kind: 'dom',
      id: 'test:widget',
      mimeTypes: [WIDGET_MIME],
      rank: 100,
      render: (widget, element) => {
        seen.push(widget);
        element.textContent = `slider at ${String((widget.data as { value: number }).value)}`;
      },
    });
    const { container } = render(<MarkdownOutput output={output} registry={registry} />);
    expect(container.querySelector('h1')?.textContent).toBe('Threshold');
    expect(container.querySelector('rnb-widget#w-1')?.textContent).toBe('slider at 10');
    expect(seen).toEqual([{ mime_type: WIDGET_MIME, data: slider }]);
    // A placeholder whose model the output does not hold gets the note, not a renderer with nothing to draw.
    expect(container.querySelector('rnb-widget#unknown')?.textContent).toBe('widget');
  });

  it('shows a small "widget" note when no widget renderer is registered, and the widget once one is', () => {
    const registry = new RendererRegistry();
    const { container } = render(<MarkdownOutput output={output} registry={registry} />);
    expect(container.querySelector('rnb-widget#w-1')?.textContent).toBe('widget');
    act(() => {
      registry.register({ kind: 'component', id: 'test:widget', mimeTypes: [WIDGET_MIME], rank: 100, component: () => <input aria-label="slider" type="range" /> });
    });
    expect(container.querySelector('rnb-widget#w-1 input[type=range]')).not.toBeNull();
  });

  it('keeps the widget\'s element (and the control in it) when a new rendering changes the text around it', () => {
    const registry = new RendererRegistry();
    registry.register({
      kind: 'component',
      id: 'test:widget-component',
      mimeTypes: [WIDGET_MIME],
      rank: 100,
      component: ({ output: widget }) => <input type="range" readOnly value={String((widget.data as { value: number }).value)} />,
    });
    const text = (value: number): Output => ({
      mime_type: 'text/markdown',
      data: `Threshold: <rnb-widget id="w-1"></rnb-widget> → ${value}\n\n*moved*`,
      metadata: { widgets: { 'w-1': { ...slider, value } } },
    });
    const { container, rerender } = render(<MarkdownOutput output={text(10)} registry={registry} />);
    const control = container.querySelector('input[type="range"]')!;
    expect(control).not.toBeNull();
    act(() => rerender(<MarkdownOutput output={text(42)} registry={registry} />));
    expect(container.querySelector('p')?.textContent).toBe('Threshold:  → 42');
    // The very same element: a drag in progress on it goes on.
    expect(container.querySelector('input[type="range"]')).toBe(control);
    expect((control as HTMLInputElement).value).toBe('42');
    expect(container.querySelector('em')?.textContent).toBe('moved');
  });
});

