/**
 * Issue 19, item 2, with real kernel processes through core: one user spinning
 * cells never starves another, and a cell past the time limit is stopped with
 * a message that says so. (The policy itself: fair-share.test.ts.)
 */
import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith, type Fixture } from '../testing/notebook-fixture';

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a cell without waiting for it; resolves once the cell runs or has failed to. */
async function startSpinning(kernel: TestKernel, owner: string): Promise<Fixture & { status(): Promise<string>; error(): Promise<string | null> }> {
  const nb = await notebookWith(kernel, owner, ['spin']);
  await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[0]!);
  const status = async (): Promise<string> => (await nb.state())[0]!.status;
  await waitFor(async () => ['running', 'error'].includes(await status()));
  return { ...nb, status, error: async () => (await nb.state())[0]!.error };
}

describe('a fair share of kernels per user, with real kernels', () => {
  let kernel: TestKernel;
  afterEach(() => kernel?.close());

  it('the issue: B spins as many cells as it may; A keeps its kernel and values, and its trivial cell answers while B still spins', async () => {
    kernel = await createTestKernel({ manager: { maxSessions: 3 } });
    const a = await notebookWith(kernel, 'ann', ['x = 1', 'print x']);
    await a.run(0);

    // B asks for three kernels: two are its share of what is free; the third is refused as busy, not taken from A.
    const spinning = [await startSpinning(kernel, 'bob'), await startSpinning(kernel, 'bob')];
    const refused = await startSpinning(kernel, 'bob');
    expect(await refused.status()).toBe('error');
    expect(await refused.error()).toMatch(/shared by 2 users; your 2 \(your fair share is 1\) are all busy/);

    await a.run(1);
    const [, printed] = await a.state();
    expect(printed).toMatchObject({ status: 'success', stdout: '1\n' });
    expect(kernel.eventsOf(a.notebookId, 'kernel_restarted')).toEqual([]);
    // A answered while B's cells were still spinning: it did not wait for them.
    for (const b of spinning) expect(await b.status()).toBe('running');
    for (const b of spinning) await kernel.service.interrupt('bob', b.notebookId);
  });

  it("a user under their share gets a kernel from the user over theirs, even a running one, and is told nothing's busy", async () => {
    kernel = await createTestKernel({ manager: { maxSessions: 3 } });
    // Alone on the server, B may use every kernel.
    const spinning = [await startSpinning(kernel, 'bob'), await startSpinning(kernel, 'bob'), await startSpinning(kernel, 'bob')];
    for (const b of spinning) expect(await b.status()).toBe('running');

    const a = await notebookWith(kernel, 'ann', ['x = 2', 'print x']);
    await a.run(0);
    const state = await a.state();
    expect(state[1]).toMatchObject({ status: 'success', stdout: '2\n' });

    // B's least recently used kernel made room, with a reason that names the fair share; its other two still spin.
    const statuses = await Promise.all(spinning.map((b) => b.status()));
    expect([...statuses].sort()).toEqual(['error', 'running', 'running']);
    const errors = await Promise.all(spinning.map((b) => b.error()));
    expect(errors[statuses.indexOf('error')]).toBe(
      'The kernel stopped while this cell ran: the kernel was shut down while it ran to give another user their fair share of this server: you held 3 of its 3 notebook kernels, over your share of 1',
    );
    for (const b of spinning) await kernel.service.interrupt('bob', b.notebookId);
  });

  it('stops a cell at the time limit with a message naming the limit and how to change it, then the notebook runs on', async () => {
    const advice = 'The server setting CELL_TIME_LIMIT_SECONDS changes it.';
    kernel = await createTestKernel({ manager: { limits: { cellTimeoutMs: 300, interruptGraceMs: 300 }, cellTimeLimitAdvice: advice } });
    const nb = await notebookWith(kernel, 'ann', ['spin', 'spin hard', 'x = 1\nprint x']);

    await nb.run(0);
    const [stopped] = await nb.state();
    expect(stopped!.status).toBe('error');
    expect(stopped!.error).toMatch(/^This cell ran longer than the cell time limit of 0\.3 s and was stopped\. The server setting CELL_TIME_LIMIT_SECONDS changes it\.\n\n.*interrupted/);
    // Stored with its kind: the session never reads the kind back from the text.
    const storedKinds = async (): Promise<(string | undefined)[]> => (await kernel.store.get('ann', nb.notebookId)).cells.map((c) => c.errorDetail?.kind);
    expect((await storedKinds())[0]).toBe('time-limit');

    await nb.run(1);
    const deaf = (await nb.state())[1]!;
    expect(deaf.status).toBe('error');
    expect(deaf.error).toBe(
      `This cell ran longer than the cell time limit of 0.3 s and did not stop when interrupted, so its kernel was restarted: the notebook's values were lost. ${advice}`,
    );
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted').at(-1)!.reason).toMatch(/cell time limit of 0\.3 s/);
    expect((await storedKinds())[1]).toBe('time-limit');

    await nb.run(2);
    expect((await nb.state())[2]).toMatchObject({ status: 'success', stdout: '1\n' });
  });
});
