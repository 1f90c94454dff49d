/**
 * @rnb/plugin-python: Python cells. The analyser runs in the server (pure
 * TypeScript, no Pyodide there); the runtime is a module core's sandboxed
 * kernel process loads, which runs Pyodide in the notebook's worker thread.
 */
import * as path from 'node:path';
import { definePlugin, LanguageRegistry, type HostService, type Plugin, type Token, type LanguageDefinition } from '@rnb/core';
import { analysePython } from './analyser';
import { createPackageService } from './package-service';
import { nativePythonLanguage, readNativeSettings, type NativePythonOptions } from './native/native-language';
import { PACKAGE_SERVICE } from './runtime/packages';
import { usableSnapshot } from './snapshot/make-snapshot';

export { analysePython, isPrivateName, PYTHON_BUILTINS } from './analyser';
export type { PythonRuntimeOptions } from './runtime/python-runtime';
export { nativePythonLanguage, type NativePythonOptions } from './native/native-language';

export interface PythonPluginOptions {
  /**
   * A Pyodide package index: a mirror of Pyodide's distribution folder (with
   * its pyodide-lock.json). Default: the PYODIDE_PACKAGE_BASE_URL setting.
   */
  packageBaseUrl?: string;
  /** A folder of wheels the kernel may install from (readable by the kernel process). */
  wheelsDir?: string;
  /** `native`: cells run in CPython inside bubblewrap instead of Pyodide. Default: the PYTHON_RUNTIME setting, else `pyodide`. */
  runtime?: 'pyodide' | 'native';
  /** The native runtime's settings (default: from PYTHON_EXECUTABLE and friends). */
  native?: Partial<NativePythonOptions>;
}

/** The package folder (this file is src/index.ts under tests, dist/index.js at run time). */
const PACKAGE_ROOT = path.resolve(__dirname, '..');
/** Absolute path of the runtime module the kernel process loads: always the built JavaScript. */
export const PYTHON_RUNTIME_MODULE = path.join(PACKAGE_ROOT, 'dist', 'runtime', 'python-runtime.js');

/** The analyser as core's analysis workers load it: the built JavaScript, off the server's event loop. */
export const PYTHON_ANALYSER_MODULE = path.join(PACKAGE_ROOT, 'dist', 'analyser', 'index.js');

/** The folder of the `pyodide` npm package (its wasm, stdlib and lock file). */
export function pyodideDir(): string {
  return path.dirname(require.resolve('pyodide/package.json'));
}

/** The Python LanguageDefinition, for hosts and tests that register languages themselves. */
export function pythonLanguage(options: PythonPluginOptions = {}): LanguageDefinition {
  const packageBaseUrl = options.packageBaseUrl?.trim() || null;
  const wheelsDir = options.wheelsDir ? path.resolve(options.wheelsDir) : null;
  const dir = pyodideDir();
  // Made by the build (snapshot/make-snapshot.ts); without it kernels load Pyodide from scratch.
  const snapshotPath = usableSnapshot(dir);
  const hostServices: { [name: string]: HostService } = {};
  if (packageBaseUrl) hostServices[PACKAGE_SERVICE] = createPackageService(packageBaseUrl);
  return {
    id: 'python',
    displayName: 'Python',
    fileExtension: '.py',
    editor: { mode: 'python' },
    analyse: analysePython,
    analyser: { module: PYTHON_ANALYSER_MODULE, export: 'analysePython' },
    runtime: {
      module: PYTHON_RUNTIME_MODULE,
      readPaths: [path.dirname(PYTHON_RUNTIME_MODULE), dir, ...(wheelsDir ? [wheelsDir] : []), ...(snapshotPath ? [snapshotPath] : [])],
      options: { pyodideDir: dir, packageBaseUrl, wheelsDir, snapshotPath },
    },
    hostServices,
    // `_x` is private to its cell (marimo's rule, see isPrivateName).
    privateNamePrefix: '_',
  };
}

/** The plugin: registers the Python language. */
export type PythonPlugin = Plugin<{ languages: Token<LanguageRegistry> }, Record<string, never>, void>;

export default function pythonPlugin(options: PythonPluginOptions = {}): PythonPlugin {
  return definePlugin({
    id: '@rnb/plugin-python:python',
    description: 'Python cells: static dependency analysis and Pyodide in the sandboxed kernel',
    requires: { languages: LanguageRegistry },
    activate: (context, { languages }) => {
      const runtime = options.runtime ?? context.config.PYTHON_RUNTIME ?? 'pyodide';
      if (runtime !== 'pyodide' && runtime !== 'native') throw new Error(`PYTHON_RUNTIME must be "pyodide" or "native", not "${runtime}"`);
      if (runtime === 'native') {
        const native = nativePythonLanguage({ ...readNativeSettings(context.config), ...options.native });
        for (const missing of native.missing) context.log('warn', `native Python sandbox layer missing: ${missing}`);
        languages.register(native.definition);
        context.log('info', 'Python language registered (native CPython)', { interpreter: native.interpreter.executable, version: native.interpreter.version, sandboxed: native.missing.length === 0 });
        return;
      }
      const packageBaseUrl = options.packageBaseUrl ?? context.config.PYODIDE_PACKAGE_BASE_URL;
      const definition = pythonLanguage({ ...options, ...(packageBaseUrl ? { packageBaseUrl } : {}) });
      languages.register(definition);
      context.log('info', 'Python language registered', { packageIndex: packageBaseUrl ?? null });
    },
  });
}
