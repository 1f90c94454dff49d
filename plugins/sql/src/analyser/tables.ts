/**
 * Which tables a statement creates, fills and reads, from its tokens alone.
 * A heuristic reader, not a parser: it follows FROM/JOIN lists, DDL and DML
 * targets, CTE scopes and parenthesised subqueries, and ignores the rest.
 */
import type { Statement, Token } from './tokenizer';

export interface TableUse {
  /** CREATE TABLE / CREATE VIEW targets (the cell owns these tables). */
  created: string[];
  /** INSERT INTO / SELECT ... INTO / MERGE INTO targets. */
  filled: string[];
  /** Tables read (FROM, JOIN, UPDATE, DELETE, DROP, ...), CTE names excluded. */
  referenced: string[];
  /** CREATE SCHEMA / CREATE DATABASE names. */
  schemas: string[];
}

/** After these a FROM list ends (at the same parenthesis level). */
const CLAUSE_END = new Set([
  'WHERE', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'FETCH', 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS', 'SELECT',
  'SET', 'VALUES', 'RETURNING', 'WINDOW', 'QUALIFY', 'INTO', 'FOR', 'TABLESAMPLE', 'USING', 'ON',
]);
/** Words that cannot be a table alias. */
const NOT_ALIAS = new Set([
  ...CLAUSE_END, 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'OUTER', 'FULL', 'CROSS', 'NATURAL', 'LATERAL', 'AS', 'WITH',
  'PIVOT', 'UNPIVOT', 'ANTI', 'SEMI', 'POSITIONAL', 'ASOF', 'APPLY', 'OUTPUT', 'DEFAULT', 'SELECT', 'FROM', 'AND', 'OR',
]);
/** A `(` after these is a subquery or a list, not a function's arguments. */
const NON_FUNCTION = new Set([
  'IN', 'EXISTS', 'FROM', 'JOIN', 'AS', 'ON', 'AND', 'OR', 'NOT', 'SELECT', 'WHERE', 'HAVING', 'ANY', 'ALL', 'SOME',
  'UNION', 'EXCEPT', 'INTERSECT', 'LATERAL', 'VALUES', 'INTO', 'TABLE', 'USING', 'THEN', 'ELSE', 'WHEN', 'RETURN',
  'SET', 'BY', 'WITH', 'MATERIALIZED', 'IS', 'LIKE', 'BETWEEN', 'CASE', 'DISTINCT', 'LIMIT', 'OFFSET', 'COPY',
]);
const SUBQUERY_START = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'TABLE']);
/**
 * Words that never name a table right after FROM, JOIN or a comma of a FROM
 * list. Any other keyword there (`FROM rows`, `FROM values`, `JOIN order`)
 * can only be a table the user named after a keyword.
 */
const NEVER_A_TABLE = new Set([
  'FROM', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'OUTER', 'FULL', 'CROSS', 'NATURAL', 'LATERAL', 'ONLY', 'AS',
  'ON', 'USING', 'AND', 'OR', 'NOT', 'WHERE', 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS',
]);

interface Frame {
  /** A function's argument list (EXTRACT(YEAR FROM x)): FROM there is not a table clause until a SELECT. */
  fn: boolean;
  sawSelect: boolean;
  inFrom: boolean;
  /** The frame is a parenthesised join `(a JOIN b ON ...)`. */
  joinGroup: boolean;
}

interface CteScope {
  name: string;
  from: number;
  to: number;
}

const upper = (t: Token | undefined): string => (t && t.kind === 'word' ? t.text.toUpperCase() : '');
const isName = (t: Token | undefined): boolean => !!t && (t.kind === 'word' || t.kind === 'quoted');
const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.kind === 'punct' && t.text === p;

/**
 * Reads the tables of one statement. `onReference` hears where each table
 * read starts (token index) and how many dotted parts its name has.
 */
export function statementTables(statement: Statement, onReference?: (tokenIndex: number, parts: number) => void): TableUse {
  const tokens = statement.tokens;
  const use: TableUse = { created: [], filled: [], referenced: [], schemas: [] };
  const ctes = cteScopes(tokens);
  const frames: Frame[] = [{ fn: false, sawSelect: false, inFrom: false, joinGroup: false }];
  let expectTable = false;

  /** Reads `a.b.c` at i; returns the name and the index after it. */
  const qualified = (i: number): { name: string; next: number; parts: number } | null => {
    if (!isName(tokens[i]) && tokens[i]?.kind !== 'string') return null;
    const parts = [tokens[i]!.value];
    let j = i + 1;
    while (isPunct(tokens[j], '.') && isName(tokens[j + 1])) {
      parts.push(tokens[j + 1]!.value);
      j += 2;
    }
    return { name: parts.join('.'), next: j, parts: parts.length };
  };
  const isCte = (name: string, parts: number, at: number): boolean =>
    parts === 1 && (ctes.get(name.toLowerCase())?.some((c) => at > c.from && at < c.to) ?? false);
  const reference = (i: number): number => {
    const q = qualified(i);
    if (!q) return i + 1;
    if (tokens[i]!.kind !== 'string' && !isCte(q.name, q.parts, i)) {
      use.referenced.push(q.name);
      onReference?.(i, q.parts);
    }
    return q.next;
  };
  const target = (i: number, into: string[]): number => {
    const q = qualified(i);
    if (!q) return i;
    into.push(q.name);
    return q.next;
  };
  const skipWords = (i: number, ...words: string[][]): number => {
    for (const group of words) if (group.includes(upper(tokens[i]))) i++;
    return i;
  };

  // Statement-level forms whose target comes first.
  const head = upper(tokens[0]);
  let i = 0;
  if (head === 'CREATE') {
    i = skipWords(1, ['OR'], ['REPLACE'], ['GLOBAL', 'LOCAL'], ['TEMP', 'TEMPORARY'], ['UNLOGGED', 'UNIQUE', 'MATERIALIZED']);
    const kind = upper(tokens[i]);
    if (kind === 'TABLE' || kind === 'VIEW') {
      i = skipIfNotExists(tokens, i + 1);
      i = target(i, use.created);
    } else if (kind === 'SCHEMA' || kind === 'DATABASE') {
      i = skipIfNotExists(tokens, i + 1);
      const q = qualified(i);
      if (q) use.schemas.push(tokens[q.next - 1]!.value);
      i = q ? q.next : i + 1;
    } else if (kind === 'INDEX') {
      while (i < tokens.length && upper(tokens[i]) !== 'ON') i++;
      i = skipWords(i + 1, ['ONLY']);
      i = reference(i);
    }
  } else if (head === 'DROP' && ['TABLE', 'VIEW'].includes(upper(tokens[1]))) {
    i = 2;
    if (upper(tokens[i]) === 'IF' && upper(tokens[i + 1]) === 'EXISTS') i += 2;
    do {
      i = reference(isPunct(tokens[i], ',') ? i + 1 : i);
    } while (isPunct(tokens[i], ','));
  } else if (['TRUNCATE', 'DESCRIBE', 'SUMMARIZE', 'ANALYZE', 'ANALYSE', 'PIVOT', 'UNPIVOT', 'COPY', 'ALTER', 'VACUUM', 'REINDEX'].includes(head)) {
    i = skipWords(1, ['TABLE'], ['IF'], ['EXISTS'], ['ONLY']);
    // COPY (SELECT ...) TO, SUMMARIZE SELECT ...: the loop below reads those.
    if (isName(tokens[i]) && !SUBQUERY_START.has(upper(tokens[i]))) i = reference(i);
    else i = 1;
  } else if (head === 'UPDATE') {
    i = reference(skipWords(1, ['ONLY']));
  }

  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    const frame = frames[frames.length - 1]!;
    const word = upper(token);

    if (expectTable) {
      expectTable = false;
      if (word === 'LATERAL' || word === 'ONLY') {
        expectTable = true;
        continue;
      }
      if (isPunct(token, '(')) {
        const subquery = SUBQUERY_START.has(upper(tokens[i + 1])) || isPunct(tokens[i + 1], '(');
        frames.push({ fn: false, sawSelect: false, inFrom: !subquery, joinGroup: !subquery });
        expectTable = !subquery;
        continue;
      }
      const keywordTable = token.kind === 'word' && NOT_ALIAS.has(word) && !NEVER_A_TABLE.has(word) && !isPunct(tokens[i + 1], '(');
      if (isName(token) && (!(token.kind === 'word' && NOT_ALIAS.has(word)) || keywordTable)) {
        const q = qualified(i)!;
        if (isPunct(tokens[q.next], '(')) {
          // A table function (RANGE(...), read_csv(...)): its arguments are scanned as usual.
          frames.push({ fn: true, sawSelect: false, inFrom: false, joinGroup: false });
          i = q.next;
          continue;
        }
        i = skipAlias(tokens, reference(i)) - 1;
        continue;
      }
      if (token.kind === 'string' || token.kind === 'template' || token.kind === 'param') continue;
    }

    if (token.kind === 'punct') {
      if (token.text === '(') {
        const before = tokens[i - 1];
        const fn = before !== undefined && ((isName(before) && !NON_FUNCTION.has(upper(before))) || before.kind === 'quoted');
        frames.push({ fn, sawSelect: false, inFrom: false, joinGroup: false });
      } else if (token.text === ')') {
        const closed = frames.length > 1 ? frames.pop()! : null;
        // After a subquery or join group in a FROM list, an alias may follow.
        if (closed && !closed.fn && frames[frames.length - 1]!.inFrom) i = skipAlias(tokens, i + 1) - 1;
      } else if (token.text === ',' && frame.inFrom) {
        expectTable = true;
      }
      continue;
    }
    if (token.kind !== 'word') continue;

    switch (word) {
      case 'SELECT':
        frame.sawSelect = true;
        frame.inFrom = false;
        break;
      case 'FROM':
        if (frame.fn && !frame.sawSelect) break; // EXTRACT(YEAR FROM d), SUBSTRING(s FROM 2)
        frame.inFrom = true;
        expectTable = true;
        break;
      case 'JOIN':
        frame.inFrom = true;
        expectTable = true;
        break;
      case 'INTO': {
        const prev = upper(tokens[i - 1]);
        if (prev === 'INSERT' || prev === 'IGNORE' || prev === 'REPLACE' || prev === 'MERGE' || isInsertOr(tokens, i)) {
          i = target(i + 1, use.filled) - 1;
        } else if (frame.sawSelect && isName(tokens[i + 1])) {
          const q = qualified(i + 1)!;
          // INTO TXT("...") and friends are alasql's file writers, not tables.
          if (!isPunct(tokens[q.next], '(')) i = target(i + 1, use.filled) - 1;
        }
        frame.inFrom = false;
        break;
      }
      case 'INSERT':
        if (isName(tokens[i + 1]) && upper(tokens[i + 1]) !== 'INTO' && upper(tokens[i + 1]) !== 'OR') {
          i = target(i + 1, use.filled) - 1; // alasql: INSERT t VALUES ...
        }
        break;
      case 'REFERENCES':
        i = reference(i + 1) - 1;
        break;
      case 'UPDATE':
        if (i > 0 && upper(tokens[i - 1]) !== 'ON' && upper(tokens[i - 1]) !== 'FOR' && upper(tokens[i - 1]) !== 'DO') {
          i = reference(skipWords(i + 1, ['ONLY'])) - 1;
        }
        break;
      default:
        if (CLAUSE_END.has(word) && word !== 'ON' && word !== 'USING' && !frame.joinGroup) frame.inFrom = false;
    }
  }
  return use;
}

function isInsertOr(tokens: readonly Token[], into: number): boolean {
  // INSERT OR REPLACE INTO / INSERT OR IGNORE INTO
  return upper(tokens[into - 3]) === 'INSERT' && upper(tokens[into - 2]) === 'OR';
}

function skipIfNotExists(tokens: readonly Token[], i: number): number {
  if (upper(tokens[i]) === 'IF' && upper(tokens[i + 1]) === 'NOT' && upper(tokens[i + 2]) === 'EXISTS') return i + 3;
  return i;
}

/** Skips `[AS] alias [(columns)]` after a table; returns the next index. */
function skipAlias(tokens: readonly Token[], i: number): number {
  if (upper(tokens[i]) === 'AS') i++;
  const t = tokens[i];
  if (t && (t.kind === 'quoted' || (t.kind === 'word' && !NOT_ALIAS.has(t.text.toUpperCase())))) {
    i++;
    if (isPunct(tokens[i], '(')) {
      let depth = 0;
      for (; i < tokens.length; i++) {
        if (isPunct(tokens[i], '(')) depth++;
        else if (isPunct(tokens[i], ')') && --depth === 0) return i + 1;
      }
    }
  }
  return i;
}

/**
 * Finds `WITH a AS (...), b AS (...)` names and the token range each is
 * visible in, by name: one lookup per table reference, however many CTEs.
 */
function cteScopes(tokens: readonly Token[]): Map<string, CteScope[]> {
  const byName = new Map<string, CteScope[]>();
  if (!tokens.some((t) => upper(t) === 'WITH')) return byName;
  const parens = parenIndex(tokens);
  const matching = (open: number): number => parens.close.get(open) ?? tokens.length;
  for (let w = 0; w < tokens.length; w++) {
    if (upper(tokens[w]) !== 'WITH') continue;
    const enclosing = parens.enclosing[w]!;
    const to = enclosing < 0 ? tokens.length : matching(enclosing);
    let i = w + 1;
    if (upper(tokens[i]) === 'RECURSIVE') i++;
    while (isName(tokens[i])) {
      const name = tokens[i]!.value.toLowerCase();
      i++;
      if (isPunct(tokens[i], '(')) i = matching(i) + 1;
      if (upper(tokens[i]) !== 'AS') break;
      const scope: CteScope = { name, from: w, to };
      const known = byName.get(name);
      if (known) known.push(scope);
      else byName.set(name, [scope]);
      i++;
      if (upper(tokens[i]) === 'NOT') i++;
      if (upper(tokens[i]) === 'MATERIALIZED') i++;
      if (!isPunct(tokens[i], '(')) break;
      i = matching(i) + 1;
      if (!isPunct(tokens[i], ',')) break;
      i++;
    }
  }
  return byName;
}

/**
 * In one pass: for each `(`, the index of its `)` (or the end), and for each
 * token, the `(` it sits in (-1 at the top). Scanning forward from every WITH
 * and every CTE instead made nested CTEs quadratic.
 */
function parenIndex(tokens: readonly Token[]): { close: Map<number, number>; enclosing: Int32Array } {
  const close = new Map<number, number>();
  const enclosing = new Int32Array(tokens.length);
  const open: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    enclosing[i] = open.length > 0 ? open[open.length - 1]! : -1;
    if (isPunct(tokens[i], '(')) open.push(i);
    else if (isPunct(tokens[i], ')') && open.length > 0) close.set(open.pop()!, i);
  }
  return { close, enclosing };
}
