import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@rnb/core';
import { kernelSettings, loadConfig, type ServerConfig } from './config';
import { pluginsFromConfig } from './plugin-loader';
import { startServer } from './start';
import { pluginProject } from './test-support/fixtures';
import { memoryLogger, request } from './test-support/harness';

const TEST_SECRET_KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('configuration', () => {
  let project: { dir: string; remove(): void };
  beforeAll(() => {
    project = pluginProject();
  });
  afterAll(() => project.remove());

  const load = (env: Record<string, string>): ServerConfig => loadConfig(env, { cwd: project.dir });
  const problemsOf = (env: Record<string, string>): string => {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('has the documented defaults: port 8000, file storage, no login, Python and SQL', () => {
    expect(load({})).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      storage: 'file',
      auth: 'none',
      languages: ['python', 'sql', 'markdown'],
      plugins: [],
      corsOrigins: [],
      logLevel: 'info',
      kernelIdleSeconds: 1800,
      maxKernels: undefined,
      webDir: null,
    });
  });

  it('reads the environment names of the configuration contract', () => {
    const config = load({
      PORT: '9001',
      HOST: '127.0.0.1',
      NOTEBOOK_STORAGE: 'dynamodb',
      NOTEBOOK_AUTH: 'clerk',
      NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY,
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      NOTEBOOK_PLUGINS: 'rnb-test-greeter, @scope/other',
      LOG_LEVEL: 'DEBUG',
      MAX_KERNELS: '12',
      KERNEL_IDLE_SECONDS: '60',
    });
    expect(config).toMatchObject({ port: 9001, host: '127.0.0.1', storage: 'dynamodb', auth: 'clerk', logLevel: 'debug', maxKernels: 12, kernelIdleSeconds: 60 });
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(config.plugins).toEqual(['rnb-test-greeter', '@scope/other']);
    expect(config.values.CORS_ORIGINS).toBe('https://a.example.com, http://localhost:5173');
  });

  it('keeps published apps for signed-in users unless NOTEBOOK_PUBLIC_APPS opens them to anyone', () => {
    expect(load({}).publicApps).toBe(false);
    expect(load({ NOTEBOOK_PUBLIC_APPS: 'true' }).publicApps).toBe(true);
    expect(load({ NOTEBOOK_PUBLIC_APPS: 'false' }).publicApps).toBe(false);
    expect(problemsOf({ NOTEBOOK_PUBLIC_APPS: 'maybe' })).toContain('NOTEBOOK_PUBLIC_APPS must be true or false; got "maybe"');
  });

  it('reports every invalid value at once, each naming its variable', () => {
    const message = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', MAX_KERNELS: '0', KERNEL_IDLE_SECONDS: '-5', CORS_ORIGINS: 'not a url', NOTEBOOK_STORAGE: 'bad name!' });
    for (const name of ['PORT', 'LOG_LEVEL', 'MAX_KERNELS', 'KERNEL_IDLE_SECONDS', 'CORS_ORIGINS', 'NOTEBOOK_STORAGE']) expect(message).toContain(name);
    expect(message).toContain('"eighty"');
  });

  it('gives cells a time limit and users a share of the kernels only when several users share the server (a login)', () => {
    const local = load({ MAX_KERNELS: '6' });
    expect(local).toMatchObject({ cellTimeLimitSeconds: 0, maxKernelsPerUser: undefined });
    expect(kernelSettings(local)).toMatchObject({ maxSessions: 6, maxSessionsPerOwner: 6, limits: { cellTimeoutMs: 0 } });

    const shared = load({ NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY, MAX_KERNELS: '6' });
    expect(shared.cellTimeLimitSeconds).toBe(300);
    expect(kernelSettings(shared)).toMatchObject({ maxSessions: 6, maxSessionsPerOwner: 3, limits: { cellTimeoutMs: 300_000 } });
    expect(kernelSettings(shared).cellTimeLimitAdvice).toContain('CELL_TIME_LIMIT_SECONDS');

    const tuned = load({ NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY, MAX_KERNELS: '6', MAX_KERNELS_PER_USER: '9', CELL_TIME_LIMIT_SECONDS: '0' });
    expect(kernelSettings(tuned)).toMatchObject({ maxSessionsPerOwner: 6, limits: { cellTimeoutMs: 0 } });
    expect(kernelSettings(load({ CELL_TIME_LIMIT_SECONDS: '30', MAX_KERNELS_PER_USER: '2', MAX_KERNELS: '4' }))).toMatchObject({ maxSessionsPerOwner: 2, limits: { cellTimeoutMs: 30_000 } });

    const message = problemsOf({ CELL_TIME_LIMIT_SECONDS: 'forever', MAX_KERNELS_PER_USER: '0' });
    for (const name of ['CELL_TIME_LIMIT_SECONDS', 'MAX_KERNELS_PER_USER']) expect(message).toContain(name);
  });

  it('reads the cell size limit and the analysis settings, refusing a cell limit no request body could carry', () => {
    expect(load({})).toMatchObject({ maxCellBytes: 200_000, analysisWorkers: 2, analysisTimeLimitMs: 2000 });
    expect(load({ MAX_CELL_BYTES: '50000', ANALYSIS_WORKERS: '4', ANALYSIS_TIME_LIMIT_MS: '500' })).toMatchObject({ maxCellBytes: 50_000, analysisWorkers: 4, analysisTimeLimitMs: 500 });
    const message = problemsOf({ MAX_CELL_BYTES: '900000', MAX_BODY_BYTES: '100000', ANALYSIS_WORKERS: '0', ANALYSIS_TIME_LIMIT_MS: 'soon' });
    expect(message).toContain('MAX_CELL_BYTES (900000) is larger than MAX_BODY_BYTES (100000)');
    expect(message).toContain('ANALYSIS_WORKERS must be an integer from 1 to 64; got "0"');
    expect(message).toContain('ANALYSIS_TIME_LIMIT_MS must be an integer from 50 to 600000; got "soon"');
  });

  it('switches cluster mode on with REDIS_URL, refusing storage only one machine can see and saying what to set', () => {
    expect(load({})).toMatchObject({ redisUrl: undefined, clusterLeaseMs: 5000 });
    expect(load({ REDIS_URL: 'redis://127.0.0.1:6379', NOTEBOOK_STORAGE: 'dynamodb', CLUSTER_LEASE_MS: '2000' })).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', clusterLeaseMs: 2000 });
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(/REDIS_URL.*NOTEBOOK_STORAGE=file.*set NOTEBOOK_STORAGE=dynamodb/);
    expect(problemsOf({ REDIS_URL: 'localhost:6379', NOTEBOOK_STORAGE: 'dynamodb' })).toMatch(/REDIS_URL must look like redis:\/\//);
    expect(problemsOf({ REDIS_URL: 'redis://r:6379', NOTEBOOK_STORAGE: 'dynamodb', CLUSTER_LEASE_MS: '10' })).toContain('CLUSTER_LEASE_MS');
  });

  it('refuses to start multi-user without NOTEBOOK_SECRET_KEY, or with one that is not 32 bytes, saying how to make one (issue 19 item 11)', () => {
    expect(problemsOf({ NOTEBOOK_AUTH: 'clerk' })).toMatch(/NOTEBOOK_SECRET_KEY is required when NOTEBOOK_AUTH is not "none".*openssl rand -base64 32/);
    expect(problemsOf({ NOTEBOOK_SECRET_KEY: 'password123' })).toMatch(/NOTEBOOK_SECRET_KEY must be 32 random bytes.*openssl rand -base64 32/);
    expect(load({ NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY }).secretKey).toBe(TEST_SECRET_KEY);
    expect(load({ NOTEBOOK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }).secretKey).toBeDefined();
    // Local mode: no key needed; one is kept beside the notebooks.
    expect(load({ NOTEBOOK_DIR: 'data' }).secretKeyFile).toBe(path.join(project.dir, 'data', '.secret-key'));
    expect(load({ NOTEBOOK_SECRET_KEY_FILE: '/etc/rnb/key' }).secretKeyFile).toBe('/etc/rnb/key');
  });

  it('reads a config file under the environment, which wins', () => {
    const file = path.join(project.dir, 'custom.json');
    fs.writeFileSync(file, JSON.stringify({ PORT: 7000, LOG_LEVEL: 'warn', NOTEBOOK_PLUGINS: ['a', 'b'], GREETING: 'hi' }));
    const config = load({ NOTEBOOK_CONFIG: 'custom.json', LOG_LEVEL: 'error' });
    expect(config).toMatchObject({ port: 7000, logLevel: 'error', plugins: ['a', 'b'], file });
    expect(config.values.GREETING).toBe('hi');
    fs.writeFileSync(path.join(project.dir, 'notebook.config.json'), JSON.stringify({ PORT: 7100 }));
    try {
      expect(load({}).port).toBe(7100);
    } finally {
      fs.rmSync(path.join(project.dir, 'notebook.config.json'));
    }
    expect(problemsOf({ NOTEBOOK_CONFIG: 'missing.json' })).toMatch(/NOTEBOOK_CONFIG.*does not exist/);
    fs.writeFileSync(file, '{ nope');
    expect(problemsOf({ NOTEBOOK_CONFIG: 'custom.json' })).toMatch(/NOTEBOOK_CONFIG.*not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ PORT: { nested: true } }));
    expect(problemsOf({ NOTEBOOK_CONFIG: 'custom.json' })).toMatch(/"PORT" must be/);
  });

  it('serves a built web app from WEB_DIR, and refuses one without index.html', () => {
    const web = path.join(project.dir, 'web');
    fs.mkdirSync(web, { recursive: true });
    expect(problemsOf({ WEB_DIR: 'web' })).toMatch(/WEB_DIR: no index.html/);
    fs.writeFileSync(path.join(web, 'index.html'), '<html><head></head></html>');
    expect(load({ WEB_DIR: 'web' }).webDir).toBe(web);
    expect(load({ WEB_DIR: 'none' }).webDir).toBeNull();
    expect(loadConfig({}, { cwd: project.dir, defaultWebDir: web }).webDir).toBe(web);
  });
  it('listens on 127.0.0.1 without sign-in and on every interface with it, unless HOST says otherwise', () => {
    expect(load({}).host).toBe('127.0.0.1');
    expect(load({ NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY }).host).toBe('0.0.0.0');
    expect(load({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('reads NOTEBOOK_TOKEN: unset means one per start, empty means off, a weak or odd value is refused', () => {
    expect(load({}).accessToken).toBeUndefined();
    expect(load({ NOTEBOOK_TOKEN: '' }).accessToken).toBeNull();
    expect(load({ NOTEBOOK_TOKEN: 'a-long-enough_token.1' }).accessToken).toBe('a-long-enough_token.1');
    expect(problemsOf({ NOTEBOOK_TOKEN: 'short' })).toMatch(/NOTEBOOK_TOKEN must be 8 to 256 characters/);
    expect(problemsOf({ NOTEBOOK_TOKEN: 'has a space in it' })).toMatch(/NOTEBOOK_TOKEN/);
    // The host's secret: plugins, which read every other setting, do not get it.
    expect(load({ NOTEBOOK_TOKEN: 'a-long-enough_token.1' }).values.NOTEBOOK_TOKEN).toBeUndefined();
  });

  it('reads ALLOWED_HOSTS as host names without scheme or port', () => {
    expect(load({ ALLOWED_HOSTS: 'notebook.lan, 192.168.1.20,[fe80::1]' }).allowedHosts).toEqual(['notebook.lan', '192.168.1.20', '[fe80::1]']);
    expect(load({ ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*']);
    expect(problemsOf({ ALLOWED_HOSTS: 'http://notebook.lan:8000' })).toMatch(/ALLOWED_HOSTS: "http:\/\/notebook.lan:8000" is not a host name/);
  });
});

describe('plugins loaded by name', () => {
  let project: { dir: string; remove(): void };
  beforeAll(() => {
    project = pluginProject();
  });
  afterAll(() => project.remove());
  const configOf = (env: Record<string, string>): ServerConfig => loadConfig({ NOTEBOOK_LANGUAGES: 'rnb-test-fake', NOTEBOOK_STORAGE: 'rnb-test-storage', ...env }, { cwd: project.dir });

  it('loads the built-in short names', () => {
    const ids = pluginsFromConfig(loadConfig({}, { cwd: project.dir }), { paths: [project.dir] }).map((p) => p.id);
    expect(ids).toEqual(['core:language-registry', '@rnb/storage-file:store', '@rnb/server:auth-none', '@rnb/plugin-python:python', '@rnb/plugin-sql:sql', '@rnb/markdown:markdown', '@rnb/plugin-assistant-anthropic:provider']);
    const hosted = pluginsFromConfig(loadConfig({ NOTEBOOK_STORAGE: 'dynamodb', NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY, NOTEBOOK_LANGUAGES: 'sql' }, { cwd: project.dir }), { paths: [project.dir] });
    expect(hosted.map((p) => p.id)).toEqual(['core:language-registry', '@rnb/storage-dynamodb:store', '@rnb/auth-clerk:auth', '@rnb/plugin-sql:sql', '@rnb/plugin-assistant-anthropic:provider']);
    const without = pluginsFromConfig(loadConfig({ NOTEBOOK_ASSISTANT: 'none' }, { cwd: project.dir }), { paths: [project.dir] });
    expect(without.map((p) => p.id)).not.toContain('@rnb/plugin-assistant-anthropic:provider');
    const folder = pluginsFromConfig(loadConfig({ NOTEBOOK_STORAGE: 'folder' }, { cwd: project.dir }), { paths: [project.dir] });
    expect(folder.map((p) => p.id)).toContain('@rnb/storage-folder:store');
  });

  it('refuses folder storage in cluster mode: its files are on one machine', () => {
    expect(() => loadConfig({ NOTEBOOK_STORAGE: 'folder', REDIS_URL: 'redis://r:6379' })).toThrow(/NOTEBOOK_STORAGE=folder keeps notebooks on this machine only/);
  });

  it('runs a notebook on third-party storage and language packages, with an extra plugin from NOTEBOOK_PLUGINS', async () => {
    const { logger, lines } = memoryLogger();
    // Not about the access token (start.e2e.test.ts is): turned off explicitly.
    const config = configOf({ NOTEBOOK_PLUGINS: 'rnb-test-greeter', GREETING: 'hello there', PORT: '0', HOST: '127.0.0.1', NOTEBOOK_TOKEN: '' });
    const running = await startServer({ config, logger, pluginPaths: [project.dir] });
    try {
      expect(lines.join('\n')).toMatch(/greeter active.*hello there/);
      const base = `http://127.0.0.1:${running.port}`;
      const id = (await request(`${base}/api/notebooks`, 'POST', { body: {} })).body.notebook_id as string;
      const cell = (await request(`${base}/api/notebooks/${id}`, 'GET')).body.cells[0];
      expect(cell.type).toBe('fake');
      await request(`${base}/api/notebooks/${id}/cells/${cell.id}`, 'PUT', { body: { code: 'print 1 + 1' } });
      await request(`${base}/api/notebooks/${id}/cells/${cell.id}/run`, 'POST');
      await running.notebooks.service.whenIdle('local', id);
      expect((await request(`${base}/api/notebooks/${id}`, 'GET')).body.cells[0].stdout).toBe('2\n');
      // Errors from the package's own copy of core keep their status.
      expect((await request(`${base}/api/notebooks/00000000-0000-0000-0000-000000000000`, 'GET')).status).toBe(404);
    } finally {
      await running.stop();
    }
  });

  it.each([
    ['a package that is not installed', { NOTEBOOK_PLUGINS: 'rnb-nowhere' }, /NOTEBOOK_PLUGINS: the plugin package "rnb-nowhere" is not installed/],
    ['a package that exports no plugin', { NOTEBOOK_PLUGINS: 'rnb-not-a-plugin' }, /NOTEBOOK_PLUGINS: "rnb-not-a-plugin" does not export a plugin/],
    ['a package that throws when loaded', { NOTEBOOK_PLUGINS: 'rnb-broken' }, /NOTEBOOK_PLUGINS: the plugin package "rnb-broken" failed to load: cannot load me/],
    ['a storage package that provides no storage', { NOTEBOOK_STORAGE: 'rnb-test-greeter' }, /NOTEBOOK_STORAGE=rnb-test-greeter: that package provides no "core:notebook-store"/],
    ['an auth package that provides no auth', { NOTEBOOK_AUTH: 'rnb-test-storage', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY }, /NOTEBOOK_AUTH=rnb-test-storage/],
    ['an unknown language', { NOTEBOOK_LANGUAGES: 'cobol' }, /NOTEBOOK_LANGUAGES: the plugin package "cobol" is not installed/],
  ])('fails at start on %s, naming the variable', (_name, env, message) => {
    expect(() => pluginsFromConfig(configOf(env), { paths: [project.dir] })).toThrow(message);
  });

  describe('options from the config file', () => {
    const withFile = (settings: object): ServerConfig => {
      const file = path.join(project.dir, `options-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(file, JSON.stringify(settings));
      return loadConfig({ NOTEBOOK_CONFIG: file }, { cwd: project.dir });
    };
    const greetingOf = (config: ServerConfig): unknown => {
      const greeter = pluginsFromConfig(config, { paths: [project.dir] }).find((p) => p.id === 'rnb-test-greeter:greeter')!;
      const logged: Record<string, unknown>[] = [];
      void greeter.activate({ config: {}, log: (_level, _message, fields) => logged.push(fields ?? {}) }, {});
      return logged[0]?.greeting;
    };

    it('hands a ["package", { options }] entry\'s options to the plugin factory, as Babel and ESLint do', () => {
      const config = withFile({
        NOTEBOOK_STORAGE: ['rnb-test-storage', {}],
        NOTEBOOK_LANGUAGES: ['rnb-test-fake'],
        NOTEBOOK_PLUGINS: [['rnb-test-greeter', { greeting: 'from the config file' }], 'rnb-test-plain-plugin'],
      });
      expect(config.plugins).toEqual(['rnb-test-greeter', 'rnb-test-plain-plugin']);
      expect(config.storage).toBe('rnb-test-storage');
      expect(config.pluginOptions).toEqual({ 'rnb-test-storage': {}, 'rnb-test-greeter': { greeting: 'from the config file' } });
      expect(greetingOf(config)).toBe('from the config file');
      // Without options the factory gets none.
      expect(greetingOf(withFile({ NOTEBOOK_STORAGE: 'rnb-test-storage', NOTEBOOK_LANGUAGES: 'rnb-test-fake', NOTEBOOK_PLUGINS: ['rnb-test-greeter'] }))).toBe('none');
    });

    it('refuses a malformed entry, and options for a package that exports a plugin rather than a factory', () => {
      expect(() => withFile({ NOTEBOOK_PLUGINS: [['rnb-test-greeter', 'not an object']] })).toThrow(/"NOTEBOOK_PLUGINS" entries must be "package" or \["package", \{ \.\.\.options \}\]/);
      expect(() => withFile({ PORT: [['x', {}]] })).toThrow(/"PORT" must be a string, number, boolean or list of strings\./);
      const plain = withFile({ NOTEBOOK_STORAGE: 'rnb-test-storage', NOTEBOOK_LANGUAGES: 'rnb-test-fake', NOTEBOOK_PLUGINS: [['rnb-test-plain-plugin', { a: 1 }]] });
      expect(() => pluginsFromConfig(plain, { paths: [project.dir] })).toThrow(/NOTEBOOK_PLUGINS: "rnb-test-plain-plugin" exports a plugin, not a factory, so it takes no options/);
    });
  });

  it('fails at start when Clerk is chosen without a way to check tokens', async () => {
    const config = configOf({ NOTEBOOK_AUTH: 'clerk', NOTEBOOK_SECRET_KEY: TEST_SECRET_KEY, PORT: '0', HOST: '127.0.0.1' });
    await expect(startServer({ config, logger: memoryLogger().logger, pluginPaths: [project.dir] })).rejects.toThrow(/CLERK_JWT_KEY/);
  });
});
