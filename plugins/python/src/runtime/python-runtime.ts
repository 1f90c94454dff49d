/**
 * The Python runtime module: Pyodide inside the notebook's worker thread of
 * core's sandboxed kernel process. Loaded by path; imports only Node
 * built-ins, its sibling files and Pyodide (by the absolute path in options).
 */
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { PyodideAPI } from 'pyodide';
import type { CellIO, CellRun, JsonValue, LanguageRuntime, NamespaceEntry, Output, RuntimeContext, RuntimeFactory, TableColumns, VariableBudget, VariableDescription } from '@rnb/core';
import { disableChildProcesses, hardenPython, minimalJsGlobals, poisonFunctionConstructors } from './hardening';
import { PackageLoader, type PackageOptions } from './packages';
import type { PyGlobals, PyProxyLike, RunnerModule } from './pyodide-types';
import { IMPORT_KERNEL_MODULES, INSTALL_RICH_OUTPUT, KERNEL_MODULE_DIR, kernelFiles } from './python-sources';
import { readTableColumns, recordsOfColumns, TO_PLAIN, type PyListLike } from './table-columns';
import { describeArguments, parseDescriptions, TABLE_PAGE_METHOD, tablePageRequest, withTableLanguage } from './table-page';
import { pyodideModuleSource, withSharedPyodideModule } from './shared-wasm';
import { heapRunsOption, loadSnapshotSparsely, type HeapRuns } from './snapshot-restore';
import { startPhases } from './start-phases';
import { loadPyodideModule, PYODIDE_MODULE_FILE, type LoadedPyodideModule } from './pyodide-module';
import { PythonWidgets } from './widgets';

/** `runtime.options` of the Python language (set by the plugin in the server). */
export interface PythonRuntimeOptions extends PackageOptions {
  /** Absolute path of the `pyodide` npm package folder. */
  pyodideDir: string;
  /** The build's Pyodide memory snapshot to start from, when there is one. */
  snapshotPath: string | null;
  /** The snapshot's runs of non-zero heap pages, recorded by the build (snapshot-restore.ts). */
  snapshotHeapRuns: HeapRuns | null;
  /** The build's V8 code cache of pyodide.asm.mjs (pyodide-module.ts), when there is one. */
  codeCachePath: string | null;
}

type CellResult =
  | { status: 'ok'; outputs: Output[]; defined: string[] }
  | { status: 'error'; message: string; traceback: string; type: string }
  | { status: 'async' };

/** What a failed cell throws: the kernel shows `traceback` when present. */
export class PythonCellError extends Error {
  constructor(message: string, readonly traceback: string, readonly pythonType: string) {
    super(message);
    this.name = pythonType;
  }
}

function readOptions(raw: JsonValue): PythonRuntimeOptions {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || typeof raw.pyodideDir !== 'string' || !path.isAbsolute(raw.pyodideDir)) {
    throw new TypeError('The Python runtime needs options.pyodideDir, the absolute path of the pyodide package.');
  }
  const text = (value: JsonValue | undefined): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return {
    pyodideDir: raw.pyodideDir,
    packageBaseUrl: text(raw.packageBaseUrl),
    wheelsDir: text(raw.wheelsDir),
    bundledLock: raw.bundledLock === true,
    pypi: raw.pypi === true,
    snapshotPath: text(raw.snapshotPath),
    snapshotHeapRuns: heapRunsOption(raw.snapshotHeapRuns),
    codeCachePath: text(raw.codeCachePath),
  };
}

type LoadPyodide = (config: Record<string, unknown>) => Promise<PyodideAPI>;

class PythonRuntime implements LanguageRuntime {
  private io: CellIO | null = null;
  /** Names the kernel deleted, dropped in Python at its next entry (the next cell's run_cell takes them along). */
  private pendingDeletes: string[] = [];
  private readonly decoder = { out: new TextDecoder(), err: new TextDecoder() };

  constructor(
    private readonly pyodide: PyodideAPI,
    private readonly runner: RunnerModule,
    private readonly context: RuntimeContext,
    private readonly packages: PackageLoader,
    private readonly widgets: PythonWidgets,
  ) {}

  /** Text Python writes to sys.stdout / sys.stderr, and raw writes to file descriptors 1 and 2. */
  write(stream: 'out' | 'err', text: string): void {
    if (!this.io || text.length === 0) return;
    if (stream === 'out') this.io.stdout(text);
    else this.io.stderr(text);
  }

  /** An output display() (or plt.show()) shows while the cell runs, as JSON text. */
  showOutput(json: string): void {
    this.io?.output(withTableLanguage(JSON.parse(json) as Output, this.context.language));
  }

  writeBytes(stream: 'out' | 'err', bytes: Uint8Array): number {
    this.write(stream, this.decoder[stream].decode(bytes, { stream: true }));
    return bytes.length;
  }

  async run(cell: CellRun, io: CellIO): Promise<void> {
    this.injectForeignValues(cell.references);
    await this.packages.prepare(cell.code, io);
    this.io = io;
    let result: CellResult;
    try {
      this.widgets.beginCell(cell.cellId, cell.meta?.widgets);
      const deletes = this.pendingDeletes.length > 0 ? JSON.stringify(this.pendingDeletes) : '';
      this.pendingDeletes = [];
      result = JSON.parse(this.runner.run_cell(cell.cellId, cell.code, JSON.stringify(cell.defines), deletes)) as CellResult;
      if (result.status === 'async') {
        const pending = this.runner.run_cell_async();
        try {
          result = JSON.parse(await pending) as CellResult;
        } finally {
          pending.destroy();
        }
      }
    } catch (error) {
      // Python did not get to format it (an interrupt landing in the runner itself, a fatal error).
      const message = error instanceof Error ? error.message : String(error);
      const interrupted = /KeyboardInterrupt/.test(message);
      result = interrupted
        ? { status: 'error', message: 'KeyboardInterrupt: the cell was interrupted', traceback: 'KeyboardInterrupt: the cell was interrupted', type: 'KeyboardInterrupt' }
        : { status: 'error', message, traceback: message, type: 'Error' };
    }
    // A cell that ended well flushed Python's streams itself (the runner's _finish): only the decoders' tails remain.
    this.flushStreams(result.status !== 'ok');
    this.io = null;
    if (result.status === 'error') {
      const hint = result.type === 'ModuleNotFoundError' ? this.packages.missingHint(result.message) : '';
      throw new PythonCellError(result.message + hint, result.traceback + hint, result.type);
    }
    if (result.status !== 'ok') return;
    for (const output of result.outputs) io.output(withTableLanguage(output, this.context.language));
    this.publish(cell.defines, result.defined);
  }

  /** Names go with the next cell's run_cell (one call into Python a cell, not two), or before any other entry into Python. */
  deleteNames(names: readonly string[]): void {
    this.pendingDeletes.push(...names);
  }

  private applyDeletes(): void {
    if (this.pendingDeletes.length === 0) return;
    const names = this.pendingDeletes;
    this.pendingDeletes = [];
    this.runner.delete_names(JSON.stringify(names));
  }

  /**
   * The page's questions: `complete` ({ code, cursor } → { from, options,
   * complete }, names of the live namespace, their attributes, keywords and
   * builtins), `inspect` ({ name: 'a.b' } → { name, type, signature, doc,
   * value } or null: hover docs and signature help) and `ping` (answers null:
   * the channel's own cost, for benchmarks).
   */
  call(method: string, payload: JsonValue): JsonValue {
    if (method === 'ping') return null;
    this.applyDeletes();
    if (method === 'set_widget_value') return this.setWidgetValue(payload);
    if (method === TABLE_PAGE_METHOD) return JSON.parse(this.runner.table_page(tablePageRequest(payload))) as JsonValue;
    if (method === 'inspect') {
      const request = (payload ?? {}) as { name?: unknown };
      if (typeof request.name !== 'string') throw new Error("inspect takes { name: string } (a dotted name, e.g. 'df.mean').");
      return JSON.parse(this.runner.inspect_name(JSON.stringify({ name: request.name }))) as JsonValue;
    }
    if (method !== 'complete') throw new Error(`The Python runtime has no method "${method}"; it answers "complete", "inspect", "set_widget_value", "table_page" and "ping".`);
    const request = (payload ?? {}) as { code?: unknown; cursor?: unknown };
    if (typeof request.code !== 'string' || typeof request.cursor !== 'number' || !Number.isSafeInteger(request.cursor) || request.cursor < 0) {
      throw new Error('complete takes { code: string, cursor: number } (cursor: characters before it in code).');
    }
    return JSON.parse(this.runner.complete(JSON.stringify({ code: request.code, cursor: request.cursor }))) as JsonValue;
  }

  /** Other languages read the widget's names afresh: their converted values (cached on first use) are stale now. */
  private setWidgetValue(payload: JsonValue): JsonValue {
    const answer = this.widgets.setValue(payload);
    if ('names' in answer) {
      for (const name of answer.names) if (this.context.namespace.has(name)) this.context.namespace.setEntry(name, this.entry(name));
    }
    return answer as unknown as JsonValue;
  }

  describeVariables(budget: VariableBudget): VariableDescription[] {
    this.applyDeletes();
    return parseDescriptions(this.runner.describe_variables(...describeArguments(budget)));
  }

  forgetCells(cellIds: readonly string[]): void {
    this.applyDeletes();
    this.runner.forget_cells(JSON.stringify(cellIds));
  }

  dispose(): void {
    this.io = null;
  }

  private flushStreams(python = true): void {
    try {
      if (python) this.runner.flush_streams();
    } catch {
      // An interrupt arriving exactly here: the text is lost, the runtime is fine.
    }
    this.write('out', this.decoder.out.decode());
    this.write('err', this.decoder.err.decode());
  }

  /** Names this cell reads that another language defined become Python values. */
  /** Deletions still pending go first when it sets any (run_cell would drop what it set). */
  private injectForeignValues(references: readonly string[]): void {
    const namespace = this.context.namespace;
    let injected = false;
    for (const name of references) {
      const entry = namespace.entry(name);
      if (!entry || entry.language === this.context.language) continue;
      if (!injected) this.applyDeletes();
      injected = true;
      const value: unknown = this.pyodide.toPy(entry.toJS());
      this.runner.G.set(name, value);
      if (isProxy(value)) value.destroy();
    }
  }

  /** Values stay in Python; other languages get plain JavaScript on first use. */
  private publish(defines: readonly string[], defined: readonly string[]): void {
    const present = new Set(defined);
    for (const name of defines) {
      if (!present.has(name)) {
        this.context.namespace.delete(name);
        continue;
      }
      this.context.namespace.setEntry(name, this.entry(name));
    }
  }

  private entry(name: string): NamespaceEntry {
    let converted = false;
    let value: unknown;
    let columnsRead = false;
    let columns: TableColumns | null = null;
    // A table crosses by columns (python/rnb_columns.py), once: SQL builds its rows from them, toJS() its records.
    const toColumns = (): TableColumns | null => {
      if (!columnsRead) {
        this.applyDeletes();
        const answer: unknown = this.runner.table_columns_global(name);
        columns = isProxy(answer) ? readTableColumns(answer as PyListLike) : null;
        columnsRead = true;
      }
      return columns;
    };
    return {
      language: this.context.language,
      native: { python: name },
      toColumns,
      toJS: (): unknown => {
        if (converted) return value;
        this.applyDeletes();
        const table = toColumns();
        if (table) value = recordsOfColumns(table);
        else {
          const py: unknown = this.runner.plain_global(name);
          value = isProxy(py) ? convertAndDestroy(py) : py;
        }
        converted = true;
        return value;
      },
    };
  }
}

function isProxy(value: unknown): value is PyProxyLike {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PyProxyLike).destroy === 'function';
}

function convertAndDestroy(proxy: PyProxyLike): unknown {
  try {
    return proxy.toJs(TO_PLAIN);
  } finally {
    proxy.destroy();
  }
}

/**
 * Pyodide restored from the build's memory snapshot (a fraction of a full load's CPU), or null to load it the usual
 * way: the snapshot API is private to Pyodide, so any failure falls back rather than failing the kernel. Every worker
 * restores it, the warm pool's and spare workers too: restored this way (snapshot-restore.ts) an instance holds no
 * more memory than one loaded from scratch.
 */
async function loadFromSnapshot(loadPyodide: LoadPyodide, config: Record<string, unknown>, options: PythonRuntimeOptions, context: RuntimeContext): Promise<PyodideAPI | null> {
  if (!options.snapshotPath) return null;
  try {
    return (await loadSnapshotSparsely(options.snapshotPath, (snapshot) => loadPyodide({ ...config, _loadSnapshot: snapshot }), options.snapshotHeapRuns)).value;
  } catch (error) {
    context.log('warn', `Pyodide snapshot not used (${(error as Error)?.message ?? String(error)}); loading it from scratch`);
    return null;
  }
}

/**
 * pyodide.asm.mjs compiled with the build's code cache (pyodide-module.ts), or null to let Pyodide import it: like the
 * snapshot, any failure falls back rather than failing the kernel.
 */
function compileModule(options: PythonRuntimeOptions, context: RuntimeContext): LoadedPyodideModule | null {
  try {
    const module = loadPyodideModule(options.pyodideDir, options.codeCachePath);
    if (!module) context.log('warn', `${PYODIDE_MODULE_FILE} is not shaped as expected; Pyodide imports it itself`);
    else if (module.codeCache === 'rejected') context.log('warn', "V8 rejected the build's code cache of Pyodide's module (made for another Node version or other V8 flags); compiled without it");
    return module;
  } catch (error) {
    context.log('warn', `${PYODIDE_MODULE_FILE} not compiled here (${(error as Error)?.message ?? String(error)}); Pyodide imports it itself`);
    return null;
  }
}

const createPythonRuntime: RuntimeFactory = async (context) => {
  const phases = startPhases();
  const options = readOptions(context.options);
  // Loaded by absolute path: the sandboxed kernel can read only the paths the language declared.
  const { loadPyodide } = require(path.join(options.pyodideDir, 'pyodide.js')) as { loadPyodide: LoadPyodide };
  let runtime: PythonRuntime | null = null;
  const config = {
    indexURL: options.pyodideDir + path.sep,
    jsglobals: minimalJsGlobals(),
    env: { HOME: '/home/pyodide' },
    stdout: (line: string) => runtime?.write('out', `${line}\n`),
    stderr: (line: string) => runtime?.write('err', `${line}\n`),
    checkAPIVersion: true,
  };
  let restored = false;
  let codeCache: LoadedPyodideModule['codeCache'] | 'not used' = 'not used';
  const pyodide = await withSharedPyodideModule(async () => {
    // Inside: the wasm file's compilation (shared-wasm.ts) is under way meanwhile. Only where a notebook waits: a
    // worker compiled this way kept about 3.5 MB more once idle (bench/kernel-memory.js: 33.7 against 30.3 MB per
    // further notebook, whose workers are the warm spares loading in the background), so those import it as before.
    const module = context.startup === 'waited-on' ? compileModule(options, context) : null;
    if (module) {
      codeCache = module.codeCache;
      Object.assign(config, { createPyodideModule: module.createPyodideModule });
    }
    phases.end('module');
    const fromSnapshot = await loadFromSnapshot(loadPyodide, config, options, context);
    restored = fromSnapshot !== null;
    return fromSnapshot ?? (await loadPyodide(config));
  }, { askPeers: threadId !== 1, wasmFile: path.join(options.pyodideDir, 'pyodide.asm.wasm') });
  phases.end('pyodide');
  pyodide.setStdout({ write: (bytes: Uint8Array) => runtime?.writeBytes('out', bytes) ?? bytes.length });
  pyodide.setStderr({ write: (bytes: Uint8Array) => runtime?.writeBytes('err', bytes) ?? bytes.length });
  pyodide.setInterruptBuffer(context.interruptBuffer);

  // The plugin's Python files (python/), written into Pyodide's file system and imported from there. Restored from the
  // build's snapshot, the kernel modules are imported already (the snapshot holds them, not the files): the files are
  // for the modules imported lazily, and for tracebacks and source lookups.
  // As bytes: handed a string, Emscripten encodes it to UTF-8 in a JavaScript loop (about 40 ms of CPU for these files).
  const utf8 = new TextEncoder();
  for (const [file, source] of kernelFiles()) {
    const target = `${KERNEL_MODULE_DIR}/${file}`;
    pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf('/')));
    pyodide.FS.writeFile(target, utf8.encode(source));
  }
  phases.end('files');
  const loader = pyodide.toPy({ _rnb_sink: (json: string) => runtime?.showOutput(json) }) as PyProxyLike;
  pyodide.runPython(IMPORT_KERNEL_MODULES + INSTALL_RICH_OUTPUT, { globals: loader as unknown as PyGlobals });
  loader.destroy();
  const runner = pyodide.pyimport('_rnb_runner') as unknown as RunnerModule;
  if (context.maxOutputChars !== undefined && context.maxOutputChars > 0) runner.set_max_output_chars(context.maxOutputChars);
  phases.end('modules');
  hardenPython(pyodide);
  poisonFunctionConstructors();
  disableChildProcesses();
  phases.end('hardening');

  const packages = new PackageLoader(
    pyodide,
    options,
    context,
    (code) => JSON.parse(runner.missing_imports(code)) as string[],
    (bytes, file) => JSON.parse(runner.install_package(bytes, file)) as string[],
  );
  runtime = new PythonRuntime(pyodide, runner, context, packages, PythonWidgets.install(pyodide));
  const sink = runtime;
  runner.install_streams((text: string) => sink.write('out', text), (text: string) => sink.write('err', text));
  packages.installMicropip((text) => sink.write('err', text));
  phases.end('rest');
  context.log('info', `Pyodide ${pyodide.version} ready${restored ? ", restored from the build's snapshot" : ''} (wasm module: ${pyodideModuleSource()}; code cache: ${codeCache}; start: ${phases.text()})`);
  return runtime;
};

export default createPythonRuntime;
