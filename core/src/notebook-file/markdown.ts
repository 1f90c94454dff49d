/**
 * A small markdown renderer for exports (headings, paragraphs, lists, fenced
 * code, quotes, emphasis, inline code, links, images) and the markdown export
 * itself. Everything is escaped first: a notebook's text cannot inject markup
 * except through raw-HTML outputs, which exports keep as the cell made them.
 */
import { escape } from './html-export';
import { outputAsText } from './output-text';
import { MARKDOWN_CELL_TYPE } from './percent-format';
import type { PortableNotebook } from './portable';

export function markdownToHtml(source: string): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const html: string[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flushParagraph = (): void => {
    if (paragraph.length > 0) html.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
  };
  const flushList = (): void => {
    if (list) html.push(`<${list.ordered ? 'ol' : 'ul'}>${list.items.map((item) => `<li>${inline(item)}</li>`).join('')}</${list.ordered ? 'ol' : 'ul'}>`);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```|~~~)\s*([\w+-]*)/.exec(line);
    if (fence) {
      flushParagraph();
      flushList();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!); i++) body.push(lines[i]!);
      html.push(`<pre><code>${escape(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (heading) {
      flushParagraph();
      flushList();
      html.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    } else if (item) {
      flushParagraph();
      const ordered = /\d/.test(item[1]!);
      if (list && list.ordered !== ordered) flushList();
      list ??= { ordered, items: [] };
      list.items.push(item[2]!);
    } else if (/^\s*>\s?/.test(line)) {
      flushParagraph();
      flushList();
      html.push(`<blockquote>${inline(line.replace(/^\s*>\s?/, ''))}</blockquote>`);
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushParagraph();
      flushList();
      html.push('<hr>');
    } else if (line.trim() === '') {
      flushParagraph();
      flushList();
    } else if (list && /^\s+/.test(line)) {
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      flushList();
      paragraph.push(line.trim());
    }
  }
  flushParagraph();
  flushList();
  return html.join('\n');
}

function inline(text: string): string {
  const codes: string[] = [];
  let out = escape(text).replace(/`([^`]+)`/g, (_, code: string) => {
    codes.push(`<code>${code}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  // Only data: images and http(s)/mailto/relative links: no javascript: URLs.
  const safe = (url: string): string => (/^(https?:|mailto:|#|\/|\.|data:image\/)/i.test(url) || !/^[a-z]+:/i.test(url) ? url : '#');
  out = out
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_, alt: string, url: string) => `<img alt="${alt}" src="${safe(url)}">`)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, url: string) => `<a href="${safe(url)}">${label}</a>`)
    .replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, (_, a?: string, b?: string) => `<strong>${a ?? b}</strong>`)
    .replace(/\*([^*]+)\*|\b_([^_]+)_\b/g, (_, a?: string, b?: string) => `<em>${a ?? b}</em>`);
  // eslint-disable-next-line no-control-regex
  return out.replace(/\u0000(\d+)\u0000/g, (_, n: string) => codes[Number(n)]!);
}

/** The notebook as a markdown document: text cells as they are, code fenced, outputs as text (images inline). */
export function exportMarkdown(notebook: PortableNotebook): string {
  const fence = (text: string, info = ''): string => {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const ticks = '`'.repeat(longest + 1);
    return `${ticks}${info}\n${text.replace(/\n$/, '')}\n${ticks}`;
  };
  const parts = [`# ${notebook.name}`];
  for (const cell of notebook.cells) {
    if (cell.type === MARKDOWN_CELL_TYPE) {
      parts.push(cell.code);
      continue;
    }
    parts.push(fence(cell.code, cell.type));
    if (cell.stdout) parts.push(fence(cell.stdout, 'text'));
    if (cell.stderr) parts.push(fence(cell.stderr, 'text'));
    for (const output of cell.outputs) {
      if (/^image\/(png|jpeg|gif)$/.test(output.mime_type) && typeof output.data === 'string') parts.push(`![output](data:${output.mime_type};base64,${output.data.replace(/\s+/g, '')})`);
      else parts.push(fence(outputAsText(output), 'text'));
    }
    if (cell.error) parts.push(fence(cell.error, 'text'));
  }
  return `${parts.join('\n\n')}\n`;
}
