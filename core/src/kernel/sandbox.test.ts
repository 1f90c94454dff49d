import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

/**
 * Hostile cell code, played by the fake runtime's `attack` statements from
 * inside the real kernel process. Every attack must fail ("blocked: ...")
 * and the server must live on.
 */
let kernel: TestKernel;
let secretFile: string;
let server: net.Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  process.env.RNB_TEST_SECRET = 'hunter2';
  secretFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-secret-')), 'secret.txt');
  fs.writeFileSync(secretFile, 'top secret');
  server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  kernel = await createTestKernel();
});

afterAll(async () => {
  await kernel.close();
  server.close();
  delete process.env.RNB_TEST_SECRET;
});

async function attack(code: string): Promise<{ status: string; stdout: string; error: string | null }> {
  const nb = await notebookWith(kernel, 'mallory', [code]);
  await nb.run(0);
  return (await nb.state())[0]!;
}

describe('the kernel sandbox', () => {
  it('runs with every isolation layer this machine offers', () => {
    if (process.env.CI === 'true') expect(kernel.manager.layers.missing).toEqual([]);
    expect(kernel.manager.layers.permissionFlag).not.toBeNull();
  });

  const attacks: [string, () => string][] = [
    ["reads the server's environment", () => 'attack env'],
    ["reads the server's files", () => `attack read ${secretFile}`],
    ['reads /etc/passwd', () => 'attack read /etc/passwd'],
    ["reads the repository's sources", () => `attack read ${path.resolve(__dirname, '../../package.json')}`],
    ['writes a file', () => `attack write ${path.join(os.tmpdir(), 'rnb-pwned.txt')}`],
    ['spawns a process', () => 'attack spawn'],
    ['opens a socket to a loopback server', () => `attack socket 127.0.0.1:${port}`],
    ['fetches over the network', () => `attack fetch http://127.0.0.1:${port}/`],
    ['signals the server', () => `attack kill-parent ${process.pid}`],
    ['generates code with eval', () => 'attack eval'],
    ['generates code with Function', () => 'attack function'],
    ['reaches Function through a constructor', () => 'attack constructor'],
  ];
  for (const [name, code] of attacks) {
    it(`stops a cell that ${name}`, async () => {
      const cell = await attack(code());
      expect(cell.stdout).not.toMatch(/escaped/);
      expect(cell.status).toBe('error');
      expect(cell.error).toMatch(/^blocked: /);
    });
  }

  it('left no file behind and took no connection', () => {
    expect(fs.existsSync(path.join(os.tmpdir(), 'rnb-pwned.txt'))).toBe(false);
    expect(connections).toBe(0);
  });

  it('cannot signal its own process group into the server', async () => {
    const cell = await attack('attack kill-group');
    // The kernel may kill itself; the server (this process) must live on.
    expect(cell.stdout).not.toMatch(/escaped/);
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('replaces a kernel process that aborts, and the server keeps serving', async () => {
    const nb = await notebookWith(kernel, 'crasher', ['x = 1', 'attack crash', 'print x']);
    await nb.run(0);
    await nb.run(1);
    const state = await nb.state();
    expect(state[1]!.status).toBe('error');
    expect(state[1]!.error).toMatch(/kernel/i);
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted').length).toBeGreaterThanOrEqual(1);
    await nb.run(2);
    expect((await nb.state())[2]!.stdout).toBe('1\n');
  });

  it('kills a kernel that grows past its memory limit and tells the notebook', async () => {
    const small = await createTestKernel({ manager: { processMemoryLimitMb: 300, watchIntervalMs: 200, limits: { workerHeapMb: 2048 } } });
    try {
      const nb = await notebookWith(small, 'hog', ['attack alloc', 'x = 2\nprint x']);
      await nb.run(0);
      expect((await nb.state())[0]!.status).toBe('error');
      expect(small.eventsOf(nb.notebookId, 'kernel_restarted')[0]?.reason).toMatch(/memory/);
      await nb.run(1);
      expect((await nb.state())[1]!.stdout).toBe('2\n');
    } finally {
      await small.close();
    }
  });

  it('kills a kernel that breaks the protocol or floods its channel, and tells only that notebook', async () => {
    for (const variant of ['bogus', 'huge']) {
      const bystander = await notebookWith(kernel, 'bystander', ['x = 1']);
      await bystander.run(0);
      const nb = await notebookWith(kernel, `flooder-${variant}`, ['x = 5', `attack channel ${variant}`, 'print x']);
      await nb.run(0);
      await nb.run(1);
      const restarted = kernel.eventsOf(nb.notebookId, 'kernel_restarted');
      expect(restarted[0]?.reason).toMatch(/size limit|broke the protocol/);
      expect(kernel.eventsOf(bystander.notebookId, 'kernel_restarted')).toEqual([]);
      await nb.run(2);
      expect((await nb.state())[2]!.stdout).toBe('5\n');
    }
  });

  it('lets a runtime reach only the host services its language declares', async () => {
    const ok = await attack('attack host echo');
    expect(ok.stdout).toMatch(/host replied \{"echoed":\{"hello":"world"\}\}/);
    const denied = await attack('attack host read-server-files');
    expect(denied.error).toMatch(/No host service/);
  });
});
