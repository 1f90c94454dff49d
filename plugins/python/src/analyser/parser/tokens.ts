/**
 * External tokenizers of the Python grammar (indentation, newlines, string
 * contents), ported from @lezer/python 1.1.19 (MIT) with two changes: no
 * Python 2 `print` statement, and a dedent to a column that matches no
 * enclosing block is turned into an unexpected indent so that the parser
 * reports CPython's IndentationError instead of silently accepting it.
 */
import { ContextTracker, ExternalTokenizer, type InputStream } from '@lezer/lr';
import {
  ArgList, ArrayComprehensionExpression, ArrayExpression, BraceL, BracketL, blankLineStart, ComprehensionExpression,
  dedent, DictionaryComprehensionExpression, DictionaryExpression, eof, Escape, FormatReplacement, FormatString,
  importList, indent, MappingPattern, nestedFormatReplacement, newline as newlineToken, newlineBracketed,
  ParamList, ParenL, ParenthesizedExpression, PatternArgList, replacementStart, SequencePattern,
  SetComprehensionExpression, SetExpression, String as StringTerm, stringContent, stringEnd, stringStart,
  stringStartD, stringStartF, stringStartFD, stringStartFL, stringStartFLD, stringStartFR, stringStartFRD,
  stringStartFRL, stringStartFRLD, stringStartL, stringStartLD, stringStartR, stringStartRD, stringStartRL,
  stringStartRLD, subscript, TupleExpression, TypeParamList, WithItems,
} from './parser.terms';

const newline = 10, carriageReturn = 13, space = 32, tab = 9, hash = 35,
  braceOpen = 123, braceClose = 125, singleQuote = 39, doubleQuote = 34, backslash = 92,
  letterO = 111, letterX = 120, letterN = 78, letterU = 117, letterUpperU = 85;

const bracketed = new Set([
  ParenthesizedExpression, TupleExpression, ComprehensionExpression, importList, ArgList, ParamList,
  ArrayExpression, ArrayComprehensionExpression, subscript, WithItems,
  SetExpression, SetComprehensionExpression, FormatString, FormatReplacement, nestedFormatReplacement,
  DictionaryExpression, DictionaryComprehensionExpression,
  SequencePattern, MappingPattern, PatternArgList, TypeParamList,
]);

function isLineBreak(ch: number): boolean {
  return ch === newline || ch === carriageReturn;
}

function isHex(ch: number): boolean {
  return (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 70) || (ch >= 97 && ch <= 102);
}

// Flags used in Context objects
const cxBracketed = 1, cxString = 2, cxDoubleQuote = 4, cxLong = 8, cxRaw = 16, cxFormat = 32;

class Context {
  readonly hash: number;
  constructor(readonly parent: Context | null, readonly indent: number, readonly flags: number) {
    this.hash = (parent ? (parent.hash + parent.hash) << 8 : 0) + indent + (indent << 4) + flags + (flags << 6);
  }
}

const topIndent = new Context(null, 0, 0);

interface TextReader {
  read(from: number, to: number): string;
}

function countIndent(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) depth += text.charCodeAt(i) === tab ? 8 - (depth % 8) : 1;
  return depth;
}

/** True when some enclosing block starts at `depth`, so dedenting to it is legal. */
function isOuterIndent(context: Context, depth: number): boolean {
  for (let c: Context | null = context.parent; c; c = c.parent) {
    if (c.flags) return false;
    if (c.indent === depth) return true;
    if (c.indent < depth) return false;
  }
  return depth === 0;
}

export const newlines = new ExternalTokenizer((input, stack) => {
  let prev: number;
  const context = stack.context as Context;
  if (input.next < 0) {
    input.acceptToken(eof);
  } else if (context.flags & cxBracketed) {
    if (isLineBreak(input.next)) input.acceptToken(newlineBracketed, 1);
  } else if (((prev = input.peek(-1)) < 0 || isLineBreak(prev)) && stack.canShift(blankLineStart)) {
    let spaces = 0;
    while (input.next === space || input.next === tab) {
      input.advance();
      spaces++;
    }
    if (input.next === newline || input.next === carriageReturn || input.next === hash) {
      input.acceptToken(blankLineStart, -spaces);
    }
  } else if (isLineBreak(input.next)) {
    input.acceptToken(newlineToken, 1);
  }
}, { contextual: true });

export const indentation = new ExternalTokenizer((input, stack) => {
  const context = stack.context as Context;
  if (context.flags) return;
  const prev = input.peek(-1);
  // The start of the cell counts as a line start: `  x = 1` is an unexpected indent, as in CPython.
  if (prev === newline || prev === carriageReturn || prev < 0) {
    let depth = 0, chars = 0;
    for (;;) {
      if (input.next === space) depth++;
      else if (input.next === tab) depth += 8 - (depth % 8);
      else break;
      input.advance();
      chars++;
    }
    if (depth !== context.indent && input.next !== newline && input.next !== carriageReturn && input.next !== hash) {
      if (depth < context.indent && isOuterIndent(context, depth)) input.acceptToken(dedent, -chars);
      else input.acceptToken(indent);
    }
  }
});

const stringFlags = new Map<number, number>([
  [stringStart, 0],
  [stringStartD, cxDoubleQuote],
  [stringStartL, cxLong],
  [stringStartLD, cxLong | cxDoubleQuote],
  [stringStartR, cxRaw],
  [stringStartRD, cxRaw | cxDoubleQuote],
  [stringStartRL, cxRaw | cxLong],
  [stringStartRLD, cxRaw | cxLong | cxDoubleQuote],
  [stringStartF, cxFormat],
  [stringStartFD, cxFormat | cxDoubleQuote],
  [stringStartFL, cxFormat | cxLong],
  [stringStartFLD, cxFormat | cxLong | cxDoubleQuote],
  [stringStartFR, cxFormat | cxRaw],
  [stringStartFRD, cxFormat | cxRaw | cxDoubleQuote],
  [stringStartFRL, cxFormat | cxRaw | cxLong],
  [stringStartFRLD, cxFormat | cxRaw | cxLong | cxDoubleQuote],
].map(([term, flags]) => [term, flags | cxString]));

export const trackIndent = new ContextTracker<Context>({
  start: topIndent,
  reduce(context, term) {
    if (((context.flags & cxBracketed) && bracketed.has(term)) ||
        ((term === StringTerm || term === FormatString) && (context.flags & cxString))) {
      return context.parent ?? topIndent;
    }
    return context;
  },
  shift(context, term, stack, input) {
    // `read` exists on lezer's InputStream but is not in its public typings.
    if (term === indent) return new Context(context, countIndent((input as unknown as TextReader).read(input.pos, stack.pos)), 0);
    if (term === dedent) return context.parent ?? topIndent;
    if (term === ParenL || term === BracketL || term === BraceL || term === replacementStart) {
      return new Context(context, 0, cxBracketed);
    }
    const flags = stringFlags.get(term);
    if (flags !== undefined) return new Context(context, 0, flags | (context.flags & cxBracketed));
    return context;
  },
  hash(context) {
    return context.hash;
  },
});

export const strings = new ExternalTokenizer((input, stack) => {
  const { flags } = stack.context as Context;
  const quote = flags & cxDoubleQuote ? doubleQuote : singleQuote;
  const long = (flags & cxLong) > 0;
  const escapes = !(flags & cxRaw);
  const format = (flags & cxFormat) > 0;

  const start = input.pos;
  for (;;) {
    if (input.next < 0) {
      break;
    } else if (format && input.next === braceOpen) {
      if (input.peek(1) === braceOpen) {
        input.advance(2);
      } else {
        if (input.pos === start) {
          input.acceptToken(replacementStart, 1);
          return;
        }
        break;
      }
    } else if (escapes && input.next === backslash) {
      if (input.pos === start) {
        input.advance();
        const escaped = input.next;
        if (escaped >= 0) {
          input.advance();
          skipEscape(input, escaped);
        }
        input.acceptToken(Escape);
        return;
      }
      break;
    } else if (input.next === backslash && !escapes && input.peek(1) > -1) {
      // Raw strings still ignore escaped quotes.
      input.advance(2);
    } else if (input.next === quote && (!long || (input.peek(1) === quote && input.peek(2) === quote))) {
      if (input.pos === start) {
        input.acceptToken(stringEnd, long ? 3 : 1);
        return;
      }
      break;
    } else if (input.next === newline) {
      if (long) {
        input.advance();
      } else if (input.pos === start) {
        input.acceptToken(stringEnd);
        return;
      }
      break;
    } else {
      input.advance();
    }
  }
  if (input.pos > start) input.acceptToken(stringContent);
});

function skipEscape(input: InputStream, ch: number): void {
  if (ch === letterO) {
    for (let i = 0; i < 2 && input.next >= 48 && input.next <= 55; i++) input.advance();
  } else if (ch === letterX) {
    for (let i = 0; i < 2 && isHex(input.next); i++) input.advance();
  } else if (ch === letterU) {
    for (let i = 0; i < 4 && isHex(input.next); i++) input.advance();
  } else if (ch === letterUpperU) {
    for (let i = 0; i < 8 && isHex(input.next); i++) input.advance();
  } else if (ch === letterN) {
    if (input.next === braceOpen) {
      input.advance();
      // A function call, so that TypeScript does not keep the narrowing across advance().
      const next = (): number => input.next;
      while (next() >= 0 && next() !== braceClose && next() !== singleQuote &&
             next() !== doubleQuote && next() !== newline) input.advance();
      if (next() === braceClose) input.advance();
    }
  }
}
