import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from './config';
import { startServer, type RunningServer } from './start';
import { fakeLanguagePlugin, memoryLogger, request } from './test-support/harness';

/** `npm start`'s local mode (auth `none`): where it listens, its access token, and what it warns about. */
jest.setTimeout(30_000);

async function start(env: Record<string, string>): Promise<{ running: RunningServer; lines: string[] }> {
  const { logger, lines } = memoryLogger();
  const config = loadConfig({ PORT: '0', WEB_DIR: 'none', ...env }, { cwd: __dirname });
  const running = await startServer({ config, logger, plugins: [fakeLanguagePlugin()] });
  return { running, lines };
}

/** node:http, since fetch will not send a Host header of our choosing. */
function statusWithHost(port: number, host: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/notebooks', headers: { host, authorization: `Bearer ${token}` }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

const warnings = (lines: string[]): string => lines.filter((line) => line.includes('"level":"warn"')).join('\n');

describe('npm start without sign-in', () => {
  it('listens on 127.0.0.1 only, with a new access token each start in the URL it prints', async () => {
    const first = await start({});
    const second = await start({});
    try {
      expect((first.running.http.address() as AddressInfo).address).toBe('127.0.0.1');
      expect(first.running.accessToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(first.running.accessToken).not.toBe(second.running.accessToken);
      expect(first.running.openUrl).toBe(`${first.running.url}/?token=${first.running.accessToken}`);
      expect((await request(`${first.running.url}/api/notebooks`, 'GET')).status).toBe(401);
      expect((await request(`${first.running.url}/api/notebooks`, 'GET', { token: second.running.accessToken! })).status).toBe(401);
      expect((await request(`${first.running.url}/api/notebooks`, 'GET', { token: first.running.accessToken! })).status).toBe(200);
      expect(warnings(first.lines)).not.toMatch(/HOST=|NOTEBOOK_TOKEN/);
    } finally {
      await first.running.stop();
      await second.running.stop();
    }
  });

  it('takes NOTEBOOK_TOKEN as the token, and turns it off when empty, with a warning naming the risk', async () => {
    const fixed = await start({ NOTEBOOK_TOKEN: 'chosen-token-0123456789' });
    const off = await start({ NOTEBOOK_TOKEN: '' });
    try {
      expect(fixed.running.accessToken).toBe('chosen-token-0123456789');
      expect((await request(`${fixed.running.url}/api/notebooks`, 'GET', { token: 'chosen-token-0123456789' })).status).toBe(200);
      expect(off.running.accessToken).toBeNull();
      expect(off.running.openUrl).toBe(off.running.url);
      expect((await request(`${off.running.url}/api/notebooks`, 'GET')).status).toBe(200);
      expect(warnings(off.lines)).toMatch(/NOTEBOOK_TOKEN is empty: the access token is off.*run code/);
    } finally {
      await fixed.running.stop();
      await off.running.stop();
    }
  });

  it('warns when HOST opens it to other machines, and still answers only to the names it knows', async () => {
    const { running, lines } = await start({ HOST: '0.0.0.0', ALLOWED_HOSTS: 'notebook.lan' });
    try {
      expect((running.http.address() as AddressInfo).address).toBe('0.0.0.0');
      expect(warnings(lines)).toMatch(/HOST=0\.0\.0\.0 with NOTEBOOK_AUTH=none: other machines can reach this server/);
      const statusFor = (host: string) => statusWithHost(running.port, host, running.accessToken!);
      expect(await statusFor(`notebook.lan:${running.port}`)).toBe(200);
      expect(await statusFor(`localhost:${running.port}`)).toBe(200);
      expect(await statusFor(`rebind.attacker.example:${running.port}`)).toBe(403);
    } finally {
      await running.stop();
    }
  });
});
