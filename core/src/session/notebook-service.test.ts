import { MemoryNotebookStore } from '../storage/memory-store';
import { createTestKernel, type TestKernel } from '../testing';

/**
 * Issue 19, item 6: another user naming a notebook that is not loaded yet must not make its
 * owner's own open fail. Both opens start before either load finishes (as two requests
 * arriving together do, 3 times in 10 over HTTP); here the stranger's always comes first.
 */
const store = new MemoryNotebookStore();
let first: TestKernel;
let second: TestKernel;
beforeAll(async () => {
  first = await createTestKernel({ store });
  second = await createTestKernel({ store });
});
afterAll(async () => {
  await first.close();
  await second.close();
});

it("opens the owner's notebook even when a stranger's open of it is loading at the same moment", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await first.service.createNotebook('owner', { name: `private ${i}` })).id);
  // `second` has loaded none of them: each open loads from storage.
  for (const id of ids) {
    const stranger = second.service.getNotebook('stranger', id);
    const owner = second.service.getNotebook('owner', id);
    await expect(stranger).rejects.toMatchObject({ status: 404 });
    await expect(owner).resolves.toMatchObject({ id, name: expect.stringMatching(/^private /) });
  }
  // And the other way round: the owner's load does not hand the stranger the notebook.
  const id = (await first.service.createNotebook('owner')).id;
  const ownerFirst = first.service.getNotebook('owner', id);
  const strangerAfter = first.service.getNotebook('stranger', id);
  await expect(ownerFirst).resolves.toMatchObject({ id });
  await expect(strangerAfter).rejects.toMatchObject({ status: 404 });
});
