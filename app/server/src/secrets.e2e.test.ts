/**
 * Issue 19 item 11 and issue 20 §4, over HTTP on the real server: connection
 * strings a SQL cell would refuse are refused when they are set (400, naming
 * the field and saying what is accepted), secret settings are masked in every
 * view, and the password never reaches the notebook files, current or kept
 * revisions, in clear. A notebook stored before plugin settings (file format 1,
 * its string in clear) migrates on read.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SecretBox } from '@rnb/core';
import sqlPlugin from '@rnb/plugin-sql';
import fileStoragePlugin, { FileNotebookStore } from '@rnb/storage-file';
import { loadConfig } from './config';
import { startServer } from './start';
import { memoryLogger, request, StaticTokenAuth, startTestServer, type TestServer } from './test-support/harness';

const PASSWORD = 'hunter2-very-secret';
const GOOD = `postgresql://ann:${PASSWORD}@203.0.113.5:5432/sales?sslmode=require`;

/** Every byte under `dir`, as text. */
function everythingStored(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(`${full}\n${fs.readFileSync(full, 'utf8')}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('PUT /api/notebooks/{id}/db with auth on', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-secrets-'));
    server = await startTestServer({
      plugins: [sqlPlugin(), fileStoragePlugin({ dir, keepRevisions: 3 })],
      auth: new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob' }),
      secretKey: SecretBox.generateText(),
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const setDb = async (id: string, value: string | null) => server.request('PUT', `/api/notebooks/${id}/db`, { token: 'ann-token', body: { connection_string: value } });

  it.each([
    ['a file path', '/var/run/postgresql/.s.PGSQL.5432', /must start with postgresql:\/\/|not a valid URL/],
    ['a file URL', 'file:///etc/passwd', /must start with postgresql:\/\//],
    ['mysql://', `mysql://ann:${PASSWORD}@db.example.com/sales`, /must start with postgresql:\/\//],
    ['loopback', `postgresql://ann:${PASSWORD}@127.0.0.1:5432/sales`, /internal address \(127\.0\.0\.1\)/],
    ['localhost', `postgresql://ann:${PASSWORD}@localhost/sales`, /internal address/],
    ['the cloud metadata address', `postgresql://ann:${PASSWORD}@169.254.169.254/latest`, /internal address \(169\.254\.169\.254\)/],
    ['IPv6 loopback', `postgresql://ann:${PASSWORD}@[::1]/sales`, /internal address/],
    ['a private network', `postgresql://ann:${PASSWORD}@10.0.0.8/sales`, /internal address/],
    ['an option that reads server files', `postgresql://ann:${PASSWORD}@203.0.113.5/sales?sslcert=/etc/shadow`, /option "sslcert" is not supported/],
  ])('refuses %s at once with 400, saying what is accepted and never echoing the password', async (_name, value, reason) => {
    const id = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: {} })).body.notebook_id as string;
    const response = await setDb(id, value);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('RNB_ERR_INVALID_INPUT');
    expect(response.body.error.message).toMatch(reason);
    expect(response.body.error.message).toContain('Accepted: postgresql://user:password@host:5432/database');
    expect(response.text).not.toContain(PASSWORD);
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.db_conn_string).toBeNull();
  });

  it('stores an accepted string encrypted: no file, current or kept revision, holds the password', async () => {
    const id = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: {} })).body.notebook_id as string;
    const response = await setDb(id, GOOD);
    expect(response.status).toBe(200);
    expect(response.body.db_conn_string).toBe('postgresql://ann:****@203.0.113.5:5432/sales?sslmode=require');
    // More revisions, so the kept ones hold the string too.
    for (const name of ['one', 'two', 'three']) await server.request('PUT', `/api/notebooks/${id}/name`, { token: 'ann-token', body: { name } });
    const stored = everythingStored(dir);
    expect(stored).toContain(id);
    expect(stored).toMatch(/rnb-secret:v1:/);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(encodeURIComponent(PASSWORD));
  });
});

describe('PUT /api/notebooks/{id}/settings/{plugin} with auth on', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-settings-'));
    server = await startTestServer({
      plugins: [sqlPlugin(), fileStoragePlugin({ dir, keepRevisions: 3 })],
      auth: new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob' }),
      secretKey: SecretBox.generateText(),
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const newNotebook = async (): Promise<string> => (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: {} })).body.notebook_id as string;
  const put = (id: string, body: unknown, token = 'ann-token') => server.request('PUT', `/api/notebooks/${id}/settings/sql`, { token, body });
  const MASKED = 'postgresql://ann:****@203.0.113.5:5432/sales?sslmode=require';

  it('lists the SQL plugin\'s declared settings in /api/config, the connection string secret', async () => {
    const config = await server.request('GET', '/api/config', { token: 'ann-token' });
    const sql = (config.body.languages as { id: string; settings: unknown[] }[]).find((l) => l.id === 'sql');
    expect(sql?.settings).toEqual([expect.objectContaining({ name: 'connection_string', type: 'string', secret: true, label: expect.any(String) })]);
  });

  it('sets the connection, answers and shows it masked in every view, stores it sealed in every revision, and clears it with null', async () => {
    const id = await newNotebook();
    const response = await put(id, { connection_string: GOOD });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ plugin: 'sql', settings: { connection_string: MASKED } });
    const view = await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' });
    expect(view.body.settings).toEqual({ sql: { connection_string: MASKED } });
    expect(view.body.db_conn_string).toBe(MASKED);
    const listing = await server.request('GET', '/api/notebooks', { token: 'ann-token' });
    for (const text of [response.text, view.text, listing.text]) expect(text).not.toContain(PASSWORD);
    // An empty change keeps the secret (a form that leaves a write-only field blank sends nothing for it).
    expect((await put(id, {})).body.settings).toEqual({ connection_string: MASKED });
    for (const name of ['one', 'two', 'three']) await server.request('PUT', `/api/notebooks/${id}/name`, { token: 'ann-token', body: { name } });
    const stored = everythingStored(dir);
    expect(stored).toContain(id);
    expect(stored).toMatch(/rnb-secret:v1:/);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(encodeURIComponent(PASSWORD));
    expect((await put(id, { connection_string: null })).body).toEqual({ plugin: 'sql', settings: {} });
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body).toMatchObject({ settings: {}, db_conn_string: null });
  });

  it('announces the change to the notebook\'s sockets with the secret masked', async () => {
    const id = await newNotebook();
    const client = server.connect(id, { token: 'ann-token' });
    try {
      await client.waitFor('authenticated');
      expect((await put(id, { connection_string: GOOD })).status).toBe(200);
      const event = await client.waitFor('notebook_updated', (p) => p.settings?.sql !== undefined);
      expect(event.settings).toEqual({ sql: { connection_string: MASKED } });
      expect(JSON.stringify(client.events)).not.toContain(PASSWORD);
    } finally {
      client.close();
    }
  });

  it.each([
    ['a refused string', { connection_string: 'file:///etc/passwd' }, /^sql\.connection_string: .*must start with postgresql:\/\//],
    ['a number for a string', { connection_string: 5 }, /^sql\.connection_string is a string/],
    ['an undeclared field', { password: 'x' }, /^sql\.password: no such setting/],
  ])('refuses %s with 400 naming the field, and keeps what is stored', async (_name, body, message) => {
    const id = await newNotebook();
    await put(id, { connection_string: GOOD });
    const response = await put(id, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'RNB_ERR_INVALID_INPUT', message: expect.stringMatching(message) });
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.settings).toEqual({ sql: { connection_string: MASKED } });
  });

  it('refuses a plugin that declares no settings with 400', async () => {
    const id = await newNotebook();
    const response = await server.request('PUT', `/api/notebooks/${id}/settings/python`, { token: 'ann-token', body: { x: 1 } });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/python/);
  });

  it("is 404 for another user's notebook, and changes nothing", async () => {
    const id = await newNotebook();
    await put(id, { connection_string: GOOD });
    const response = await put(id, { connection_string: null }, 'bob-token');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('RNB_ERR_NOTEBOOK_NOT_FOUND');
    expect((await server.request('GET', `/api/notebooks/${id}`, { token: 'ann-token' })).body.settings).toEqual({ sql: { connection_string: MASKED } });
  });
});

/** Rewrites a notebook's first revision file as file format 1 wrote it: the connection string, in clear, in a field of its own. */
function rewriteAsFormat1(notebooks: string, id: string, connection: string): void {
  const files = (fs.readdirSync(notebooks, { recursive: true }) as string[]).map(String).filter((f) => f.endsWith(path.join(id, 'rev-0.json')));
  expect(files).toHaveLength(1);
  const file = path.join(notebooks, files[0]!);
  const { settings: _settings, ...json } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...json, version: 1, dbConnString: connection }));
}

describe('the standalone server in local mode', () => {
  it('generates its key once beside the notebooks (0600), migrates a clear string on read and keeps it across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-secrets-local-'));
    try {
      const notebooks = path.join(dir, 'notebooks');
      // A notebook saved before encryption and plugin settings existed (file format 1), with its string in clear.
      const legacy = await FileNotebookStore.open({ dir: notebooks });
      const now = new Date().toISOString();
      const old = await legacy.create({ id: 'legacy-notebook', owner: 'local', name: 'old', settings: {}, lazy: false, cells: [], revision: 0, createdAt: now, updatedAt: now });
      await legacy.close();
      rewriteAsFormat1(notebooks, old.id, GOOD);
      expect(everythingStored(notebooks)).toContain(PASSWORD);
      // The access token is not what this test is about.
      const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NOTEBOOK_TOKEN: '', NOTEBOOK_DIR: notebooks, NOTEBOOK_LANGUAGES: 'sql', NOTEBOOK_ASSISTANT: 'none', WEB_DIR: 'none' }, { cwd: dir });
      for (let start = 0; start < 2; start++) {
        const running = await startServer({ config, logger: memoryLogger().logger });
        try {
          const keyFile = path.join(notebooks, '.secret-key');
          expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
          const view = await request(`${running.url.replace('localhost', '127.0.0.1')}/api/notebooks/${old.id}`, 'GET');
          expect(view.body.db_conn_string).toBe('postgresql://ann:****@203.0.113.5:5432/sales?sslmode=require');
          expect(view.body.settings).toEqual({ sql: { connection_string: 'postgresql://ann:****@203.0.113.5:5432/sales?sslmode=require' } });
          // The current revision is sealed now; the file store keeps one earlier revision, which the next saves collect.
          await running.notebooks.service.renameNotebook('local', old.id, `renamed ${start}`);
          await running.notebooks.service.renameNotebook('local', old.id, `renamed again ${start}`);
          const stored = fs.readdirSync(path.join(notebooks), { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
          expect(stored.length).toBeGreaterThan(0);
          expect(everythingStored(notebooks)).not.toContain(PASSWORD);
        } finally {
          await running.stop();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
