/**
 * The chart libraries' browser builds for HTML exports (core's `exportHtml`, option `chartLibraries`): the same UMD files
 * the page inlines into its chart frames (app/web/vite.config.mts), read from the installed packages once. A package
 * that is not installed (a slimmed production image) leaves its kind out: the export then shows that chart's text and spec.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChartKind } from '@rnb/core';

const FILES: Record<ChartKind, [pkg: string, file: string][]> = {
  'vega-lite': [['vega', 'vega.min.js'], ['vega-lite', 'vega-lite.min.js'], ['vega-embed', 'vega-embed.min.js']],
  plotly: [['plotly.js-dist-min', 'plotly.min.js']],
};

let cached: Partial<Record<ChartKind, readonly string[]>> | null = null;

/** The libraries by chart kind, in load order; read on first use and kept (about 6 MB). */
export function chartLibrariesForExport(): Partial<Record<ChartKind, readonly string[]>> {
  if (cached) return cached;
  const found: Partial<Record<ChartKind, readonly string[]>> = {};
  for (const [kind, files] of Object.entries(FILES) as [ChartKind, [string, string][]][]) {
    try {
      // Their `exports` maps do not list these files: reached by path beside each package's entry point.
      found[kind] = files.map(([pkg, file]) => fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file), 'utf8'));
    } catch {
      // not installed here: charts of this kind export as their text and spec
    }
  }
  cached = found;
  return found;
}
