import { MemoryNotebookStore } from '../storage/memory-store';
import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

/**
 * Each cell says when it last ran and how long that took (`last_run_at`, `duration_ms`): on the
 * event that ends the run, on the cell, and after the notebook is loaded again. The fake language
 * in a real kernel process.
 */
let kernel: TestKernel;
const store = new MemoryNotebookStore();
beforeAll(async () => {
  kernel = await createTestKernel({ store });
});
afterAll(() => kernel.close());

const owner = 'run-timing';

describe('when a cell last ran and how long it took', () => {
  it('comes with the status that ends a run, success or error, and stays on the cell', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'print missing_name']);
    const before = Date.now();
    await nb.run(0);
    await nb.run(1);
    const ends = kernel.eventsOf(nb.notebookId, 'cell_status').filter((e) => e.status === 'success' || e.status === 'error');
    expect(ends.map((e) => [e.cellId, e.status])).toEqual([[nb.cellIds[0], 'success'], [nb.cellIds[1], 'error']]);
    for (const end of ends) {
      expect(Date.parse(end.last_run_at!)).toBeGreaterThanOrEqual(before - 1000);
      expect(end.duration_ms).toBeGreaterThanOrEqual(0);
    }
    const cells = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
    expect(cells.map((c) => [c.last_run_at, c.duration_ms])).toEqual(ends.map((e) => [e.last_run_at, e.duration_ms]));
    // Queued and running say nothing about timing.
    expect(kernel.eventsOf(nb.notebookId, 'cell_status').filter((e) => e.status === 'running').every((e) => e.last_run_at === undefined)).toBe(true);
  });

  it('is kept when the notebook is loaded again, and absent for a cell that never ran', async () => {
    const nb = await notebookWith(kernel, owner, ['y = 2', 'z = 3']);
    await nb.run(0);
    const ran = (await kernel.service.getNotebook(owner, nb.notebookId)).cells[0]!;
    await kernel.service.whenIdle(owner, nb.notebookId);
    await new Promise((resolve) => setTimeout(resolve, 300)); // results are saved within 100 ms
    const again = await createTestKernel({ store });
    try {
      const cells = (await again.service.getNotebook(owner, nb.notebookId)).cells;
      expect(cells[0]).toMatchObject({ last_run_at: ran.last_run_at, duration_ms: ran.duration_ms });
      expect(cells[1]!.last_run_at ?? null).toBeNull();
    } finally {
      await again.close();
    }
  });
});
