/**
 * `$...$` and `$$...$$` for markdown-it, rendered by KaTeX as MathML (no inline styles, no fonts to load: the
 * browser lays MathML out, and a sanitiser that forbids `style` keeps it). The delimiters follow the template's
 * rule (../template.ts), so braces the renderer treats as math are the ones the analyser left alone: an opening `$`
 * not followed by a space, a closing `$` not preceded by one, within a paragraph.
 */
import katex from 'katex';
import type MarkdownIt from 'markdown-it';

type Markdown = InstanceType<typeof MarkdownIt>;
// Named through the rulers, so the types resolve alike under CommonJS (the server) and ES modules (the page).
type StateInline = Parameters<Parameters<Markdown['inline']['ruler']['push']>[1]>[0];
type StateBlock = Parameters<Parameters<Markdown['block']['ruler']['push']>[1]>[0];

export function renderTex(tex: string, displayMode: boolean): string {
  // KaTeX's own error rendering (throwOnError false) escapes the source; trust off: no \href or \htmlClass.
  return katex.renderToString(tex, { displayMode, output: 'mathml', throwOnError: false, trust: false, strict: 'ignore' });
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src[start] !== '$') return false;
  const display = src[start + 1] === '$';
  let end: number;
  if (display) {
    end = src.indexOf('$$', start + 2);
    if (end < 0 || end >= state.posMax) return false;
  } else {
    if (src[start + 1] === ' ' || start + 1 >= state.posMax) return false;
    end = -1;
    for (let i = start + 1; i < state.posMax; i++) {
      if (src[i] === '\\') {
        i++;
        continue;
      }
      if (src[i] === '$') {
        end = src[i - 1] === ' ' || i === start + 1 ? -1 : i;
        break;
      }
    }
    if (end < 0) return false;
  }
  if (!silent) {
    const token = state.push(display ? 'math_inline_display' : 'math_inline', 'math', 0);
    token.content = src.slice(start + (display ? 2 : 1), end);
    token.markup = display ? '$$' : '$';
  }
  state.pos = end + (display ? 2 : 1);
  return true;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const lineStart = state.bMarks[startLine]! + state.tShift[startLine]!;
  const lineEnd = state.eMarks[startLine]!;
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  if (state.src.slice(lineStart, lineStart + 2) !== '$$') return false;
  const first = state.src.slice(lineStart + 2, lineEnd);
  let content: string;
  let line = startLine;
  if (first.trimEnd().endsWith('$$')) {
    content = first.trimEnd().slice(0, -2);
  } else {
    const lines = [first];
    let closed = false;
    for (line = startLine + 1; line < endLine; line++) {
      const text = state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!);
      if (text.trimEnd().endsWith('$$')) {
        lines.push(text.trimEnd().slice(0, -2));
        closed = true;
        break;
      }
      lines.push(text);
    }
    if (!closed) return false;
    content = lines.join('\n');
  }
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content;
  token.map = [startLine, line + 1];
  token.markup = '$$';
  state.line = line + 1;
  return true;
}

export function mathPlugin(md: Markdown): void {
  md.inline.ruler.after('escape', 'math_inline', mathInline);
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.renderer.rules.math_inline = (tokens, index) => renderTex(tokens[index]!.content, false);
  md.renderer.rules.math_inline_display = (tokens, index) => renderTex(tokens[index]!.content, true);
  md.renderer.rules.math_block = (tokens, index) => `<div class="rnb-math">${renderTex(tokens[index]!.content, true)}</div>\n`;
}
