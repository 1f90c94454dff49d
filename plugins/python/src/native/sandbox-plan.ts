/**
 * The native runtime's sandbox, decided in the server (which may probe the
 * machine; the kernel process may not): the bubblewrap command line that
 * starts one notebook's CPython, and which layers this machine lacks.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Resource limits the driver sets on itself (soft = hard) before any cell runs; 0 = none. */
export interface NativeLimits {
  address_space_bytes: number;
  processes: number;
  file_size_bytes: number;
  open_files: number;
  cpu_seconds: number;
}

export interface NativeSandboxOptions {
  /** The interpreter: `python3` (looked up on PATH) or a path, a virtualenv's `bin/python` included. */
  executable: string;
  /** Multi-user mode refuses to run without every layer unless `allowUnsandboxed`. */
  multiUser: boolean;
  allowUnsandboxed: boolean;
  /** Size of the private /tmp (a tmpfs). */
  tmpBytes: number;
  limits: NativeLimits;
  /** The driver script shipped with the plugin. */
  driverPath: string;
}

export interface NativeSandboxPlan {
  /** argv[0] is absolute: the kernel process has an empty environment, so no PATH. */
  argv: string[];
  /** Layers this machine lacks (empty when fully sandboxed). */
  missing: string[];
  interpreter: InterpreterInfo;
}

export interface InterpreterInfo {
  executable: string;
  version: string;
  /** Folders of the interpreter's own files (prefix, base prefix) outside the system directories. */
  ownFolders: string[];
}

export const DEFAULT_NATIVE_LIMITS: NativeLimits = {
  // As core's default memory limit of a whole kernel process (2048 MB, which counts its CPythons): one large
  // allocation fails with MemoryError in the cell before the kernel as a whole is killed for it.
  address_space_bytes: 2048 * 1024 * 1024,
  // Per sandbox: each has its own user namespace, where Linux (5.14+) counts RLIMIT_NPROC (plugins/python/README.md).
  processes: 512,
  file_size_bytes: 256 * 1024 * 1024,
  open_files: 256,
  cpu_seconds: 0,
};

/** Read-only system folders every sandbox gets (when they exist). */
const SYSTEM_READ_ONLY = ['/usr', '/etc/alternatives', '/etc/ld.so.cache', '/etc/matplotlibrc', '/etc/fonts', '/etc/ssl/certs', '/etc/localtime'];
const SANDBOX_DRIVER = '/opt/rnb/native_driver.py';
/**
 * Starts the driver (named by the next argument) as an imported module rather than as a script: a script is compiled at
 * every start (430 lines, 4 to 18 ms by load), a module's bytecode comes from `__pycache__` (precompileDriverFolder).
 * Its path stays on the command line, where the tests and benches look for the driver's processes.
 */
const DRIVER_LAUNCHER = "import sys; sys.path.insert(0, sys.argv[1].rpartition('/')[0]); import native_driver; native_driver.main()";
const LIBSECCOMP_PATHS = ['/usr/lib/x86_64-linux-gnu/libseccomp.so.2', '/usr/lib/aarch64-linux-gnu/libseccomp.so.2', '/usr/lib64/libseccomp.so.2', '/usr/lib/libseccomp.so.2'];

function findOnPath(name: string): string | null {
  if (name.includes('/')) return fs.existsSync(name) ? path.resolve(name) : null;
  for (const dir of (process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** Asks the interpreter (outside any sandbox, as the operator configured it) where its files are. */
export function describeInterpreter(executable: string): InterpreterInfo {
  const found = findOnPath(executable);
  if (!found) throw new Error(`PYTHON_EXECUTABLE "${executable}" was not found`);
  const probe = spawnSync(found, ['-c', 'import sys, json; print(json.dumps([sys.executable, sys.prefix, sys.base_prefix, sys.version.split()[0]]))'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (probe.status !== 0) throw new Error(`PYTHON_EXECUTABLE "${executable}" did not run: ${(probe.stderr || probe.error?.message || '').slice(0, 500)}`);
  const [exe, prefix, basePrefix, version] = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '[]') as string[];
  const ownFolders = [...new Set([prefix!, basePrefix!])].filter((folder) => !folder.startsWith('/usr'));
  return { executable: exe!, version: version!, ownFolders };
}

/**
 * Compiles the driver's folder (the runner and the rnb_* modules, about 3,000 lines) to bytecode beside it, with the
 * configured interpreter: each sandboxed CPython then reads `__pycache__` instead of compiling them at every start (the
 * runner's load went from about 100 ms to about 30 ms, bench/native-start.js). Here in the server, once: the sandbox
 * binds the folder read-only and its CPython writes no bytecode. A folder the server cannot write (an installed
 * package) stays as it is, and the modules compile at each start as before. Returns whether the folder is compiled.
 */
export function precompileDriverFolder(executable: string, folder: string): boolean {
  const script = "import compileall, re, sys; sys.exit(0 if compileall.compile_dir(sys.argv[1], quiet=2, rx=re.compile(r'(^|/)(test_[^/]*|kernel_test_support)[.]py$')) else 1)";
  const compiled = spawnSync(executable, ['-I', '-c', script, folder], { stdio: 'ignore', timeout: 30_000 });
  return compiled.status === 0;
}

function bubblewrap(): string | null {
  const found = findOnPath('bwrap');
  if (!found) return null;
  const works = spawnSync(found, ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--unshare-all', '--die-with-parent', '--uid', '65534', '--gid', '65534', '/usr/bin/true'], { timeout: 10_000 });
  return works.status === 0 ? found : null;
}

/**
 * Kernels run as uid 65534 when the server is root, and bubblewrap binds the
 * interpreter's folders as that uid: say which folder it cannot reach, and how
 * to fix it, instead of a kernel failing to start.
 */
export function unreachableForSandbox(folders: readonly string[]): string | null {
  if (process.getuid?.() !== 0) return null;
  for (const folder of folders) {
    let current = path.resolve(folder);
    for (;;) {
      const stat = fs.statSync(current);
      if ((stat.mode & 0o005) !== 0o005 && stat.uid !== 65534) {
        return `${current} is not readable by uid 65534, which native Python kernels run as (it holds the interpreter ${folder}): move the interpreter or virtualenv out of a private folder, or run "chmod o+rx ${current}".`;
      }
      if (current === path.dirname(current)) break;
      current = path.dirname(current);
    }
  }
  return null;
}

/** The bwrap arguments: every layer at once. */
export function bubblewrapArguments(interpreter: InterpreterInfo, options: NativeSandboxOptions): string[] {
  const args: string[] = [];
  for (const folder of SYSTEM_READ_ONLY) if (fs.existsSync(folder)) args.push('--ro-bind', folder, folder);
  for (const link of [['usr/bin', '/bin'], ['usr/lib', '/lib'], ['usr/lib64', '/lib64'], ['usr/sbin', '/sbin']] as const) {
    if (fs.existsSync(`/usr/${link[0].slice(4)}`)) args.push('--symlink', link[0], link[1]);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--size', String(options.tmpBytes), '--tmpfs', '/tmp', '--chdir', '/tmp');
  // A virtualenv or an interpreter installed elsewhere: its own files, read-only (after /tmp, which would hide one there).
  for (const folder of interpreter.ownFolders) args.push('--ro-bind', folder, folder);
  // The driver's folder (python/): the driver and the kernel modules it imports beside it, read-only.
  args.push('--ro-bind', path.dirname(options.driverPath), path.posix.dirname(SANDBOX_DRIVER));
  // --disable-userns: no nested user namespace, the way to the capabilities many kernel exploits start from.
  args.push('--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--uid', '65534', '--gid', '65534', '--hostname', 'notebook');
  args.push('--clearenv', '--setenv', 'HOME', '/tmp', '--setenv', 'MPLBACKEND', 'Agg', '--setenv', 'MPLCONFIGDIR', '/tmp/.matplotlib');
  // BLAS thread pools count against the process limit (threads are processes to Linux): one thread each.
  args.push('--setenv', 'OPENBLAS_NUM_THREADS', '1', '--setenv', 'OMP_NUM_THREADS', '1', '--setenv', 'PYTHONDONTWRITEBYTECODE', '1');
  args.push('--setenv', 'LANG', 'C.UTF-8');
  return args;
}

/**
 * The plan, or an error saying why the native runtime refuses to start.
 * Local mode starts without a missing layer (and says which); multi-user
 * mode refuses unless the operator accepted it.
 */
export function planNativeSandbox(options: NativeSandboxOptions): NativeSandboxPlan {
  const interpreter = describeInterpreter(options.executable);
  const unreachable = unreachableForSandbox([...interpreter.ownFolders, path.dirname(options.driverPath)]);
  if (unreachable) throw new Error(`The native Python runtime cannot start: ${unreachable}`);
  precompileDriverFolder(interpreter.executable, path.dirname(options.driverPath));
  const driverArgs = ['-I', '-u', '-c', DRIVER_LAUNCHER, SANDBOX_DRIVER, JSON.stringify(options.limits)];
  const bwrap = bubblewrap();
  // The driver installs a seccomp filter on itself through libseccomp (python/native_driver.py); without the library the
  // namespaces still hold, so this is a warning in every mode.
  const seccomp = LIBSECCOMP_PATHS.some((file) => fs.existsSync(file))
    ? []
    : ['seccomp filter (libseccomp.so.2 not found: apt-get install -y libseccomp2): cells may call ptrace, mount, bpf, keyctl, io_uring and other kernel interfaces, inside the namespaces'];
  if (bwrap) {
    return { argv: [bwrap, ...bubblewrapArguments(interpreter, options), interpreter.executable, ...driverArgs], missing: seccomp, interpreter };
  }
  const missing = ['bubblewrap (bwrap is not installed or cannot create namespaces here): cells run as the kernel\'s user with the server\'s files visible, limited only by resource limits'];
  if (options.multiUser && !options.allowUnsandboxed) {
    throw new Error(`The native Python runtime refuses to start in multi-user mode without its sandbox: ${missing.join('; ')}. Install bubblewrap, use PYTHON_RUNTIME=pyodide, or set PYTHON_NATIVE_UNSANDBOXED=1 to accept running without it.`);
  }
  const unsandboxed = [interpreter.executable, '-I', '-u', '-c', DRIVER_LAUNCHER, options.driverPath, JSON.stringify(options.limits)];
  return { argv: unsandboxed, missing: [...missing, ...seccomp], interpreter };
}
