import type { NotebookEvent } from './events';
import { MemoryNotebookStore } from '../storage/memory-store';
import { createTestKernel, type TestKernel } from '../testing';
import { fakeLanguage } from '../testing/fake-language';
import { notebookWith } from '../testing/notebook-fixture';

/**
 * One status word per situation (idle, queued, running, success, error,
 * blocked, stale), errors that go when their cause goes, and no run that
 * nobody asked for. The fake language in a real kernel process.
 */
let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel();
});
afterAll(() => kernel.close());

const owner = 'statuses';

/** Every status event of one cell, in order. */
const statusesOf = (k: TestKernel, notebookId: string, cellId: string): string[] =>
  k.eventsOf(notebookId, 'cell_status').filter((e) => e.cellId === cellId).map((e) => e.status);

describe('no run that nobody asked for', () => {
  it('does not run a cell that ran before when another cell starts defining its name', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'y = 2\nprint y']);
    await nb.run(1);
    expect((await nb.state())[1]).toMatchObject({ status: 'success', stdout: '2\n' });
    const before = kernel.events.length;
    await nb.edit(0, 'y = 1');
    await kernel.service.whenIdle(owner, nb.notebookId);
    const after = kernel.events.slice(before).map((e) => e.event).filter((e): e is Extract<NotebookEvent, { type: 'cell_status' }> => e.type === 'cell_status');
    expect(after.filter((e) => e.status === 'queued' || e.status === 'running')).toEqual([]);
    expect((await nb.state()).map((c) => c.status)).toEqual(['blocked', 'blocked']);
  });

  it('runs nothing when a notebook with a name defined twice is loaded by a new service', async () => {
    const store = new MemoryNotebookStore();
    const first = await createTestKernel({ store });
    let notebookId: string;
    let secondCell: string;
    try {
      const nb = await notebookWith(first, owner, ['probe = 1\nprint probe']);
      await nb.run(0);
      secondCell = (await first.service.createCell(owner, nb.notebookId, { type: 'fake', code: 'probe = 2\nprint probe' })).id;
      await first.service.whenIdle(owner, nb.notebookId);
      expect((await nb.state()).map((c) => c.status)).toEqual(['blocked', 'blocked']);
      notebookId = nb.notebookId;
    } finally {
      await first.close();
    }
    const second = await createTestKernel({ store });
    try {
      await second.service.getNotebook(owner, notebookId);
      await second.service.whenIdle(owner, notebookId);
      const cells = (await second.service.getNotebook(owner, notebookId)).cells;
      expect(cells.map((c) => c.status)).toEqual(['blocked', 'blocked']);
      expect(cells.find((c) => c.id === secondCell)!.stdout).toBe('');
      expect(second.eventsOf(notebookId, 'cell_status')).toEqual([]);
      expect(second.manager.sessionCount).toBe(0);
    } finally {
      await second.close();
    }
  });
});

describe('errors that go with their cause', () => {
  it('drops a syntax error as soon as the code parses, before the cell runs', async () => {
    const nb = await notebookWith(kernel, owner, ['x = (']);
    expect((await nb.state())[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/SyntaxError/) });
    await nb.edit(0, 'x = 1');
    expect((await nb.state())[0]).toMatchObject({ status: 'stale', error: null });
    expect(kernel.eventsOf(nb.notebookId, 'cell_error').at(-1)).toEqual({ type: 'cell_error', cellId: nb.cellIds[0], error: null });
  });

  it('drops a double-definition error from both cells when one is renamed', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'x = 2']);
    await nb.edit(1, 'w = 2');
    expect((await nb.state()).map((c) => c.error)).toEqual([null, null]);
    for (const cellId of nb.cellIds) {
      expect(kernel.eventsOf(nb.notebookId, 'cell_error').filter((e) => e.cellId === cellId).at(-1)).toMatchObject({ error: null });
    }
  });
});

describe('status words', () => {
  it('gives a cell whose code does not parse `error`, also when it is asked to run', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1 +', 'print x']);
    await nb.run(0);
    expect((await nb.state())[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/SyntaxError/) });
    expect(statusesOf(kernel, nb.notebookId, nb.cellIds[0]!)).not.toContain('blocked');
  });

  it('names the upstream cell by position when the kernel blocks a reader of a failed cell', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1\nfail boom', 'y = x + 1']);
    await nb.run(0);
    expect((await nb.state())[1]).toMatchObject({ status: 'blocked', error: 'Not run: upstream cell 1 did not succeed.' });
  });

  it('ends a cell whose kernel was killed for memory `error`, after the restart notice, and blocks the cells behind it', async () => {
    const small = await createTestKernel({ manager: { processMemoryLimitMb: 300, watchIntervalMs: 200, limits: { workerHeapMb: 2048 } } });
    try {
      // Cell 4 runs its missing ancestors in notebook order: the hog first, then cell 2, which never gets to run.
      const nb = await notebookWith(small, 'hog', ['attack alloc\nx = 1', 'w = 5', 'z = 3', 'print x + w']);
      await small.service.runCell('hog', nb.notebookId, nb.cellIds[2]!);
      await small.service.whenIdle('hog', nb.notebookId);
      await nb.run(3);
      const state = await nb.state();
      expect(state[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/kernel stopped while this cell ran: .*memory/) });
      expect(state[3]).toMatchObject({ status: 'blocked', error: 'Not run: upstream cell 1 did not succeed.' });
      // Queued but never run: still never run.
      expect(state[1]!.status).toBe('idle');
      // The page marks what ran before stale on kernel_restarted: the cell's own error comes after it.
      const events = small.eventsOf(nb.notebookId);
      const restarted = events.findIndex((e) => e.type === 'kernel_restarted');
      const lastStatus = events.findLastIndex((e) => e.type === 'cell_status' && e.cellId === nb.cellIds[0]);
      expect(restarted).toBeGreaterThanOrEqual(0);
      expect(lastStatus).toBeGreaterThan(restarted);
      expect(state[2]!.status).toBe('stale');
    } finally {
      await small.close();
    }
  });

  it('does not run a cell again by itself after its worker was replaced for the time limit', async () => {
    const limited = await createTestKernel({ manager: { limits: { cellTimeoutMs: 300, interruptGraceMs: 300 } } });
    try {
      const nb = await notebookWith(limited, owner, ['spin hard\nx = 1', 'print x']);
      await nb.run(0);
      const state = await nb.state();
      expect(state[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/ran longer than the cell time limit of 0.3 s/) });
      expect(state[1]).toMatchObject({ status: 'blocked', error: 'Not run: upstream cell 1 did not succeed.' });
      expect(statusesOf(limited, nb.notebookId, nb.cellIds[0]!).filter((s) => s === 'running')).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });
});

describe('the message for a name defined in two cells', () => {
  it('suggests the private form when the language has one', async () => {
    const k = await createTestKernel({ languages: [{ ...fakeLanguage(), privateNamePrefix: '_' }] });
    try {
      const nb = await notebookWith(k, owner, ['z = 0', 'i = 1', 'w = 2', 'y = 3', 'i = 5']);
      const state = await nb.state();
      const expected = '`i` is defined in cells 2 and 5. Rename one, or make it private to its cell as `_i` (names starting with _ are local to a cell).';
      expect(state[1]!.error).toBe(expected);
      expect(state[4]!.error).toBe(expected);
    } finally {
      await k.close();
    }
  });

  it('asks for a rename when the language has no private names', async () => {
    const nb = await notebookWith(kernel, owner, ['fig = 1', 'fig = 2']);
    expect((await nb.state())[0]!.error).toBe('`fig` is defined in cells 1 and 2. Rename one so that each name is defined in one cell only.');
  });
});
