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
    const tree = parser.parse(code);
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
