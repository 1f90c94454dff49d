/** Shared helpers of the deploy checks: paths, tools on PATH, CI policy, child processes. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const TERRAFORM_DIR = path.join(DEPLOY_DIR, 'terraform');
export const SCRIPTS_DIR = path.join(DEPLOY_DIR, 'scripts');

export const IN_CI = process.env.CI === 'true';

/** Absolute path of an executable on PATH, or null. */
export function which(name: string, pathVar: string = process.env.PATH ?? ''): string | null {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * Declares the tests that need `tool`: they run when it is on PATH; otherwise
 * they fail under CI=true (a CI image without the tool is a broken CI image)
 * and are skipped elsewhere with the reason in the test name.
 */
export function describeWithTool(tool: string, installHint: string, body: (toolPath: string) => void): void {
  const found = which(tool);
  if (found) {
    describe(`with ${tool}`, () => body(found));
  } else if (IN_CI) {
    test(`${tool} is installed (required under CI=true)`, () => {
      throw new Error(`${tool} is not on PATH but CI=true requires it: ${installHint}`);
    });
  } else {
    test.skip(`${tool} checks (skipped: ${tool} is not on PATH; ${installHint})`, () => undefined);
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws on a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): RunResult {
  const res: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/**
 * Folder holding `registry.terraform.io` (a local provider mirror), from
 * TF_PLUGIN_DIR or the usual places; null when there is none.
 */
export function findTerraformPluginDir(): string | null {
  const fromEnv = process.env.TF_PLUGIN_DIR;
  if (fromEnv && existsSync(path.join(fromEnv, 'registry.terraform.io'))) return fromEnv;
  const roots = ['/opt', '/usr/share', '/usr/local/share', '/usr/local/lib', path.join(os.homedir(), '.terraform.d')];
  for (const root of roots) {
    if (existsSync(path.join(root, 'registry.terraform.io'))) return root;
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const candidate = path.join(root, entry);
      if (existsSync(path.join(candidate, 'registry.terraform.io'))) return candidate;
    }
  }
  return null;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Whether a process with this pid still runs. A zombie counts as gone: a
 * daemon (redis-server --daemonize) is re-parented to PID 1, which in some
 * containers reaps late, and `kill -0` succeeds on a zombie.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill -0
  }
}
