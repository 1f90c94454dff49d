/**
 * Cluster-mode tests: a real redis-server (started on a free port, stopped by
 * pid), a real dynalite (in this process) and server instances as separate
 * processes (dist/main.js). Without redis-server: tests fail under CI=true
 * and are skipped elsewhere with a warning.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeNeeding, freePort } from '@rnb/core/testing';

export const MAIN = path.resolve(__dirname, '../../dist/main.js');

export function redisUnavailable(): string | null {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return 'redis-server is not on the PATH (Debian: apt-get install -y redis-server)';
  if (!fs.existsSync(MAIN)) return `${MAIN} is missing (run npm run build:ts)`;
  return null;
}

/** Describes the cluster tests, or skips them (failing under CI=true) with the reason. */
export function describeCluster(name: string, body: () => void): void {
  describeNeeding(name, redisUnavailable(), body);
}

export { freePort };

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface TestRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-redis-'));
  const pidFile = path.join(dir, 'redis.pid');
  const port = await freePort();
  const start = async (): Promise<void> => {
    const result = spawnSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', pidFile, '--dir', dir, '--logfile', path.join(dir, 'redis.log')]);
    if (result.status !== 0) throw new Error(`redis-server did not start: ${result.stderr.toString()}`);
    for (let i = 0; i < 100 && !(await portOpen(port)); i++) await sleep(50);
  };
  const stop = async (): Promise<void> => {
    if (!fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (let i = 0; i < 100 && (await portOpen(port)); i++) await sleep(50);
    fs.rmSync(pidFile, { force: true });
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, restart: start };
}

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: () => void): void;
  address(): net.AddressInfo;
}

export async function startDynalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const dynalite = require('dynalite') as (options: Record<string, number>) => DynaliteServer;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Instance {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `node dist/main.js` with only PATH, the given variables and quiet defaults, in `cwd`. */
export function runInstance(cwd: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', WEB_DIR: 'none', NOTEBOOK_TOKEN: '', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { child, output: () => out, exited };
}

export async function startInstance(cwd: string, env: Record<string, string>, timeoutMs = 30_000): Promise<Instance> {
  const run = runInstance(cwd, env);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /"msg":"notebook server listening"[^\n]*"url":"([^"]+)"/.exec(run.output());
    if (match) {
      return {
        url: match[1]!.replace('localhost', '127.0.0.1'),
        ...run,
        async stop(signal = 'SIGTERM') {
          if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
          return run.exited;
        },
      };
    }
    if (run.child.exitCode !== null || Date.now() > deadline) {
      run.child.kill('SIGKILL');
      throw new Error(`main.js did not start:\n${run.output()}`);
    }
    await sleep(50);
  }
}

/** Plain JSON over HTTP with keep-alive off (instances get killed under the client). */
export async function api(base: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${urlPath}`, { method, agent: false, headers: { 'content-type': 'application/json', ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A notebook created over HTTP on `on` (which then owns it) with one fake-language cell per code, in order. */
export async function fakeNotebook(on: Instance, codes: string[], name = 'cluster'): Promise<{ id: string; cells: string[] }> {
  const id = (await api(on.url, 'POST', '/api/notebooks', { name })).body.notebook_id as string;
  const first = (await api(on.url, 'GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
  await api(on.url, 'DELETE', `/api/notebooks/${id}/cells/${first}`);
  const cells: string[] = [];
  for (const code of codes) {
    const created = await api(on.url, 'POST', `/api/notebooks/${id}/cells`, { type: 'fake', code, ...(cells.length ? { after_cell_id: cells[cells.length - 1] } : {}) });
    if (created.status !== 201) throw new Error(`creating a cell answered ${created.status}: ${JSON.stringify(created.body)}`);
    cells.push(created.body.cell_id);
  }
  return { id, cells };
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until the instance logged a line matching `pattern` after the first `since` characters of its output. */
export function waitForLog(instance: Pick<Instance, 'output'>, pattern: RegExp, since = 0, timeoutMs = 20_000): Promise<void> {
  return until(() => pattern.test(instance.output().slice(since)), `a log line matching ${pattern}`, timeoutMs);
}
