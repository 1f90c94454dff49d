/**
 * The kernel worker's language runtimes: each loaded on its first use (a cell, a call) or by the warm spare's
 * preload, so a notebook never waits for a language it does not use (a SQL-only notebook never loads Pyodide). A
 * failed load fails that language's cells with the reason, and the next use tries again.
 */
import type { LanguageRuntime, Namespace, RuntimeFactory } from '../../language/runtime-api';
import type { JsonValue } from '../../model/types';
import type { KernelLimits, RuntimeLoad } from '../protocol';
import { describeAccessDenied } from './access-denied';
import { errorMessage, errorTraceback } from './errors';

export interface RuntimeHost {
  specs: RuntimeLoad[];
  limits: KernelLimits;
  namespace: Namespace;
  interruptView: Int32Array;
  /** A notebook waits for these runtimes (RuntimeContext.startup). */
  waitedOn: boolean;
  hostCall(service: string, payload: JsonValue): Promise<JsonValue>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  loaded(language: string, ms: number): void;
}

export class Runtimes {
  private readonly ready = new Map<string, LanguageRuntime>();
  private readonly loading = new Map<string, Promise<LanguageRuntime>>();

  constructor(private readonly host: RuntimeHost) {}

  /** The language's runtime if it is loaded already (a plan's cells take it without awaiting anything). */
  loadedRuntime(language: string): LanguageRuntime | undefined {
    return this.ready.get(language);
  }

  all(): IterableIterator<LanguageRuntime> {
    return this.ready.values();
  }

  /** The runtimes as the variable explorer reads them, by language. */
  get byLanguage(): ReadonlyMap<string, LanguageRuntime> {
    return this.ready;
  }

  runtimeFor(language: string): Promise<LanguageRuntime> {
    const loaded = this.ready.get(language);
    if (loaded) return Promise.resolve(loaded);
    const inFlight = this.loading.get(language);
    if (inFlight) return inFlight;
    const spec = this.host.specs.find((r) => r.language === language);
    if (!spec) return Promise.reject(new Error(`No runtime for language "${language}" in this kernel.`));
    const started = Date.now();
    const loading = this.load(spec).then(
      (runtime) => {
        this.loading.delete(language);
        this.host.loaded(language, Date.now() - started);
        return runtime;
      },
      (error: unknown) => {
        this.loading.delete(language);
        const denied = describeAccessDenied(error, { language: spec.language, module: spec.module, readPaths: spec.readPaths ?? [] });
        throw denied ? new Error(`loading the "${spec.language}" runtime: ${denied}`) : error;
      },
    );
    this.loading.set(language, loading);
    return loading;
  }

  /**
   * A cell's failure as the user sees it: the runtime's message and traceback kept apart (the server
   * builds the shown text from both); a file the sandbox refused names the file and the runtime's readPaths.
   */
  failure(error: unknown, language: string): { error: string; traceback?: string } {
    const spec = this.host.specs.find((r) => r.language === language);
    const denied = spec && describeAccessDenied(error, { language, module: spec.module, readPaths: spec.readPaths ?? [] });
    if (denied) return { error: denied };
    const traceback = errorTraceback(error);
    return traceback === undefined ? { error: errorMessage(error) } : { error: errorMessage(error), traceback };
  }

  private async load(spec: RuntimeLoad): Promise<LanguageRuntime> {
    const loaded = require(spec.module) as RuntimeFactory | { default?: RuntimeFactory };
    const factory = typeof loaded === 'function' ? loaded : loaded.default;
    if (typeof factory !== 'function') throw new Error(`runtime module of "${spec.language}" exports no factory function`);
    const { limits } = this.host;
    const runtime = await withTimeout(
      Promise.resolve(
        factory({
          language: spec.language,
          namespace: this.host.namespace,
          options: spec.options,
          interruptBuffer: this.host.interruptView,
          hostCall: (service, payload) => this.host.hostCall(service, payload),
          log: (level, message) => this.host.log(level, `[${spec.language}] ${String(message).slice(0, 2000)}`),
          startup: this.host.waitedOn ? 'waited-on' : 'background',
          maxOutputChars: limits.maxOutputChars,
        }),
      ),
      limits.runtimeLoadTimeoutMs,
      `runtime "${spec.language}" did not load within ${limits.runtimeLoadTimeoutMs} ms`,
    );
    this.ready.set(spec.language, runtime);
    return runtime;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  if (ms <= 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
