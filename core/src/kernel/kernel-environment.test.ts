import { compiledPath } from '../paths';
import { DEFAULT_LIMITS } from './kernel-manager';
import { KernelProcess } from './kernel-process';
import { probeIsolation } from './sandbox';

describe("a kernel process's environment", () => {
  it('is empty as the kernel sees it, though glibc got its allocator settings at exec', async () => {
    const payload = Buffer.from(JSON.stringify({ runtimes: [], limits: DEFAULT_LIMITS, maxFrameBytes: 1 << 20, waitedOn: true })).toString('base64');
    const kernel = new KernelProcess({ entry: compiledPath(__dirname, 'child/main.js'), readPaths: [], nodeArgs: [], payload, layers: probeIsolation(), maxFrameBytes: 1 << 20, startTimeoutMs: 30_000 });
    try {
      const isolation = await kernel.ready;
      expect(isolation.emptyEnvironment).toBe(true);
    } finally {
      const exited = new Promise((resolve) => kernel.once('exit', resolve));
      kernel.kill('test over');
      await exited;
    }
  });
});
