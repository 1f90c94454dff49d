import { useEffect, useMemo, useState } from 'react';
import type { Output } from '../../api/types';
import { HtmlOutput } from './HtmlOutput';

/**
 * Vega-Lite (what altair gives) and Plotly figures. Chart specs come from cells, so they are as untrusted as cell
 * HTML: each chart is drawn by its library inside the same two sandboxed frames as HTML output (no same origin,
 * no network: a spec's data URL or image URL is refused, not fetched with the user's cookies), the library inlined
 * into the frame. The libraries are loaded by the page only when such an output appears (dynamic imports, chunks
 * of their own), once per page.
 */
export type ChartKind = 'vega-lite' | 'plotly';

export const VEGA_LITE_MIMES = ['application/vnd.vegalite.v5+json', 'application/vnd.vegalite.v4+json'] as const;
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

const loaders: Record<ChartKind, () => Promise<readonly string[]>> = {
  'vega-lite': () => import('./chart-libraries').then((m) => m.VEGA_LITE_LIBRARIES),
  plotly: () => import('./plotly-library').then((m) => m.PLOTLY_LIBRARIES),
};
const loading = new Map<ChartKind, Promise<readonly string[]>>();

/** The library sources of a chart kind: loaded once, shared by every chart of that kind. */
export function loadChartLibraries(kind: ChartKind): Promise<readonly string[]> {
  let pending = loading.get(kind);
  if (!pending) {
    pending = loaders[kind]();
    // A failed load (the network went away) may be retried by the next chart.
    pending.catch(() => loading.delete(kind));
    loading.set(kind, pending);
  }
  return pending;
}

/** A spec as the output holds it (an object, or its JSON text), or null when it is not a JSON object. */
export function chartSpec(data: Output['data']): Record<string, unknown> | null {
  let value: unknown = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** JSON a `<script>` element can hold: no `</script>`, no `<!--`, no line separators that end a JS string. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A library's source, safe inside `<script>`: the only sequence that could end the element early is `</script`. */
function scriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

const DRAW: Record<ChartKind, string> = {
  // Actions off: exporting needs downloads and "open in editor" would post the spec to another site.
  'vega-lite': `vegaEmbed('#rnb-chart', spec, { actions: false, renderer: 'svg' }).catch(fail);`,
  plotly:
    `Plotly.newPlot('rnb-chart', spec.data || [], Object.assign({ autosize: true }, spec.layout || {}),` +
    ` Object.assign({ responsive: true, displaylogo: false, showLink: false }, spec.config || {})).catch(fail);`,
};

/** The chart frame's document: the libraries, the spec, and the call that draws it (an error shows as text). */
export function chartDocument(kind: ChartKind, spec: Record<string, unknown>, libraries: readonly string[]): string {
  return (
    `<div id="rnb-chart" data-chart="${kind}"></div>` +
    libraries.map((source) => `<script>${scriptSource(source)}</script>`).join('') +
    `<script>(function(){var spec=${scriptJson(spec)};` +
    `function fail(e){var p=document.createElement('pre');p.className='rnb-chart-error';p.textContent='The chart could not be drawn: '+(e&&e.message||e);document.getElementById('rnb-chart').replaceWith(p)}` +
    `try{${DRAW[kind]}}catch(e){fail(e)}})()</script>`
  );
}

const TITLES: Record<ChartKind, string> = { 'vega-lite': 'Vega-Lite chart output of the cell', plotly: 'Plotly chart output of the cell' };

export function ChartOutput({ kind, spec }: { kind: ChartKind; spec: Record<string, unknown> }) {
  const [libraries, setLibraries] = useState<readonly string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadChartLibraries(kind).then(
      (loaded) => live && setLibraries(loaded),
      (reason: unknown) => live && setError(reason instanceof Error ? reason.message : String(reason)),
    );
    return () => {
      live = false;
    };
  }, [kind]);
  if (error) return <p className="output output--invalid">The chart library could not be loaded: {error}</p>;
  if (!libraries) return <p className="output output--loading" aria-busy="true">Loading the chart library…</p>;
  return <ChartFrame kind={kind} spec={spec} libraries={libraries} />;
}

/** The chart in its sandboxed frames, once the libraries are here. */
export function ChartFrame({ kind, spec, libraries }: { kind: ChartKind; spec: Record<string, unknown>; libraries: readonly string[] }) {
  const html = useMemo(() => chartDocument(kind, spec, libraries), [kind, spec, libraries]);
  return <HtmlOutput html={html} title={TITLES[kind]} allowEval />;
}
