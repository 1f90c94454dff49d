import { KernelManager } from './kernel-manager';
import type { LanguageDefinition } from '../language/language';
import { createTestKernel } from '../testing';
import { fakeLanguage } from '../testing/fake-language';
import { notebookWith } from '../testing/notebook-fixture';

describe('kernel lifecycle', () => {
  it('starts without the layers it is told are missing, and says exactly which', async () => {
    const messages: string[] = [];
    const kernel = await createTestKernel({
      manager: { sandbox: { disableNetworkNamespace: true, disableUserSwitch: true }, log: (_level, message) => messages.push(message) },
    });
    try {
      expect(kernel.manager.layers.missing.join('\n')).toMatch(/network namespace/);
      expect(kernel.manager.layers.missing.join('\n')).toMatch(/separate uid/);
      expect(messages.some((m) => m.startsWith('kernel isolation missing: network namespace'))).toBe(true);
      const nb = await notebookWith(kernel, 'u', ['x = 1', 'print x']);
      await nb.run(0);
      expect((await nb.state())[1]!.stdout).toBe('1\n');
    } finally {
      await kernel.close();
    }
  });

  it('kills and replaces a kernel process that stops answering', async () => {
    const kernel = await createTestKernel({ manager: { watchIntervalMs: 100, unresponsiveMs: 600 } });
    try {
      const nb = await notebookWith(kernel, 'frozen', ['x = 3', 'print x']);
      await nb.run(0);
      const owned = kernel.manager.processMemory().find((p) => p.owner === 'frozen')!;
      process.kill(owned.pid, 'SIGSTOP');
      await waitFor(() => kernel.eventsOf(nb.notebookId, 'kernel_restarted').length > 0);
      expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')[0]!.reason).toMatch(/stopped responding/);
      await nb.run(1);
      expect((await nb.state())[1]!.stdout).toBe('3\n');
    } finally {
      await kernel.close();
    }
  });

  it('gives a clear error to the cells when a runtime never loads or fails to load, and serves other notebooks', async () => {
    for (const options of [{ hangOnLoad: true }, { failOnLoad: true }]) {
      const kernel = await createTestKernel({ languages: [fakeLanguage('fake', options)], manager: { limits: { runtimeLoadTimeoutMs: 300 } } });
      try {
        const nb = await notebookWith(kernel, 'u', ['x = 1']);
        await nb.run(0);
        const [cell] = await nb.state();
        expect(cell!.status).toBe('error');
        expect(cell!.error).toMatch(options.hangOnLoad ? /did not load within 300 ms/ : /told to fail while loading/);
      } finally {
        await kernel.close();
      }
    }
  });

  it('turns an analyser that throws into an error on that cell, and keeps the notebook usable', async () => {
    const base = fakeLanguage();
    const touchy: LanguageDefinition = { ...base, analyse: (code) => (code.includes('boom') ? (() => { throw new Error('parser exploded'); })() : base.analyse(code)) };
    const kernel = await createTestKernel({ languages: [touchy] });
    try {
      const nb = await notebookWith(kernel, 'u', ['x = 1', 'boom = 2', 'print x']);
      const state = await nb.state();
      expect(state[1]!.status).toBe('error');
      expect(state[1]!.error).toMatch(/The fake analyser failed: parser exploded/);
      await nb.run(0);
      expect((await nb.state())[2]!.stdout).toBe('1\n');
    } finally {
      await kernel.close();
    }
  });

  // Generous limits: 2,000 cells are created one by one (each analysed in a worker), which on a loaded 2-core CI machine
  // takes tens of seconds; the kernel must not be declared unresponsive meanwhile. Behaviour is checked, not speed.
  it('runs a notebook of two thousand cells', async () => {
    const kernel = await createTestKernel({ manager: { unresponsiveMs: 120_000 } });
    try {
      const codes = ['x0 = 1', ...Array.from({ length: 1999 }, (_, i) => `x${i + 1} = x${i} + 1`)];
      const view = await kernel.service.createNotebook('big');
      // Cells are appended through the service, one by one, as a user (or import) would.
      let after = view.cells[0]!.id;
      await kernel.service.updateCell('big', view.id, after, { code: codes[0]! });
      for (const code of codes.slice(1)) after = (await kernel.service.createCell('big', view.id, { type: 'fake', code, afterCellId: after })).id;
      await kernel.service.runCell('big', view.id, view.cells[0]!.id);
      await kernel.service.whenIdle('big', view.id);
      const cells = (await kernel.service.getNotebook('big', view.id)).cells;
      expect(cells).toHaveLength(2000);
      // The cells that did not succeed, with their errors, so a failure says why.
      expect(cells.filter((c) => c.status !== 'success').map((c) => `${c.code}: ${c.status} ${c.error ?? ''}`).slice(0, 5)).toEqual([]);
    } finally {
      await kernel.close();
    }
  }, 180_000);

  it('evicts the least recently used idle kernel of the user over their share when the limit is reached', async () => {
    const manager = new KernelManager({ languages: [fakeLanguage()], maxSessions: 2 });
    const lost: string[] = [];
    const listener = (id: string) => ({ onReports() {}, onRunDone() {}, pluginSettings: () => ({}), onLost: (reason: string) => lost.push(`${id}: ${reason}`) });
    try {
      await manager.openSession('a', 'nb1', listener('nb1'));
      await manager.openSession('a', 'nb2', listener('nb2'));
      await manager.openSession('b', 'nb3', listener('nb3'));
      expect(lost).toEqual(['nb1: the kernel was shut down to give another user their fair share of this server: you held 2 of its 2 notebook kernels, over your share of 1']);
      expect(manager.sessionCount).toBe(2);
    } finally {
      await manager.shutdown();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
