/**
 * Extra packages with no network in the kernel: a local folder of wheels,
 * and a package index reached only through the host channel (the server's
 * python-package service). The wheels are built by the tests.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPackageService } from '../package-service';
import { PACKAGE_SERVICE } from './packages';
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';
import { makeWheel } from './testing/make-wheel';

const GARBAGE = Buffer.from('<html>this host answers garbage</html>');
let kernel: FakeKernel;
let server: Server;
let url: string;
let wheelsDir: string;
let cacheDir: string;
const served: string[] = [];
const operatorLog: string[] = [];
const hostContext = { notebookId: 'nb', owner: 'me', settings: {}, signal: new AbortController().signal };

/** A kernel whose python-package service fetches from `baseUrl` into the shared cache folder. */
function kernelFor(baseUrl: string, extra: { wheelsDir?: string; bundledLock?: boolean } = {}): Promise<FakeKernel> {
  const service = createPackageService({ baseUrl, cacheDir, timeoutMs: 1000, log: (_level, message) => operatorLog.push(message) });
  return FakeKernel.start({
    packageBaseUrl: baseUrl,
    ...extra,
    hostHandler: (name, payload) => {
      if (name !== PACKAGE_SERVICE) return Promise.reject(new Error(`unknown service ${name}`));
      return service(payload, hostContext);
    },
  });
}

beforeAll(async () => {
  wheelsDir = mkdtempSync(path.join(tmpdir(), 'rnb-wheels-'));
  cacheDir = mkdtempSync(path.join(tmpdir(), 'rnb-package-cache-'));
  const local = makeWheel('hello_local', '0.1.0', 'Hello from a local wheel');
  writeFileSync(path.join(wheelsDir, local.fileName), local.bytes);

  // A tiny Pyodide-style package host: a lock file and its wheels, one with a dependency, one with a bad checksum, one slow.
  const base = makeWheel('indexed_base', '1.0.0', 'base');
  const top = makeWheel('indexed_top', '2.0.0', 'Hello from the index');
  const tampered = makeWheel('tampered', '1.0.0', 'evil');
  const slow = makeWheel('slowpkg', '1.0.0', 'slow');
  const entry = (name: string, wheel: { fileName: string; sha256: string }, depends: string[] = [], sha256 = wheel.sha256) => ({
    name, version: '1.0.0', file_name: wheel.fileName, sha256, imports: [name.replace(/-/g, '_')], depends, package_type: 'package', install_dir: 'site',
  });
  const lock = {
    info: {},
    packages: {
      'indexed-base': entry('indexed-base', base),
      'indexed-top': entry('indexed-top', top, ['indexed-base']),
      tampered: entry('tampered', tampered, [], '0'.repeat(64)),
      slowpkg: entry('slowpkg', slow),
      // Garbage with a matching checksum: downloads, but is no wheel.
      garbage: entry('garbage', { fileName: 'garbage-1.0.0-py3-none-any.whl', sha256: createHash('sha256').update(GARBAGE).digest('hex') }),
      // In the lock file but not on the host.
      'listed-only': entry('listed-only', { fileName: 'listed_only-1.0.0-py3-none-any.whl', sha256: '1'.repeat(64) }),
    },
  };
  const files = new Map<string, Buffer>([
    ['/pyodide-lock.json', Buffer.from(JSON.stringify(lock))],
    [`/${base.fileName}`, base.bytes],
    [`/${top.fileName}`, top.bytes],
    [`/${tampered.fileName}`, tampered.bytes],
    [`/${slow.fileName}`, slow.bytes],
    ['/garbage-1.0.0-py3-none-any.whl', GARBAGE],
  ]);
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    served.push(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    // The slow file arrives long after the service's time limit.
    const delay = req.url === `/${slow.fileName}` ? 5000 : 0;
    const timer = setTimeout(() => res.writeHead(200, { 'content-length': body.length }).end(body), delay);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  kernel = await kernelFor(url, { wheelsDir });
}, PYODIDE_START_TIMEOUT_MS);

afterAll(async () => {
  await kernel?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(wheelsDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

it('installs a wheel from the local folder when a cell imports it', async () => {
  const result = await kernel.run('import hello_local\nhello_local.greet("notebook")');
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from a local wheel, notebook'" }]);
});

it('loads a package and its dependencies from the host through the host channel only, showing progress, then runs the cell', async () => {
  const result = await kernel.run('from indexed_top import greet\nimport indexed_base\ngreet(indexed_base.GREETING)');
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from the index, base'" }]);
  expect(result.stderr).toMatch(/^loading indexed-base, indexed-top…\nloaded indexed-base, indexed-top: \d+ kB\n$/);
  expect(served).toEqual(expect.arrayContaining(['/pyodide-lock.json', '/indexed_base-1.0.0-py3-none-any.whl', '/indexed_top-2.0.0-py3-none-any.whl']));
});

it('refuses a wheel whose checksum does not match the lock file, in words for the user', async () => {
  const result = await kernel.run('import tampered');
  expect(result.error?.message).toContain('tampered was not loaded: the file the package source sent does not match its published checksum, so it was refused.');
  expect(operatorLog.join('\n')).toMatch(/tampered-1\.0\.0-py3-none-any\.whl has sha256 [0-9a-f]{64}, the lock file says 0{64}: refused/);
  expect(readdirSync(cacheDir).some((name) => name.includes('tampered'))).toBe(false);
});

it('says a package is not available in words for the user, and gives the operator the detail', async () => {
  const missing = await kernel.run('import definitely_missing_pkg');
  expect(missing.error?.name).toBe('ModuleNotFoundError');
  expect(missing.error?.message).toContain('definitely_missing_pkg is not available on this server; ask the administrator to add it.');
  expect(missing.error?.message).not.toMatch(/PYODIDE_PACKAGE_BASE_URL|wheelsDir/);

  const listedOnly = await kernel.run('import listed_only');
  expect(listedOnly.error?.message).toContain('listed_only is not available on this server; ask the administrator to add it.');
  expect(operatorLog.join('\n')).toMatch(/listed_only-1\.0\.0-py3-none-any\.whl answered HTTP 404/);
});

it('gives up on a slow host at the time limit, and the kernel lives', async () => {
  const result = await kernel.run('import slowpkg');
  expect(result.error?.message).toContain('slowpkg could not be loaded: the package source did not answer in time.');
  expect(operatorLog.join('\n')).toMatch(/slowpkg-1\.0\.0-py3-none-any\.whl did not arrive within 1 s/);
  expect((await kernel.run('1 + 1')).outputs).toEqual([{ mime_type: 'text/plain', data: '2' }]);
});

it('a package host that answers garbage gets a clear message, and the kernel lives', async () => {
  const result = await kernel.run('import garbage');
  expect(result.error?.message).toContain('garbage was downloaded but could not be installed in this Python. Ask the administrator.');
  expect((await kernel.run('2 * 21')).outputs).toEqual([{ mime_type: 'text/plain', data: '42' }]);
});

it('a cell that catches the ImportError runs as written', async () => {
  const result = await kernel.run('try:\n    import definitely_missing_pkg\nexcept ImportError:\n    fallback = "ok"\nfallback');
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'ok'" }]);
});

it('maps import names to the Pyodide packages of the lock file shipped in the pyodide npm package', async () => {
  const bundled = await kernelFor(url, { bundledLock: true });
  try {
    served.length = 0;
    const result = await bundled.run('import numpy');
    expect(served).not.toContain('/pyodide-lock.json');
    expect(served).toEqual([expect.stringMatching(/^\/numpy-[\d.]+-cp\d+-cp\d+-.*wasm32\.whl$/)]);
    expect(result.error?.message).toContain('numpy is not available on this server; ask the administrator to add it.');
  } finally {
    await bundled.close();
  }
}, PYODIDE_START_TIMEOUT_MS);

it('loads from the cache on a new kernel once the host is gone (offline after the first time)', async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const offline = await kernelFor(url);
  try {
    const result = await offline.run('import indexed_top\nindexed_top.greet("again")');
    expect(result.error).toBeNull();
    expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from the index, again'" }]);
    expect(operatorLog.join('\n')).toMatch(/using the cached copy of pyodide-lock\.json/);
  } finally {
    await offline.close();
  }
}, PYODIDE_START_TIMEOUT_MS);

describe('the python-package host service (server side)', () => {
  const service = (url: string) => createPackageService(url);
  const context = { notebookId: 'nb', owner: 'me', settings: {}, signal: new AbortController().signal };

  it.each([
    ['a path', { file: '../etc/passwd' }],
    ['a URL', { file: 'http://evil.example/x.whl' }],
    ['a nested path', { file: 'a/b.whl' }],
    ['no file', {}],
    ['another kind of file', { file: 'script.sh' }],
  ])('refuses %s', async (_name, payload) => {
    await expect(service('http://127.0.0.1:9/')(payload, context)).rejects.toThrow(/expected \{ file \}/);
  });

  it('accepts only an http(s) index', () => {
    expect(() => service('file:///etc/')).toThrow(/must be an http\(s\) URL/);
  });
});
