import { EditConflictError } from '../errors';
import { createTestKernel, type TestKernel } from '../testing';

/** Cell edits based on old code, and cells created with a client-chosen id. */
let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel();
});
afterAll(async () => {
  await kernel.close();
});

it('refuses an edit whose base the cell no longer holds: nothing changes, no event, the current code in the error', async () => {
  const { service } = kernel;
  const view = await service.createNotebook('u');
  const cellId = view.cells[0]!.id;
  await service.updateCell('u', view.id, cellId, { code: 'x = 1', baseCode: '' });
  const updatesBefore = kernel.eventsOf(view.id, 'cell_updated').length;
  const refused = service.updateCell('u', view.id, cellId, { code: 'x = 2', baseCode: '' });
  await expect(refused).rejects.toBeInstanceOf(EditConflictError);
  await expect(refused).rejects.toMatchObject({ status: 409, code: 'RNB_ERR_EDIT_CONFLICT', currentCode: 'x = 1', details: { current_code: 'x = 1' } });
  expect(kernel.eventsOf(view.id, 'cell_updated')).toHaveLength(updatesBefore);
  expect((await service.getNotebook('u', view.id)).cells[0]!.code).toBe('x = 1');
  // Its own code again, or built on what is there: accepted.
  await service.updateCell('u', view.id, cellId, { code: 'x = 1', baseCode: '' });
  await service.updateCell('u', view.id, cellId, { code: 'x = 3', baseCode: 'x = 1' });
  expect((await service.getNotebook('u', view.id)).cells[0]!.code).toBe('x = 3');
  // The notebook stays usable (a conflict is not the fencing ConflictError).
  expect(service.openNotebooks()).toContain(view.id);
});

it('creates a cell with the id the client chose, refuses one that is taken or not a UUID, and reuses a deleted one', async () => {
  const { service } = kernel;
  const view = await service.createNotebook('u');
  const id = '0b6c2f3e-8a1d-4e5f-9a7b-1c2d3e4f5a6b';
  const cell = await service.createCell('u', view.id, { type: 'fake', code: 'y = 1', id, index: 0 });
  expect(cell.id).toBe(id);
  expect(kernel.eventsOf(view.id, 'cell_created').at(-1)).toMatchObject({ cell: { id }, index: 0 });
  await expect(service.createCell('u', view.id, { type: 'fake', id })).rejects.toMatchObject({ status: 409, code: 'RNB_ERR_CELL_EXISTS' });
  await expect(service.createCell('u', view.id, { type: 'fake', id: 'cell-1' })).rejects.toMatchObject({ status: 400, code: 'RNB_ERR_INVALID_INPUT' });
  await service.deleteCell('u', view.id, id);
  expect((await service.createCell('u', view.id, { type: 'fake', id })).id).toBe(id);
});
