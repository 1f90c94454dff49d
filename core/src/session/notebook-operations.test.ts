import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

/** Run all, restart the kernel and clear outputs, with the fake language in a real kernel process. */
let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel({ manager: { limits: { interruptGraceMs: 60_000 } } });
});
afterAll(() => kernel.close());

const owner = 'olga';
const runningOrder = (notebookId: string): string[] =>
  kernel.eventsOf(notebookId, 'cell_status').filter((e) => e.status === 'running').map((e) => e.cellId);

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('run all', () => {
  it('runs every cell once in topological order, lazy mode or not, and leaves cells that cannot run blocked', async () => {
    const nb = await notebookWith(kernel, owner, ['print y', 'y = x + 1', 'x = 1', 'w = 1', 'w = 2', 'print w', 'v = (', 'u = 3']);
    await kernel.service.setLazy(owner, nb.notebookId, true);
    const [printY, y, x, , , , , u] = nb.cellIds;
    await kernel.service.runAll(owner, nb.notebookId);
    await kernel.service.whenIdle(owner, nb.notebookId);
    expect(runningOrder(nb.notebookId)).toEqual([x, y, printY, u]);
    const state = await nb.state();
    expect(state.map((c) => c.status).filter((_, i) => i !== 6)).toEqual(['success', 'success', 'success', 'blocked', 'blocked', 'blocked', 'success']);
    // A syntax error is the cell's own failure (its status word is another item's business: error or blocked).
    expect(['error', 'blocked']).toContain(state[6]!.status);
    expect(state[0]!.stdout).toBe('2\n');
    expect(state[5]!.stdout).toBe('');
    expect(state[6]!.error).toMatch(/SyntaxError/);
  });

  it('asked twice while running, runs no cell more than twice and ends with every cell run', async () => {
    const nb = await notebookWith(kernel, owner, ['a = 1', 'sleep 100\nb = a + 1', 'print b']);
    await kernel.service.runAll(owner, nb.notebookId);
    await kernel.service.runAll(owner, nb.notebookId);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const order = runningOrder(nb.notebookId);
    for (const id of nb.cellIds) expect(order.filter((c) => c === id).length).toBeLessThanOrEqual(2);
    expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'success', 'success']);
    expect((await nb.state())[2]!.stdout).toBe('2\n');
  });
});

describe('restart kernel', () => {
  it('empties the namespace and marks every cell that ran stale with its outputs kept; a reader re-runs its definer', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'print x', 'x + 41', 'fail broken', 'z = (', '']);
    await kernel.service.updateCell(owner, nb.notebookId, nb.cellIds[5]!, { code: '' });
    for (const index of [0, 1, 2, 3]) await nb.run(index);
    kernel.events.length = 0;
    await kernel.service.restartKernel(owner, nb.notebookId);
    await kernel.service.whenIdle(owner, nb.notebookId);

    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')).toEqual([{ type: 'kernel_restarted', reason: 'restarted by the user' }]);
    // One cell_status per cell, after kernel_restarted, saying where each cell stands.
    const types = kernel.eventsOf(nb.notebookId).map((e) => e.type);
    expect(types.indexOf('kernel_restarted')).toBeLessThan(types.indexOf('cell_status'));
    expect(kernel.eventsOf(nb.notebookId, 'cell_status').map((e) => e.cellId).sort()).toEqual([...nb.cellIds].sort());
    const state = await nb.state();
    // Ran: stale. Cannot run (syntax error): as it was. Never ran: idle.
    expect(state.map((c) => c.status)).toEqual(['stale', 'stale', 'stale', 'stale', 'error', 'idle']);
    expect(state[1]!.stdout).toBe('1\n');
    expect(state[2]!.text).toBe('42');
    expect(state[3]!.error).toMatch(/broken/);
    // Saved: a reload shows the same.
    expect((await kernel.store.get(owner, nb.notebookId)).cells.map((c) => c.status)).toEqual(['stale', 'stale', 'stale', 'stale', 'error', 'idle']);

    // The values are gone: running the reader alone runs its definer first.
    kernel.events.length = 0;
    await nb.run(1);
    expect(runningOrder(nb.notebookId)).toEqual([nb.cellIds[0], nb.cellIds[1]]);
    expect((await nb.state())[1]!.stdout).toBe('1\n');
  });

  it('stops a run in progress, even a cell deaf to interrupts, and the next run works', async () => {
    const nb = await notebookWith(kernel, owner, ['k = 7', 'spin hard', 'print k']);
    await nb.run(0);
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[1]!);
    await waitUntil(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.cellId === nb.cellIds[1] && e.status === 'running'));
    await kernel.service.restartKernel(owner, nb.notebookId);
    // Without the restart this never settles: the cell spins and the interrupt grace is a minute.
    await kernel.service.whenIdle(owner, nb.notebookId);
    expect((await nb.state()).map((c) => c.status)).toEqual(['stale', 'stale', 'stale']);
    kernel.events.length = 0;
    await nb.run(2);
    expect(runningOrder(nb.notebookId)).toEqual([nb.cellIds[0], nb.cellIds[2]]);
    expect((await nb.state())[2]!.stdout).toBe('7\n');
  });

  it('runs a cell asked for right after the restart, on the new kernel', async () => {
    const nb = await notebookWith(kernel, owner, ['m = 3', 'print m * 2']);
    await nb.run(0);
    await kernel.service.restartKernel(owner, nb.notebookId);
    kernel.events.length = 0;
    await nb.run(1);
    expect(runningOrder(nb.notebookId)).toEqual(nb.cellIds);
    expect((await nb.state())[1]!.stdout).toBe('6\n');
  });
});

describe('clear outputs', () => {
  it('empties every cell\'s stdout and outputs, keeps errors and statuses, saves, and says so', async () => {
    const nb = await notebookWith(kernel, owner, ['n = 2\nprint n', 'n * 21', 'fail oops']);
    for (const index of [0, 1, 2]) await nb.run(index);
    expect((await nb.state())[0]!.stdout).toBe('2\n');
    kernel.events.length = 0;
    await kernel.service.clearOutputs(owner, nb.notebookId);
    const state = await nb.state();
    expect(state.map((c) => [c.status, c.stdout, c.text])).toEqual([['success', '', ''], ['success', '', ''], ['error', '', '']]);
    expect(state[2]!.error).toMatch(/oops/);
    expect(kernel.eventsOf(nb.notebookId).map((e) => e.type)).toEqual(['outputs_cleared']);
    const stored = await kernel.store.get(owner, nb.notebookId);
    expect(stored.cells.map((c) => [c.stdout, c.outputs])).toEqual([['', []], ['', []], ['', []]]);
    // The values are still in the kernel: nothing re-runs upstream.
    kernel.events.length = 0;
    await nb.run(1);
    expect(runningOrder(nb.notebookId)).toEqual([nb.cellIds[1]]);
  });
});
