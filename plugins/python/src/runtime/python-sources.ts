/**
 * The Python files every Python runtime loads beside its runner (plugins/python/python/): rich output
 * (display(), IPython reprs, tables, figures, the IPython.display shim). Read from disk when a runtime starts, so
 * they stay real `.py` files, checked by `python3 -m unittest` and shared by Pyodide and native CPython.
 * Imports only Node built-ins: the kernel loads this file by path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The plugin's folder of Python files (this file is src/runtime/ under tests, dist/runtime/ at run time). */
export const PYTHON_SOURCE_DIR = path.resolve(__dirname, '..', '..', 'python');

/** Module names, in load order (rnb_ipython imports rnb_display when it loads). */
export const RICH_OUTPUT_MODULES = ['rnb_display', 'rnb_tables', 'rnb_figures', 'rnb_ipython'] as const;

/** `[module name, source]` pairs, for a runtime to execute as modules of those names. */
export function richOutputSources(): [string, string][] {
  return RICH_OUTPUT_MODULES.map((name) => [name, fs.readFileSync(path.join(PYTHON_SOURCE_DIR, `${name}.py`), 'utf8')]);
}

/**
 * Python that loads the pairs in `_rnb_modules` (a list of [name, source]) as modules and installs rich output
 * with the sink `_rnb_sink` (one output as JSON text). Run with those two names as its globals.
 */
export const LOAD_RICH_OUTPUT = `
import sys, types
for _name, _source in _rnb_modules:
    _module = types.ModuleType(_name)
    _module.__file__ = "<rnb " + _name + ">"
    sys.modules[_name] = _module
    exec(compile(_source, _module.__file__, "exec"), _module.__dict__)
sys.modules["rnb_display"].install(_rnb_sink)
`;
