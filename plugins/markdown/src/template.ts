/**
 * The template syntax of markdown cells, shared by the analyser (server) and the runtime (kernel):
 * `{name}`, `{name.attr}` and `{name:spec}` read a notebook value; `{{` and `}}` are literal braces.
 * Braces inside code (code spans, fenced code blocks) and math (`$...$`, `$$...$$`) are text, never
 * references: LaTeX and code use braces for themselves. Imports nothing at run time.
 */
import { parseFormatSpec } from './format-spec';

/** One `{...}` that reads a value. Offsets are into the cell's text. */
export interface Placeholder {
  kind: 'placeholder';
  /** The notebook name read (the first part of `a.b.c`). */
  name: string;
  /** Attribute path after the name (`{a.b}`: `['b']`). */
  attributes: string[];
  /** The format spec after `:` (empty when there is none). */
  spec: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface TextPart {
  kind: 'text';
  text: string;
}

export type TemplatePart = TextPart | Placeholder;

/** A template that cannot be read (a bad format spec): where it is, for the cell's error. */
export class TemplateSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'TemplateSyntaxError';
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits a cell into text and placeholders. A `{...}` whose inside is not `identifier(.identifier)*(:spec)?` stays
 * text (`{not a name}`, `{1+2}`), as it would in prose; a valid name with a format spec Python would refuse throws.
 */
export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const literal = literalRanges(source);
  const lines = lineStarts(source);
  let text = '';
  let i = 0;
  let rangeIndex = 0;
  while (i < source.length) {
    while (rangeIndex < literal.length && literal[rangeIndex]![1] <= i) rangeIndex++;
    const range = literal[rangeIndex];
    if (range && range[0] <= i) {
      text += source.slice(i, range[1]);
      i = range[1];
      continue;
    }
    const char = source[i]!;
    if ((char === '{' || char === '}') && source[i + 1] === char) {
      text += char;
      i += 2;
      continue;
    }
    if (char === '{') {
      // A placeholder is on one line and holds no brace: the scan stops at the first of `}`, `{` or a line end,
      // so a text of many `{` stays linear.
      let close = i + 1;
      while (close < source.length && source[close] !== '}' && source[close] !== '{' && source[close] !== '\n') close++;
      const inside = source[close] === '}' ? source.slice(i + 1, close) : null;
      const placeholder = inside === null ? null : readPlaceholder(source, inside, i, close + 1, lines);
      if (placeholder) {
        if (text) parts.push({ kind: 'text', text });
        text = '';
        parts.push(placeholder);
        i = close + 1;
        continue;
      }
    }
    text += char;
    i++;
  }
  if (text) parts.push({ kind: 'text', text });
  return parts;
}

/** The names a template reads, first use first, each once. */
export function referencedNames(parts: readonly TemplatePart[]): string[] {
  return [...new Set(parts.filter((p): p is Placeholder => p.kind === 'placeholder').map((p) => p.name))];
}

function readPlaceholder(source: string, inside: string, start: number, end: number, lines: number[]): Placeholder | null {
  const colon = inside.indexOf(':');
  const path = (colon < 0 ? inside : inside.slice(0, colon)).trim();
  const segments = path.split('.');
  if (!segments.every((s) => IDENTIFIER.test(s))) return null;
  const spec = colon < 0 ? '' : inside.slice(colon + 1);
  const { line, column } = position(lines, start);
  try {
    parseFormatSpec(spec);
  } catch (error) {
    throw new TemplateSyntaxError(`{${inside}}: ${(error as Error).message}`, line, column);
  }
  return { kind: 'placeholder', name: segments[0]!, attributes: segments.slice(1), spec, start, end, line, column };
}

/** Offsets where each line starts, for 1-based line and column by binary search. */
function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function position(lines: number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lines[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - lines[low]! + 1 };
}

/**
 * Ranges `[start, end)` whose braces are text: fenced code blocks (``` or ~~~, to the closing fence or the end),
 * code spans (a run of backticks to the next run of the same length, CommonMark's rule), and math (`$$...$$`, and
 * `$...$` whose opening `$` is not followed by a space, as in KaTeX's auto-render). A backslash escapes the next
 * character, so `\$` and `` \` `` open nothing.
 */
export function literalRanges(source: string): [number, number][] {
  const ranges: [number, number][] = [];
  const fence = /^( {0,3})(`{3,}|~{3,})[^\n]*$/gm;
  const fences: [number, number][] = [];
  for (let match = fence.exec(source); match; match = fence.exec(source)) {
    const marker = match[2]!;
    if (marker[0] === '`' && match[0].slice(match[1]!.length + marker.length).includes('`')) continue;
    const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`, 'gm');
    closing.lastIndex = match.index + match[0].length + 1;
    const end = closing.exec(source);
    const stop = end ? end.index + end[0].length : source.length;
    fences.push([match.index, stop]);
    fence.lastIndex = stop;
  }
  let fenceIndex = 0;
  let i = 0;
  while (i < source.length) {
    const currentFence = fences[fenceIndex];
    if (currentFence && i >= currentFence[0]) {
      ranges.push(currentFence);
      i = currentFence[1];
      fenceIndex++;
      continue;
    }
    const limit = currentFence ? currentFence[0] : source.length;
    const char = source[i]!;
    if (char === '\\') {
      i += 2;
      continue;
    }
    if (char === '`') {
      let length = 1;
      while (source[i + length] === '`') length++;
      const closing = findRun(source, '`', length, i + length, limit);
      if (closing < 0) {
        i += length;
        continue;
      }
      ranges.push([i, closing + length]);
      i = closing + length;
      continue;
    }
    if (char === '$') {
      const display = source[i + 1] === '$';
      const open = display ? 2 : 1;
      const closing = display ? source.indexOf('$$', i + 2) : inlineMathEnd(source, i + 1, limit);
      if (closing >= 0 && closing < limit && (display || source[i + 1] !== ' ')) {
        ranges.push([i, closing + open]);
        i = closing + open;
        continue;
      }
      i += open;
      continue;
    }
    i++;
  }
  return ranges;
}

/** The next run of exactly `length` `char`s from `from`, before `limit`; -1 when none. */
function findRun(source: string, char: string, length: number, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    if (source[i] !== char) {
      i++;
      continue;
    }
    let j = i;
    while (j < limit && source[j] === char) j++;
    if (j - i === length) return i;
    i = j;
  }
  return -1;
}

/** The closing `$` of inline math on the same paragraph line: not escaped, not preceded by a space. */
function inlineMathEnd(source: string, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    const char = source[i]!;
    if (char === '\\') {
      i++;
      continue;
    }
    if (char === '\n' && source[i + 1] === '\n') return -1;
    if (char === '$') return source[i - 1] === ' ' || i === from ? -1 : i;
  }
  return -1;
}
