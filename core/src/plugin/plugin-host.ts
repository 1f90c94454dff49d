import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { PluginError } from '../errors';
import type { AnyPlugin, PluginContext } from './define-plugin';
import type { Token } from './tokens';

export interface PluginHostOptions {
  config?: Record<string, string | undefined>;
  log?: PluginContext['log'];
  /** How long one plugin's activate step may take. */
  activateTimeoutMs?: number;
}

/**
 * Validates a set of plugins, activates them in dependency order and keeps
 * what they provide in a tsyringe container keyed by tokens. tsyringe stays
 * behind this class: plugins only ever see tokens.
 */
export class PluginHost {
  private readonly container: DependencyContainer = rootContainer.createChildContainer();
  private readonly plugins = new Map<string, AnyPlugin>();
  private readonly activated: AnyPlugin[] = [];
  private readonly context: PluginContext;
  private readonly activateTimeoutMs: number;
  private started = false;

  constructor(options: PluginHostOptions = {}) {
    this.context = {
      config: Object.freeze({ ...(options.config ?? {}) }),
      log: options.log ?? (() => undefined),
    };
    this.activateTimeoutMs = options.activateTimeoutMs ?? 30_000;
  }

  register(...plugins: AnyPlugin[]): this {
    if (this.started) throw new PluginError(plugins[0]?.id ?? '?', 'plugins must be registered before start().');
    for (const plugin of plugins) {
      const existing = this.plugins.get(plugin.id);
      if (existing) throw new PluginError(plugin.id, 'registered twice: give each plugin a unique id.');
      this.plugins.set(plugin.id, plugin);
    }
    return this;
  }

  /** Provides a value directly, without a plugin (hosts use it for configuration and loggers). */
  provide<T>(token: Token<T>, value: T): this {
    this.container.registerInstance(token.symbol, value);
    return this;
  }

  has(token: Token<unknown>): boolean {
    return this.container.isRegistered(token.symbol, true);
  }

  get<T>(token: Token<T>): T {
    if (!this.has(token)) throw new PluginError('host', `nothing provides "${token.id}": register a plugin that provides it.`);
    return this.container.resolve<T>(token.symbol);
  }

  tryGet<T>(token: Token<T>): T | undefined {
    return this.has(token) ? this.container.resolve<T>(token.symbol) : undefined;
  }

  /** Checks the plugin graph, then activates every plugin after the ones it needs. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const plugin of this.activationOrder()) {
      const deps: Record<string, unknown> = {};
      for (const [key, token] of Object.entries(plugin.requires ?? {})) deps[key] = this.get(token);
      for (const [key, token] of Object.entries(plugin.optional ?? {})) deps[key] = this.tryGet(token);
      const provided = await withTimeout(
        Promise.resolve().then(() => plugin.activate(this.context, deps as never)),
        this.activateTimeoutMs,
        () => new PluginError(plugin.id, `activate did not finish within ${this.activateTimeoutMs} ms.`, { timeout: true }),
      ).catch((error: unknown) => {
        if (error instanceof PluginError) throw error;
        throw new PluginError(plugin.id, `activate failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      });
      if (plugin.provides) this.container.registerInstance(plugin.provides.symbol, provided);
      this.activated.push(plugin);
    }
  }

  async stop(): Promise<void> {
    for (const plugin of this.activated.reverse()) {
      try {
        await plugin.deactivate?.();
      } catch (error) {
        this.context.log('warn', `plugin ${plugin.id} failed to deactivate`, { error: String(error) });
      }
    }
    this.activated.length = 0;
  }

  private activationOrder(): AnyPlugin[] {
    const providers = new Map<symbol, AnyPlugin>();
    for (const plugin of this.plugins.values()) {
      if (!plugin.provides) continue;
      const other = providers.get(plugin.provides.symbol);
      if (other) {
        throw new PluginError(plugin.id, `provides "${plugin.provides.id}", which "${other.id}" provides too: register only one of them.`);
      }
      providers.set(plugin.provides.symbol, plugin);
    }
    const order: AnyPlugin[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (plugin: AnyPlugin, path: string[]): void => {
      const seen = state.get(plugin.id);
      if (seen === 'done') return;
      if (seen === 'visiting') {
        throw new PluginError(plugin.id, `plugins require each other in a cycle: ${[...path, plugin.id].join(' → ')}.`);
      }
      state.set(plugin.id, 'visiting');
      const needs = [
        ...Object.values(plugin.requires ?? {}).map((token) => ({ token, required: true })),
        ...Object.values(plugin.optional ?? {}).map((token) => ({ token, required: false })),
      ];
      for (const { token, required } of needs) {
        const provider = providers.get(token.symbol);
        if (provider) visit(provider, [...path, plugin.id]);
        else if (required && !this.container.isRegistered(token.symbol, true)) {
          throw new PluginError(plugin.id, `requires "${token.id}", but no registered plugin provides it.`);
        }
      }
      state.set(plugin.id, 'done');
      order.push(plugin);
    };
    for (const plugin of this.plugins.values()) visit(plugin, []);
    return order;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
