import type { PyodideAPI } from 'pyodide';

/** The `globals` option of runPython. */
export type PyGlobals = NonNullable<Parameters<PyodideAPI['runPython']>[1]>['globals'];

/**
 * The few shapes of Pyodide proxies this runtime uses (the package does not
 * export its ffi types through its `exports` map).
 */
export interface PyProxyLike {
  destroy(): void;
  toJs(options?: { dict_converter?: (entries: Iterable<[unknown, unknown]>) => unknown; create_pyproxies?: boolean; depth?: number }): unknown;
}

export interface PyDictLike extends PyProxyLike {
  set(key: string, value: unknown): void;
  has(key: string): boolean;
}

export interface PyCallable<Args extends unknown[], R> extends PyProxyLike {
  (...args: Args): R;
}

/** The `_rnb_runner` Python module (python/_rnb_runner.py). */
export interface RunnerModule extends PyProxyLike {
  G: PyDictLike;
  install_streams: PyCallable<[(text: string) => void, (text: string) => void], void>;
  flush_streams: PyCallable<[], void>;
  /** Returns a JSON string: see runCell in python-runtime.ts. */
  run_cell: PyCallable<[string, string, string], string>;
  run_cell_async: PyCallable<[], PyProxyLike & PromiseLike<string>>;
  plain_global: PyCallable<[string], unknown>;
  /** The name's value by columns when it is a table of same-keyed dicts, else None (python/rnb_columns.py). */
  table_columns_global: PyCallable<[string], unknown>;
  delete_names: PyCallable<[string], void>;
  /** The kernel's limit on one output's characters: a larger repr becomes a note before it is encoded. */
  set_max_output_chars: PyCallable<[number], void>;
  missing_imports: PyCallable<[string], string>;
  /** `{code, cursor}` as JSON → the completions at the cursor as JSON (python/rnb_completer.py). */
  complete: PyCallable<[string], string>;
  /** `{name}` as JSON → signature, docstring and type of that dotted name as JSON (python/rnb_inspector.py). */
  inspect_name: PyCallable<[string], string>;
  /** Unpacks a wheel into site-packages; returns the JSON list of its shared libraries. */
  install_package: PyCallable<[Uint8Array, string], string>;
  /** (max names, milliseconds) → JSON list of variable descriptions (python/rnb_variables.py). */
  describe_variables: PyCallable<[number, number], string>;
  /** A table_page request as JSON → the page as JSON (python/rnb_variables.py). */
  table_page: PyCallable<[string], string>;
  /** JSON list of deleted cells' ids: their private names (_x) and live tables go (runner-py.ts). */
  forget_cells: PyCallable<[string], string>;
}
