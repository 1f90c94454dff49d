/**
 * Template binding: `{name}` in a SQL cell becomes a placeholder and the
 * value a bound parameter, so values are never pasted into SQL text (a
 * string holding `'; DROP TABLE users; --` stays a string). Runs inside the
 * kernel (values live there) and in tests; imports nothing at run time but
 * the tokenizer.
 */
import { statementTables } from './analyser/tables';
import { splitStatements, tokenize, type SqlDialect, type Statement, type Token } from './analyser/tokenizer';

/** A problem with the cell's templates, found before any query runs. */
export class TemplateError extends Error {
  readonly code = 'RNB_SQL_TEMPLATE';
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'TemplateError';
    this.line = line;
    this.column = column;
  }
}

/** A name's value, or `found: false` when no cell defines it. */
export type TemplateLookup = (name: string) => { found: true; value: unknown } | { found: false };

/** One statement ready to run: placeholder SQL and its parameters, in order. */
export interface BoundStatement {
  sql: string;
  params: unknown[];
  /** Offset of the statement in the cell's text. */
  start: number;
  /** 1-based line of the cell where the statement starts. */
  line: number;
  /** The first word of the statement, upper-cased (SELECT, INSERT...). */
  keyword: string;
  /** Replaced spans, to map a position in `sql` back to the cell. */
  edits: { outStart: number; outEnd: number; inStart: number; inEnd: number }[];
}

/** Items an `IN ({name})` list may expand to by default: each becomes a placeholder the engine must parse and bind. */
export const DEFAULT_MAX_LIST_ITEMS = 10_000;

export interface BindOptions {
  /** Items one `IN ({name})` list may hold (default {@link DEFAULT_MAX_LIST_ITEMS}); a longer list is refused before anything runs. */
  maxListItems?: number;
  /**
   * Table names that reach the engine quoted wherever the cell reads them as tables (and where they qualify a
   * column, `rows.v`), so a notebook value named after a keyword (`rows`, `values`, `order`) is still a table.
   * Only for alasql, whose tables these are; PostgreSQL's tables are the database's own.
   */
  quoteTables?: ReadonlySet<string>;
}

/** The plain-object lookup tests and simple callers use. */
export function lookupIn(values: Readonly<Record<string, unknown>>): TemplateLookup {
  return (name) => (Object.prototype.hasOwnProperty.call(values, name) ? { found: true, value: values[name] } : { found: false });
}

/**
 * Binds every statement of a cell. Throws {@link TemplateError} for an
 * undefined name or a placeholder written by hand, before anything runs.
 */
export function bindSql(code: string, lookup: TemplateLookup, dialect: SqlDialect, options: BindOptions = {}): BoundStatement[] {
  const { tokens, error } = tokenize(code, dialect);
  if (error) throw new TemplateError(error.message, error.line, error.column);
  const maxListItems = options.maxListItems ?? DEFAULT_MAX_LIST_ITEMS;
  const quoteTables = options.quoteTables ?? new Set<string>();
  return splitStatements(tokens).map((statement) =>
    bindStatement(code, statement.tokens, statement.start, statement.end, lookup, dialect, tablesToQuote(statement, quoteTables), maxListItems),
  );
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Token indices of the unquoted table names in `names` this statement reads, and of those names before a `.`. */
function tablesToQuote(statement: Statement, names: ReadonlySet<string>): Set<number> {
  const at = new Set<number>();
  if (names.size === 0) return at;
  const tokens = statement.tokens;
  const wanted = (token: Token | undefined): boolean => token?.kind === 'word' && names.has(token.value) && PLAIN_NAME.test(token.value);
  statementTables(statement, (index, parts) => {
    if (parts === 1 && wanted(tokens[index])) at.add(index);
  });
  tokens.forEach((token, index) => {
    const before = tokens[index - 1];
    const after = tokens[index + 1];
    const qualifies = after?.kind === 'punct' && after.text === '.' && !(before?.kind === 'punct' && before.text === '.');
    if (qualifies && wanted(token)) at.add(index);
  });
  return at;
}

function bindStatement(
  code: string,
  tokens: readonly Token[],
  start: number,
  end: number,
  lookup: TemplateLookup,
  dialect: SqlDialect,
  quoteAt: ReadonlySet<number>,
  maxListItems: number,
): BoundStatement {
  const params: unknown[] = [];
  const edits: BoundStatement['edits'] = [];
  const reused = new Map<string, string>();
  let sql = '';
  let cursor = start;
  const replace = (token: Token, text: string): void => {
    sql += code.slice(cursor, token.start);
    edits.push({ outStart: sql.length, outEnd: sql.length + text.length, inStart: token.start, inEnd: token.end });
    sql += text;
    cursor = token.end;
  };
  const placeholder = (value: unknown): string => {
    params.push(value);
    return dialect === 'postgres' ? `$${params.length}` : '?';
  };

  tokens.forEach((token, index) => {
    if (token.kind === 'brace') replace(token, '{');
    else if (quoteAt.has(index)) replace(token, `\`${token.text}\``);
    else if (token.kind === 'param') {
      throw new TemplateError(
        `Write {name} to use a notebook value here: "${token.text}" placeholders are not supported in SQL cells`,
        token.line,
        token.column,
      );
    } else if (token.kind === 'template') {
      const name = token.value;
      const found = lookup(name);
      if (!found.found) {
        throw new TemplateError(`Template variable '${name}' not found: no cell defines ${name}, so {${name}} has no value`, token.line, token.column);
      }
      const list = asList(found.value);
      if (list && isInListSlot(tokens, index)) {
        // A million placeholders take the engine minutes to parse: refuse before building any.
        if (list.length > maxListItems) {
          throw new TemplateError(
            `The list {${name}} has ${list.length.toLocaleString('en-US')} items; IN ({${name}}) takes at most ${maxListItems.toLocaleString('en-US')} (the SQL plugin's maxListItems option). Put the values in a table and JOIN it, or filter them first`,
            token.line,
            token.column,
          );
        }
        // IN ({ids}): one placeholder per element; an empty list matches nothing.
        replace(token, list.length === 0 ? 'NULL' : list.map((item) => placeholder(item)).join(', '));
      } else if (dialect === 'postgres' && reused.has(name)) {
        replace(token, reused.get(name)!);
      } else {
        const text = placeholder(found.value);
        if (dialect === 'postgres') reused.set(name, text);
        replace(token, text);
      }
    }
  });
  sql += code.slice(cursor, end);
  const first = tokens[0];
  return {
    sql,
    params,
    start,
    line: first?.line ?? 1,
    keyword: first && first.kind === 'word' ? first.text.toUpperCase() : '',
    edits,
  };
}

/** `IN ( {name} )` exactly: the template is the whole list. */
function isInListSlot(tokens: readonly Token[], index: number): boolean {
  const open = tokens[index - 1];
  const keyword = tokens[index - 2];
  const close = tokens[index + 1];
  return (
    open?.kind === 'punct' && open.text === '(' &&
    close?.kind === 'punct' && close.text === ')' &&
    keyword?.kind === 'word' && keyword.text.toUpperCase() === 'IN'
  );
}

function asList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<unknown>);
  return null;
}

/** Maps an offset in a bound statement's SQL back to an offset in the cell. */
export function cellOffset(statement: BoundStatement, offset: number): number {
  let shift = statement.start;
  for (const edit of statement.edits) {
    if (offset < edit.outStart) break;
    if (offset < edit.outEnd) return edit.inStart;
    shift = edit.inEnd - edit.outEnd;
  }
  return offset + shift;
}
