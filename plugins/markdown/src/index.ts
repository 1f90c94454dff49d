/**
 * @rnb/markdown: markdown cells with live values. `{name}` and `{name:.2f}` read notebook values (references for
 * the graph, so the cell re-renders when they change), formatted in the kernel with Python's format-spec
 * mini-language and escaped; the page renders the `text/markdown` output, sanitised. A third language that proves
 * the plugin API: an analyser, a runtime module, nothing else of core's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, LanguageRegistry, MARKDOWN_CELL_TYPE, type LanguageDefinition, type Plugin } from '@rnb/core';
import { analyseMarkdown } from './analyser';

export { analyseMarkdown } from './analyser';
export { formatValue, parseFormatSpec, type FormatSpec } from './format-spec';
export { interpolateTemplate, MarkdownValueError, type InterpolatedCell, type ValueLookup } from './interpolate';
export { literalRanges, parseTemplate, referencedNames, TemplateSyntaxError, type Placeholder, type TemplatePart } from './template';
export { escapeMarkdown, pythonStr, tableMarkdown } from './values';
export { renderMarkdownHtml } from './export-html';

/** Where the built files are: next to this one in dist/, or dist/ when this runs from src/ (tests). */
function builtDir(): string {
  if (fs.existsSync(path.join(__dirname, 'runtime.js'))) return __dirname;
  const dist = path.resolve(__dirname, '..', 'dist');
  if (!fs.existsSync(path.join(dist, 'runtime.js'))) {
    throw new Error(`@rnb/markdown is not built (${path.join(dist, 'runtime.js')} is missing): run "npx tsc -b plugins/markdown" or "npm run build:ts".`);
  }
  return dist;
}

/** The markdown language definition (cell type `markdown`, the one notebook files use). */
export function markdownLanguage(): LanguageDefinition {
  const root = builtDir();
  return {
    id: MARKDOWN_CELL_TYPE,
    displayName: 'Markdown',
    fileExtension: '.md',
    // The page's built-in markdown mode (@codemirror/lang-markdown, loaded when a markdown cell first opens).
    editor: { mode: 'markdown' },
    analyse: analyseMarkdown,
    analyser: { module: path.join(root, 'analyser.js'), export: 'analyseMarkdown' },
    // The runtime requires its siblings (interpolate, template, values, format-spec): the kernel may read this folder.
    runtime: { module: path.join(root, 'runtime.js'), readPaths: [root] },
  };
}

export type MarkdownPlugin = Plugin<{ languages: typeof LanguageRegistry }, {}, void>;

export default function markdownPlugin(): MarkdownPlugin {
  return definePlugin({
    id: '@rnb/markdown:markdown',
    description: 'Markdown cells with live values ({name}, {name:.2f})',
    requires: { languages: LanguageRegistry },
    activate(_context, { languages }) {
      languages.register(markdownLanguage());
    },
  });
}
