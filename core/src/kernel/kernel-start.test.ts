import { compiledPath } from '../paths';
import { DEFAULT_LIMITS } from './kernel-manager';
import { KernelProcess } from './kernel-process';
import { probeIsolation } from './sandbox';

function startKernel(startTimeoutMs: number): KernelProcess {
  const payload = Buffer.from(JSON.stringify({ runtimes: [], limits: DEFAULT_LIMITS, maxFrameBytes: 1 << 20, waitedOn: true })).toString('base64');
  return new KernelProcess({ entry: compiledPath(__dirname, 'child/main.js'), readPaths: [], nodeArgs: [], payload, layers: probeIsolation(), maxFrameBytes: 1 << 20, startTimeoutMs });
}

async function stop(kernel: KernelProcess): Promise<void> {
  const exited = new Promise((resolve) => kernel.once('exit', resolve));
  kernel.kill('test over');
  await exited;
}

describe("a kernel process's start time limit", () => {
  it('is not taken for a late start when the server was too busy to read the kernel\'s ready message', async () => {
    const kernel = startKernel(1_000);
    try {
      // The server busy without a pause for I/O past the limit (e.g. thousands of in-memory edits awaited in a row),
      // long enough for the kernel to be ready meanwhile: its message waits unread behind the expired timer.
      const busyUntil = Date.now() + 8_000;
      while (Date.now() < busyUntil) { /* busy */ }
      await expect(kernel.ready).resolves.toBeDefined();
    } finally {
      await stop(kernel);
    }
  }, 30_000);

  it('still stops a kernel that does not start in time', async () => {
    const kernel = startKernel(1);
    await expect(kernel.ready).rejects.toThrow(/did not start within 1 ms/);
  });
});
