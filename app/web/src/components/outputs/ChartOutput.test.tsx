/** @jest-environment jsdom */
import { cleanup, render, screen } from '@testing-library/react';
import type { Output } from '../../api/types';
import { registerBuiltinRenderers } from '../../render/builtin-renderers';
import { RendererRegistry } from '../../render/registry';
import { ChartFrame, chartDocument, chartSpec, scriptJson } from './ChartOutput';
import { OUTPUT_CSP, OUTPUT_CSP_WITH_EVAL } from './HtmlOutput';
import { OutputView } from './OutputView';

afterEach(cleanup);

const VEGA_LITE_SPEC = { mark: 'bar', data: { values: [{ a: 'x', b: 1 }] }, encoding: { x: { field: 'a' }, y: { field: 'b', type: 'quantitative' } } };

function registry(): RendererRegistry {
  const r = new RendererRegistry();
  registerBuiltinRenderers(r);
  return r;
}

describe('chart renderers (Vega-Lite, Plotly)', () => {
  it.each([
    ['application/vnd.vegalite.v5+json', 'builtin:vega-lite'],
    ['application/vnd.vegalite.v4+json', 'builtin:vega-lite'],
    ['application/vnd.plotly.v1+json', 'builtin:plotly'],
    ['image/jpeg', 'builtin:image'],
    ['text/latex', 'builtin:latex-source'],
  ])('takes %s with %s', (mime, id) => {
    const choice = registry().resolve({ mime_type: mime, data: mime.startsWith('application') ? VEGA_LITE_SPEC : 'x' });
    expect(choice?.renderer.id).toBe(id);
    expect(choice?.fallback).toBe(false);
  });

  it('declines a spec that is not a JSON object: it is shown as text instead', () => {
    const choice = registry().resolve({ mime_type: 'application/vnd.plotly.v1+json', data: [1, 2] });
    expect(choice?.fallback).toBe(true);
    expect(chartSpec('{"data": []}')).toEqual({ data: [] });
    expect(chartSpec('not json')).toBeNull();
    expect(chartSpec(null)).toBeNull();
  });

  it('shows a loading note first (the library is a chunk of its own, fetched on first use)', () => {
    const output: Output = { mime_type: 'application/vnd.vegalite.v5+json', data: VEGA_LITE_SPEC };
    render(<OutputView output={output} registry={registry()} />);
    expect(screen.getByText('Loading the chart library…')).toBeTruthy();
  });

  it('draws in the sandboxed frames of HTML output (no same origin, no network), with eval allowed for the library', () => {
    render(<ChartFrame kind="plotly" spec={{ data: [{ y: [1, 2] }], layout: { title: 'T' } }} libraries={['window.Plotly = {}']} />);
    const frame = screen.getByTitle('Plotly chart output of the cell') as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('allow-scripts');
    const outer = new DOMParser().parseFromString(frame.getAttribute('srcdoc')!, 'text/html');
    expect(outer.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')).toBe(OUTPUT_CSP_WITH_EVAL);
    const inner = outer.querySelector('iframe#rnb-output')!.getAttribute('srcdoc')!;
    expect(inner).toContain('window.Plotly = {}');
    expect(inner).toContain('Plotly.newPlot');
    // Only eval is added: still no network, no frames, no navigation.
    expect(OUTPUT_CSP_WITH_EVAL).toBe(OUTPUT_CSP.replace("'unsafe-inline'", "'unsafe-inline' 'unsafe-eval'"));
    expect(OUTPUT_CSP_WITH_EVAL).toMatch(/connect-src 'none'/);
  });

  it('keeps a spec or a library from closing its <script> early', () => {
    const doc = chartDocument('vega-lite', { title: '</script><script>alert(1)</script>\u2028' }, ['var s = "</script>";']);
    // One library and the drawing script: nothing of the spec or the library closes an element.
    expect(doc.match(/<\/script>/g)).toHaveLength(2);
    expect(doc).toContain('var s = "<\\/script>";');
    expect(scriptJson({ t: '</script>' })).toBe('{"t":"\\u003c/script>"}');
    expect(JSON.parse(scriptJson({ t: '</script>\u2028' }))).toEqual({ t: '</script>\u2028' });
    expect(doc).toContain("vegaEmbed('#rnb-chart', spec, { actions: false, renderer: 'svg' })");
  });
});
