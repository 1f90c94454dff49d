/**
 * The SQL cell analyser. It runs in the server for every edit, so it is pure,
 * fast (well under a millisecond for a typical cell) and never executes SQL.
 */
import type { Analysis, AnalysisError } from '@rnb/core';
import { statementTables } from './tables';
import { splitStatements, tokenize, type Token } from './tokenizer';

export { splitStatements, tokenize, LineIndex } from './tokenizer';
export type { SqlDialect, Statement, Token, TokenKind, Tokenized, LexicalError } from './tokenizer';
export { statementTables } from './tables';
export type { TableUse } from './tables';

/** What the analyser keeps in `Analysis.meta` (plain JSON). */
export interface SqlCellMeta {
  [key: string]: string[] | string | null | number | { [key: string]: string[] };
  tables: { created: string[]; filled: string[]; referenced: string[]; schemas: string[] };
  /** `{name}` templates, in order of first use. */
  templates: string[];
  /** From a first-line `-- name: result` comment. */
  resultName: string | null;
  statements: number;
}

const RESULT_NAME = /^([ \t]*--[ \t]*name[ \t]*:[ \t]*)(.*?)[ \t]*\r?$/i;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads the optional `-- name: result` first line. */
export function resultNameOf(code: string): { name: string | null; error?: AnalysisError } {
  const firstLine = code.split('\n', 1)[0] ?? '';
  const match = RESULT_NAME.exec(firstLine);
  if (!match) return { name: null };
  const name = match[2]!;
  if (!IDENTIFIER.test(name)) {
    return {
      name: null,
      error: {
        message: `"-- name:" must be followed by one name made of letters, digits and _ (not starting with a digit), got "${name.slice(0, 40)}".`,
        line: 1,
        column: match[1]!.length + 1,
      },
    };
  }
  return { name };
}

/** Analyses one SQL cell: its defined and referenced names, and syntax problems. */
export function analyseSql(code: string): Analysis {
  const result = resultNameOf(code);
  const { tokens, error: lexical } = tokenize(code, 'alasql');
  let error: AnalysisError | undefined = result.error;
  if (!error && lexical) error = { message: lexical.message, line: lexical.line, column: lexical.column };
  if (!error) error = parenthesisProblem(tokens);

  const tables = { created: [] as string[], filled: [] as string[], referenced: [] as string[], schemas: [] as string[] };
  const statements = splitStatements(tokens);
  for (const statement of statements) {
    const use = statementTables(statement);
    // Not push(...list): a statement can name 100,000+ tables (a long JOIN chain), past the engine's argument limit.
    for (const key of ['created', 'filled', 'referenced', 'schemas'] as const) for (const name of use[key]) tables[key].push(name);
  }
  for (const key of ['created', 'filled', 'referenced', 'schemas'] as const) tables[key] = unique(tables[key]);
  const templates = unique(tokens.filter((t) => t.kind === 'template').map((t) => t.value));

  const defined = new Set<string>([...(result.name ? [result.name] : []), ...tables.created, ...tables.filled, ...tables.schemas]);
  // A name the cell defines itself is no edge to another cell.
  const referenced = new Set([...templates, ...tables.referenced].filter((name) => !defined.has(name)));
  const meta: SqlCellMeta = { tables, templates, resultName: result.name, statements: statements.length };
  const analysis: Analysis = { defines: [...defined].sort(), references: [...referenced].sort(), meta };
  if (error) analysis.error = error;
  return analysis;
}

function parenthesisProblem(tokens: readonly Token[]): AnalysisError | undefined {
  const open: Token[] = [];
  for (const token of tokens) {
    if (token.kind !== 'punct') continue;
    if (token.text === '(') open.push(token);
    else if (token.text === ')') {
      if (!open.pop()) return { message: 'This ")" closes nothing.', line: token.line, column: token.column };
    }
  }
  const unclosed = open.pop();
  if (unclosed) return { message: 'This "(" is never closed.', line: unclosed.line, column: unclosed.column };
  return undefined;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
