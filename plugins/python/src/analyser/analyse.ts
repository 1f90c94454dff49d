/**
 * `analysePython(code)`: what a Python cell defines, references and deletes,
 * following Python's scoping rules and marimo's conventions
 * (testdata/README.md). Pure and synchronous: it never runs the code.
 *
 * Not tracked, by design: mutation (`df.x = 1`, `d[k] = v`, `xs.append(1)` are
 * reads of `df`, `d`, `xs`, never definitions), names created dynamically
 * (`globals()['x'] = 1`, `exec`), and string annotations.
 */
import type { Tree } from '@lezer/common';
import type { Analysis, AnalysisError } from '@rnb/core';
import { PYTHON_BUILTINS } from './builtins';
import { parser } from './parser/parser';
import { resolvesInCell } from './scope';
import { CellWalker } from './walker';

/**
 * The parser stops at the first syntax error instead of recovering: only the
 * first error is reported, and Lezer's recovery costs about 15 µs a character
 * on long runs of bad tokens (`x = ......`, 300 KB took 4.5 s), where a strict
 * parse gives up at once.
 */
const strictParser = parser.configure({ strict: true });
const NO_PARSE = /^No parse at (\d+)$/;
/** CPython's tokenizer refuses deeper bracket nesting ("too many nested parentheses", MAXLEVEL). */
const MAX_BRACKET_DEPTH = 200;
/**
 * Lezer cuts a parse stack of 8,400 entries back to 6,000 (3 or more per level): a parse that failed after its
 * stack grew past 6,000 entries failed on nesting, not on the code's syntax.
 */
const LEZER_CUT_DEPTH = 6000;
/** Lezer forces a left-associative chain closed after 300 reductions; a longer chain then fails to parse. */
const LEZER_CHAIN_LIMIT = 300;

/**
 * marimo's rule: `_x`, `_` and `__` are private to their cell (never defined
 * for, nor read from, other cells); dunder names such as `__all__` are not.
 */
export function isPrivateName(name: string): boolean {
  return name === '__' || (name.startsWith('_') && !name.startsWith('__'));
}

/** Analyses one Python cell. Never throws: problems come back in `error`. */
export function analysePython(code: string): Analysis {
  if (typeof code !== 'string') return failed({ message: 'cell code must be a string' });
  try {
    const tooDeep = bracketTooDeep(code);
    if (tooDeep >= 0) return failed({ message: 'too many nested parentheses', ...position(code, tooDeep) });
    const parsed = parseStrictly(code);
    if ('error' in parsed) return failed(parsed.error);
    const tree = parsed.tree;
    const syntax = findSyntaxError(tree, code);
    if (syntax) return failed(syntax);
    const walker = new CellWalker(code);
    walker.walk(tree.topNode);
    if (walker.error) return failed({ message: walker.error.message, ...position(code, walker.error.from) });

    const defines = [...walker.module.bindings.keys()].filter((name) => !isPrivateName(name));
    const references = new Set<string>();
    const deletes = new Set<string>();
    const builtins = new Set<string>();
    for (const read of walker.reads) {
      if (isPrivateName(read.name) || resolvesInCell(read, walker.module)) continue;
      if (PYTHON_BUILTINS.has(read.name)) {
        builtins.add(read.name);
        continue;
      }
      references.add(read.name);
      if (read.deleted) deletes.add(read.name);
    }
    const analysis: Analysis = { defines: defines.sort(), references: [...references].sort() };
    if (deletes.size > 0) analysis.deletes = [...deletes].sort();
    if (builtins.size > 0) {
      // A builtin is a dependency only when some cell of the notebook redefines it (`id = 3`).
      analysis.weakReferences = [...builtins].sort();
      analysis.meta = { builtins: analysis.weakReferences };
    }
    return analysis;
  } catch (error) {
    // A stack overflow on absurdly nested code, or a bug: the cell errors, the server does not.
    const message = error instanceof RangeError
      ? 'too many nested parentheses or blocks to analyse'
      : `the Python analyser failed: ${error instanceof Error ? error.message : String(error)}`;
    return failed({ message });
  }
}

/**
 * Parses without error recovery, step by step, so that a failure caused by
 * Lezer's own limits (very deep nesting, a very long chain of operations)
 * says so instead of blaming valid code.
 */
function parseStrictly(code: string): { tree: Tree } | { error: AnalysisError } {
  const parse = strictParser.startParse(code) as ReturnType<typeof strictParser.startParse> & LezerParseInternals;
  let step = 0;
  let lastChainCut = Number.NEGATIVE_INFINITY;
  let deepest = 0;
  try {
    for (;;) {
      step++;
      if ((parse.bigReductionCount ?? 0) > LEZER_CHAIN_LIMIT) lastChainCut = step;
      for (const stack of parse.stacks ?? []) deepest = Math.max(deepest, stack.stack?.length ?? 0);
      const tree = parse.advance();
      if (tree) return { tree };
    }
  } catch (error) {
    const stuck = error instanceof SyntaxError ? NO_PARSE.exec(error.message) : null;
    if (!stuck) throw error;
    const at = Math.min(Number(stuck[1]), code.length);
    let message = syntaxMessage(code, at);
    if (deepest >= LEZER_CUT_DEPTH) message = 'this expression is nested too deeply to analyse (a thousand levels or more of operators, lambdas or brackets): split it into several statements';
    else if (step - lastChainCut <= 1) message = 'this expression chains too many operations in a row to analyse (over 300, e.g. `a + b + ...` or `x.f().g()...`): split it into several statements';
    return { error: { message, ...position(code, at) } };
  }
}

/** What parseStrictly reads of Lezer's parse state (not typed by @lezer/lr; absent fields are tolerated). */
interface LezerParseInternals {
  bigReductionCount?: number;
  stacks?: { stack?: unknown[] }[];
}

/**
 * The offset of the first bracket nested deeper than CPython allows, or -1.
 * One pass; strings and comments are skipped.
 */
function bracketTooDeep(code: string): number {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x23 /* # */) {
      const end = code.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      i = stringEnd(code, i) - 1;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b /* ( [ { */) {
      if (++depth > MAX_BRACKET_DEPTH) return i;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d /* ) ] } */) {
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** The offset just after the string literal whose opening quote is at `start` (or the end of the code). */
function stringEnd(code: string, start: number): number {
  const quote = code[start]!;
  const triple = code.startsWith(quote.repeat(3), start);
  const closing = triple ? quote.repeat(3) : quote;
  for (let i = start + closing.length; i < code.length; i++) {
    const c = code[i];
    if (c === '\\') i++;
    else if (!triple && c === '\n') return i + 1;
    else if (code.startsWith(closing, i)) return i + closing.length;
  }
  return code.length;
}

function failed(error: AnalysisError): Analysis {
  return { defines: [], references: [], error };
}

function position(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = code.indexOf('\n'); i >= 0 && i < offset; i = code.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function findSyntaxError(tree: Tree, code: string): AnalysisError | null {
  let at = -1;
  tree.iterate({
    enter(node) {
      if (at >= 0) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  if (at < 0) return null;
  return { message: syntaxMessage(code, at), ...position(code, at) };
}

/** Lezer gives a position, not a reason: say what CPython would most likely say. */
function syntaxMessage(code: string, at: number): string {
  if (code.slice(at).trim() === '') return 'invalid syntax: the cell ends in the middle of a statement (an unclosed bracket or string?)';
  const lineStart = code.lastIndexOf('\n', at - 1) + 1;
  const before = code.slice(lineStart, at);
  if (/^[ \t]*$/.test(before) && /^[ \t]/.test(code.slice(lineStart))) {
    const indent = /^[ \t]*/.exec(code.slice(lineStart))?.[0].length ?? 0;
    const previous = code.slice(0, lineStart).split('\n').reverse().find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    const previousIndent = previous === undefined ? 0 : (/^[ \t]*/.exec(previous)?.[0].length ?? 0);
    return indent < previousIndent ? 'unindent does not match any outer indentation level' : 'unexpected indent';
  }
  const token = /^\s*(\w+|\S)/.exec(code.slice(at))?.[1];
  if (/^print[ \t]+[^ \t(=]/.test(code.slice(lineStart).trimStart()) && /^\s*print\b/.test(code.slice(lineStart))) {
    return "Missing parentheses in call to 'print'. Did you mean print(...)?";
  }
  return token ? `invalid syntax at "${token}"` : 'invalid syntax';
}
