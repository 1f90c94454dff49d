import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Which isolation layers this machine gives a kernel process. Probed once. */
export interface IsolationLayers {
  permissionFlag: '--permission' | '--experimental-permission' | null;
  /** `unshare --net` works: the kernel gets its own, empty network namespace. */
  networkNamespace: boolean;
  /** The server is root and setpriv exists: the kernel runs as another uid. */
  switchUser: boolean;
  uid: number;
  gid: number;
  missing: string[];
}

export interface SandboxOptions {
  /** uid and gid the kernel runs as when the server is root (default 65534, "nobody"). */
  uid?: number;
  gid?: number;
  /** Turn layers off for debugging; never in production. */
  disableNetworkNamespace?: boolean;
  disableUserSwitch?: boolean;
  /** Without Node's permission model, which refuses to write `--cpu-prof` profiles (bench/server-python-chain.js PROFILE_DIR). */
  disablePermissionModel?: boolean;
}

let probed: IsolationLayers | undefined;

function works(command: string, args: string[]): boolean {
  try {
    return spawnSync(command, args, { stdio: 'ignore', timeout: 5000 }).status === 0;
  } catch {
    return false;
  }
}

export function probeIsolation(options: SandboxOptions = {}): IsolationLayers {
  const key = JSON.stringify(options);
  if (probed && (probed as IsolationLayers & { key?: string }).key === key) return probed;
  const flags = process.allowedNodeEnvironmentFlags;
  const permissionFlag: IsolationLayers['permissionFlag'] = options.disablePermissionModel ? null : flags.has('--permission') ? '--permission' : flags.has('--experimental-permission') ? '--experimental-permission' : null;
  const isRoot = process.getuid?.() === 0;
  const networkNamespace = !options.disableNetworkNamespace && works('unshare', ['--net', 'true']);
  const switchUser = !options.disableUserSwitch && isRoot && works('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  const missing: string[] = [];
  if (!permissionFlag) missing.push("Node's permission model (this Node has no --permission flag): the kernel can read and write files");
  if (!networkNamespace) missing.push('network namespace (unshare --net is not allowed here): the kernel can open network connections');
  if (!switchUser) {
    missing.push(
      isRoot
        ? 'separate uid (setpriv missing): the kernel runs as root and could signal the server'
        : 'separate uid (the server is not root): the kernel runs as the server\'s user and could signal it',
    );
  }
  const layers: IsolationLayers = { permissionFlag, networkNamespace, switchUser, uid: options.uid ?? 65534, gid: options.gid ?? 65534, missing };
  probed = Object.assign(layers, { key });
  return layers;
}

export interface KernelCommand {
  command: string;
  args: string[];
}

/** Always given to a kernel process (kernelCommand): no eval or `new Function` anywhere in it. */
const NO_CODE_FROM_STRINGS = '--disallow-code-generation-from-strings';

/**
 * The V8 flags of a kernel process with the given heap limit (KernelLimits.workerHeapMb) and no extra node flags.
 * V8 accepts a code cache (vm.Script `cachedData`) only in a process whose V8 flags are the ones it was made with, so
 * a build step that makes one for kernels (the Python plugin's, for pyodide.asm.mjs) runs its maker with these.
 */
export function kernelV8Flags(workerHeapMb: number): string[] {
  return [`--max-old-space-size=${workerHeapMb}`, NO_CODE_FROM_STRINGS];
}

/** The command line that starts a kernel with every layer available. */
export function kernelCommand(layers: IsolationLayers, entry: string, readPaths: string[], nodeArgs: string[], payload: string, allowChildProcesses = false): KernelCommand {
  // Whatever the caller passed (kernelV8Flags() has it already), once.
  const node = [...new Set([...nodeArgs, NO_CODE_FROM_STRINGS])];
  if (layers.permissionFlag) {
    const readable = [...new Set([path.dirname(path.dirname(entry)), ...readPaths])];
    // One flag per path: Node 20 reads a comma-separated list as one path.
    node.push(layers.permissionFlag, ...readable.map((p) => `--allow-fs-read=${p}`), '--allow-worker');
    // Only when a language runs its own sandbox (see RuntimeModuleSpec.allowChildProcesses).
    if (allowChildProcesses) node.push('--allow-child-process');
  }
  const commandLine = [process.execPath, ...node, entry, payload];
  let prefix: string[] = [];
  if (layers.switchUser) {
    prefix = ['setpriv', `--reuid=${layers.uid}`, `--regid=${layers.gid}`, '--clear-groups', '--no-new-privs', '--'];
  }
  if (layers.networkNamespace) prefix = ['unshare', '--net', '--', ...prefix];
  const full = [...prefix, ...commandLine];
  return { command: full[0]!, args: full.slice(1) };
}

/** A kernel running as another uid must be able to read its files: say what to do when it cannot. */
export function unreadableForKernel(paths: string[], layers: IsolationLayers): string | undefined {
  if (!layers.switchUser) return undefined;
  for (const p of paths) {
    let current = path.resolve(p);
    while (current !== path.dirname(current)) {
      try {
        const stat = fs.statSync(current);
        const otherBits = stat.isDirectory() ? 0o005 : 0o004;
        if ((stat.mode & otherBits) !== otherBits && stat.uid !== layers.uid) {
          return `${current} is not readable by uid ${layers.uid}, which kernels run as: move the checkout out of a private folder (e.g. /root) or run "chmod o+rx ${current}".`;
        }
      } catch {
        return `${current} does not exist`;
      }
      current = path.dirname(current);
    }
  }
  return undefined;
}
