/**
 * Extra packages with no network in the kernel: a local folder of wheels,
 * and a package index reached only through the host channel (the server's
 * python-package service). The wheels are built by the tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPackageService } from '../package-service';
import { PACKAGE_SERVICE } from './packages';
import { FakeKernel } from './testing/fake-kernel';
import { makeWheel } from './testing/make-wheel';

let kernel: FakeKernel;
let server: Server;
let wheelsDir: string;
const served: string[] = [];
const hostCalls: string[] = [];

beforeAll(async () => {
  wheelsDir = mkdtempSync(path.join(tmpdir(), 'rnb-wheels-'));
  const local = makeWheel('hello_local', '0.1.0', 'Hello from a local wheel');
  writeFileSync(path.join(wheelsDir, local.fileName), local.bytes);

  // A tiny Pyodide-style index: a lock file and its wheels, one with a dependency and one with a bad checksum.
  const base = makeWheel('indexed_base', '1.0.0', 'base');
  const top = makeWheel('indexed_top', '2.0.0', 'Hello from the index');
  const tampered = makeWheel('tampered', '1.0.0', 'evil');
  const lock = {
    info: {},
    packages: {
      'indexed-base': { name: 'indexed-base', version: '1.0.0', file_name: base.fileName, sha256: base.sha256, imports: ['indexed_base'], depends: [], package_type: 'package', install_dir: 'site' },
      'indexed-top': { name: 'indexed-top', version: '2.0.0', file_name: top.fileName, sha256: top.sha256, imports: ['indexed_top'], depends: ['indexed-base'], package_type: 'package', install_dir: 'site' },
      tampered: { name: 'tampered', version: '1.0.0', file_name: tampered.fileName, sha256: '0'.repeat(64), imports: ['tampered'], depends: [], package_type: 'package', install_dir: 'site' },
    },
  };
  const files = new Map<string, Buffer>([
    ['/pyodide-lock.json', Buffer.from(JSON.stringify(lock))],
    [`/${base.fileName}`, base.bytes],
    [`/${top.fileName}`, top.bytes],
    [`/${tampered.fileName}`, tampered.bytes],
  ]);
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    served.push(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const service = createPackageService(url);
  kernel = await FakeKernel.start({
    packageBaseUrl: url,
    wheelsDir,
    hostHandler: (name, payload) => {
      hostCalls.push(JSON.stringify(payload));
      if (name !== PACKAGE_SERVICE) return Promise.reject(new Error(`unknown service ${name}`));
      return service(payload, { notebookId: 'nb', owner: 'me', settings: {}, signal: new AbortController().signal });
    },
  });
}, 60_000);

afterAll(async () => {
  await kernel?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(wheelsDir, { recursive: true, force: true });
});

it('installs a wheel from the local folder when a cell imports it', async () => {
  const result = await kernel.run('import hello_local\nhello_local.greet("notebook")');
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from a local wheel, notebook'" }]);
});

it('installs a package and its dependencies from the index, through the host channel only', async () => {
  const result = await kernel.run('from indexed_top import greet\nimport indexed_base\ngreet(indexed_base.GREETING)');
  expect(result.error).toBeNull();
  expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'Hello from the index, base'" }]);
  expect(result.stderr).toContain('Installing indexed-base');
  expect(served).toEqual(expect.arrayContaining(['/pyodide-lock.json', '/indexed_base-1.0.0-py3-none-any.whl', '/indexed_top-2.0.0-py3-none-any.whl']));
});

it('refuses a wheel whose checksum does not match the index', async () => {
  const result = await kernel.run('import tampered');
  expect(result.error?.message).toMatch(/does not match the index's sha256/);
});

it('names what is missing when neither source has the package', async () => {
  const result = await kernel.run('import definitely_missing_pkg');
  expect(result.error?.name).toBe('ModuleNotFoundError');
  expect(result.error?.message).toContain('found neither in the wheels folder nor in the package index');
});

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
