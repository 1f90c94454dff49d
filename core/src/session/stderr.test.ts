/** stderr kept apart from stdout, from the kernel's worker to the stored notebook (fake language, real kernel). */
import { MemoryNotebookStore } from '../storage/memory-store';
import { normalizeDocument } from '../storage/validation';
import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

const owner = 'erin';
const store = new MemoryNotebookStore();
let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel({ store });
});
afterAll(() => kernel.close());

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (ok(value) || attempt >= 100) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('stderr', () => {
  it('arrives as stream "stderr", in the order written, and is stored in cell.stderr apart from stdout', async () => {
    const nb = await notebookWith(kernel, owner, ['print "one"\nwarn "careful"\nprint "two"']);
    await nb.run(0);
    const [cell] = await nb.state();
    expect(cell).toMatchObject({ status: 'success', stdout: 'one\ntwo\n', stderr: 'careful\n' });
    const streamed = kernel.eventsOf(nb.notebookId, 'cell_stdout').map((e) => [e.stream, e.data]);
    expect(streamed).toEqual([['stdout', 'one\n'], ['stderr', 'careful\n'], ['stdout', 'two\n']]);
    const stored = await eventually(() => store.get(owner, nb.notebookId), (doc) => doc.cells[0]!.stderr !== '');
    expect(stored.cells[0]).toMatchObject({ stdout: 'one\ntwo\n', stderr: 'careful\n' });
  });

  it('starts empty again when the cell re-runs', async () => {
    const nb = await notebookWith(kernel, owner, ['warn "first run"']);
    await nb.run(0);
    expect((await nb.state())[0]!.stderr).toBe('first run\n');
    await nb.edit(0, 'print "quiet"');
    await nb.run(0);
    expect((await nb.state())[0]).toMatchObject({ stdout: 'quiet\n', stderr: '' });
  });

  it('counts stdout and stderr together against the per-cell cap', async () => {
    const limited = await createTestKernel({ manager: { limits: { maxStdoutBytesPerCell: 100 } } });
    try {
      const line = 'x'.repeat(59);
      const nb = await notebookWith(limited, owner, [`print "${line}"\nwarn "${line}"\nprint "${line}"`]);
      await nb.run(0);
      const [cell] = await nb.state();
      expect(cell!.stdout).toBe(`${line}\n`);
      // 60 characters of stdout leave 40 for stderr; the rest is dropped, and the note says so where it happened.
      expect(cell!.stderr).toBe(`${'x'.repeat(40)}\n[output truncated: 80 more characters were not kept; a cell keeps the first 100]\n`);
    } finally {
      await limited.close();
    }
  });

  it('reads a cell stored before stderr existed as having none', () => {
    const old = { id: 'n', owner, name: 'old', settings: {}, lazy: false, revision: 3, createdAt: '', updatedAt: '',
      cells: [{ id: 'c', type: 'fake', code: 'print 1', status: 'success', stdout: '1\n', outputs: [], error: null, reads: [], writes: [] }] };
    expect(normalizeDocument(old).cells[0]!.stderr).toBe('');
    expect(() => normalizeDocument({ ...old, cells: [{ ...old.cells[0], stderr: 7 }] })).toThrow(/stderr must be a string/);
  });
});
