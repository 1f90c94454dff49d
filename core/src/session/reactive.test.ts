import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel({ manager: { limits: { interruptGraceMs: 500 } } });
});
afterAll(() => kernel.close());

const owner = 'alice';
const runningOrder = (notebookId: string): string[] =>
  kernel.eventsOf(notebookId, 'cell_status').filter((e) => e.status === 'running').map((e) => e.cellId);

describe('reactive execution with the fake language in a real kernel', () => {
  it('runs a chain in order and re-runs the descendants of an edited cell', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 10', 'y = x + 5', 'print y']);
    await nb.run(0);
    expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'success', 'success']);
    expect((await nb.state())[2]!.stdout).toBe('15\n');
    await nb.edit(0, 'x = 20');
    expect((await nb.state()).map((c) => c.status)).toEqual(['stale', 'stale', 'stale']);
    await nb.run(0);
    expect((await nb.state())[2]!.stdout).toBe('25\n');
    expect(runningOrder(nb.notebookId)).toEqual([...nb.cellIds, ...nb.cellIds]);
  });

  it('runs a diamond once per cell, the join last', async () => {
    const nb = await notebookWith(kernel, owner, ['a = 1', 'b = a + 1', 'c = a + 2', 'b + c']);
    await nb.run(0);
    expect(runningOrder(nb.notebookId)).toEqual(nb.cellIds);
    expect((await nb.state())[3]!.text).toBe('5');
  });

  it('leaves an independent branch alone', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'y = 2', 'x + 1', 'y + 1']);
    await nb.run(0);
    await nb.run(1);
    kernel.events.length = 0;
    await nb.run(0);
    expect(runningOrder(nb.notebookId)).toEqual([nb.cellIds[0], nb.cellIds[2]]);
  });

  it('runs missing ancestors first, and only those', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'z = 100', 'y = x + 1', 'y * 2']);
    await nb.run(3);
    expect(runningOrder(nb.notebookId)).toEqual([nb.cellIds[0], nb.cellIds[2], nb.cellIds[3]]);
    expect((await nb.state())[3]!.text).toBe('4');
    kernel.events.length = 0;
    await nb.run(3);
    expect(runningOrder(nb.notebookId)).toEqual([nb.cellIds[3]]);
  });

  it('marks every cell of a cycle blocked with an error naming the cycle, and recovers when it is broken', async () => {
    const nb = await notebookWith(kernel, owner, ['x = y + 1', 'y = x + 1', 'print x']);
    const state = await nb.state();
    expect(state[0]!.status).toBe('blocked');
    expect(state[0]!.error).toMatch(/cycle: cell 1 → cell 2 → cell 1/);
    expect(state[1]!.error).toMatch(/cycle/);
    await nb.run(2);
    expect((await nb.state())[2]!.status).toBe('blocked');
    expect((await nb.state())[2]!.error).toMatch(/upstream cell 1/);
    await nb.edit(0, 'x = 1');
    await nb.run(0);
    expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'success', 'success']);
  });

  it('blocks both cells that define the same name until one is fixed', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'x = 2', 'print x']);
    let state = await nb.state();
    expect(state[0]!.error).toMatch(/`x` is defined in cells 1 and 2/);
    expect(state[1]!.error).toMatch(/`x` is defined in cells 1 and 2/);
    await nb.run(2);
    state = await nb.state();
    expect(state.map((c) => c.status)).toEqual(['blocked', 'blocked', 'blocked']);
    expect(state[2]!.stdout).toBe('');
    await nb.edit(1, 'w = 2');
    await nb.run(2);
    expect((await nb.state())[2]!.stdout).toBe('1\n');
  });

  it('blocks descendants of a failing cell and names it', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1\nfail boom', 'y = x + 1', 'z = 3']);
    await nb.run(0);
    const state = await nb.state();
    expect(state[0]!.status).toBe('error');
    expect(state[0]!.error).toMatch(/boom/);
    expect(state[1]!.status).toBe('blocked');
    expect(state[2]!.status).toBe('idle');
  });

  it('gives a cell with a syntax error an error with its line, and keeps the graph usable', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'y = = 2\n', 'print x']);
    const state = await nb.state();
    expect(state[1]!.status).toBe('error');
    expect(state[1]!.error).toMatch(/line 1/);
    await nb.run(0);
    expect((await nb.state())[2]!.stdout).toBe('1\n');
  });

  it('deletes the names of a deleted cell from the kernel and re-runs its readers', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'print x']);
    await nb.run(0);
    await kernel.service.deleteCell(owner, nb.notebookId, nb.cellIds[0]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const [reader] = await nb.state();
    expect(reader!.status).toBe('error');
    expect(reader!.error).toMatch(/name 'x' is not defined/);
  });

  it('deletes a definition an edit removed, so no stale value survives', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1\ny = 2', 'print y']);
    await nb.run(0);
    await nb.edit(0, 'x = 1');
    await kernel.service.whenIdle(owner, nb.notebookId);
    const state = await nb.state();
    expect(state[1]!.status).toBe('error');
    expect(state[1]!.error).toMatch(/name 'y' is not defined/);
  });

  it('supersedes the queued rest of a cascade with a new edit: no cell runs twice, none on stale inputs', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'sleep 300\ny = x + 1', 'z = y + 1\nprint z']);
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[0]!);
    await new Promise((r) => setTimeout(r, 100));
    await nb.edit(0, 'x = 100');
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[0]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const state = await nb.state();
    expect(state[2]!.stdout).toBe('102\n');
    const runs = runningOrder(nb.notebookId).filter((id) => id === nb.cellIds[2]);
    expect(runs).toHaveLength(1);
  });

  it('runs two notebooks independently', async () => {
    const slow = await notebookWith(kernel, owner, ['sleep 400\nx = 1']);
    const fast = await notebookWith(kernel, 'bob', ['y = 2', 'print y']);
    const slowRun = slow.run(0);
    const started = Date.now();
    await fast.run(0);
    const fastDone = Date.now() - started;
    await slowRun;
    expect((await fast.state())[1]!.stdout).toBe('2\n');
    expect((await slow.state())[0]!.status).toBe('success');
    // Not a timing assertion on speed: the fast notebook must not have waited for the slow one's 400 ms sleep.
    expect(fastDone).toBeLessThan(400 + 5000);
  });

  it('in lazy mode marks descendants stale instead of running them', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'y = x + 1', 'print y']);
    await kernel.service.setLazy(owner, nb.notebookId, true);
    await nb.run(0);
    expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'idle', 'idle']);
    await nb.run(2);
    expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'success', 'success']);
    await nb.edit(0, 'x = 5');
    await nb.run(0);
    expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'stale', 'stale']);
    await nb.run(2);
    expect((await nb.state())[2]!.stdout).toBe('6\n');
  });

  it('after a kernel crash tells the notebook, marks its cells stale and re-runs needed ancestors on the next run', async () => {
    const nb = await notebookWith(kernel, 'carol', ['x = 41', 'y = x + 1', 'print y', 'attack exit']);
    await nb.run(0);
    await nb.run(3);
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted').length).toBe(1);
    expect((await nb.state()).slice(0, 3).map((c) => c.status)).toEqual(['stale', 'stale', 'stale']);
    kernel.events.length = 0;
    await nb.run(2);
    expect((await nb.state())[2]!.stdout).toBe('42\n');
    expect(runningOrder(nb.notebookId)).toEqual(nb.cellIds.slice(0, 3));
  });

  it('interrupts a spinning cell, and replaces a worker that ignores the interrupt', async () => {
    for (const code of ['spin', 'spin hard']) {
      const nb = await notebookWith(kernel, owner, [code, 'x = 1']);
      const run = nb.run(0);
      await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.status === 'running'));
      await kernel.service.interrupt(owner, nb.notebookId);
      await run;
      const state = await nb.state();
      expect(state[0]!.status).toBe('error');
      expect(state[0]!.error).toMatch(code === 'spin' ? /KeyboardInterrupt|interrupted/ : /restarted/);
      await nb.run(1);
      expect((await nb.state())[1]!.status).toBe('success');
    }
  });

  it('stops a runtime that never returns when the cell time limit passes, and the kernel lives on', async () => {
    const limited = await createTestKernel({ manager: { limits: { cellTimeoutMs: 300, interruptGraceMs: 300 } } });
    try {
      const nb = await notebookWith(limited, owner, ['hang', 'x = 1\nprint x']);
      await nb.run(0);
      expect((await nb.state())[0]!.status).toBe('error');
      await nb.run(1);
      expect((await nb.state())[1]!.stdout).toBe('1\n');
    } finally {
      await limited.close();
    }
  });

  it('caps a flood of output and says so', async () => {
    const nb = await notebookWith(kernel, owner, ['flood 200000']);
    await nb.run(0);
    const [cell] = await nb.state();
    expect(cell!.status).toBe('success');
    expect(cell!.stdout.length).toBeLessThan(300 * 1024);
    expect(cell!.stdout).toMatch(/output truncated/);
  });

  it('handles unknown ids and an unknown cell type with typed errors', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1']);
    await expect(kernel.service.runCell(owner, nb.notebookId, 'nope')).rejects.toMatchObject({ code: 'RNB_ERR_CELL_NOT_FOUND', status: 404 });
    await expect(kernel.service.getNotebook(owner, 'missing')).rejects.toMatchObject({ status: 404 });
    await expect(kernel.service.getNotebook('mallory', nb.notebookId)).rejects.toMatchObject({ status: 404 });
    await expect(kernel.service.createCell(owner, nb.notebookId, { type: 'cobol' })).rejects.toMatchObject({ code: 'RNB_ERR_UNKNOWN_LANGUAGE' });
    await expect(kernel.service.updateCell(owner, nb.notebookId, nb.cellIds[0]!, { code: 'x = 2', expectedRevision: 0 })).rejects.toMatchObject({ status: 409 });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('marimo runtime scenarios, by hand in the fake language', () => {
  it('test_triangle: edits re-run the triangle; deleting a definer leaves its reader with a NameError and no value', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 1', 'y = x + 1', 'z = x + y', 'print z']);
    await nb.run(0);
    expect((await nb.state())[3]!.stdout).toBe('3\n');
    await nb.edit(0, 'x = 2');
    await nb.run(0);
    expect((await nb.state())[3]!.stdout).toBe('5\n');
    await nb.edit(1, 'y = 0');
    await nb.run(1);
    expect((await nb.state())[3]!.stdout).toBe('2\n');
    await kernel.service.deleteCell(owner, nb.notebookId, nb.cellIds[1]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const state = await nb.state();
    expect(state[1]!.error).toMatch(/name 'y' is not defined/);
    expect(state[2]!.status).toBe('blocked');
  });

  it('test_cell_state_invalidated: a cell that fails takes its old values with it, and its readers are blocked', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 0', 'y = x + 1', 'print y']);
    await nb.run(0);
    await nb.edit(0, 'x = 0\nfail RuntimeError');
    await nb.run(0);
    const probe = await kernel.service.createCell(owner, nb.notebookId, { type: 'fake', code: 'print y' });
    // The probe reads y: it runs the (blocked) ancestors first, so y is absent rather than stale.
    await kernel.service.runCell(owner, nb.notebookId, probe.id);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const state = await nb.state();
    expect(state[1]!.status).toBe('blocked');
    expect(state.find((c, i) => i === 3)!.stdout).toBe('');
  });

  it('test_clear_multiple_definition_error_with_delete: deleting one of two definers frees the other', async () => {
    const nb = await notebookWith(kernel, owner, ['x = 0', 'x = 1', 'print x']);
    await nb.run(2);
    expect((await nb.state())[2]!.status).toBe('blocked');
    await kernel.service.deleteCell(owner, nb.notebookId, nb.cellIds[1]!);
    await nb.run(2);
    const state = await nb.state();
    expect(state.map((c) => c.status)).toEqual(['success', 'success']);
    expect(state[1]!.stdout).toBe('0\n');
  });
});

describe('weak references', () => {
  it('make an edge only when a cell defines the name', async () => {
    const base = (await import('../testing/fake-language')).fakeLanguage();
    const weak = { ...base, analyse: (code: string) => ({ ...base.analyse(code), weakReferences: code.includes('print') ? ['len'] : [] }) };
    const k = await createTestKernel({ languages: [weak] });
    try {
      const nb = await notebookWith(k, 'w', ['print 1', 'len = 3']);
      expect((await nb.state()).map((c) => c.status)).toEqual(['idle', 'idle']);
      await nb.run(1);
      // Cell 1 "reads" len weakly: now that cell 2 defines len, it is a descendant and runs.
      expect((await nb.state()).map((c) => c.status)).toEqual(['success', 'success']);
      const view = await k.service.getNotebook('w', nb.notebookId);
      expect(view.cells[0]!.reads).toEqual([]);
    } finally {
      await k.close();
    }
  });
});

describe('cell edits', () => {
  it('changes a cell type in place and inserts at a given index', async () => {
    const other = { ...(await import('../testing/fake-language')).fakeLanguage('other') };
    const k = await createTestKernel({ languages: [(await import('../testing/fake-language')).fakeLanguage(), other] });
    try {
      const nb = await notebookWith(k, 'e', ['x = 1', 'y = x + 1']);
      const updated = await k.service.updateCell('e', nb.notebookId, nb.cellIds[1]!, { code: 'y = x + 2', type: 'other' });
      expect(updated).toMatchObject({ id: nb.cellIds[1], type: 'other', reads: ['x'], writes: ['y'] });
      expect(k.eventsOf(nb.notebookId, 'cell_updated').at(-1)).toMatchObject({ cell_type: 'other' });
      const first = await k.service.createCell('e', nb.notebookId, { type: 'fake', code: 'z = 0', index: 0 });
      expect((await k.service.getNotebook('e', nb.notebookId)).cells.map((c) => c.id)).toEqual([first.id, ...nb.cellIds]);
      await expect(k.service.createCell('e', nb.notebookId, { type: 'fake', index: 99 })).rejects.toMatchObject({ status: 400 });
      await expect(k.service.updateCell('e', nb.notebookId, first.id, { code: '', type: 'cobol' })).rejects.toMatchObject({ code: 'RNB_ERR_UNKNOWN_LANGUAGE' });
    } finally {
      await k.close();
    }
  });
});
