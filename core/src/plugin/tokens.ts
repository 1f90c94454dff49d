/**
 * A typed key for the dependency-injection container. The interface and its
 * token usually share a name: `const LanguageRegistry = createToken<LanguageRegistry>(...)`.
 */
export interface Token<T> {
  readonly id: string;
  readonly symbol: symbol;
  /** Phantom field: carries T at compile time only. */
  readonly __type?: T;
}

export function createToken<T>(id: string): Token<T> {
  return Object.freeze({ id, symbol: Symbol.for(`rnb:${id}`) });
}

/** The T of a Token<T>. */
export type TokenType<K> = K extends Token<infer T> ? T : never;
