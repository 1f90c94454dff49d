import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pluginProject } from './test-support/fixtures';
import { request } from './test-support/harness';

const MAIN = path.resolve(__dirname, '../dist/main.js');

interface Started {
  child: ChildProcess;
  /** The server's base URL (no token). */
  url: string;
  /** The URL the start line printed, as a user would open it. */
  printed: string;
  /** The access token in the printed URL, if any. */
  token: string | undefined;
  lines: () => string[];
  exited: Promise<number | null>;
}

/** `node dist/main.js` as `npm start` runs it, in `cwd`, with only PATH and `env` set. */
function runMain(cwd: string, env: Record<string, string>): { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.push(...chunk.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

async function start(cwd: string, env: Record<string, string>): Promise<Started> {
  const run = runMain(cwd, env);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listening = run.stdout.map((line) => JSON.parse(line) as { msg: string; url?: string }).find((entry) => entry.msg === 'notebook server listening');
    if (listening?.url) {
      const printed = new URL(listening.url.replace('localhost', '127.0.0.1'));
      return { child: run.child, url: printed.origin, printed: printed.toString(), token: printed.searchParams.get('token') ?? undefined, lines: () => run.stdout, exited: run.exited };
    }
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`main.js did not start: ${run.stderr.join('')}${run.stdout.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start (dist/main.js)', () => {
  let project: { dir: string; remove(): void };
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build:ts first.`);
    project = pluginProject();
  });
  afterAll(() => project.remove());

  it('starts with zero configuration: file storage, no login, health, the web app; SIGTERM saves and exits 0', async () => {
    const web = path.join(project.dir, 'web');
    fs.mkdirSync(web, { recursive: true });
    fs.writeFileSync(path.join(web, 'index.html'), '<html><head><title>app</title></head></html>');
    const server = await start(project.dir, { WEB_DIR: 'web' });
    try {
      expect((await request(`${server.url}/healthz`, 'GET')).body).toMatchObject({ status: 'ok' });
      expect((await request(`${server.url}/api/config`, 'GET')).body).toEqual({
        auth: 'none',
        assistant: { available: false, reason: expect.stringContaining('ANTHROPIC_API_KEY') },
        languages: [
          {
            id: 'python', display_name: 'Python', file_extension: '.py', editor: { mode: 'python' }, browser_module: null,
            // The packages a notebook installed, kept with it (not secret: it travels in files and exports).
            settings: [expect.objectContaining({ name: 'packages', type: 'string', secret: false })],
          },
          {
            id: 'sql', display_name: 'SQL', file_extension: '.sql', editor: { mode: 'sql' }, browser_module: null,
            settings: [expect.objectContaining({ name: 'connection_string', type: 'string', secret: true })],
          },
          // The markdown language plugin (@rnb/markdown), loaded by default.
          { id: 'markdown', display_name: 'Markdown', file_extension: '.md', editor: { mode: 'markdown' }, browser_module: null, settings: [] },
        ],
      });
      expect((await request(`${server.url}/`, 'GET')).text).toContain('<title>app</title>');
      // No login, but a per-start access token: the printed URL carries it, the API wants it.
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await request(`${server.url}/api/notebooks`, 'GET')).status).toBe(401);
      const landing = await fetch(server.printed, { redirect: 'manual' });
      expect(landing.status).toBe(302);
      const cookie = landing.headers.get('set-cookie')!.split(';')[0]!;
      expect((await request(`${server.url}/api/notebooks`, 'GET', { headers: { cookie } })).status).toBe(200);
      const id = (await request(`${server.url}/api/notebooks`, 'POST', { body: { name: 'kept' }, token: server.token })).body.notebook_id as string;
      const cell = (await request(`${server.url}/api/notebooks/${id}`, 'GET', { token: server.token })).body.cells[0];
      expect(cell.type).toBe('python');
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const saved = fs.readdirSync(path.join(project.dir, 'notebooks'), { recursive: true }).map(String);
      expect(saved.some((name) => name.includes(id))).toBe(true);
      const messages = server.lines().map((line) => JSON.parse(line).msg);
      expect(messages).toEqual(expect.arrayContaining(['shutting down', 'notebook server closed']));
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('interrupts a running cell on SIGTERM and stores it as not running', async () => {
    const dir = path.join(project.dir, 'spin-notebooks');
    // Not about the access token: turned off explicitly.
    const server = await start(project.dir, { NOTEBOOK_LANGUAGES: 'rnb-test-fake', NOTEBOOK_DIR: dir, SHUTDOWN_GRACE_SECONDS: '5', NOTEBOOK_TOKEN: '' });
    try {
      const id = (await request(`${server.url}/api/notebooks`, 'POST', { body: {} })).body.notebook_id as string;
      const cellId = (await request(`${server.url}/api/notebooks/${id}`, 'GET')).body.cells[0].id as string;
      await request(`${server.url}/api/notebooks/${id}/cells/${cellId}`, 'PUT', { body: { code: 'spin' } });
      await request(`${server.url}/api/notebooks/${id}/cells/${cellId}/run`, 'POST');
      for (let i = 0; i < 200; i++) {
        const cell = (await request(`${server.url}/api/notebooks/${id}`, 'GET')).body.cells[0];
        if (cell.status === 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((name) => name.includes(id) && name.endsWith('.json'));
      const stored = files.map((name) => fs.readFileSync(path.join(dir, name), 'utf8')).join('\n');
      expect(stored).toContain('spin');
      expect(stored).not.toMatch(/"status":\s*"(running|queued)"/);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it.each([
    ['an invalid port', { PORT: 'abc' }, /PORT must be an integer/],
    ['an unknown storage', { NOTEBOOK_STORAGE: 'rnb-missing-storage' }, /NOTEBOOK_STORAGE: the plugin package "rnb-missing-storage" is not installed/],
    ['auth on without a secret key', { NOTEBOOK_AUTH: 'clerk' }, /NOTEBOOK_SECRET_KEY is required/],
    ['Clerk without keys', { NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') }, /CLERK_JWT_KEY/],
  ])('refuses to start on %s, saying what to set', async (_name, env, message) => {
    const run = runMain(project.dir, env);
    expect(await run.exited).toBe(1);
    expect(run.stderr.join('')).toMatch(message);
  });
});
