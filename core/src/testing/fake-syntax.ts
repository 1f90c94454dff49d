/**
 * The fake language core is tested with: one statement a line.
 *   x = 1 + y * 2        define x        print x, "text"     write to stdout
 *   fail message          raise an error  sleep 200          wait (interruptible)
 *   spin                  loop until interrupted (checks the interrupt buffer)
 *   spin hard             loop forever, deaf to interrupts    hang   never return
 *   flood 100000          print that many lines               del x  delete x
 *   warn x, "text"        write to stderr
 *   attack <kind> [arg]   try to escape the sandbox (see fake-runtime.ts)
 *   a last line that is an expression is the cell's output.
 */
export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'name'; name: string }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr };

export type Statement =
  | { kind: 'assign'; name: string; expr: Expr }
  | { kind: 'print'; exprs: Expr[]; stream: 'stdout' | 'stderr' }
  | { kind: 'expr'; expr: Expr }
  | { kind: 'fail'; message: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'spin'; hard: boolean }
  | { kind: 'hang' }
  | { kind: 'flood'; lines: number }
  | { kind: 'del'; name: string }
  | { kind: 'attack'; attack: string; arg: string };

export class FakeSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['print', 'warn', 'fail', 'sleep', 'spin', 'hang', 'flood', 'del', 'attack']);

function tokenize(text: string, line: number): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),]))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    re.lastIndex = index;
    const match = re.exec(text);
    if (!match) throw new FakeSyntaxError(`unexpected character "${text[index]}"`, line, index + 1);
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4]!);
    index = re.lastIndex;
  }
  return tokens;
}

function parseExpr(tokens: string[], line: number): Expr {
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const primary = (): Expr => {
    const token = tokens[position++];
    if (token === undefined) throw new FakeSyntaxError('expression expected', line, 1);
    if (token === '(') {
      const inner = sum();
      if (tokens[position++] !== ')') throw new FakeSyntaxError('")" expected', line, 1);
      return inner;
    }
    if (/^\d/.test(token)) return { kind: 'num', value: Number(token) };
    if (token.startsWith('"')) return { kind: 'str', value: JSON.parse(token) as string };
    if (NAME.test(token)) return { kind: 'name', name: token };
    throw new FakeSyntaxError(`unexpected "${token}"`, line, 1);
  };
  const product = (): Expr => {
    let left = primary();
    while (peek() === '*' || peek() === '/') left = { kind: 'bin', op: tokens[position++] as '*', left, right: primary() };
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    while (peek() === '+' || peek() === '-') left = { kind: 'bin', op: tokens[position++] as '+', left, right: product() };
    return left;
  };
  const expr = sum();
  if (position !== tokens.length) throw new FakeSyntaxError(`unexpected "${tokens[position]}"`, line, 1);
  return expr;
}

export function parseFake(code: string): Statement[] {
  const statements: Statement[] = [];
  code.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const text = raw.replace(/#.*$/, '').trim();
    if (!text) return;
    const [word = '', ...rest] = text.split(/\s+/);
    const tail = text.slice(word.length).trim();
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)(.*)$/.exec(text);
    if (assign && !KEYWORDS.has(assign[1]!)) {
      statements.push({ kind: 'assign', name: assign[1]!, expr: parseExpr(tokenize(assign[2]!, line), line) });
      return;
    }
    switch (word) {
      case 'print':
      case 'warn': {
        const parts = tail ? splitArgs(tail) : [];
        statements.push({ kind: 'print', exprs: parts.map((p) => parseExpr(tokenize(p, line), line)), stream: word === 'warn' ? 'stderr' : 'stdout' });
        return;
      }
      case 'fail':
        statements.push({ kind: 'fail', message: tail || 'failed' });
        return;
      case 'sleep':
        statements.push({ kind: 'sleep', ms: Number(tail) || 0 });
        return;
      case 'spin':
        statements.push({ kind: 'spin', hard: tail === 'hard' });
        return;
      case 'hang':
        statements.push({ kind: 'hang' });
        return;
      case 'flood':
        statements.push({ kind: 'flood', lines: Number(tail) || 0 });
        return;
      case 'del':
        if (!NAME.test(tail)) throw new FakeSyntaxError('del takes a name', line, 5);
        statements.push({ kind: 'del', name: tail });
        return;
      case 'attack':
        statements.push({ kind: 'attack', attack: rest[0] ?? '', arg: rest.slice(1).join(' ') });
        return;
      default:
        statements.push({ kind: 'expr', expr: parseExpr(tokenize(text, line), line) });
    }
  });
  return statements;
}

function splitArgs(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') inString = !inString;
    else if (!inString && c === '(') depth++;
    else if (!inString && c === ')') depth--;
    else if (!inString && depth === 0 && c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function namesIn(expr: Expr, into: string[] = []): string[] {
  if (expr.kind === 'name') into.push(expr.name);
  else if (expr.kind === 'bin') {
    namesIn(expr.left, into);
    namesIn(expr.right, into);
  }
  return into;
}
