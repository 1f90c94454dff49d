/**
 * `micropip.install` in a kernel with no network: pure-Python wheels from a
 * PyPI-compatible simple index the test serves on 127.0.0.1, fetched by the
 * server's python-pypi service (real Pyodide in a worker thread).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { PluginSettingValues } from '@rnb/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPypiService, pureWheels } from '../pypi-service';
import { PYPI_SERVICE } from './packages';
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';
import { makeWheel } from './testing/make-wheel';

let kernel: FakeKernel;
let server: Server;
let cacheDir: string;
const operatorLog: string[] = [];

beforeAll(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'rnb-pypi-cache-'));
  const old = makeWheel('greeter_pkg', '0.9.0', 'Old hello');
  const current = makeWheel('greeter_pkg', '1.2.0', 'Hello from the index');
  const bad = makeWheel('bad_hash', '1.0.0', 'evil');
  // PEP 503 pages: links with their sha256 in the fragment; one native-only wheel that must not be chosen.
  const pages = new Map<string, string>([
    ['/simple/greeter-pkg/', [
      `<a href="/files/${old.fileName}#sha256=${old.sha256}">${old.fileName}</a>`,
      `<a href="/files/${current.fileName}#sha256=${current.sha256}">${current.fileName}</a>`,
      `<a href="/files/greeter_pkg-9.0.0-cp314-cp314-manylinux_2_17_x86_64.whl#sha256=${'2'.repeat(64)}">greeter_pkg-9.0.0-cp314-cp314-manylinux_2_17_x86_64.whl</a>`,
    ].join('\n')],
    ['/simple/bad-hash/', `<a href="/files/${bad.fileName}#sha256=${'0'.repeat(64)}">${bad.fileName}</a>`],
  ]);
  const files = new Map<string, Buffer>([[`/files/${old.fileName}`, old.bytes], [`/files/${current.fileName}`, current.bytes], [`/files/${bad.fileName}`, bad.bytes]]);
  server = createServer((req, res) => {
    const page = pages.get(req.url ?? '');
    if (page) return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body>${page}</body></html>`);
    const file = files.get(req.url ?? '');
    if (file) return void res.writeHead(200).end(file);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  indexUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
  kernel = await kernelOf('nb');
}, PYODIDE_START_TIMEOUT_MS);

let indexUrl: string;

/** Each notebook's python settings, as its session keeps them (the service stores the packages there). */
const notebookSettings = new Map<string, PluginSettingValues>();

/** A kernel of notebook `notebookId` whose micropip reaches the test's index through the python-pypi service. */
function kernelOf(notebookId: string): Promise<FakeKernel> {
  const service = createPypiService({ indexUrl, cacheDir, recordDir: path.join(cacheDir, 'notebooks'), log: (_l, m) => operatorLog.push(m) });
  const context = () => ({
    notebookId,
    owner: 'me',
    settings: notebookSettings.get(notebookId) ?? {},
    signal: new AbortController().signal,
    updateSettings: async (change: Record<string, string | null>) => {
      const next: PluginSettingValues = { ...(notebookSettings.get(notebookId) ?? {}) };
      for (const [name, value] of Object.entries(change)) {
        if (value === null) delete next[name];
        else next[name] = value;
      }
      notebookSettings.set(notebookId, next);
    },
  });
  return FakeKernel.start({
    pypi: true,
    hostHandler: (name, payload) => (name === PYPI_SERVICE ? service(payload, context()) : Promise.reject(new Error(`unknown service ${name}`))),
  });
}

afterAll(async () => {
  await kernel?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(cacheDir, { recursive: true, force: true });
});

it('installs the newest pure-Python wheel of a project from a local index, then the import works', async () => {
  const result = await kernel.run('import micropip\nawait micropip.install("greeter-pkg")\nimport greeter_pkg\ngreeter_pkg.greet("micropip")');
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from the index, micropip'" }]);
  expect(result.stderr).toContain('loaded greeter_pkg-1.2.0-py3-none-any.whl');
  expect(readdirSync(cacheDir)).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}-greeter_pkg-1\.2\.0-py3-none-any\.whl$/)]));
  // Stored with the notebook, pinned to the version installed.
  expect(notebookSettings.get('nb')).toEqual({ packages: 'greeter-pkg==1.2.0' });
});

it('says a project the index lacks is not available, in words for the user', async () => {
  const result = await kernel.run('import micropip\nawait micropip.install("no-such-project")');
  expect(result.error?.message).toContain('no-such-project is not available on this server; ask the administrator to add it.');
  expect(operatorLog.join('\n')).toMatch(/simple\/no-such-project\/ answered HTTP 404/);
});

it('refuses a wheel whose sha256 differs from the index', async () => {
  const result = await kernel.run('import micropip\nawait micropip.install("bad_hash")');
  expect(result.error?.message).toContain('does not match its published checksum, so it was refused');
});

it('installs the version the notebook lists when micropip names no version (a notebook moved to a new server)', async () => {
  notebookSettings.set('moved', { packages: 'greeter-pkg==0.9.0' });
  const moved = await kernelOf('moved');
  try {
    expect((await moved.run('import micropip\nawait micropip.install("greeter-pkg")')).error).toBeNull();
    const result = await moved.run('import greeter_pkg\ngreeter_pkg.GREETING');
    expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Old hello'" }]);
    expect(notebookSettings.get('moved')).toEqual({ packages: 'greeter-pkg==0.9.0' });
  } finally {
    await moved.close();
  }
}, PYODIDE_START_TIMEOUT_MS);

it("remembers a notebook's micropip packages: a new kernel of that notebook loads them again from the cache, offline", async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  // A notebook whose packages an earlier version recorded on the server: moved into its settings on first read.
  const legacyDir = path.join(cacheDir, 'notebooks');
  const legacyFile = path.join(legacyDir, `${createHash('sha256').update('old-notebook').digest('hex').slice(0, 32)}.json`);
  mkdirSync(legacyDir, { recursive: true });
  writeFileSync(legacyFile, JSON.stringify({ notebookId: 'old-notebook', packages: [{ project: 'greeter-pkg', version: '1.2.0' }] }));
  const again = await kernelOf('nb');
  const other = await kernelOf('another-notebook');
  const migrated = await kernelOf('old-notebook');
  try {
    const old = await migrated.run('import greeter_pkg\ngreeter_pkg.GREETING');
    expect(old.error).toBeNull();
    expect(notebookSettings.get('old-notebook')).toEqual({ packages: 'greeter-pkg==1.2.0' });
    expect(existsSync(legacyFile)).toBe(false);
    const result = await again.run('import greeter_pkg\ngreeter_pkg.greet("a new kernel")');
    expect(result.error).toBeNull();
    expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from the index, a new kernel'" }]);
    expect(result.stderr).toContain("loading this notebook's packages: greeter-pkg");
    // Another notebook never installed it.
    expect((await other.run('import greeter_pkg')).error?.message).toContain('greeter_pkg is not available on this server');
  } finally {
    await again.close();
    await other.close();
    await migrated.close();
  }
}, PYODIDE_START_TIMEOUT_MS);

it('reads PEP 691 JSON pages and keeps only pure-Python wheels', () => {
  const page = JSON.stringify({
    files: [
      { filename: 'demo-1.0-py3-none-any.whl', url: 'https://files.example/demo-1.0-py3-none-any.whl', hashes: { sha256: 'a'.repeat(64) } },
      { filename: 'demo-1.0-cp314-cp314-win_amd64.whl', url: 'https://files.example/x.whl', hashes: { sha256: 'b'.repeat(64) } },
      { filename: 'demo-1.0.tar.gz', url: 'https://files.example/demo-1.0.tar.gz', hashes: {} },
    ],
  });
  expect(pureWheels('demo', page, new URL('https://index.example/simple/demo/'))).toEqual([
    { fileName: 'demo-1.0-py3-none-any.whl', url: new URL('https://files.example/demo-1.0-py3-none-any.whl'), sha256: 'a'.repeat(64), version: '1.0' },
  ]);
});
