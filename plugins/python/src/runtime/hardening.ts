/**
 * The second sandbox layer: inside core's kernel process (the real
 * boundary), close the doors Pyodide itself opens from Python to JavaScript,
 * so that one missing outer layer is not an escape on its own.
 */
import type { PyodideAPI } from 'pyodide';
import type { PyGlobals, PyProxyLike } from './pyodide-types';

const BLOCKED_MESSAGE = 'Creating JavaScript functions from strings is disabled in the notebook kernel';

/**
 * What `import js` sees: only what Pyodide's own Python modules import from
 * it (timers). No process, no require, no fetch, no globalThis.
 */
export function minimalJsGlobals(): object {
  const globals = Object.create(null) as Record<string, unknown>;
  globals.setTimeout = (fn: () => void, ms?: number): unknown => setTimeout(fn, ms);
  globals.clearTimeout = (id: NodeJS.Timeout): void => clearTimeout(id);
  globals.setInterval = (fn: () => void, ms?: number): unknown => setInterval(fn, ms);
  globals.clearInterval = (id: NodeJS.Timeout): void => clearInterval(id);
  return Object.freeze(globals);
}

/**
 * Any JavaScript object Python can reach leads to `Function` through
 * `.constructor.constructor`. The kernel process already runs with
 * `--disallow-code-generation-from-strings`; in this worker thread, the
 * constructors of every kind of function are replaced as well.
 */
export function poisonFunctionConstructors(): void {
  const blocked = function blockedFunctionConstructor(): never {
    throw new EvalError(BLOCKED_MESSAGE);
  };
  Object.freeze(blocked);
  const prototypes = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}) as object,
    Object.getPrototypeOf(function* () {}) as object,
    Object.getPrototypeOf(async function* () {}) as object,
  ];
  for (const prototype of prototypes) {
    const current = Object.getOwnPropertyDescriptor(prototype, 'constructor');
    if (current && !current.configurable) continue;
    Object.defineProperty(prototype, 'constructor', { value: blocked, writable: false, configurable: false, enumerable: false });
  }
}

/**
 * Emscripten's `system()` (behind `os.system`, `ctypes`' libc `system`)
 * spawns a host shell through `node:child_process` in Node. Builtin modules
 * are per thread, so in this worker every way to start a process is replaced
 * by one that reports failure without starting anything.
 */
export function disableChildProcesses(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const childProcess = require('node:child_process') as Record<string, unknown>;
  const refuse = (): never => {
    throw Object.assign(new Error('Child processes are not allowed in the notebook kernel'), { code: 'EPERM' });
  };
  for (const name of ['spawn', 'exec', 'execFile', 'fork', 'execSync', 'execFileSync']) childProcess[name] = refuse;
  // Emscripten's system() reads the result instead of catching: an exit status of 127, "command not found".
  childProcess.spawnSync = (): unknown => ({ status: 127, signal: null, pid: 0, output: [null, null, null], stdout: null, stderr: null, error: new Error('Child processes are not allowed in the notebook kernel') });
}

/**
 * Python side: `os.system`, `os.popen` and `subprocess` raise,
 * `pyodide.code.run_js` raises, and `pyodide_js` (the whole
 * JavaScript API: FS, mountNodeFS, the Emscripten module) is replaced by a
 * stub that holds only what Pyodide's asyncio loop needs.
 */
export function hardenPython(pyodide: PyodideAPI): void {
  // A scratch namespace, so nothing of this leaks into the notebook's globals.
  const scratch = pyodide.toPy({}) as PyProxyLike;
  pyodide.runPython(String.raw`
import sys, types
import pyodide.code, pyodide._run_js, pyodide.webloop

def _run_js_blocked(*args, **kwargs):
    raise PermissionError("Running JavaScript from a notebook cell is not allowed.")

pyodide.code.run_js = _run_js_blocked
pyodide._run_js.run_js = _run_js_blocked

import os, posix, subprocess

def _process_blocked(*args, **kwargs):
    raise PermissionError("Starting processes is not allowed in notebook cells.")

for _module in (os, posix):
    for _name in ("system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle", "execlp", "execvp", "execvpe",
                  "spawnv", "spawnve", "spawnl", "spawnle", "posix_spawn", "posix_spawnp", "kill", "killpg"):
        if hasattr(_module, _name):
            setattr(_module, _name, _process_blocked)
subprocess.Popen = _process_blocked
subprocess.run = subprocess.call = subprocess.check_call = subprocess.check_output = subprocess.getoutput = subprocess.getstatusoutput = _process_blocked

import pyodide_js as _real
_api = types.ModuleType("pyodide_js._api")
_api.scheduleCallback = _real._api.scheduleCallback
_api.config = types.SimpleNamespace(enableRunUntilComplete=False)
_stub = types.ModuleType("pyodide_js")
_stub.__doc__ = "Not available in notebook cells."
_stub._api = _api
_stub.loadedPackages = {}
sys.modules["pyodide_js"] = _stub
sys.modules["pyodide_js._api"] = _api
`, { globals: scratch as unknown as PyGlobals });
  scratch.destroy();
  pyodide.unregisterJsModule('pyodide_js');
}
