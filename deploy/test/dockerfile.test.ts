/**
 * The server image, checked without Docker (no daemon on CI machines): the
 * Dockerfile is parsed and linted, and the two helper scripts it installs
 * (entrypoint, health probe) are run for real.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { DEPLOY_DIR, freePort, REPO_ROOT, run } from './lib/env';
import { globalArgs, keyValues, parseDockerfile, type Dockerfile, type Stage } from './lib/dockerfile';

const DOCKERFILE = path.join(DEPLOY_DIR, 'Dockerfile');
const ENTRYPOINT = path.join(DEPLOY_DIR, 'docker', 'docker-entrypoint.sh');
const HEALTHCHECK = path.join(DEPLOY_DIR, 'docker', 'healthcheck.js');

const df: Dockerfile = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const final: Stage = df.stages[df.stages.length - 1];
const stage = (name: string): Stage => {
  const s = df.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage named ${name}`);
  return s;
};
const runs = (s: Stage): string[] => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.rest);

describe('the lint parser itself', () => {
  test.each([
    ['USER root', 'root'],
    ['USER 0:0', '0:0'],
    ['user node', 'node'],
  ])('reads "%s" as user %s', (line, user) => {
    const parsed = parseDockerfile(`FROM x:1\n${line}\n`);
    expect(parsed.stages[0].instructions[0]).toMatchObject({ keyword: 'USER', rest: user });
  });

  test('joins continuations, skips comments inside them, reads flags and exec form', () => {
    const parsed = parseDockerfile(
      '# syntax=docker/dockerfile:1\nARG B=node:20\nFROM ${B} AS a\nRUN --mount=type=cache,target=/x echo 1 \\\n # note\n && echo 2\nHEALTHCHECK --interval=5s CMD ["node", "h.js"]\n',
    );
    expect(parsed.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(globalArgs(parsed)).toEqual({ B: 'node:20' });
    const [runIns, hc] = parsed.stages[0].instructions;
    expect(runIns).toMatchObject({ flags: { mount: 'type=cache,target=/x' }, rest: 'echo 1 && echo 2' });
    expect(hc).toMatchObject({ flags: { interval: '5s' }, exec: ['node', 'h.js'] });
  });

  test.each([
    ['a heredoc', 'FROM x:1\nRUN <<EOF\necho\nEOF\n', /heredocs/],
    ['a dangling continuation', 'FROM x:1\nRUN echo \\\n', /continuation/],
    ['no FROM', 'RUN echo\n', /before the first FROM/],
    ['broken exec form', 'FROM x:1\nCMD ["node", \n', /exec form/],
  ])('refuses %s with a clear error', (_what, text, message) => {
    expect(() => parseDockerfile(text)).toThrow(message);
  });
});

describe('deploy/Dockerfile', () => {
  test('is multi-stage: build with dev dependencies, runtime from production dependencies only', () => {
    expect(df.stages.map((s) => s.name)).toEqual(['base', 'manifests', 'build', 'prod-deps', 'runtime']);
    expect(runs(stage('build')).some((r) => /^npm ci\b(?!.*--omit=dev)/.test(r))).toBe(true);
    expect(runs(stage('build')).some((r) => r.startsWith('npm run build'))).toBe(true);
    expect(runs(stage('prod-deps')).some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    const copiesFrom = final.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from).map((i) => i.flags.from);
    expect(copiesFrom.sort()).toEqual(['build', 'prod-deps']);
    // The build stage's node_modules (dev dependencies) never reach the runtime.
    const fromBuild = final.instructions.find((i) => i.flags.from === 'build');
    expect(fromBuild?.rest).toBe('/out ./');
  });

  test("ships the Python plugin's .py files the runtimes read at start (rich output, the native driver)", () => {
    // Beside the dist/ folders: the image's Python language cannot start without them.
    expect(runs(stage('build')).some((r) => r.includes('cp -r plugins/python/python /out/plugins/python/'))).toBe(true);
    expect(readFileSync(path.join(DEPLOY_DIR, 'Dockerfile.dockerignore'), 'utf8')).not.toMatch(/^(\*\*\/)?\*\.py$|plugins\/python\/python/m);
  });

  test('bases every stage on a tagged Node 20 image (no :latest)', () => {
    const args = globalArgs(df);
    for (const s of df.stages) {
      const image = s.image.replace(/^\$\{?([A-Z_]+)\}?$/, (_m, name: string) => args[name] ?? s.image);
      if (df.stages.some((o) => o.name === image)) continue; // FROM another stage
      expect(image).toMatch(/^node:20[.\w-]*(@sha256:[0-9a-f]{64})?$/);
      expect(image).not.toMatch(/:latest\b/);
    }
  });

  test('runs as a non-root user in the final stage', () => {
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].rest.split(':')[0];
    expect(['root', '0', '']).not.toContain(user);
    // Nothing after USER switches back or needs root.
    const after = final.instructions.slice(final.instructions.indexOf(users[users.length - 1]) + 1);
    expect(after.filter((i) => ['RUN', 'USER'].includes(i.keyword))).toEqual([]);
  });

  test('has a HEALTHCHECK probing /healthz, in exec form', () => {
    const hc = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(hc).toHaveLength(1);
    expect(hc[0].exec).toEqual(['node', '/app/deploy/docker/healthcheck.js']);
    expect(hc[0].flags).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
    expect(readFileSync(HEALTHCHECK, 'utf8')).toContain('/healthz');
  });

  test('starts the server in exec form (signals reach node) and takes configuration from the environment', () => {
    const entry = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    const cmd = final.instructions.filter((i) => i.keyword === 'CMD');
    expect(entry.map((i) => i.exec)).toEqual([['/app/deploy/docker/docker-entrypoint.sh']]);
    expect(cmd.map((i) => i.exec)).toEqual([['node', 'app/server/dist/main.js']]);
    const env = Object.assign({}, ...final.instructions.filter((i) => i.keyword === 'ENV').map(keyValues)) as Record<string, string>;
    expect(env).toMatchObject({ NODE_ENV: 'production', PORT: '8000', HOST: '0.0.0.0' });
    expect(final.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.rest)).toEqual(['8000']);
  });

  test('bakes no secret into the image', () => {
    const all = [...df.preamble, ...df.stages.flatMap((s) => s.instructions)];
    for (const ins of all.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
      const names = ins.keyword === 'ENV' ? Object.keys(keyValues(ins)) : [ins.rest.split('=')[0]];
      for (const name of names) expect(name).not.toMatch(/SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE/i);
    }
  });

  test('includes Pyodide\'s files from node_modules/pyodide and checks them at build time', () => {
    const checks = runs(stage('prod-deps')).join('\n');
    for (const file of ['pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
      expect(checks).toContain(`test -f node_modules/pyodide/${file}`);
      // The files the check names are the ones the installed package ships.
      expect(existsSync(path.join(REPO_ROOT, 'node_modules', 'pyodide', file))).toBe(true);
    }
  });

  test('copies only files that exist, and its ignore file keeps them in the context', () => {
    const ignore = readFileSync(path.join(DEPLOY_DIR, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // Docker's ignore globs: "**" any depth, "*" and "?" within one segment;
    // a match also covers everything below it.
    const toRegex = (glob: string): RegExp => {
      let re = '';
      for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (glob.startsWith('**/', i)) {
          re += '(?:.*/)?';
          i += 2;
        } else if (glob.startsWith('**', i)) {
          re += '.*';
          i += 1;
        } else if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else re += c.replace(/[.+^$()|[\]{}\\]/g, '\\$&');
      }
      return new RegExp(`^${re}(?:/.*)?$`);
    };
    const ignored = (p: string): boolean => ignore.some((g) => !g.startsWith('!') && toRegex(g).test(p));

    const sources = df.stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.flags.from)
      .flatMap((i) => i.rest.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources.filter((s) => s !== '.')) {
      expect({ src, exists: existsSync(path.join(REPO_ROOT, src)) }).toEqual({ src, exists: true });
      expect({ src, ignored: ignored(src) }).toEqual({ src, ignored: false });
    }
    for (const mustBeIgnored of ['node_modules', 'core/node_modules/x', 'app/server/dist/main.js', '.git', '.env', 'deploy/terraform/terraform.tfstate', 'deploy/terraform/production.tfvars']) {
      expect({ path: mustBeIgnored, ignored: ignored(mustBeIgnored) }).toEqual({ path: mustBeIgnored, ignored: true });
    }
    for (const needed of ['package.json', 'package-lock.json', 'stubs/react-native/index.js', 'core/src/index.ts', 'deploy/Dockerfile']) {
      expect({ path: needed, ignored: ignored(needed) }).toEqual({ path: needed, ignored: false });
    }
  });
});

describe('docker-entrypoint.sh', () => {
  const printEnv = ['node', '-e', 'process.stdout.write(JSON.stringify({ url: process.env.REDIS_URL ?? null, token: process.env.REDIS_AUTH_TOKEN ?? null }))'];
  const baseEnv = { PATH: process.env.PATH ?? '' };

  test('puts the AUTH token into REDIS_URL, percent-encoded, and drops REDIS_AUTH_TOKEN', () => {
    const token = 'p@ss:w/rd#1';
    const res = run('sh', [ENTRYPOINT, ...printEnv], {
      env: { ...baseEnv, REDIS_URL: 'rediss://cache.example.internal:6379', REDIS_AUTH_TOKEN: token },
    });
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout) as { url: string; token: string | null };
    expect(out.token).toBeNull();
    const url = new URL(out.url);
    expect([url.protocol, url.hostname, url.port, url.username]).toEqual(['rediss:', 'cache.example.internal', '6379', '']);
    expect(decodeURIComponent(url.password)).toBe(token);
  });

  test('leaves REDIS_URL alone without a token, and runs the command it is given', () => {
    const res = run('sh', [ENTRYPOINT, ...printEnv], { env: { ...baseEnv, REDIS_URL: 'redis://127.0.0.1:6390' } });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ url: 'redis://127.0.0.1:6390', token: null });
  });

  test('refuses a token without a URL, saying what to set', () => {
    const res = run('sh', [ENTRYPOINT, 'true'], { env: { ...baseEnv, REDIS_AUTH_TOKEN: 'x'.repeat(32) } });
    expect(res.status).toBe(64);
    expect(res.stderr).toContain('REDIS_AUTH_TOKEN is set but REDIS_URL is not');
  });
});

describe('healthcheck.js', () => {
  function probe(port: number): Promise<number | null> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [HEALTHCHECK], { env: { PORT: String(port) }, stdio: 'ignore' });
      child.on('exit', (code) => resolve(code));
    });
  }

  async function withServer(status: number, body: (port: number) => Promise<void>): Promise<void> {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    try {
      await body(typeof addr === 'object' && addr ? addr.port : 0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(paths).toEqual(['/healthz']);
  }

  test('exits 0 when /healthz answers 200', async () => {
    await withServer(200, async (port) => expect(await probe(port)).toBe(0));
  });

  test('exits 1 when /healthz answers 503', async () => {
    await withServer(503, async (port) => expect(await probe(port)).toBe(1));
  });

  test('exits 1 when nothing listens', async () => {
    expect(await probe(await freePort())).toBe(1);
  });
});
