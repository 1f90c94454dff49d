import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { api, describeInBrowser, ensureBuilt, launchBrowser, startHost, type Host } from './harness';

/**
 * Issue 19, item 4: a local host with no sign-in, attacked from the browser of its own user. A page
 * of another origin (a second HTTP server on loopback) tries to create a notebook, run a cell and
 * read one, with every means a page has: no-cors fetch, a form POST, a raw socket.io WebSocket. A
 * DNS-rebinding name (mapped to 127.0.0.1 inside Chromium) tries the host under its own name. The
 * user's browser holds the access-token cookie all along, and the real page keeps working with it.
 */
jest.setTimeout(120_000);

const REBIND_NAME = 'rebind.attacker.test';

/** The attacker's page: every attempt, then `window.__done` with what each one saw. */
function attackerPage(target: string, notebookId: string, cellId: string): string {
  const script = `
const T = ${JSON.stringify(target)}, NB = ${JSON.stringify(notebookId)}, CELL = ${JSON.stringify(cellId)};
const results = {};
const settle = (name, p) => p.then((v) => { results[name] = v; }, (e) => { results[name] = 'error:' + (e && e.name); });
const viaFrame = (name, action, fields) => new Promise((resolve) => {
  const frame = document.createElement('iframe'); frame.name = name; document.body.appendChild(frame);
  const form = document.createElement('form'); form.method = 'POST'; form.action = action; form.target = name;
  for (const [k, v] of Object.entries(fields)) { const i = document.createElement('input'); i.name = k; i.value = v; form.appendChild(i); }
  document.body.appendChild(form);
  frame.addEventListener('load', () => resolve('loaded'), { once: true });
  form.submit();
});
const socketAttempt = () => new Promise((resolve) => {
  const seen = [];
  let ws;
  try { ws = new WebSocket(T.replace('http', 'ws') + 'socket.io/?EIO=4&transport=websocket'); } catch (e) { resolve('threw'); return; }
  const finish = (how) => { try { ws.close(); } catch (e) {} resolve(how + ':' + seen.join('|')); };
  ws.onmessage = (m) => {
    seen.push(String(m.data).slice(0, 40));
    if (String(m.data).startsWith('0')) ws.send('40' + JSON.stringify({ notebookId: NB }));
    if (String(m.data).startsWith('40')) ws.send('42' + JSON.stringify(['run_cell', { cellId: CELL }]));
    if (String(m.data).includes('authenticated')) setTimeout(() => finish('authenticated'), 500);
  };
  ws.onerror = () => finish('error');
  ws.onclose = () => finish('closed');
  setTimeout(() => finish('timeout'), 5000);
});
Promise.all([
  settle('create-no-cors', fetch(T + 'api/notebooks', { method: 'POST', mode: 'no-cors', credentials: 'include' }).then((r) => r.type)),
  settle('create-text-body', fetch(T + 'api/notebooks', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{"name":"pwned"}' }).then((r) => r.type)),
  settle('run-no-cors', fetch(T + 'api/notebooks/' + NB + '/cells/' + CELL + '/run', { method: 'POST', mode: 'no-cors', credentials: 'include' }).then((r) => r.type)),
  settle('create-form', viaFrame('f1', T + 'api/notebooks', { name: 'pwned' })),
  settle('run-form', viaFrame('f2', T + 'api/notebooks/' + NB + '/cells/' + CELL + '/run', {})),
  settle('read-cors', fetch(T + 'api/notebooks/' + NB, { credentials: 'include' }).then((r) => r.text())),
  settle('socket', socketAttempt()),
]).then(() => { window.__results = results; window.__done = true; });`;
  return `<!doctype html><html><body><h1>A page of another site</h1><script>${script}</script></body></html>`;
}

describeInBrowser('a local host without sign-in, attacked from other web pages', () => {
  let host: Host;
  let attacker: http.Server;
  let browser: Browser;
  let context: BrowserContext;
  let notebookId = '';
  let cellId = '';

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost();
    browser = await launchBrowser([`--host-resolver-rules=MAP ${REBIND_NAME} 127.0.0.1`]);
    context = await browser.newContext();
    notebookId = (await api(host, 'POST', 'api/notebooks', { name: 'Private' })).body.notebook_id;
    const notebook = (await api(host, 'GET', `api/notebooks/${notebookId}`)).body;
    cellId = notebook.cells[0].id;
    await api(host, 'PUT', `api/notebooks/${notebookId}/cells/${cellId}`, { code: 'secret = 42' });
    attacker = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(attackerPage(host.base, notebookId, cellId));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await host?.close();
  });

  it('tells a visitor without the token what to open instead of showing notebooks', async () => {
    const stranger = await browser.newContext();
    const page = await stranger.newPage();
    await page.goto(host.base);
    await page.getByRole('alert').filter({ hasText: 'needs its access token' }).waitFor();
    expect(await page.getByText('Private').count()).toBe(0);
    await stranger.close();
  });

  it('opens with the printed URL: the token becomes a cookie and the page works', async () => {
    const page = await context.newPage();
    await page.goto(host.url);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar
    const cookies = await context.cookies(host.base);
    expect(cookies).toEqual([expect.objectContaining({ httpOnly: true, sameSite: 'Strict', value: host.token })]);
    await page.getByRole('heading', { name: 'Notebooks' }).waitFor();
    await page.getByText('Private').waitFor();
    await page.close();
  });

  it('lets a page of another origin neither create, nor run, nor read, while the user holds the cookie', async () => {
    const before = (await api(host, 'GET', 'api/notebooks')).body.notebooks.length;
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as unknown as { __done?: boolean }).__done === true, null, { timeout: 30_000 });
    const results = await page.evaluate(() => (window as unknown as { __results: Record<string, string> }).__results);
    await page.close();

    expect((await api(host, 'GET', 'api/notebooks')).body.notebooks.length).toBe(before);
    const cell = (await api(host, 'GET', `api/notebooks/${notebookId}`)).body.cells[0];
    expect(cell.status).toBe('idle');
    // Reading: CORS keeps the answer from the page, and without the cookie there is nothing to read anyway.
    expect(results['read-cors']).toBe('error:TypeError');
    expect(results.socket).not.toMatch(/^authenticated/);
    expect(results.socket).not.toContain('authenticated');
  });

  it('refuses a DNS-rebinding name for the page, the API and the socket', async () => {
    const port = new URL(host.base).port;
    const page = await context.newPage();
    for (const path of ['', 'api/notebooks', 'api/config', 'socket.io/?EIO=4&transport=polling']) {
      const response = await page.goto(`http://${REBIND_NAME}:${port}/${path}`);
      expect({ path, status: response?.status() }).toEqual({ path, status: 403 });
    }
    await page.close();
  });
});
