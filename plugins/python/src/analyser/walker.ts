/**
 * Walks a cell's syntax tree in Python's evaluation order, recording every
 * binding (into its scope) and every read (resolved later, see scope.ts).
 */
import type { SyntaxNode } from '@lezer/common';
import { type Read, Scope } from './scope';

export interface WalkError {
  message: string;
  from: number;
}

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', ';', '.', '*', '**', 'At']);
const STATEMENT_SKIP = new Set([':', 'Comment', 'PassStatement', 'BreakStatement', 'ContinueStatement']);

export class CellWalker {
  readonly module = new Scope('module', null);
  readonly reads: Read[] = [];
  error: WalkError | null = null;
  private scope: Scope = this.module;
  private time = 0;
  /** > 0 while walking a comprehension's first iterable (see Read.deferred). */
  private deferring = 0;

  constructor(private readonly code: string) {}

  walk(script: SyntaxNode): void {
    this.statements(script);
  }

  private text(node: SyntaxNode): string {
    return this.code.slice(node.from, node.to);
  }

  private fail(message: string, node: SyntaxNode): void {
    if (!this.error || node.from < this.error.from) this.error = { message, from: node.from };
  }

  private read(name: string, deleted = false): void {
    // A handler's name is visible to what the handler runs, comprehensions and lambdas included.
    for (let s: Scope | null = this.scope; s; s = s.parent) if (s.handlerNames.includes(name)) return;
    this.reads.push({ name, scope: this.scope, time: this.time++, deferred: this.deferring > 0, deleted });
  }

  private bind(name: string, target: Scope = this.scope): void {
    if (target.handlerNames.includes(name) || target.nonlocals.has(name)) return;
    const scope = target.globals.has(name) ? this.module : target;
    scope.bind(name, this.time++);
  }

  private within(scope: Scope, body: () => void): void {
    const saved = this.scope;
    this.scope = scope;
    try {
      body();
    } finally {
      this.scope = saved;
    }
  }

  // ---- statements ----

  private statements(parent: SyntaxNode): void {
    if (parent.name === 'Script' || parent.name === 'Body') this.checkIndentation(parent);
    for (let c = parent.firstChild; c; c = c.nextSibling) {
      if (!STATEMENT_SKIP.has(c.name)) this.statement(c);
    }
  }

  /**
   * The grammar's tokenizer lets some bad indentation through (an indented
   * statement at the top, a block whose statements do not line up): CPython
   * refuses those, so the cell would fail anyway.
   */
  private checkIndentation(block: SyntaxNode): void {
    let expected: number | null = block.name === 'Script' ? 0 : null;
    for (let c = block.firstChild; c; c = c.nextSibling) {
      if (c.name === ':' || c.name === 'Comment') continue;
      const lineStart = this.code.lastIndexOf('\n', c.from - 1) + 1;
      const indent = this.code.slice(lineStart, c.from);
      if (!/^[ \t]*$/.test(indent)) continue; // `if x: pass`: the body shares the line
      if (expected === null) expected = indent.length;
      else if (indent.length !== expected) {
        this.fail(indent.length > expected ? 'unexpected indent' : 'unindent does not match any outer indentation level', c);
        return;
      }
    }
  }

  private statement(n: SyntaxNode): void {
    switch (n.name) {
      case 'AssignStatement': return this.assign(n);
      case 'UpdateStatement': return this.update(n);
      case 'DeleteStatement': return this.children(n, (c) => this.deleteTarget(c));
      case 'YieldStatement':
        if (this.scope.kind !== 'function') this.fail("'yield' outside function", n);
        return this.exprChildren(n);
      case 'ReturnStatement':
        if (this.scope.kind !== 'function') this.fail("'return' outside function", n);
        return this.exprChildren(n);
      case 'ImportStatement': return this.importStatement(n);
      case 'ScopeStatement': return this.scopeStatement(n);
      case 'TypeDefinition': return this.typeDefinition(n);
      case 'StatementGroup': return this.statements(n);
      case 'IfStatement':
      case 'WhileStatement':
        return this.children(n, (c) => (c.name === 'Body' ? this.statements(c) : this.expr(c)));
      case 'ForStatement': return this.forStatement(n);
      case 'TryStatement': return this.tryStatement(n);
      case 'WithStatement': return this.withStatement(n);
      case 'FunctionDefinition': return this.functionDefinition(n);
      case 'ClassDefinition': return this.classDefinition(n);
      case 'DecoratedStatement':
        return this.children(n, (c) => (c.name === 'Decorator' ? this.exprChildren(c) : this.statement(c)));
      case 'MatchStatement': return this.matchStatement(n);
      default:
        // ExpressionStatement, YieldStatement, RaiseStatement, AssertStatement...
        return this.exprChildren(n);
    }
  }

  private children(n: SyntaxNode, each: (child: SyntaxNode) => void): void {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (!PUNCTUATION.has(c.name)) each(c);
    }
  }

  private assign(n: SyntaxNode): void {
    const groups: SyntaxNode[][] = [[]];
    let annotation: SyntaxNode | null = null;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'AssignOp') groups.push([]);
      else if (c.name === 'TypeDef') annotation = c;
      else if (c.name !== ',') groups[groups.length - 1].push(c);
    }
    if (annotation) this.exprChildren(annotation);
    // The value runs before any target is bound: `x = x` reads another cell's x.
    const value = groups.length > 1 ? groups.pop() : undefined;
    for (const v of value ?? []) this.expr(v);
    for (const group of groups) for (const target of group) this.bindTarget(target);
  }

  private update(n: SyntaxNode): void {
    const target = n.firstChild;
    for (let c = target?.nextSibling ?? null; c; c = c.nextSibling) if (c.name !== 'UpdateOp') this.expr(c);
    if (!target) return;
    // marimo's rule: `x += 1` defines x (a second definer of x is then reported), it is not a read.
    if (target.name === 'VariableName') this.bind(this.text(target));
    else if (target.name === 'MemberExpression') this.expr(target);
    else this.fail(`'${describe(target)}' is an illegal expression for augmented assignment`, target);
  }

  private bindTarget(n: SyntaxNode): void {
    switch (n.name) {
      case 'VariableName': return this.bind(this.text(n));
      case '*': return;
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        return this.children(n, (c) => this.bindTarget(c));
      // Attribute and subscript assignment mutate an object: a read of it, not a definition.
      case 'MemberExpression': return this.expr(n);
      default: return this.fail(`cannot assign to ${describe(n)}`, n);
    }
  }

  private deleteTarget(n: SyntaxNode): void {
    switch (n.name) {
      case 'del': return;
      case 'VariableName': {
        const name = this.text(n);
        if (this.scope.handlerNames.includes(name)) return;
        // In a function, `del x` makes x local (like an assignment) unless it is declared global.
        if (this.scope.kind === 'function' && !this.scope.globals.has(name)) return this.bind(name);
        return this.read(name, true);
      }
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        return this.children(n, (c) => this.deleteTarget(c));
      case 'MemberExpression': return this.expr(n);
      default: return this.fail(`cannot delete ${describe(n)}`, n);
    }
  }

  private importStatement(n: SyntaxNode): void {
    const first = n.firstChild;
    if (!first) return;
    let c: SyntaxNode | null = first.nextSibling;
    if (first.name === 'from') {
      while (c && c.name !== 'import') c = c.nextSibling;
      c = c?.nextSibling ?? null;
    }
    // For `import a.b`, the first part of the dotted name is bound; for `from m import a`, the name.
    let pending: string | null = null;
    let afterAs = false;
    let dotted = false;
    for (; c; c = c.nextSibling) {
      if (c.name === 'VariableName') {
        if (afterAs) this.bind(this.text(c));
        else if (!dotted) pending = this.text(c);
        afterAs = false;
        dotted = false;
      } else if (c.name === '.') {
        dotted = true;
      } else if (c.name === 'as') {
        pending = null;
        afterAs = true;
      } else if (c.name === ',') {
        if (pending !== null) this.bind(pending);
        pending = null;
      } else if (c.name === '*') {
        this.fail('`import *` is not allowed in a notebook cell: the names it defines cannot be known before the cell runs. Import the names you need.', c);
      }
    }
    if (pending !== null) this.bind(pending);
  }

  private scopeStatement(n: SyntaxNode): void {
    const keyword = n.firstChild?.name;
    if (keyword === 'nonlocal' && this.scope.kind === 'module') {
      this.fail('nonlocal declaration not allowed at module level', n);
      return;
    }
    if (this.scope.kind === 'module') return;
    const names = keyword === 'global' ? this.scope.globals : this.scope.nonlocals;
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.name === 'VariableName') names.add(this.text(c));
  }

  private typeDefinition(n: SyntaxNode): void {
    const name = n.getChild('VariableName');
    const annotation = new Scope('annotation', this.scope);
    const typeParams = n.getChild('TypeParamList');
    if (typeParams) this.typeParams(typeParams, annotation);
    // The value is evaluated lazily, in its own annotation scope.
    const value = n.lastChild;
    if (value && value !== name && value.name !== 'TypeParamList') this.within(annotation, () => this.expr(value));
    if (name) this.bind(this.text(name));
  }

  private typeParams(list: SyntaxNode, scope: Scope): void {
    for (let p = list.firstChild; p; p = p.nextSibling) {
      if (p.name !== 'TypeParam') continue;
      const name = p.getChild('VariableName');
      if (name) scope.bind(this.text(name), this.time++);
      // Bounds, constraints and defaults are evaluated lazily, inside the annotation scope.
      this.within(scope, () => this.children(p, (c) => {
        if (c !== name && c.name !== 'AssignOp') this.expr(c);
      }));
    }
  }

  private forStatement(n: SyntaxNode): void {
    const targets: SyntaxNode[] = [];
    let phase: 'head' | 'targets' | 'iterables' = 'head';
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'for') phase = 'targets';
      else if (c.name === 'in' && phase === 'targets') {
        phase = 'iterables';
      } else if (c.name === 'Body') {
        for (const t of targets.splice(0)) this.bindTarget(t);
        this.statements(c);
      } else if (phase === 'targets' && c.name !== ',') targets.push(c);
      else if (phase === 'iterables' && c.name !== ',') this.expr(c);
    }
  }

  private tryStatement(n: SyntaxNode): void {
    let inExcept = false;
    let afterAs = false;
    let handlerName: string | null = null;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Body') {
        // `except E as e`: e lives in its handler only (Python deletes it afterwards); writes to it are ignored.
        if (handlerName !== null) this.scope.handlerNames.push(handlerName);
        try {
          this.statements(c);
        } finally {
          if (handlerName !== null) this.scope.handlerNames.pop();
        }
        inExcept = false;
        handlerName = null;
      } else if (c.name === 'except') {
        inExcept = true;
      } else if (c.name === 'as' && inExcept) {
        afterAs = true;
      } else if (afterAs && c.name === 'VariableName') {
        handlerName = this.text(c);
        afterAs = false;
      } else if (inExcept) {
        this.expr(c);
      }
    }
  }

  private withStatement(n: SyntaxNode): void {
    const items = n.getChild('WithItems') ?? n;
    for (let c = items.firstChild; c; c = c.nextSibling) {
      if (c.name === 'as') {
        const target = c.nextSibling;
        if (target) this.bindTarget(target);
        c = target ?? c;
      } else if (c.name !== 'Body' && c.name !== 'with' && c.name !== 'async' && c.name !== 'WithItems') {
        this.expr(c);
      }
    }
    const body = n.getChild('Body');
    if (body) this.statements(body);
  }

  private functionDefinition(n: SyntaxNode): void {
    const outer = this.scope;
    const name = n.getChild('VariableName');
    const typeParams = n.getChild('TypeParamList');
    const annotation = typeParams ? new Scope('annotation', outer) : null;
    if (typeParams && annotation) this.typeParams(typeParams, annotation);
    const params = n.getChild('ParamList');
    // Defaults and annotations are evaluated when the function is defined.
    let paramNames: string[] = [];
    this.within(annotation ?? outer, () => {
      if (params) paramNames = this.parameters(params);
      const returns = n.getChild('TypeDef');
      if (returns) this.exprChildren(returns);
    });
    if (name) this.bind(this.text(name));
    const fn = new Scope('function', annotation ?? outer);
    for (const p of paramNames) fn.bind(p, this.time++);
    const body = n.getChild('Body');
    if (body) this.within(fn, () => this.statements(body));
  }

  /** Walks defaults and annotations in the current scope; returns the parameter names. */
  private parameters(list: SyntaxNode): string[] {
    const names: string[] = [];
    for (let c = list.firstChild; c; c = c.nextSibling) {
      if (c.name === 'VariableName') names.push(this.text(c));
      else if (c.name === 'TypeDef') this.exprChildren(c);
      else if (c.name === 'AssignOp') {
        const value: SyntaxNode | null = c.nextSibling;
        if (value) this.expr(value);
        c = value ?? c;
      }
    }
    return names;
  }

  private classDefinition(n: SyntaxNode): void {
    const outer = this.scope;
    const typeParams = n.getChild('TypeParamList');
    const annotation = typeParams ? new Scope('annotation', outer) : null;
    if (typeParams && annotation) this.typeParams(typeParams, annotation);
    const bases = n.getChild('ArgList');
    if (bases) this.within(annotation ?? outer, () => this.argList(bases));
    const cls = new Scope('class', annotation ?? outer);
    const body = n.getChild('Body');
    if (body) this.within(cls, () => this.statements(body));
    // The class name is bound once its body has run: `class A: x = A` reads another cell's A.
    const name = n.getChild('VariableName');
    if (name) this.bind(this.text(name));
  }

  private matchStatement(n: SyntaxNode): void {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'MatchBody') {
        for (let clause = c.firstChild; clause; clause = clause.nextSibling) {
          if (clause.name === 'MatchClause') this.matchClause(clause);
        }
      } else if (c.name !== 'match') {
        this.expr(c);
      }
    }
  }

  private matchClause(clause: SyntaxNode): void {
    for (let c = clause.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Body') this.statements(c);
      else if (c.name === 'Guard') this.children(c, (g) => this.expr(g));
      else if (c.name !== 'case' && c.name !== ',') this.pattern(c);
    }
  }

  private pattern(n: SyntaxNode): void {
    switch (n.name) {
      case 'CapturePattern': {
        const name = this.text(n);
        if (name !== '_') this.bind(name);
        return;
      }
      case 'AsPattern': {
        const first = n.firstChild;
        if (first) this.pattern(first);
        const name = n.lastChild;
        if (name?.name === 'VariableName') this.bind(this.text(name));
        return;
      }
      // A class or a value pattern reads the name (`case Point(x=0)`, `case Color.RED`).
      case 'VariableName': return this.read(this.text(n));
      case 'AttributePattern': {
        const root = n.firstChild;
        if (root) this.read(this.text(root));
        return;
      }
      case 'KeywordPattern': {
        const value = n.lastChild;
        if (value && value !== n.firstChild) this.pattern(value);
        return;
      }
      case 'LiteralPattern': return;
      default:
        // OrPattern, SequencePattern, MappingPattern, StarPattern, ClassPattern, PatternArgList.
        for (let c = n.firstChild; c; c = c.nextSibling) this.pattern(c);
    }
  }

  // ---- expressions ----

  private exprChildren(n: SyntaxNode): void {
    for (let c = n.firstChild; c; c = c.nextSibling) this.expr(c);
  }

  private expr(n: SyntaxNode): void {
    switch (n.name) {
      case 'VariableName': return this.read(this.text(n));
      case 'PropertyName':
      case 'String':
      case 'Number':
      case 'Comment':
        return;
      case 'NamedExpression': {
        const target = n.firstChild;
        const value = n.lastChild;
        if (target && value && target !== value) this.walrus(target, value);
        return;
      }
      case 'LambdaExpression': return this.lambda(n);
      case 'ArgList': return this.argList(n);
      case 'ArrayComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'DictionaryComprehensionExpression':
      case 'ComprehensionExpression':
        return this.comprehension(n);
      case 'YieldExpression':
        if (this.scope.kind === 'module' || this.scope.kind === 'class') this.fail("'yield' outside function", n);
        else if (this.scope.kind === 'comprehension') this.fail("'yield' inside list comprehension", n);
        return this.exprChildren(n);
      default:
        return this.exprChildren(n);
    }
  }

  private walrus(target: SyntaxNode, value: SyntaxNode): void {
    this.expr(value);
    if (target.name !== 'VariableName') {
      this.fail(`cannot use assignment expressions with ${describe(target)}`, target);
      return;
    }
    this.bind(this.text(target), this.scope.walrusTarget);
  }

  private lambda(n: SyntaxNode): void {
    const params = n.getChild('ParamList');
    const names = params ? this.parameters(params) : [];
    const fn = new Scope('function', this.scope);
    for (const p of names) fn.bind(p, this.time++);
    const body = n.lastChild;
    if (body && body.name !== ':' && body !== params) this.within(fn, () => this.expr(body));
  }

  private argList(n: SyntaxNode): void {
    // `f(x for x in xs)`: the parentheses of the call are the generator's.
    if (n.getChild('for')) return this.comprehension(n);
    for (let c = n.firstChild; c; c = c.nextSibling) {
      const op = c.nextSibling;
      if (c.name === 'VariableName' && op?.name === 'AssignOp') {
        const value = op.nextSibling;
        // `f(k=v)` names a parameter, it reads nothing; `f(y := v)` binds y.
        if (value && this.text(op) === ':=') this.walrus(c, value);
        else if (value) this.expr(value);
        c = value ?? op;
      } else {
        this.expr(c);
      }
    }
  }

  private comprehension(n: SyntaxNode): void {
    const kids: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) kids.push(c);
    let i = kids.findIndex((k) => k.name === 'for' || k.name === 'async');
    if (i < 0) return this.exprChildren(n);
    const element = kids.slice(1, i);
    type Clause = { targets: SyntaxNode[]; iterable: SyntaxNode | undefined } | { condition: SyntaxNode | undefined };
    const clauses: Clause[] = [];
    while (i < kids.length) {
      const k = kids[i];
      if (k.name === 'for') {
        const targets: SyntaxNode[] = [];
        for (i++; i < kids.length && kids[i].name !== 'in'; i++) if (kids[i].name !== ',') targets.push(kids[i]);
        clauses.push({ targets, iterable: kids[i + 1] });
        i += 2;
      } else if (k.name === 'if') {
        clauses.push({ condition: kids[i + 1] });
        i += 2;
      } else {
        i++;
      }
    }
    const comp = new Scope('comprehension', this.scope);
    clauses.forEach((clause, index) => {
      if ('targets' in clause) {
        // The first iterable is evaluated in the enclosing scope, the rest inside the comprehension.
        if (index === 0 && clause.iterable) {
          const iterable = clause.iterable;
          this.deferring++;
          try {
            this.expr(iterable);
          } finally {
            this.deferring--;
          }
        } else if (clause.iterable) {
          const iterable = clause.iterable;
          this.within(comp, () => this.expr(iterable));
        }
        this.within(comp, () => clause.targets.forEach((t) => this.bindTarget(t)));
      } else if (clause.condition) {
        const condition = clause.condition;
        this.within(comp, () => this.expr(condition));
      }
    });
    this.within(comp, () => element.forEach((e) => this.expr(e)));
  }
}

/** CPython's words for what cannot be assigned to. */
function describe(n: SyntaxNode): string {
  switch (n.name) {
    case 'CallExpression': return 'function call';
    case 'Number':
    case 'String':
    case 'ContinuedString':
    case 'Boolean':
    case 'None':
    case 'Ellipsis':
      return 'literal';
    case 'FormatString': return 'f-string expression';
    case 'LambdaExpression': return 'lambda';
    case 'ConditionalExpression': return 'conditional expression';
    case 'AwaitExpression': return 'await expression';
    case 'NamedExpression': return 'named expression';
    case 'YieldExpression': return 'yield expression';
    case 'DictionaryExpression': return 'dict literal';
    case 'SetExpression': return 'set display';
    case 'ArrayComprehensionExpression': return 'list comprehension';
    case 'SetComprehensionExpression': return 'set comprehension';
    case 'DictionaryComprehensionExpression': return 'dict comprehension';
    case 'ComprehensionExpression': return 'generator expression';
    case 'TupleExpression': return 'tuple';
    case 'ArrayExpression': return 'list';
    case 'MemberExpression': return 'attribute';
    case 'VariableName': return 'name';
    default: return 'expression';
  }
}
