/**
 * Python's scopes as the analyser models them, and the resolution of every
 * name read once the whole cell has been walked.
 *
 * Reads are resolved after the walk so that function bodies see every
 * binding of the cell (they run later, when the whole cell has run). Reads
 * that run immediately (module level and class bodies) only see bindings made
 * before them: `x = x` at module level reads an `x` from another cell.
 */

export type ScopeKind = 'module' | 'function' | 'class' | 'comprehension' | 'annotation';

export class Scope {
  /** Name → the logical time of its first binding in this scope. */
  readonly bindings = new Map<string, number>();
  readonly globals = new Set<string>();
  readonly nonlocals = new Set<string>();
  /** `except ... as name` names of the handlers being walked, innermost last. */
  readonly handlerNames: string[] = [];

  constructor(readonly kind: ScopeKind, readonly parent: Scope | null) {}

  bind(name: string, time: number): void {
    if (!this.bindings.has(name)) this.bindings.set(name, time);
  }

  /** Function, lambda, comprehension and annotation scopes: their code runs later or apart. */
  get isFunctionLike(): boolean {
    return this.kind !== 'module' && this.kind !== 'class';
  }

  /** The scope a walrus binds in: comprehensions are skipped (PEP 572). */
  get walrusTarget(): Scope {
    let scope: Scope = this;
    while (scope.kind === 'comprehension' && scope.parent) scope = scope.parent;
    return scope;
  }
}

export interface Read {
  name: string;
  scope: Scope;
  /** Logical time of the read in the walk, which follows Python's evaluation order. */
  time: number;
  /**
   * The read happens later than its position suggests (a comprehension's
   * first iterable, treated like the rest of the comprehension as marimo does):
   * any module binding of the cell satisfies it.
   */
  deferred: boolean;
  /** `del name`: a free name deleted here is a reference and a deletion. */
  deleted: boolean;
}

/**
 * True when the read finds a binding inside the cell; false when it is free,
 * i.e. it reads a global that another cell (or the builtins) must provide.
 */
export function resolvesInCell(read: Read, module: Scope): boolean {
  const name = read.name;
  let scope: Scope | null = read.scope;
  let deferred = read.deferred;
  // Function bodies do not see the class bodies around them; annotation scopes see their class.
  let skipClasses = false;
  let lazy = false;
  while (scope) {
    if (scope.kind === 'module') {
      if (deferred) return scope.bindings.has(name);
      const boundAt = scope.bindings.get(name);
      return boundAt !== undefined && boundAt < read.time;
    }
    if (scope.globals.has(name)) {
      deferred = deferred || scope.isFunctionLike;
      scope = module;
      continue;
    }
    if (scope.nonlocals.has(name)) return true;
    if (scope.kind === 'class') {
      if (!skipClasses) {
        const boundAt = scope.bindings.get(name);
        if (boundAt !== undefined && (lazy || boundAt < read.time)) return true;
      }
    } else if (scope.bindings.has(name)) {
      return true;
    }
    if (scope.isFunctionLike) {
      deferred = true;
      if (scope.kind === 'annotation') lazy = true;
      else skipClasses = true;
    }
    scope = scope.parent;
  }
  return false;
}
