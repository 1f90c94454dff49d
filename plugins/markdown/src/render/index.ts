/**
 * The markdown renderer of markdown cells, the same in the page and in exports: CommonMark with GitHub tables and
 * strikethrough (markdown-it), math (KaTeX, as MathML), code blocks through a highlighter the caller gives.
 * Browser-safe: imports markdown-it and KaTeX only. Its HTML still needs a sanitiser when `html` is on (the page
 * runs DOMPurify); with `html` off no markup of the text's own passes, and markdown-it refuses `javascript:`,
 * `vbscript:`, `file:` and non-image `data:` links.
 */
import MarkdownIt from 'markdown-it';
import { mathPlugin } from './math';

export { renderTex } from './math';

export interface MarkdownRendererOptions {
  /** Raw HTML in the text passes through (then sanitise the result): the page's choice, for `<rnb-widget>` and `<details>`. */
  html: boolean;
  /** Highlights a fenced block: HTML of the code (escaped), or null to leave it plain. */
  highlight?: (code: string, language: string) => string | null;
}

export type MarkdownRenderer = InstanceType<typeof MarkdownIt>;

export function createMarkdownRenderer(options: MarkdownRendererOptions): MarkdownRenderer {
  const md = new MarkdownIt('default', {
    html: options.html,
    linkify: false,
    typographer: false,
    highlight: (code, language) => (options.highlight && language ? (options.highlight(code, language) ?? '') : ''),
  });
  md.use(mathPlugin);
  return md;
}

/** A markdown output's widget placeholders, `<rnb-widget id="...">`: where the page mounts each widget. */
export const WIDGET_PLACEHOLDER = /<rnb-widget id="([^"]*)"><\/rnb-widget>/g;
