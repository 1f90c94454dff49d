/**
 * Test helper: the built Python runtime in a worker thread of this process,
 * driven like core's kernel worker drives it (tests of the runtime alone;
 * the full sandboxed stack is tested through @rnb/core/testing).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JsonValue, Output, TableColumns, VariableDescription } from '@rnb/core';

export const RUNTIME_MODULE = path.resolve(__dirname, '../../../dist/runtime/python-runtime.js');

/**
 * How long a test hook waits for Pyodide to load. Alone it loads in 2-4 s, but CI runs two suites at once beside
 * kernels, Chromium and servers on two cores, where a load has taken over 60 s or hung (then `start` tries once more:
 * two silent loads of at most LOAD_LIMIT_MS each fit in it); a slow machine must not fail a suite.
 */
export const PYODIDE_START_TIMEOUT_MS = 180_000;

export interface RunResult {
  stdout: string;
  stderr: string;
  /** stdout as it arrived, chunk by chunk. */
  chunks: string[];
  outputs: Output[];
  error: { message: string; traceback?: string; name: string } | null;
}

export interface CellSpec {
  /** The cell's id (what its file is named after: `<cell id>`); one is made up when missing. */
  id?: string;
  code: string;
  defines?: string[];
  references?: string[];
  /** CellRun.meta, as core hands it (`widgets`: the values the notebook stored for this cell's widgets). */
  meta?: { [key: string]: JsonValue };
}

type Message =
  | { type: 'ready'; ms: number; error?: string }
  | { type: 'result'; id: number; result?: unknown; error?: string }
  | { type: 'chunk'; id: number; text: string }
  | { type: 'host_call'; id: number; service: string; payload: JsonValue };

export type HostHandler = (service: string, payload: JsonValue) => Promise<JsonValue>;

export interface StartOptions {
  packageBaseUrl?: string;
  wheelsDir?: string;
  bundledLock?: boolean;
  pypi?: boolean;
  hostHandler?: HostHandler;
}

/** How long one load may stay silent before it counts as hung (a slow one under load took up to about 60 s). */
const LOAD_LIMIT_MS = 80_000;

class LoadHung extends Error {}

function loadAverage(): string {
  return os.loadavg().map((n) => n.toFixed(1)).join(', ');
}

export class FakeKernel {
  readonly loadMs: number;
  private nextId = 1;
  private cellCounter = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly chunkListeners = new Map<number, (text: string) => void>();

  private constructor(private readonly worker: Worker, private readonly interrupt: Int32Array, loadMs: number, hostHandler: HostHandler | undefined) {
    this.loadMs = loadMs;
    worker.on('message', (m: Message) => {
      if (m.type === 'result') {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        this.chunkListeners.delete(m.id);
        if (m.error) w?.reject(new Error(m.error));
        else w?.resolve(m.result);
      } else if (m.type === 'chunk') {
        this.chunkListeners.get(m.id)?.(m.text);
      } else if (m.type === 'host_call') {
        const reply = hostHandler ? hostHandler(m.service, m.payload) : Promise.reject(new Error(`no host service ${m.service}`));
        reply.then(
          (value) => worker.postMessage({ type: 'host_reply', id: m.id, ok: true, value }),
          (error: Error) => worker.postMessage({ type: 'host_reply', id: m.id, ok: false, error: error.message }),
        );
      }
    });
  }

  static async start(options: StartOptions = {}): Promise<FakeKernel> {
    if (!existsSync(RUNTIME_MODULE)) {
      throw new Error(`${RUNTIME_MODULE} is missing: build first (npm run build:ts).`);
    }
    // Twice at most: a load in a test worker has hung (no message, no exit) twice in full runs, never alone; a
    // production kernel that does this is replaced by core's start limit, and this harness does the same.
    try {
      return await FakeKernel.startOnce(options);
    } catch (error) {
      if (!(error instanceof LoadHung)) throw error;
      console.warn(`${error.message}; starting another (load average ${loadAverage()})`);
      return FakeKernel.startOnce(options);
    }
  }

  private static async startOnce(options: StartOptions): Promise<FakeKernel> {
    const buffer = new SharedArrayBuffer(4);
    const worker = new Worker(path.join(__dirname, 'fake-kernel-worker.js'), {
      workerData: {
        module: RUNTIME_MODULE,
        interruptBuffer: buffer,
        options: {
          pyodideDir: path.dirname(require.resolve('pyodide/package.json')),
          packageBaseUrl: options.packageBaseUrl ?? null,
          wheelsDir: options.wheelsDir ?? null,
          bundledLock: options.bundledLock ?? false,
          pypi: options.pypi ?? false,
        },
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const ready = await new Promise<Extract<Message, { type: 'ready' }>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      // A worker that dies while loading (out of memory, a crash in WebAssembly) sends nothing: say so instead of hanging.
      worker.once('exit', (code) => reject(new Error(`the Python runtime's worker exited with code ${code} while loading`)));
      timer = setTimeout(() => reject(new LoadHung(`Pyodide sent nothing for ${LOAD_LIMIT_MS} ms in a test worker`)), LOAD_LIMIT_MS);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    }).finally(() => clearTimeout(timer));
    if (ready.ms > 20_000) {
      // Leaves a trace in the CI log of what the machine was doing when a load was this slow.
      console.warn(`Pyodide took ${ready.ms} ms to load in a test worker (load average ${loadAverage()})`);
    }
    if (ready.error) {
      await worker.terminate();
      throw new Error(`the Python runtime did not load: ${ready.error}`);
    }
    return new FakeKernel(worker, new Int32Array(buffer), ready.ms, options.hostHandler);
  }

  private request<T>(message: Record<string, unknown>, onChunk?: (text: string) => void): Promise<T> {
    const id = this.nextId++;
    if (onChunk) this.chunkListeners.set(id, onChunk);
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  run(cell: CellSpec | string, onChunk?: (text: string) => void): Promise<RunResult> {
    const { id, ...spec } = typeof cell === 'string' ? { code: cell } : cell;
    return this.request<RunResult>({ type: 'run', cellId: id ?? `cell${++this.cellCounter}`, ...spec }, onChunk);
  }

  /** What another language would read from the namespace. */
  read(name: string): Promise<unknown> {
    return this.request({ type: 'eval', what: 'namespace', name });
  }

  /** The name's entry by columns (NamespaceEntry.toColumns), as SQL reads a table; null when it is not a table. */
  columns(name: string): Promise<TableColumns | null> {
    return this.request({ type: 'eval', what: 'columns', name });
  }

  /** Defines a value as another language would. */
  define(name: string, value: unknown, language = 'sql'): Promise<void> {
    return this.request({ type: 'eval', what: 'set', name, value, language });
  }

  /** A runtime call (LanguageRuntime.call), as the page's requests reach the runtime. */
  call(method: string, payload: JsonValue): Promise<JsonValue> {
    return this.request({ type: 'call', method, payload });
  }

  /** The runtime's describeVariables, as the kernel asks it after a plan. */
  describe(maxNames = 2000): Promise<VariableDescription[]> {
    return this.request({ type: 'describe', maxNames });
  }

  /** The runtime's forgetCells, as the kernel calls it when cells are deleted. */
  forgetCells(cells: string[]): Promise<void> {
    return this.request({ type: 'forget_cells', cells });
  }

  deleteNames(names: string[]): Promise<void> {
    return this.request({ type: 'delete', names });
  }

  /** What core's supervisor does on interrupt: write SIGINT into the shared buffer. */
  sendInterrupt(): void {
    Atomics.store(this.interrupt, 0, 2);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
