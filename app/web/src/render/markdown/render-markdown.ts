/**
 * Markdown outputs to sanitised HTML: the markdown plugin's renderer (markdown-it, GitHub tables, KaTeX math as
 * MathML), code blocks highlighted by the editor's own parsers, then DOMPurify. Loaded lazily (its own chunk): a
 * notebook without markdown never downloads it.
 *
 * What the sanitiser lets through: HTML, MathML, no SVG; no `<script>`, `<style>`, `<iframe>`, forms or `style`
 * attributes, no event handlers, no `javascript:` (or any non-http/mailto/relative) link; one custom element,
 * `<rnb-widget id>`, the placeholder the page mounts a widget into.
 */
import { python } from '@codemirror/lang-python';
import { StandardSQL } from '@codemirror/lang-sql';
import { classHighlighter, highlightCode } from '@lezer/highlight';
import type { Parser } from '@lezer/common';
import DOMPurify from 'dompurify';
import { createMarkdownRenderer } from '@rnb/markdown/render';

const PARSERS: Record<string, () => Parser> = {
  python: () => python().language.parser,
  py: () => python().language.parser,
  sql: () => StandardSQL.language.parser,
};

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A fenced block in a language the page has a parser for, as `<span class="tok-...">`; else null (plain). */
export function highlight(code: string, language: string): string | null {
  const parser = PARSERS[language.toLowerCase()];
  if (!parser) return null;
  let html = '';
  highlightCode(code, parser().parse(code), classHighlighter,
    (text, classes) => {
      html += classes ? `<span class="${classes}">${escapeHtml(text)}</span>` : escapeHtml(text);
    },
    () => {
      html += '\n';
    });
  return html;
}

const renderer = createMarkdownRenderer({ html: true, highlight });

const FORBIDDEN_TAGS = ['style', 'script', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'textarea', 'select', 'option', 'link', 'meta', 'base', 'svg', 'template'];

/** Links may go to http(s), mailto, anchors and relative paths; images also to data:image. Nothing else. */
const SAFE_URL = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
    // Widgets' placeholders keep their id only: nothing a page script could be tricked by.
    if (node.nodeName.toLowerCase() === 'rnb-widget' && data.attrName !== 'id') data.keepAttr = false;
  });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    // Links to other sites open outside the notebook and tell the target nothing about it.
    if (node.nodeName === 'A' && /^https?:/i.test(node.getAttribute('href') ?? '')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** The sanitised HTML of a markdown text. */
export function renderMarkdown(markdown: string): string {
  installHooks();
  return DOMPurify.sanitize(renderer.render(markdown), {
    ADD_TAGS: ['rnb-widget'],
    FORBID_TAGS: FORBIDDEN_TAGS,
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'xlink:href'],
    ALLOWED_URI_REGEXP: SAFE_URL,
    ALLOW_DATA_ATTR: false,
    USE_PROFILES: { html: true, mathMl: true },
  });
}
