import { MemoryNotebookStore } from '../storage/memory-store';
import { createTestKernel, type TestKernel } from '../testing';

/** Two "instances" (services with their own kernels) over one store, as in cluster mode. */
let a: TestKernel;
let b: TestKernel;
const store = new MemoryNotebookStore();
beforeAll(async () => {
  a = await createTestKernel({ store });
  b = await createTestKernel({ store });
});
afterAll(async () => {
  await a.close();
  await b.close();
});

it('fences the old owner once another instance takes the notebook over', async () => {
  const view = await a.service.createNotebook('u');
  const cellId = view.cells[0]!.id;
  await a.service.updateCell('u', view.id, cellId, { code: 'x = 1\nprint x' });
  await a.service.runCell('u', view.id, cellId);
  await a.service.whenIdle('u', view.id);

  await b.service.takeOver('u', view.id, 'the previous owner stopped responding');
  expect(b.eventsOf(view.id, 'kernel_restarted')).toEqual([{ type: 'kernel_restarted', reason: 'the previous owner stopped responding' }]);
  const taken = await b.service.getNotebook('u', view.id);
  expect(taken.cells[0]!.status).toBe('stale');
  expect(taken.cells[0]!.stdout).toBe('1\n');
  await b.service.updateCell('u', view.id, cellId, { code: 'x = 2\nprint x' });
  await b.service.runCell('u', view.id, cellId);
  await b.service.whenIdle('u', view.id);

  // The old owner still believes it owns the notebook: its write is refused and it lets go.
  await expect(a.service.updateCell('u', view.id, cellId, { code: 'x = 999' })).rejects.toMatchObject({ status: 409 });
  expect(a.service.openNotebooks()).not.toContain(view.id);
  const stored = await store.get('u', view.id);
  expect(stored.cells[0]!.code).toBe('x = 2\nprint x');
  expect(stored.cells[0]!.stdout).toBe('2\n');
});

it('releases a notebook nobody used, and brings it back from storage on next use', async () => {
  const released: string[] = [];
  const { NotebookService } = await import('./notebook-service');
  const service = new NotebookService({ store, languages: (a.service as unknown as { options: { languages: never } }).options.languages, kernels: a.manager, idleReleaseMs: 0, onReleased: (id) => released.push(id) });
  const view = await service.createNotebook('idle');
  await service.updateCell('idle', view.id, view.cells[0]!.id, { code: 'x = 7\nprint x' });
  await service.runCell('idle', view.id, view.cells[0]!.id);
  await service.whenIdle('idle', view.id);
  expect(await service.releaseIdle(0)).toEqual([view.id]);
  expect(released).toEqual([view.id]);
  expect(service.openNotebooks()).toEqual([]);
  const back = await service.getNotebook('idle', view.id);
  expect(back.cells[0]).toMatchObject({ status: 'stale', stdout: '7\n' });
  await service.close();
});
