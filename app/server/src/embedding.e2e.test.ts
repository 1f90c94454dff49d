import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import { createNotebookServer, type NotebookServer } from './index';
import { fakeLanguagePlugin, memoryLogger, request, StaticTokenAuth, TestClient } from './test-support/harness';

/**
 * Somebody else's Koa app: its own middleware (a header, a body parser, its
 * own routes and 404 page) and its own auth, with the notebook under /nb.
 */
describe('embedding in another Koa app under /nb', () => {
  let notebooks: NotebookServer;
  let server: http.Server;
  let url: string;
  let webDir: string;
  const seen: string[] = [];

  beforeAll(async () => {
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-web-'));
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><html><head><title>nb</title><script src="./assets/app.js"></script></head><body></body></html>');
    fs.writeFileSync(path.join(webDir, 'assets', 'app.js'), 'console.log("app")');

    const app = new Koa();
    app.use(async (ctx, next) => {
      seen.push(ctx.path);
      ctx.set('X-Host-App', 'yes');
      await next();
    });
    app.use(bodyParser()); // the host's own parser runs first; the notebook copes
    const own = new Router();
    own.get('/hello', (ctx) => {
      ctx.body = { hello: 'world' };
    });
    own.post('/echo', (ctx) => {
      ctx.body = ctx.request.body as object;
    });
    app.use(own.routes());
    notebooks = await createNotebookServer({
      prefix: '/nb',
      plugins: [fakeLanguagePlugin()],
      auth: new StaticTokenAuth({ 't-carol': 'carol' }),
      logger: memoryLogger().logger,
      webDir,
      kernels: { warmProcesses: 1 },
    });
    app.use(notebooks.middleware);
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = 'host app: not found';
    });
    server = http.createServer(app.callback());
    notebooks.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await notebooks.close();
    // close() leaves the host's HTTP server alone: it still answers.
    expect((await request(`${url}/hello`, 'GET')).body).toEqual({ hello: 'world' });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('runs a cell through the mounted API and socket.io under /nb, with the host auth', async () => {
    expect((await request(`${url}/nb/api/notebooks`, 'GET')).status).toBe(401);
    const created = await request(`${url}/nb/api/notebooks`, 'POST', { token: 't-carol', body: { name: 'embedded' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-host-app')).toBe('yes');
    const id = created.body.notebook_id as string;
    const cellId = (await request(`${url}/nb/api/notebooks/${id}`, 'GET', { token: 't-carol' })).body.cells[0].id as string;
    const updated = await request(`${url}/nb/api/notebooks/${id}/cells/${cellId}`, 'PUT', { token: 't-carol', body: { code: 'x = 6 * 7\nprint x' } });
    expect(updated.body).toMatchObject({ writes: ['x'] });

    const client = new TestClient(url, '/nb/socket.io', id, { token: 't-carol' });
    try {
      await client.waitFor('authenticated');
      client.emit('run_cell', { cellId });
      expect((await client.waitFor('cell_stdout')).data).toBe('42\n');
      await client.waitForStatus(cellId, 'success');
    } finally {
      client.close();
    }
    expect(seen).toContain(`/nb/api/notebooks/${id}`);
  });

  it('leaves the host routes, body parser and 404 page alone; its own 404s stay JSON under /nb/api', async () => {
    expect((await request(`${url}/hello`, 'GET')).body).toEqual({ hello: 'world' });
    expect((await request(`${url}/echo`, 'POST', { body: { a: 1 } })).body).toEqual({ a: 1 });
    expect((await request(`${url}/elsewhere`, 'GET')).text).toBe('host app: not found');
    expect((await request(`${url}/api/notebooks`, 'GET')).text).toBe('host app: not found');
    const api404 = await request(`${url}/nb/api/unknown`, 'GET', { token: 't-carol' });
    expect(api404.body.error.code).toBe('RNB_ERR_ROUTE_NOT_FOUND');
    // Bad input still gets the notebook's error shape although the host parsed the body.
    const bad = await request(`${url}/nb/api/notebooks`, 'POST', { token: 't-carol', body: { name: 12 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('RNB_ERR_INVALID_INPUT');
  });

  it('serves the web app under /nb/ with its base set, and falls back to it for deep links', async () => {
    const redirect = await fetch(`${url}/nb`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/nb/');
    const index = await request(`${url}/nb/`, 'GET');
    expect(index.text).toContain('<base href="/nb/" />');
    expect(index.text).toContain('<meta name="rnb-base" content="/nb/" />');
    expect((await request(`${url}/nb/assets/app.js`, 'GET')).text).toBe('console.log("app")');
    expect((await request(`${url}/nb/notebooks/some-id`, 'GET')).text).toContain('<base href="/nb/" />');
    expect((await request(`${url}/nb/assets/missing.js`, 'GET')).text).toBe('host app: not found');
    expect((await request(`${url}/nb/../../etc/passwd`, 'GET')).text).not.toContain('root:');
    expect((await request(`${url}/nb/healthz`, 'GET')).body).toMatchObject({ status: 'ok', connections: expect.any(Number) });
  });
});
