/**
 * Pyodide's Emscripten module (`pyodide.asm.mjs`, 1.25 MB of JavaScript) compiled with a V8 code cache the build made.
 *
 * Imported the usual way, each kernel worker parsed and compiled it afresh: about 60 ms to compile the module, 40 ms
 * more to compile its one big function when called, and the inner functions Pyodide's start-up runs, one by one, as
 * they are first called. Here the file is compiled as a classic script (vm.Script) whose source is the module's text
 * with its three ES module forms replaced (`import.meta.url`, `import(...)` and the `export default`), handed to
 * `loadPyodide` as `createPyodideModule`, with the code cache (pyodide.asm.codecache, made by
 * snapshot/make-code-cache.ts after a whole start-up, so it holds those inner functions too).
 *
 * The cache is made by the build, never by a kernel (a kernel runs hostile code), next to the snapshot. V8 checks it
 * against the source's length, its own version and its flags and, when they do not match, ignores it and compiles the
 * source (`cachedDataRejected`): the kernel is as before, only slower. If the file's text is not what this expects
 * (another Pyodide build), null is returned and Pyodide imports the module itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';

/** Pyodide's `createPyodideModule`: the Emscripten factory. */
export type CreatePyodideModule = (settings: object) => Promise<unknown>;

export interface LoadedPyodideModule {
  createPyodideModule: CreatePyodideModule;
  /** `used`: V8 took the build's cache; `rejected`: it did not (other V8 version or flags); `none`: there was none. */
  codeCache: 'used' | 'rejected' | 'none';
}

/** The source file, inside the `pyodide` package folder. */
export const PYODIDE_MODULE_FILE = 'pyodide.asm.mjs';
/** The wrapper's parameters, standing for `import.meta.url` and dynamic `import()`. */
const META_URL = '__rnbImportMetaUrl';
const IMPORT = '__rnbImport';
const EXPORT = 'export default _createPyodideModule;';
/** `import(` as an expression, not `pyimport(` or `.import(`. */
const DYNAMIC_IMPORT = /(?<![\w$.])import\(/g;

/**
 * The module's text as a classic script evaluating to `(importMetaUrl, importBuiltin) => createPyodideModule`, or null
 * when the text is not shaped as expected (exactly one default export of `_createPyodideModule`, no other `export` or
 * static `import` statement at the top).
 */
export function scriptSourceOf(moduleText: string): string | null {
  if (moduleText.split(EXPORT).length !== 2 || !moduleText.startsWith('async function _createPyodideModule(')) return null;
  const body = moduleText.replace(EXPORT, 'return _createPyodideModule;').replace(/import\.meta\.url/g, META_URL).replace(DYNAMIC_IMPORT, `${IMPORT}(`);
  if (body.includes('import.meta')) return null;
  return `(function (${META_URL}, ${IMPORT}) {\n${body}\n})`;
}

/**
 * What the module's `import("node:…")` get: the built-in as an ES module namespace would give it (`default` and the
 * named exports, copied now). Nothing else: the module imports only built-ins on Node (a URL import is for browsers),
 * and never node:child_process, whose copy would escape the hardening that disables it (hardening.ts): Pyodide
 * imports it only where `require` is missing, which it never is here, and Emscripten's `system()` goes through
 * `require`, which the hardening patches.
 */
export function importBuiltin(specifier: string): Promise<unknown> {
  if (typeof specifier !== 'string' || !specifier.startsWith('node:') || /^node:child_process(\/|$)/.test(specifier)) {
    return Promise.reject(new Error(`${PYODIDE_MODULE_FILE} may import only Node built-ins other than child_process in the kernel, not ${String(specifier).slice(0, 200)}`));
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const builtin = require(specifier) as object;
    return Promise.resolve({ ...builtin, default: builtin });
  } catch (error) {
    return Promise.reject(error);
  }
}

let lastScript: vm.Script | null = null;

/**
 * A code cache of the module as this thread compiled it last, with every function compiled so far (for the build,
 * after a whole start-up and a cell: snapshot/make-code-cache.ts). Null before any load.
 */
export function codeCacheOfLastLoad(): Buffer | null {
  return lastScript ? lastScript.createCachedData() : null;
}

/** The cache file's name, next to the snapshot (plugins/python/dist/). */
export const CODE_CACHE_FILE = 'pyodide.asm.codecache';

/** The script source the build made the cache for, beside it (`scriptSourceOf` of the module, done once by the build). */
export function scriptFileOf(cacheFile: string): string {
  return `${cacheFile}.js`;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Compiles the module from `pyodideDir` with the code cache at `cacheFile` (if any), from the script source the build
 * wrote beside the cache (scriptFileOf: the kernel does not redo the text replacement, about 6 ms) or else from the
 * module's text. Null when the module's text is not shaped as expected; throws when no file can be read.
 */
export function loadPyodideModule(pyodideDir: string, cacheFile: string | null): LoadedPyodideModule | null {
  const file = path.join(pyodideDir, PYODIDE_MODULE_FILE);
  const source = (cacheFile ? readOrNull(scriptFileOf(cacheFile)) : null) ?? scriptSourceOf(fs.readFileSync(file, 'utf8'));
  if (source === null) return null;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  lastScript = script;
  const factory = script.runInThisContext() as (metaUrl: string, importer: (specifier: string) => Promise<unknown>) => CreatePyodideModule;
  return {
    createPyodideModule: factory(pathToFileURL(file).href, importBuiltin),
    codeCache: cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used',
  };
}
