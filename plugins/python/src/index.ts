/**
 * @rnb/plugin-python: Python cells. The analyser runs in the server (pure
 * TypeScript, no Pyodide there); the runtime is a module core's sandboxed
 * kernel process loads, which runs Pyodide in the notebook's worker thread.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin, LanguageRegistry, type HostService, type Plugin, type Token, type LanguageDefinition } from '@rnb/core';
import { createPackageService } from './package-service';
import { nativePythonLanguage, readNativeSettings, type NativePythonOptions } from './native/native-language';
import { PYTHON_LANGUAGE } from './language-base';
import { createPypiService } from './pypi-service';
import { PACKAGE_SERVICE, PYPI_SERVICE } from './runtime/packages';
import { scriptFileOf } from './runtime/pyodide-module';
import { usableCodeCache } from './snapshot/make-code-cache';
import { snapshotHeapRuns, usableSnapshot } from './snapshot/make-snapshot';

export { analysePython, isPrivateName, PYTHON_BUILTINS } from './analyser';
export type { PythonRuntimeOptions } from './runtime/python-runtime';
export { nativePythonLanguage, type NativePythonOptions } from './native/native-language';
export { PACKAGES_SETTING } from './packages-setting';

export interface PythonPluginOptions {
  /**
   * A Pyodide package host: a mirror of Pyodide's distribution folder (with
   * its pyodide-lock.json). Default: the PYODIDE_PACKAGE_BASE_URL setting;
   * without it, the official host for this Pyodide version when there is no
   * sign-in (one local user), and none with sign-in. `none` turns it off.
   */
  packageBaseUrl?: string;
  /** A folder of wheels the kernel may install from (readable by the kernel process). Default: PYODIDE_WHEELS_DIR. */
  wheelsDir?: string;
  /** `native`: cells run in CPython inside bubblewrap instead of Pyodide. Default: the PYTHON_RUNTIME setting, else `pyodide`. */
  runtime?: 'pyodide' | 'native';
  /** The native runtime's settings (default: from PYTHON_EXECUTABLE and friends). */
  native?: Partial<NativePythonOptions>;
  /**
   * A PyPI-compatible simple index for `micropip.install` (pure-Python wheels).
   * Default: PYODIDE_PYPI_INDEX_URL; without it https://pypi.org/simple/ when
   * there is no sign-in, and none with sign-in. `none` turns it off.
   */
  pypiIndexUrl?: string;
  /** Where downloaded packages are kept. Default: PYODIDE_PACKAGE_CACHE_DIR, else ~/.cache/rnb/pyodide-packages. */
  packageCacheDir?: string;
  /** Time limit for downloading one package file. Default: PYODIDE_PACKAGE_TIMEOUT_SECONDS (120 s). */
  packageTimeoutMs?: number;
  /** The operator's log (the details of package failures). */
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** The official Pyodide package host for the exact Pyodide version the plugin ships. */
export function officialPackageUrl(): string {
  const { version } = require('pyodide/package.json') as { version: string };
  return `https://cdn.jsdelivr.net/pyodide/v${version}/full/`;
}

/** The default cache folder for downloaded packages. */
export function defaultPackageCacheDir(): string {
  return path.join(os.homedir(), '.cache', 'rnb', 'pyodide-packages');
}

/** The package folder (this file is src/index.ts under tests, dist/index.js at run time). */
const PACKAGE_ROOT = path.resolve(__dirname, '..');
/** Absolute path of the runtime module the kernel process loads: always the built JavaScript. */
export const PYTHON_RUNTIME_MODULE = path.join(PACKAGE_ROOT, 'dist', 'runtime', 'python-runtime.js');

export { PYTHON_ANALYSER_MODULE } from './language-base';

/** The folder of the `pyodide` npm package (its wasm, stdlib and lock file). */
export function pyodideDir(): string {
  return path.dirname(require.resolve('pyodide/package.json'));
}

/** The Python LanguageDefinition, for hosts and tests that register languages themselves. */
export function pythonLanguage(options: PythonPluginOptions = {}): LanguageDefinition {
  const requested = options.packageBaseUrl?.trim() || null;
  const packageBaseUrl = requested === 'none' ? null : requested;
  const wheelsDir = options.wheelsDir ? path.resolve(options.wheelsDir) : null;
  const dir = pyodideDir();
  // Made by the build (snapshot/make-snapshot.ts); without it kernels load Pyodide from scratch.
  const snapshotPath = usableSnapshot(dir);
  // Made by the build too (snapshot/make-code-cache.ts); without it kernels compile Pyodide's JavaScript themselves.
  const codeCachePath = usableCodeCache(dir);
  const hostServices: { [name: string]: HostService } = {};
  if (packageBaseUrl) {
    hostServices[PACKAGE_SERVICE] = createPackageService({
      baseUrl: packageBaseUrl,
      cacheDir: options.packageCacheDir ?? defaultPackageCacheDir(),
      ...(options.packageTimeoutMs ? { timeoutMs: options.packageTimeoutMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }
  const requestedIndex = options.pypiIndexUrl?.trim() || null;
  const pypiIndexUrl = requestedIndex === 'none' ? null : requestedIndex;
  if (pypiIndexUrl) {
    hostServices[PYPI_SERVICE] = createPypiService({
      indexUrl: pypiIndexUrl,
      cacheDir: options.packageCacheDir ?? defaultPackageCacheDir(),
      recordDir: path.join(options.packageCacheDir ?? defaultPackageCacheDir(), 'notebooks'),
      ...(options.packageTimeoutMs ? { timeoutMs: options.packageTimeoutMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }
  // The official host's lock file is the one shipped in the pyodide package: no download needed for it.
  const bundledLock = packageBaseUrl !== null && new URL(packageBaseUrl.endsWith('/') ? packageBaseUrl : `${packageBaseUrl}/`).href === officialPackageUrl();
  return {
    ...PYTHON_LANGUAGE,
    runtime: {
      module: PYTHON_RUNTIME_MODULE,
      readPaths: [path.dirname(PYTHON_RUNTIME_MODULE), path.join(PACKAGE_ROOT, 'python'), dir, ...(wheelsDir ? [wheelsDir] : []), ...(snapshotPath ? [snapshotPath] : []), ...(codeCachePath ? [codeCachePath, scriptFileOf(codeCachePath)] : [])],
      options: { pyodideDir: dir, packageBaseUrl, wheelsDir, bundledLock, pypi: pypiIndexUrl !== null, snapshotPath, snapshotHeapRuns: snapshotPath ? snapshotHeapRuns(snapshotPath) : null, codeCachePath },
    },
    hostServices,
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
      const config = context.config;
      const signedIn = config.NOTEBOOK_AUTH !== undefined && config.NOTEBOOK_AUTH !== '' && config.NOTEBOOK_AUTH !== 'none';
      // One local user: the official host, so `import pandas` works on a machine with internet. With sign-in: only what the operator set.
      const packageBaseUrl = options.packageBaseUrl ?? (config.PYODIDE_PACKAGE_BASE_URL || (signedIn ? undefined : officialPackageUrl()));
      const pypiIndexUrl = options.pypiIndexUrl ?? (config.PYODIDE_PYPI_INDEX_URL || (signedIn ? undefined : 'https://pypi.org/simple/'));
      const wheelsDir = options.wheelsDir ?? (config.PYODIDE_WHEELS_DIR || undefined);
      const packageCacheDir = options.packageCacheDir ?? (config.PYODIDE_PACKAGE_CACHE_DIR || undefined);
      const timeoutSeconds = Number(config.PYODIDE_PACKAGE_TIMEOUT_SECONDS);
      const packageTimeoutMs = options.packageTimeoutMs ?? (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined);
      const definition = pythonLanguage({
        ...options,
        ...(packageBaseUrl ? { packageBaseUrl } : {}),
        ...(pypiIndexUrl ? { pypiIndexUrl } : {}),
        ...(wheelsDir ? { wheelsDir } : {}),
        ...(packageCacheDir ? { packageCacheDir } : {}),
        ...(packageTimeoutMs ? { packageTimeoutMs } : {}),
        log: options.log ?? ((level, message) => context.log(level, message)),
      });
      languages.register(definition);
      context.log('info', 'Python language registered', { packageHost: packageBaseUrl && packageBaseUrl !== 'none' ? packageBaseUrl : null, pypiIndex: pypiIndexUrl && pypiIndexUrl !== 'none' ? pypiIndexUrl : null, wheelsDir: wheelsDir ?? null });
    },
  });
}
