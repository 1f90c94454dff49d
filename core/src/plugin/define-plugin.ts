import type { Token, TokenType } from './tokens';

export type TokenMap = { readonly [key: string]: Token<unknown> };
export type Resolved<M extends TokenMap> = { [K in keyof M]: TokenType<M[K]> };
export type ResolvedOptional<M extends TokenMap> = { [K in keyof M]: TokenType<M[K]> | undefined };

/** What a plugin's activate step receives besides its dependencies. */
export interface PluginContext {
  /** The configuration given to the plugin host (hosts put environment-derived settings here). */
  readonly config: Readonly<Record<string, string | undefined>>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/**
 * A plugin is a value. It may require services by token (typed records, so
 * `activate` sees typed dependencies) and may provide one service.
 */
export interface Plugin<R extends TokenMap = TokenMap, O extends TokenMap = TokenMap, P = unknown> {
  /** `'<package>:<plugin>'`, unique in a host. */
  readonly id: string;
  readonly description?: string;
  readonly requires?: R;
  readonly optional?: O;
  readonly provides?: Token<P>;
  activate(context: PluginContext, deps: Resolved<R> & ResolvedOptional<O>): P | Promise<P>;
  deactivate?(): void | Promise<void>;
}

/** Identity function that gives a plugin literal its full types. */
export function definePlugin<R extends TokenMap = {}, O extends TokenMap = {}, P = void>(
  plugin: Plugin<R, O, P>,
): Plugin<R, O, P> {
  return plugin;
}

/** Any plugin, whatever its types: what a host's plugin list holds. */

export type AnyPlugin = Plugin<TokenMap, TokenMap, unknown>;
