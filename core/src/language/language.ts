import type { JsonValue } from '../model/types';
import type { PluginSettingValues, SettingField, SettingsChange } from '../settings/plugin-settings';

/** Where an analyser found a problem, 1-based line and column. */
export interface AnalysisError {
  message: string;
  line?: number;
  column?: number;
}

/**
 * What a language plugin's analyser says about one cell. It runs in the
 * server, so it must be pure and fast and must never execute the code.
 */
export interface Analysis {
  /** Names this cell makes available to other cells (variables, functions, tables...). */
  defines: string[];
  /** Names this cell reads that some other cell may define. */
  references: string[];
  /**
   * Names the cell reads that normally come from the language itself (Python's
   * builtins): they make an edge only when some cell defines them, and are not
   * listed as the cell's reads.
   */
  weakReferences?: string[];
  /** Names the cell deletes (`del x`): it is ordered after every other cell reading them. */
  deletes?: string[];
  /** Set when the code cannot be analysed (a syntax error): the cell errors and does not run. */
  error?: AnalysisError;
  /** Anything else the plugin wants to keep with the cell (e.g. SQL table names). */
  meta?: { [key: string]: JsonValue };
}

/**
 * Where core finds a language's analyser to run it off the server's event loop,
 * in its analysis worker threads: a CommonJS module (the built JavaScript) and
 * the name of its export, a function `(code: string) => Analysis`. The module
 * is loaded in a worker, so the function must not rely on anything set up by
 * the plugin's `activate` (options, connections): it gets only the code.
 */
export interface AnalyserModuleSpec {
  /** Absolute path of a CommonJS module. */
  module: string;
  /** The export to call (default `analyse`). */
  export?: string;
}

/** The runtime half of a language: a module the kernel process loads. */
export interface RuntimeModuleSpec {
  /** Absolute path of a CommonJS module whose default export is a {@link RuntimeFactory}. */
  module: string;
  /**
   * Files and folders the kernel process must be allowed to read for this
   * runtime (its own package, a WebAssembly distribution...). Nothing else is readable.
   */
  readPaths?: string[];
  /** Handed to the factory as `context.options`. */
  options?: JsonValue;
  /**
   * The runtime compiles code from strings (alasql does). The kernel process
   * forbids that; the runtime then gets a `vm` context where it is allowed,
   * still inside the sandboxed process.
   */
  needsCodeGeneration?: boolean;
  /**
   * The runtime starts its own sandboxed processes (the native Python runtime
   * starts CPython inside bubblewrap). The kernel process then gets Node's
   * `--allow-child-process`; the runtime is expected to take what it needs
   * while it loads and close the door for the rest of its worker thread.
   */
  allowChildProcesses?: boolean;
}

/** What a host service receives: which notebook asked, on whose behalf. */
export interface HostServiceContext {
  notebookId: string;
  owner: string;
  /**
   * The notebook's values of the settings this service's plugin declares, in
   * clear (secret fields included: never log them). Unset fields are absent.
   */
  settings: Readonly<PluginSettingValues>;
  signal: AbortSignal;
  /**
   * Stores a change to this plugin's own settings in the notebook (checked
   * against its declaration, saved, announced to the page), as the settings
   * route does: how the Python plugin remembers what `micropip` installed.
   * Absent where nothing can be stored (an app viewer's copy, a test).
   */
  updateSettings?(change: SettingsChange): Promise<void>;
}

/**
 * A narrow door from the sandbox to the server, for what a kernel with no
 * network needs (a database query, a package download). The runtime calls it
 * with `context.hostCall(name, payload)`; the payload is untrusted.
 */
export type HostService = (payload: JsonValue, context: HostServiceContext) => Promise<JsonValue>;

/** The editor half of a language, as the page learns it from `GET /api/config`. */
export interface LanguageEditorSpec {
  /**
   * A CodeMirror mode the page has built in: "python", "sql" or "markdown". A language whose browser module
   * registers an editor language uses that instead; neither: a plain editor.
   */
  mode?: string;
}

/** A language plugin provides one of these to the {@link LanguageRegistry}. */
export interface LanguageDefinition {
  /** The cell type, e.g. "python". */
  id: string;
  /** What the page calls the language in its menus ("Python"); default: the id. */
  displayName?: string;
  /** The file extension of the language's source files, with its dot (".py"), for exports and downloads. */
  fileExtension?: string;
  /** How the page's code editor treats the language (default: a plain editor). */
  editor?: LanguageEditorSpec;
  /**
   * Absolute path of an ES module the page loads at run time (see the plugin guide, "A browser
   * module"): it may contribute the language's editor mode and renderers for its own output MIME
   * types. The server serves this one file at `<prefix>/plugins/<id>/browser.js` and nothing else
   * of the plugin's.
   */
  browserModule?: string;
  /**
   * The analyser, in the server's process. Core calls it there only when the
   * language declares no `analyser` module (or in tests): a slow analyser then
   * blocks the server while it runs.
   */
  analyse(code: string): Analysis;
  /**
   * The same analyser as a module core loads in its analysis workers, with a
   * time budget per cell. Declare it: without it, analysis runs on the event loop.
   */
  analyser?: AnalyserModuleSpec;
  runtime: RuntimeModuleSpec;
  /** Services the runtime may call through the kernel channel, keyed by name. */
  hostServices?: { [name: string]: HostService };
  /**
   * Names starting with this are private to their cell: the analyser neither
   * defines nor references them (python: `_`). The message for a name defined
   * in two cells suggests the private form when every defining cell's language has one.
   */
  privateNamePrefix?: string;
  /**
   * Settings a notebook keeps for this language (a database connection, an
   * API key...): the page shows a form generated from them, the route
   * `PUT /api/notebooks/{id}/settings/{language id}` sets them, and the
   * language's host services receive the values (`context.settings`). Fields
   * marked `secret` are encrypted at rest and masked in every view.
   */
  settings?: readonly SettingField[];
}

/** Where language plugins register; core and hosts look languages up here. */
export interface LanguageRegistry {
  register(language: LanguageDefinition): void;
  get(id: string): LanguageDefinition | undefined;
  list(): LanguageDefinition[];
}
