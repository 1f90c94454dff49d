/**
 * A small hand-written SQL tokenizer, shared by the analyser (server side)
 * and the template binder (kernel side). It never executes anything and only
 * knows enough lexical rules to find names, strings, comments, templates and
 * statement boundaries reliably.
 */

/** Lexical rules differ a little between engines. */
export type SqlDialect = 'alasql' | 'postgres';

export type TokenKind =
  /** An unquoted word: keyword or identifier. */
  | 'word'
  /** A quoted identifier: "x", `x` or [x] (alasql). */
  | 'quoted'
  /** A string literal ('x', E'x', $$x$$). */
  | 'string'
  | 'number'
  /** `{name}`: a value read from the notebook. */
  | 'template'
  /** `{{`: a literal `{`. */
  | 'brace'
  /** A placeholder written by the user (`?` in alasql, `$1` in PostgreSQL). */
  | 'param'
  /** alasql's ``javascript`` block. */
  | 'javascript'
  | 'punct';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /**
   * word: the text; quoted: the identifier without quotes; string: its content;
   * template: the name; others: the text.
   */
  value: string;
  start: number;
  end: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface LexicalError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface Tokenized {
  tokens: Token[];
  /** The first lexical problem; tokens stop there. */
  error?: LexicalError;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const TEMPLATE = /\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}/y;
const DOTTED_TEMPLATE = /\{[ \t]*[A-Za-z_][A-Za-z0-9_]*(?:[ \t]*\.[ \t]*[A-Za-z_][A-Za-z0-9_]*)+[ \t]*\}/y;
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const MULTI_PUNCT = ['::', '||', '<=', '>=', '<>', '!=', '==', '->>', '->', '=>'];

/** Maps offsets to 1-based line and column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

/**
 * Splits SQL into tokens, dropping whitespace and comments. Text inside
 * strings, quoted identifiers and comments is never a template.
 */
export function tokenize(sql: string, dialect: SqlDialect = 'alasql'): Tokenized {
  const tokens: Token[] = [];
  const lines = new LineIndex(sql);
  const n = sql.length;
  let i = 0;

  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const { line, column } = lines.position(start);
    const text = sql.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end, line, column });
  };
  const fail = (message: string, offset: number): Tokenized => {
    const { line, column } = lines.position(offset);
    return { tokens, error: { message, offset, line, column } };
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = skipBlockComment(sql, i, dialect === 'postgres');
      if (end < 0) return fail('This /* comment is never closed with */.', i);
      i = end;
      continue;
    }
    if (c === "'" || ((c === 'E' || c === 'e' || c === 'N' || c === 'n' || c === 'X' || c === 'x') && next === "'")) {
      const quote = c === "'" ? i : i + 1;
      const backslash = dialect === 'alasql' || c === 'E' || c === 'e';
      const end = skipString(sql, quote, "'", backslash);
      if (end < 0) return fail('This string is never closed with a quote (\').', i);
      push('string', i, end, unquote(sql.slice(quote + 1, end - 1), "'", backslash));
      i = end;
      continue;
    }
    if (c === '"') {
      // alasql reads "x" as a string, PostgreSQL as an identifier: both are never templates.
      const end = skipString(sql, i, '"', dialect === 'alasql');
      if (end < 0) return fail('This double-quoted name is never closed with ".', i);
      push('quoted', i, end, unquote(sql.slice(i + 1, end - 1), '"', dialect === 'alasql'));
      i = end;
      continue;
    }
    if (c === '`') {
      if (next === '`') {
        const end = sql.indexOf('``', i + 2);
        if (end < 0) return fail('This ``javascript`` block is never closed.', i);
        push('javascript', i, end + 2, sql.slice(i + 2, end));
        i = end + 2;
        continue;
      }
      const end = sql.indexOf('`', i + 1);
      if (end < 0) return fail('This `quoted name` is never closed with `.', i);
      push('quoted', i, end + 1, sql.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (c === '[' && dialect === 'alasql' && sql[i - 1] !== '@' && !/ARRAY$/i.test(sql.slice(Math.max(0, i - 5), i))) {
      // alasql's lexer: [name] is an identifier when it holds no quote.
      const end = sql.indexOf(']', i + 1);
      if (end > 0 && !sql.slice(i + 1, end).includes("'")) {
        push('quoted', i, end + 1, sql.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    if (c === '$') {
      DOLLAR_TAG.lastIndex = i;
      const tag = dialect === 'postgres' ? DOLLAR_TAG.exec(sql) : null;
      if (tag && !(tag[1] === undefined && /\d/.test(sql[i + 1] ?? ''))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) return fail(`This ${tag[0]}-quoted string is never closed with ${tag[0]}.`, i);
        push('string', i, close + tag[0].length, sql.slice(i + tag[0].length, close));
        i = close + tag[0].length;
        continue;
      }
      if (dialect === 'postgres' && /\d/.test(next ?? '')) {
        let end = i + 1;
        while (end < n && /\d/.test(sql[end]!)) end++;
        push('param', i, end);
        i = end;
        continue;
      }
    }
    if (c === '{') {
      if (next === '{') {
        push('brace', i, i + 2, '{');
        i += 2;
        continue;
      }
      TEMPLATE.lastIndex = i;
      const template = TEMPLATE.exec(sql);
      if (template) {
        push('template', i, TEMPLATE.lastIndex, template[1]);
        i = TEMPLATE.lastIndex;
        continue;
      }
      DOTTED_TEMPLATE.lastIndex = i;
      if (DOTTED_TEMPLATE.test(sql)) {
        return fail('A template names one value: write {name} and compute attributes in a Python cell ({{ is a literal brace).', i);
      }
      push('punct', i, i + 1);
      i++;
      continue;
    }
    if (c === '?' && dialect === 'alasql') {
      push('param', i, i + 1);
      i++;
      continue;
    }
    if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < n && WORD_PART.test(sql[end]!)) end++;
      push('word', i, end);
      i = end;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && next !== undefined && next >= '0' && next <= '9')) {
      NUMBER.lastIndex = i;
      NUMBER.exec(sql);
      let end = NUMBER.lastIndex;
      // alasql accepts names that start with digits (1abc).
      while (end < n && WORD_PART.test(sql[end]!)) end++;
      push(end > NUMBER.lastIndex ? 'word' : 'number', i, end);
      i = end;
      continue;
    }
    const multi = MULTI_PUNCT.find((p) => sql.startsWith(p, i));
    push('punct', i, i + (multi?.length ?? 1));
    i += multi?.length ?? 1;
  }
  return { tokens };
}

/** Returns the offset after the closing quote, or -1. */
function skipString(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return -1;
}

function skipBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      if (depth > 0 && !nested) {
        i += 2;
        continue;
      }
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return -1;
}

function unquote(body: string, quote: string, backslash: boolean): string {
  let text = body.split(quote + quote).join(quote);
  // Only the escapes that matter for names: \' and \\ (a table name never holds a newline).
  if (backslash) text = text.replace(/\\(['"\\])/g, '$1');
  return text;
}

/** One statement of a cell: its tokens and where it sits in the cell's text. */
export interface Statement {
  tokens: Token[];
  start: number;
  end: number;
}

/** Splits tokens into statements at `;` outside parentheses; empty statements are dropped. */
export function splitStatements(tokens: readonly Token[]): Statement[] {
  const statements: Statement[] = [];
  let current: Token[] = [];
  let depth = 0;
  const close = (): void => {
    if (current.length > 0) statements.push({ tokens: current, start: current[0]!.start, end: current[current.length - 1]!.end });
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === 'punct') {
      if (token.text === '(') depth++;
      else if (token.text === ')') depth = Math.max(0, depth - 1);
      else if (token.text === ';' && depth === 0) {
        close();
        continue;
      }
    }
    current.push(token);
  }
  close();
  return statements;
}
