import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin, LanguageRegistry } from '@rnb/core';
import { fakeLanguage } from '@rnb/core/testing';
import { fakeLanguagePlugin, startTestServer, type TestServer } from '../test-support/harness';

const MODULE_SOURCE = 'export function activate(api) { api.registerRenderer({ mimeTypes: ["application/x-loud"], render() {} }); }\n';

/** A GET whose path goes out exactly as written (fetch would resolve `..` before sending). */
function rawGet(url: string, rawPath: string): Promise<{ status: number; type: string; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a language plugin\'s browser module, served by the host', () => {
  let dir: string;
  let server: TestServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-plugin-assets-'));
    const pluginDir = path.join(dir, 'loud-plugin');
    fs.mkdirSync(pluginDir);
    fs.writeFileSync(path.join(pluginDir, 'browser.js'), MODULE_SOURCE);
    fs.writeFileSync(path.join(pluginDir, 'secret.txt'), 'SECRET-NEXT-TO-THE-MODULE');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'SECRET-ABOVE-THE-PLUGIN');
    const webDir = path.join(dir, 'web');
    fs.mkdirSync(webDir);
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><html><head></head><body>THE PAGE</body></html>');
    const loud = definePlugin({
      id: 'test:loud',
      requires: { languages: LanguageRegistry },
      activate: (_context, { languages }) => {
        languages.register({ ...fakeLanguage('loud'), displayName: 'Loud', fileExtension: '.loud', editor: { mode: 'loud' }, browserModule: path.join(pluginDir, 'browser.js') });
      },
    });
    server = await startTestServer({ plugins: [fakeLanguagePlugin(), loud], prefix: '/nb', webDir, accessToken: 'a'.repeat(32) });
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every loaded language in /api/config, with the URL of its module relative to the page', async () => {
    const config = await server.request('GET', '/api/config');
    expect(config.body.languages).toEqual([
      { id: 'fake', display_name: 'Fake', file_extension: null, editor: { mode: null }, browser_module: null, settings: [] },
      { id: 'fake2', display_name: 'Fake', file_extension: null, editor: { mode: null }, browser_module: null, settings: [] },
      { id: 'loud', display_name: 'Loud', file_extension: '.loud', editor: { mode: 'loud' }, browser_module: 'plugins/loud/browser.js', settings: [] },
      { id: 'markdown', display_name: 'Markdown', file_extension: '.md', editor: { mode: 'markdown' }, browser_module: null, settings: [] },
    ]);
  });

  it('serves the declared module as JavaScript, without the access token (public code, like the page\'s)', async () => {
    const served = await rawGet(server.url, '/nb/plugins/loud/browser.js');
    expect(served).toEqual({ status: 200, type: 'text/javascript; charset=utf-8', text: MODULE_SOURCE });
  });

  it.each([
    '/nb/plugins/loud/secret.txt',
    '/nb/plugins/loud/../loud/secret.txt',
    '/nb/plugins/loud/..%2Fsecret.txt',
    '/nb/plugins/..%2F..%2Fsecret.txt/browser.js',
    '/nb/plugins/%2e%2e/browser.js',
    '/nb/plugins/loud%2F..%2F..%2Fsecret.txt/browser.js',
    '/nb/plugins/fake/browser.js',
    '/nb/plugins/nobody/browser.js',
    '/nb/plugins/loud',
  ])('serves nothing else: %s is 404 and no file', async (rawPath) => {
    const answer = await rawGet(server.url, rawPath);
    expect(answer.status).toBe(404);
    expect(answer.text).not.toMatch(/SECRET|THE PAGE/);
  });

  it('answers 404 when a declared module is missing on disk, logging its path without sending it', async () => {
    fs.renameSync(path.join(dir, 'loud-plugin', 'browser.js'), path.join(dir, 'loud-plugin', 'moved.js'));
    try {
      const answer = await rawGet(server.url, '/nb/plugins/loud/browser.js');
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'RNB_ERR_ROUTE_NOT_FOUND', message: expect.stringContaining('missing') } });
      expect(answer.text).not.toContain(dir);
      expect(server.logs.join('\n')).toContain(path.join(dir, 'loud-plugin', 'browser.js'));
    } finally {
      fs.renameSync(path.join(dir, 'loud-plugin', 'moved.js'), path.join(dir, 'loud-plugin', 'browser.js'));
    }
  });
});
