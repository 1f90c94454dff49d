/**
 * The native runtime through core's notebook service and sandboxed kernel
 * process, with real bubblewrap and Debian's python3 (numpy, pandas,
 * matplotlib). Needs the built runtime (npm run build:ts).
 */
import { createTestKernel, describeNeeding, notebookWith, type TestKernel } from '@rnb/core/testing';
import { nativePythonLanguage } from './native-language';
import { driverPids, NATIVE_PYTHON, nativeMissing, waitFor } from './testing/native-env';

const owner = 'pat';

describeNeeding('the native Python runtime', nativeMissing(), () => {
  let kernel: TestKernel;
  const logs: string[] = [];
  beforeAll(async () => {
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON });
    expect(native.missing).toEqual([]);
    kernel = await createTestKernel({ languages: [native.definition], manager: { limits: { interruptGraceMs: 1000 }, log: (_level, message) => logs.push(message) } });
  }, 60_000);
  afterAll(async () => kernel?.close());

  const python = (codes: string[]) => notebookWith(kernel, owner, codes, 'python');
  const cellOf = async (notebookId: string, index: number) => (await kernel.service.getNotebook(owner, notebookId)).cells[index]!;

  it('runs a chain reactively in CPython inside the sandbox, and re-runs it when x changes', async () => {
    const nb = await python(['x = 1', 'y = x + 1', 'import sys, os\nprint(y, sys.implementation.name, os.getuid())\ny * 10']);
    await nb.run(0);
    let last = await cellOf(nb.notebookId, 2);
    expect(last.status).toBe('success');
    expect(last.stdout).toBe('2 cpython 65534\n');
    expect(last.outputs).toEqual([{ mime_type: 'text/plain', data: '20' }]);
    await nb.edit(0, 'x = 41');
    await nb.run(0);
    last = await cellOf(nb.notebookId, 2);
    expect(last.stdout).toBe('42 cpython 65534\n');
    expect(logs.some((line) => line.includes('native CPython ready') && line.includes('seccomp filter on'))).toBe(true);
    // Where the start's time went, for operators and bench/native-start.js.
    expect(logs.some((line) => /native CPython ready .*spawn \d+ ms, ready after \d+ ms, runner loaded after \d+ ms/.test(line))).toBe(true);
  });

  it("keeps the cells' globals apart from the driver's", async () => {
    const nb = await python(['import time, json, sys\njson = None\nsys = None\nprint(sorted(n for n in globals() if not n.startswith("__")))', 'print("still", time.time() > 0)']);
    await nb.run(0);
    await nb.run(1);
    const [first, second] = await nb.state();
    expect(first!.stdout).toBe("['json', 'sys', 'time']\n");
    expect(second!.stdout).toBe('still True\n');
  });

  it('keeps stderr apart from stdout, including raw writes to file descriptors 1 and 2', async () => {
    const nb = await python(['import sys, os\nprint("out")\nprint("err", file=sys.stderr)\nsys.stdout.flush(); sys.stderr.flush()\nos.write(1, b"raw out\\n")\nos.write(2, b"raw err\\n")\nimport time; time.sleep(0.05)']);
    await nb.run(0);
    const [cell] = await nb.state();
    expect(cell!.stdout).toBe('out\nraw out\n');
    expect(cell!.stderr).toBe('err\nraw err\n');
  });

  it('shows a pandas DataFrame and a list of dicts as tables, and a matplotlib figure as a PNG without plt.show()', async () => {
    const nb = await python([
      'import pandas as pd\ndf = pd.DataFrame({"city": ["Oslo", "Lima"], "people": [709000, 10000000]})\ndf',
      '[{"a": 1, "b": "x"}, {"a": 2, "b": None}]',
      'import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2])\nplt.title("t");',
    ]);
    for (const index of [0, 1, 2]) await nb.run(index);
    const [frame, records, plot] = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
    expect(frame!.outputs).toEqual([expect.objectContaining({ mime_type: 'application/vnd.notebook.table+json', data: { type: 'table', columns: ['city', 'people'], rows: [['Oslo', 709000], ['Lima', 10000000]] } })]);
    expect(records!.outputs).toEqual([{
      mime_type: 'application/vnd.notebook.table+json',
      data: { type: 'table', columns: ['a', 'b'], rows: [[1, 'x'], [2, null]] },
      metadata: { column_stats: [{ type: 'int', nulls: 0, min: 1, max: 2 }, { type: 'str', nulls: 1, distinct: 1, top: [['x', 1]] }] },
    }]);
    expect(plot!.status).toBe('success');
    expect(plot!.outputs.map((o) => o.mime_type)).toEqual(['image/png']);
    expect(Buffer.from(String(plot!.outputs[0]!.data), 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(plot!.stderr).toBe('');
  });

  it('fails with a traceback trimmed to the cell, naming it', async () => {
    const nb = await python(['def f():\n    return 1 / 0\n\nf()']);
    await nb.run(0);
    const cell = await cellOf(nb.notebookId, 0);
    expect(cell.status).toBe('error');
    expect(cell.error).toContain(`File "<cell ${nb.cellIds[0]}>", line 2, in f`);
    expect(cell.error).toMatch(/ZeroDivisionError: division by zero/);
    expect(cell.error).not.toContain('native_driver');
    expect(cell.error).not.toContain('rnb runner');
  });

  it('says where modules come from when one is missing', async () => {
    const nb = await python(['import surely_not_installed_here']);
    await nb.run(0);
    const cell = await cellOf(nb.notebookId, 0);
    expect(cell.error).toMatch(/ModuleNotFoundError: No module named 'surely_not_installed_here'/);
    expect(cell.error).toMatch(/Ask the administrator to install the package/);
  });

  it("forgets a deleted cell's names", async () => {
    const nb = await python(['gone = 5', 'print(globals().get("gone"))']);
    await nb.run(0);
    await nb.run(1);
    expect((await cellOf(nb.notebookId, 1)).stdout).toBe('5\n');
    await kernel.service.deleteCell(owner, nb.notebookId, nb.cellIds[0]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[1]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    const cells = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
    expect(cells[0]!.stdout).toBe('None\n');
  });

  it('interrupts a busy loop and a sleep with KeyboardInterrupt, keeping the values', async () => {
    const nb = await python(['kept = 7', 'while True: pass', 'import time\ntime.sleep(100)', 'print(kept)']);
    await nb.run(0);
    for (const index of [1, 2]) {
      const run = nb.run(index);
      await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.cellId === nb.cellIds[index] && e.status === 'running'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await kernel.service.interrupt(owner, nb.notebookId);
      await run;
      const cell = await cellOf(nb.notebookId, index);
      expect(cell.status).toBe('error');
      expect(cell.error).toMatch(/KeyboardInterrupt/);
    }
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')).toHaveLength(0);
    await nb.run(3);
    expect((await cellOf(nb.notebookId, 3)).stdout).toBe('7\n');
  });

  it('replaces a process that ignores the interrupt, and says the values were lost', async () => {
    const nb = await python(['kept = 1', 'import time\nwhile True:\n    try:\n        time.sleep(10)\n    except KeyboardInterrupt:\n        pass', 'print(globals().get("kept"))']);
    await nb.run(0);
    const before = driverPids();
    const run = nb.run(1);
    await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.cellId === nb.cellIds[1] && e.status === 'running'));
    // Inside the user's try, not in the runner's preparation.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kernel.service.interrupt(owner, nb.notebookId);
    await run;
    const stuck = await cellOf(nb.notebookId, 1);
    expect(stuck.status).toBe('error');
    expect(stuck.error).toMatch(/did not stop when interrupted.*values were lost/);
    await waitFor(() => kernel.eventsOf(nb.notebookId, 'kernel_restarted').length > 0);
    // The stuck CPython went with its worker (its stdin closed): no sandbox is left behind.
    expect(before.length).toBeGreaterThan(0);
    await waitFor(() => driverPids().length <= before.length);
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[2]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    expect((await cellOf(nb.notebookId, 2)).stdout).toBe('None\n');
  }, 30_000);

  it('reports a crashed CPython on the cell and as a lost session, then runs on a fresh one', async () => {
    const nb = await python(['kept = 3', 'import ctypes\nctypes.string_at(0)', 'print(globals().get("kept"))']);
    await nb.run(0);
    await nb.run(1);
    const crashed = await cellOf(nb.notebookId, 1);
    expect(crashed.status).toBe('error');
    expect(crashed.error).toMatch(/the Python process ended/);
    await waitFor(() => kernel.eventsOf(nb.notebookId, 'kernel_restarted').length > 0);
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[2]!);
    await kernel.service.whenIdle(owner, nb.notebookId);
    expect((await cellOf(nb.notebookId, 2)).stdout).toBe('None\n');
  }, 30_000);

  it("answers another notebook's trivial cell while one spins", async () => {
    const spinning = await python(['while True: pass']);
    const other = await python(['print("quick")']);
    const run = spinning.run(0);
    await waitFor(() => kernel.eventsOf(spinning.notebookId, 'cell_status').some((e) => e.status === 'running'));
    await other.run(0);
    expect((await cellOf(other.notebookId, 0)).stdout).toBe('quick\n');
    expect((await cellOf(spinning.notebookId, 0)).status).toBe('running');
    await kernel.service.interrupt(owner, spinning.notebookId);
    await run;
  }, 30_000);
});

describeNeeding("the native runtime under core's memory watch", nativeMissing(), () => {
  it("counts the notebook's CPython in its kernel's memory: past the limit the kernel is replaced and the cell says why", async () => {
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON, memoryMb: 2048 });
    const small = await createTestKernel({ languages: [native.definition], manager: { processMemoryLimitMb: 400, watchIntervalMs: 200 } });
    try {
      const nb = await notebookWith(small, owner, ['big = b"x" * (600 * 1024 ** 2)\nimport time\ntime.sleep(20)'], 'python');
      await nb.run(0);
      const [cell] = await nb.state();
      expect(cell!.status).toBe('error');
      expect(cell!.error).toMatch(/more than 400 MB of memory/);
      expect(small.eventsOf(nb.notebookId, 'kernel_restarted').length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  }, 60_000);
});
