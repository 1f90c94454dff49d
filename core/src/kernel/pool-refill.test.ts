import { createTestKernel } from '../testing';
import { fakeLanguage } from '../testing/fake-language';
import { notebookWith } from '../testing/notebook-fixture';

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the warm pool after a take', () => {
  it("starts the taken process's replacement after the notebook's first run, not while that run waits for the cores", async () => {
    const logs: string[] = [];
    const kernel = await createTestKernel({ languages: [fakeLanguage('fake')], manager: { warmProcesses: 1, log: (_level, message) => logs.push(message) } });
    try {
      await waitFor(() => logs.some((message) => / warm after \d+ ms/.test(message)));
      const [poolProcess] = kernel.manager.processMemory();
      const nb = await notebookWith(kernel, 'u', ['sleep 1500']);
      const run = nb.run(0);
      await waitFor(async () => (await nb.state())[0]!.status === 'running');
      // The warm process is the notebook's now, and nothing else was spawned beside its first run.
      expect(kernel.manager.processMemory().map((p) => [p.pid, p.owner])).toEqual([[poolProcess!.pid, 'u']]);
      await run;
      await waitFor(() => kernel.manager.processCount === 2);
      expect(kernel.manager.processMemory().filter((p) => p.owner === null)).toHaveLength(1);
    } finally {
      await kernel.close();
    }
  }, 60_000);
});
