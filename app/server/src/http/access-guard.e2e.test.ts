import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestServer, StaticTokenAuth, type TestServer } from '../test-support/harness';

/**
 * Attacks on a server with no sign-in (auth `none`), from what a web page of another site or a
 * DNS-rebinding page can make a browser send. The browser's side is in app/web/e2e/local-access.test.ts.
 */
jest.setTimeout(30_000);

const TOKEN = 'test-access-token-0123456789';

/** node:http, since fetch will not send a Host header of our choosing. */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local no-login mode: access token, Host and Origin', () => {
  let server: TestServer;
  let web: string;
  beforeAll(async () => {
    web = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-guard-web-'));
    fs.writeFileSync(path.join(web, 'index.html'), '<html><head><title>app</title></head><body></body></html>');
    server = await startTestServer({ accessToken: TOKEN, allowedHosts: ['localhost', '127.0.0.1', '[::1]', 'notebook.lan'], frameAncestors: "'self'", webDir: web });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(web, { recursive: true, force: true });
  });

  it('refuses the API without the token and takes it as a cookie from the printed URL, or as a bearer token', async () => {
    const refused = await server.request('GET', '/api/notebooks');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/\?token=/);
    expect((await server.request('GET', '/api/notebooks', { token: 'wrong-token-0123456789' })).status).toBe(401);
    // What the page needs before it has anything, and the health probe, stay open.
    expect((await server.request('GET', '/api/config')).status).toBe(200);
    expect((await server.request('GET', '/healthz')).status).toBe(200);

    expect((await rawRequest(`${server.url}/?token=wrong-token-0123456789`, {})).status).toBe(401);
    const landing = await rawRequest(`${server.url}/?token=${TOKEN}&keep=1`, {});
    expect(landing.status).toBe(302);
    expect(landing.headers.location).toBe('/?keep=1');
    const setCookie = landing.headers['set-cookie']![0]!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    expect((await server.request('GET', '/api/notebooks', { headers: { cookie } })).status).toBe(200);
    expect((await server.request('POST', '/api/notebooks', { body: { name: 'with token' }, token: TOKEN })).status).toBe(201);
  });

  it('refuses sockets without the token, and accepts the cookie or auth.token', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: {}, token: TOKEN })).body.notebook_id as string;
    const without = server.connect(id);
    expect((await without.waitFor('connect_error')).message).toMatch(/access token/);
    const withAuth = server.connect(id, { token: TOKEN });
    await withAuth.waitFor('authenticated');
    const cookie = (await rawRequest(`${server.url}/?token=${TOKEN}`, {})).headers['set-cookie']![0]!.split(';')[0]!;
    const withCookie = server.connect(id, { extraHeaders: { cookie } });
    await withCookie.waitFor('authenticated');
  });

  it('answers only to its own host names: a DNS-rebinding Host is refused on HTTP and sockets', async () => {
    const port = new URL(server.url).port;
    for (const host of [`rebind.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const api = await rawRequest(`${server.url}/api/notebooks`, { headers: { host, authorization: `Bearer ${TOKEN}` } });
      expect(api.status).toBe(403);
      expect(JSON.parse(api.body).error.code).toBe('RNB_ERR_HOST_NOT_ALLOWED');
      expect((await rawRequest(`${server.url}/`, { headers: { host } })).status).toBe(403);
      expect((await rawRequest(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { host } })).status).toBe(403);
    }
    for (const host of [`localhost:${port}`, `[::1]:${port}`, `NOTEBOOK.lan:${port}`]) {
      expect((await rawRequest(`${server.url}/api/notebooks`, { headers: { host, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    }
  });

  it('refuses a state-changing request from another origin even with the token (CSRF), and sockets from it', async () => {
    const attempts: Array<[string, string | undefined, number]> = [
      ['another site', 'http://attacker.example', 403],
      ['another port of loopback', `http://127.0.0.1:${Number(new URL(server.url).port) + 1}`, 403],
      ['a sandboxed frame (opaque origin)', 'null', 403],
      ['the page itself', server.url, 201],
      ['a program that is not a browser (no Origin)', undefined, 201],
    ];
    for (const [, origin, status] of attempts) {
      const reply = await server.request('POST', '/api/notebooks', { body: {}, token: TOKEN, headers: origin ? { origin } : {} });
      expect({ origin, status: reply.status }).toEqual({ origin, status });
    }
    // A form POST carries no JSON type: refused on its Origin before anything reads the body.
    const form = await rawRequest(`${server.url}/api/notebooks`, { method: 'POST', headers: { origin: 'http://attacker.example', 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${TOKEN}` }, body: 'a=1' });
    expect(JSON.parse(form.body).error.code).toBe('RNB_ERR_ORIGIN_NOT_ALLOWED');
    const id = (await server.request('POST', '/api/notebooks', { body: {}, token: TOKEN })).body.notebook_id as string;
    const foreign = server.connect(id, { token: TOKEN, extraHeaders: { origin: 'http://attacker.example' } });
    await foreign.waitFor('connect_error');
  });

  it("lets only its own pages frame the page (frame-ancestors 'self')", async () => {
    const page = await rawRequest(`${server.url}/`, {});
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'self'");
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('local mode with an allowed cross-origin page (CORS_ORIGINS)', () => {
  it('answers its preflight without the token, then wants the token on the request itself', async () => {
    const server = await startTestServer({ accessToken: TOKEN, corsOrigins: ['http://localhost:5173'] });
    try {
      const preflight = await rawRequest(`${server.url}/api/notebooks`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect((await server.request('POST', '/api/notebooks', { body: {}, headers: { origin: 'http://localhost:5173' } })).status).toBe(401);
      expect((await server.request('POST', '/api/notebooks', { body: {}, token: TOKEN, headers: { origin: 'http://localhost:5173' } })).status).toBe(201);
    } finally {
      await server.close();
    }
  });
});

describe('an embedding app', () => {
  it('sends no frame policy of its own and ignores the access token when its auth asks for tokens anyway', async () => {
    const web = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-guard-web-'));
    fs.writeFileSync(path.join(web, 'index.html'), '<html><head></head></html>');
    const server = await startTestServer({ auth: new StaticTokenAuth({ 'user-token': 'u1' }), accessToken: TOKEN, webDir: web, prefix: '/nb' });
    try {
      const page = await rawRequest(`${server.base}/`, {});
      expect(page.headers['content-security-policy']).toBeUndefined();
      expect((await server.request('GET', '/api/notebooks', { token: 'user-token' })).status).toBe(200);
      // Bearer tokens are not ambient: no Origin check gets in the embedder's way.
      expect((await server.request('POST', '/api/notebooks', { body: {}, token: 'user-token', headers: { origin: 'https://embedder.example' } })).status).toBe(201);
    } finally {
      await server.close();
      fs.rmSync(web, { recursive: true, force: true });
    }
  });
});
