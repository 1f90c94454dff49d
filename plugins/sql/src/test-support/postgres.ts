/**
 * A throwaway PostgreSQL server for tests: initdb in a temp folder, started
 * on a free 127.0.0.1 port, stopped and deleted afterwards. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user.
 * Without the binaries: tests fail under CI=true and skip otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeNeeding, freePort } from '@rnb/core/testing';

export const TEST_PASSWORD = 'Pw-s3cret-7f1c';

export interface TestPostgres {
  port: number;
  /** A connection string for the superuser, with the password. */
  url(database?: string): string;
  stop(): Promise<void>;
}

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  for (const binary of ['initdb', 'pg_ctl', 'postgres']) {
    if (!hasBinary(binary)) return `PostgreSQL 15 binaries are not on the PATH (${binary} is missing)`;
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root and there is no "postgres" user';
  return null;
}

/** Describes the PostgreSQL tests, or skips them (failing under CI=true) with the reason. */
export function describePostgres(name: string, body: () => void): void {
  describeNeeding(name, postgresUnavailable(), body);
}

export async function startPostgres(): Promise<TestPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${TEST_PASSWORD}\n`);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
    fs.chownSync(pwfile, uid, gid);
  }
  // Paths come from mkdtemp and the port from the OS: nothing here needs shell quoting beyond single quotes.
  const run = (command: string): void => {
    if (asRoot) execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe' });
    else execFileSync('sh', ['-c', command], { stdio: 'pipe' });
  };
  const port = await freePort();
  run(`initdb -D '${data}' -U postgres --pwfile='${pwfile}' --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-instructions >/dev/null`);
  run(`pg_ctl -D '${data}' -o "-p ${port} -h 127.0.0.1 -k '${dir}'" -l '${path.join(dir, 'log')}' -w start >/dev/null`);
  let stopped = false;
  return {
    port,
    url: (database = 'postgres') => `postgresql://postgres:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        run(`pg_ctl -D '${data}' -m immediate -w stop >/dev/null`);
      } catch {
        // pg_ctl failed: stop the postmaster by the pid it recorded.
        const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) process.kill(pid, 'SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
