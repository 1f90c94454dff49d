/**
 * The Python files every Python runtime imports (plugins/python/python/): the runner (`_rnb_runner`), its completer,
 * inspector and variable explorer, rich output (display(), IPython reprs, tables, figures, the IPython.display shim),
 * `micropip` and `rnb.ui`. Real `.py` files, checked by `python3 -m unittest` (python/test_*.py) and shared by Pyodide
 * (which gets them written into its file system here) and native CPython (whose sandbox binds the folder read-only and
 * whose driver puts it on sys.path). Imports only Node built-ins: the kernel loads this file by path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The plugin's folder of Python files (this file is src/runtime/ under tests, dist/runtime/ at run time). */
export const PYTHON_SOURCE_DIR = path.resolve(__dirname, '..', '..', 'python');

/** Where the files are inside Pyodide's file system (and inside the native sandbox): first on sys.path. */
export const KERNEL_MODULE_DIR = '/opt/rnb';

/** What in the folder a kernel never imports: the tests, their support, and the native runtime's own driver. */
const NOT_FOR_KERNELS = /^(?:test_.*|kernel_test_support|native_driver)\.py$/;

/**
 * `[relative path, source]` of every `.py` file a kernel may import: the whole folder but NOT_FOR_KERNELS, so a new
 * module (imported lazily by another) cannot be forgotten in a list.
 */
export function kernelFiles(): [string, string][] {
  const files: [string, string][] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(PYTHON_SOURCE_DIR, relative), { withFileTypes: true })) {
      const file = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && entry.name !== '__pycache__') walk(file);
      else if (entry.isFile() && entry.name.endsWith('.py') && !NOT_FOR_KERNELS.test(entry.name)) files.push([file, fs.readFileSync(path.join(PYTHON_SOURCE_DIR, file), 'utf8')]);
    }
  };
  walk('');
  return files.sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The kernel modules every Python runtime imports, in the order that matters (rnb_variables notes the names the
 * notebook's namespace has before any cell, so it comes before any cell; rnb_ipython imports rnb_display; rnb.ui and
 * rnb_micropip are taken by widgets.ts and packages.ts). The others in the folder are imported lazily by these.
 */
export const KERNEL_MODULES = ['_rnb_runner', 'rnb_completer', 'rnb_inspector', 'rnb_variables', 'rnb_display', 'rnb_tables', 'rnb_figures', 'rnb_ipython', 'rnb.ui', 'rnb_micropip'] as const;

/**
 * Python that puts KERNEL_MODULE_DIR first on sys.path and imports KERNEL_MODULES from it. Run in globals of its own
 * (not the notebook's). The build runs it before taking the Pyodide snapshot (snapshot/make-snapshot.ts), so a kernel
 * restored from that snapshot finds the modules imported already (compiling them costs about half a second of CPU),
 * and running it again there only looks them up. The native driver does the same (python/native_driver.py, `load_runner`).
 */
export const IMPORT_KERNEL_MODULES = `
import importlib, sys
if ${JSON.stringify(KERNEL_MODULE_DIR)} not in sys.path:
    sys.path.insert(0, ${JSON.stringify(KERNEL_MODULE_DIR)})
for _name in (${KERNEL_MODULES.map((name) => JSON.stringify(name)).join(', ')}):
    importlib.import_module(_name)
`;

/** Python that installs rich output with the sink `_rnb_sink` (one output as JSON text), in globals holding `_rnb_sink`. */
export const INSTALL_RICH_OUTPUT = `
import sys
sys.modules["rnb_display"].install(_rnb_sink)
`;

/**
 * A digest of the kernel files' paths and sources: part of what the build's snapshot records of what it imported
 * (snapshot/make-snapshot.ts, `snapshotDigest`), so that a file changed since makes it stale.
 */
export function kernelFilesDigest(files: readonly [string, string][] = kernelFiles()): string {
  // Required here, not at the top: the kernel loads this module, and node:crypto costs its cold start about 10 ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256');
  for (const [file, source] of files) hash.update(file).update('\0').update(source).update('\0');
  return hash.digest('hex');
}
