/**
 * Plans sent ahead to CPython (LanguageRuntime.runAhead): a chain of native cells is one request, run without a round
 * trip to the kernel's worker per cell, with the kernel's semantics kept (blocked cells, interrupts, each cell's output
 * on its own cell). Real bubblewrap and Debian's python3; needs the built runtime (npm run build:ts).
 */
import * as fs from 'node:fs';
import { createTestKernel, describeNeeding, notebookWith, type TestKernel } from '@rnb/core/testing';
import { nativePythonLanguage } from './native-language';
import { driverPids, NATIVE_PYTHON, nativeMissing, waitFor } from './testing/native-env';

const owner = 'ahead';

/** Read system calls a process made so far (all its threads), from /proc/<pid>/io. */
function readCalls(pid: number): number {
  const match = /^syscr:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
  if (!match) throw new Error(`no syscr in /proc/${pid}/io`);
  return Number(match[1]);
}

describeNeeding('plans sent ahead to native CPython', nativeMissing(), () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON });
    kernel = await createTestKernel({ languages: [native.definition], manager: { limits: { interruptGraceMs: 2000 } } });
  }, 60_000);
  afterAll(async () => kernel?.close());

  const python = (codes: string[]) => notebookWith(kernel, owner, codes, 'python');
  const cellsOf = async (notebookId: string) => (await kernel.service.getNotebook(owner, notebookId)).cells;

  it('runs a chain of 40 cells as one request: CPython reads its stdin a few times, not once or twice a cell', async () => {
    const before = new Set(driverPids());
    const nb = await python(Array.from({ length: 40 }, (_, i) => (i === 0 ? 'x0 = 0' : `x${i} = x${i - 1} + 1`)));
    await nb.run(0);
    // The notebook's CPython and the warm spare worker's: their reads together.
    const drivers = driverPids().filter((pid) => !before.has(pid));
    expect(drivers.length).toBeGreaterThan(0);
    const reads = () => drivers.reduce((sum, pid) => sum + readCalls(pid), 0);
    // The spare's CPython may still be starting (importing, so reading files) on a busy machine: wait until both are quiet.
    let readsBefore = reads();
    for (let settled = 0, tries = 0; settled < 3 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const now = reads();
      settled = now === readsBefore ? settled + 1 : 0;
      readsBefore = now;
    }
    await nb.run(0);
    const cells = await cellsOf(nb.notebookId);
    expect(cells.every((cell) => cell.status === 'success')).toBe(true);
    expect(cells[39]!.outputs).toEqual([]);
    // The plan, then the variable explorer's question after it (and a wake-up or two of the output threads).
    expect(reads() - readsBefore).toBeLessThan(10);
  }, 60_000);

  it('blocks what depends on a failed cell, runs the rest, drops blocked names and keeps each output on its cell', async () => {
    const nb = await python(['a = 1\nprint("a")', 'print("b")\nb = a + 1', 'c = b + 1\nprint("c")', 'd = a + 10\nprint("d", d)\nd', 'e = d * 2\nprint(globals().get("c"), e)']);
    await nb.run(0);
    expect((await cellsOf(nb.notebookId)).map((cell) => cell.status)).toEqual(['success', 'success', 'success', 'success', 'success']);
    await nb.edit(1, 'print("b")\nb = a / 0');
    await nb.run(0);
    const cells = await cellsOf(nb.notebookId);
    expect(cells.map((cell) => cell.status)).toEqual(['success', 'error', 'blocked', 'success', 'success']);
    expect([0, 1, 3, 4].map((index) => cells[index]!.stdout)).toEqual(['a\n', 'b\n', 'd 11\n', 'None 22\n']);
    expect(cells[1]!.error).toMatch(/ZeroDivisionError/);
    expect(cells[3]!.outputs).toEqual([{ mime_type: 'text/plain', data: '11' }]);
  }, 60_000);

  it('interrupts the cell running inside a plan: its dependents are blocked, the others run, the values stay', async () => {
    const nb = await python(['k = 1', 'import time\nx = k\nwhile True: time.sleep(0.01)', 'y = x + 1', 'z = k + 1\nprint(z)']);
    const run = nb.run(0);
    await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.cellId === nb.cellIds[1] && e.status === 'running'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await kernel.service.interrupt(owner, nb.notebookId);
    await run;
    const cells = await cellsOf(nb.notebookId);
    expect(cells.map((cell) => cell.status)).toEqual(['success', 'error', 'blocked', 'success']);
    expect(cells[1]!.error).toMatch(/KeyboardInterrupt/);
    expect(cells[3]!.stdout).toBe('2\n');
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')).toHaveLength(0);
  }, 60_000);
});
