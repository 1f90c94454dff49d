/**
 * The kernel half of markdown cells: reads each `{name:spec}`'s value from the notebook's shared namespace, formats
 * it as Python would, escapes it, and emits one `text/markdown` output (widgets by reference, their models in
 * `metadata.widgets`). Type-only imports from core: the kernel loads this file and its siblings only.
 */
import type { CellIO, CellRun, JsonValue, RuntimeFactory } from '@rnb/core';
import { completeNames } from './complete';
import { interpolateTemplate } from './interpolate';

const factory: RuntimeFactory = (context) => ({
  run(cell: CellRun, io: CellIO) {
    const { markdown, widgets } = interpolateTemplate(cell.code, (name) =>
      context.namespace.has(name) ? { found: true, value: context.namespace.get(name) } : { found: false },
    );
    const metadata: { [key: string]: JsonValue } | undefined =
      Object.keys(widgets).length > 0 ? { widgets: widgets as unknown as { [id: string]: JsonValue } } : undefined;
    io.output({ mime_type: 'text/markdown', data: markdown, ...(metadata ? { metadata } : {}) });
  },
  call(method, payload) {
    // `{na` + completion: the names the notebook has now, from the shared namespace.
    if (method === 'complete') return completeNames(payload, context.namespace.names());
    throw new Error(`The markdown runtime answers "complete" only, not "${method}".`);
  },
  deleteNames() {
    // Markdown keeps no state of its own: every value lives in the shared namespace.
  },
});
export default factory;
