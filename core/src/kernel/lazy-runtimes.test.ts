import { createTestKernel } from '../testing';
import { fakeLanguage } from '../testing/fake-language';
import { notebookWith } from '../testing/notebook-fixture';

describe('languages load lazily, per notebook and first use', () => {
  it("runs a notebook's cells without loading a language it does not use, even one that never loads", async () => {
    const logs: string[] = [];
    const kernel = await createTestKernel({
      // "slow" stands for Pyodide in a SQL-only notebook: it never finishes loading, so waiting for it would hang the notebook.
      languages: [fakeLanguage('fake'), fakeLanguage('slow', { hangOnLoad: true })],
      manager: { warmProcesses: 0, limits: { runtimeLoadTimeoutMs: 120_000 }, log: (_level, message) => logs.push(message) },
    });
    try {
      const nb = await notebookWith(kernel, 'u', ['x = 2', 'print x']);
      await nb.run(0);
      const state = await nb.state();
      expect(state.map((c) => c.status)).toEqual(['success', 'success']);
      expect(state[1]!.stdout).toBe('2\n');
      const loaded = logs.filter((m) => m.includes(`notebook ${nb.notebookId}: the "`));
      expect(loaded.some((m) => /the "fake" runtime loaded in \d+ ms/.test(m))).toBe(true);
      expect(loaded.filter((m) => m.includes('"slow"'))).toEqual([]);
    } finally {
      await kernel.close();
    }
  });

  it('loads a language at its first cell, and fails only that language\'s cells when it cannot load', async () => {
    const kernel = await createTestKernel({
      languages: [fakeLanguage('fake'), fakeLanguage('broken', { failOnLoad: true })],
      manager: { warmProcesses: 0 },
    });
    try {
      const nb = await notebookWith(kernel, 'u', ['x = 1', 'print x']);
      const view = await kernel.service.createCell('u', nb.notebookId, { type: 'broken', code: 'y = 5', afterCellId: nb.cellIds[1]! });
      await nb.run(0);
      await kernel.service.runCell('u', nb.notebookId, view.id);
      await kernel.service.whenIdle('u', nb.notebookId);
      const state = await nb.state();
      expect(state.map((c) => c.status)).toEqual(['success', 'success', 'error']);
      expect(state[2]!.error).toMatch(/told to fail while loading/);
    } finally {
      await kernel.close();
    }
  });

  it('gives a notebook opened while the warm pool is still loading a fresh process instead of waiting for it', async () => {
    // The pool's process never becomes warm ("slow" never loads): right after the start a notebook must not wait for it.
    const kernel = await createTestKernel({ languages: [fakeLanguage('fake'), fakeLanguage('slow', { hangOnLoad: true })], manager: { warmProcesses: 1 } });
    try {
      const poolPids = kernel.manager.processMemory().filter((p) => p.owner === null).map((p) => p.pid);
      expect(poolPids).toHaveLength(1);
      const nb = await notebookWith(kernel, 'u', ['x = 3', 'print x']);
      await nb.run(0);
      expect((await nb.state())[1]!.stdout).toBe('3\n');
      const owned = kernel.manager.processMemory().find((p) => p.owner === 'u')!;
      expect(poolPids).not.toContain(owned.pid);
    } finally {
      await kernel.close();
    }
  });

  it('loads the languages the host names in a process it starts ahead for an owner, before any notebook opens, and the notebook takes that process', async () => {
    const logs: string[] = [];
    const kernel = await createTestKernel({
      languages: [fakeLanguage('fake', { logOnLoad: true }), fakeLanguage('other', { logOnLoad: true })],
      manager: { warmProcesses: 0, preloadLanguages: ['fake'], log: (_level, message) => logs.push(message) },
    });
    try {
      kernel.manager.startProcessFor('u');
      const [started] = kernel.manager.processMemory();
      expect(started?.owner).toBe('u');
      // No notebook is open and nothing ran: only the preload can load "fake" now.
      await until(() => logs.some((m) => m.includes('[fake] the fake runtime loaded')));
      const nb = await notebookWith(kernel, 'u', ['x = 4', 'print x']);
      await nb.run(0);
      expect((await nb.state())[1]!.stdout).toBe('4\n');
      expect(kernel.manager.processMemory().map((p) => p.pid)).toEqual([started!.pid]);
      // The process then starts its next spare worker (after the first run, or a few seconds after the notebook
      // opened: on a loaded machine that came first), which loads every language once. Waited for, so the count is
      // exact: one "fake" for the preload, one for the spare, and none for the notebook, which took the preloaded worker.
      await until(() => logs.some((m) => m.includes('[other] the fake runtime loaded')));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(logs.filter((m) => m.includes('[fake] the fake runtime loaded'))).toHaveLength(2);
      expect(logs.filter((m) => m.includes('[other] the fake runtime loaded'))).toHaveLength(1);
    } finally {
      await kernel.close();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
