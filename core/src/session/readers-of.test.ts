/**
 * "Readers of this name, not its definer": a value set from outside any cell
 * (as a widget will, through a runtime call) re-runs the cells that read it,
 * with the fake language in a real kernel process.
 */
import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel();
});
afterAll(() => kernel.close());

const owner = 'wanda';
const CODES = ['t = 1', 'y = t + 1', 'print y', 'z = 5', 'print t * 100'];

interface ReaderCase {
  name: string;
  lazy: boolean;
  /** Names set from outside (each gets the value 10). */
  names: string[];
  /** Cells (by index into CODES) that run, in order. */
  runs: number[];
  /** Cells left stale. */
  stale: number[];
  /** stdout of every cell afterwards. */
  stdout: string[];
}

const cases: ReaderCase[] = [
  { name: 'autorun: the readers and their descendants run, the definer keeps the outside value', lazy: false, names: ['t'], runs: [1, 2, 4], stale: [], stdout: ['', '', '11\n', '', '1000\n'] },
  { name: 'lazy: the readers run, their descendants go stale', lazy: true, names: ['t'], runs: [1, 4], stale: [2], stdout: ['', '', '2\n', '', '1000\n'] },
  { name: 'a name read by nobody runs nothing', lazy: false, names: ['nobody'], runs: [], stale: [], stdout: ['', '', '2\n', '', '100\n'] },
];

describe('runReadersOf', () => {
  it.each(cases)('$name', async (c) => {
    const nb = await notebookWith(kernel, owner, CODES);
    await kernel.service.runAll(owner, nb.notebookId);
    await kernel.service.whenIdle(owner, nb.notebookId);
    await kernel.service.setLazy(owner, nb.notebookId, c.lazy);
    kernel.events.length = 0;

    for (const name of c.names) await kernel.service.callRuntime(owner, nb.notebookId, 'fake', 'set', { name, value: 10 });
    await kernel.service.runReadersOf(owner, nb.notebookId, c.names);
    await kernel.service.whenIdle(owner, nb.notebookId);

    const running = kernel.eventsOf(nb.notebookId, 'cell_status').filter((e) => e.status === 'running').map((e) => nb.cellIds.indexOf(e.cellId));
    expect(running).toEqual(c.runs);
    const state = await nb.state();
    expect(state.map((s, i) => (s.status === 'stale' ? i : -1)).filter((i) => i >= 0)).toEqual(c.stale);
    expect(state.map((s) => s.stdout)).toEqual(c.stdout);
  });

  it('refuses names that are not a list of names', async () => {
    const nb = await notebookWith(kernel, owner, ['t = 1']);
    await expect(kernel.service.runReadersOf(owner, nb.notebookId, 't' as unknown as string[])).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
    await expect(kernel.service.runReadersOf('mallory', nb.notebookId, ['t'])).rejects.toMatchObject({ code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
  });
});
