/**
 * Python cells through the whole stack: core's notebook service, scheduler
 * and sandboxed kernel process, with real Pyodide in the kernel's worker.
 * Needs the built runtime (npm run build:ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestKernel, notebookWith, type TestKernel } from '@rnb/core/testing';
import { pythonLanguage, pyodideDir } from './index';
import { usableSnapshot } from './snapshot/make-snapshot';
import { usableCodeCache } from './snapshot/make-code-cache';

const owner = 'pat';
const SECRET = 'rnb-secret-4f1c9e';
let kernel: TestKernel;
let server: Server;
let port = 0;
let connections = 0;
const kernelLogs: string[] = [];

beforeAll(async () => {
  process.env.RNB_PYTHON_TEST_SECRET = SECRET;
  server = createServer((socket) => {
    connections++;
    socket.end('hello from the host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  // A long grace: the interrupt test checks that the interrupt buffer stops the loop, and on a loaded CI machine a 1 s
  // grace ran out first (the worker was replaced, which is the fallback, not what is tested).
  kernel = await createTestKernel({ languages: [pythonLanguage()], manager: { limits: { interruptGraceMs: 10_000 }, log: (_level, message) => kernelLogs.push(message) } });
}, 60_000);

afterAll(async () => {
  delete process.env.RNB_PYTHON_TEST_SECRET;
  await kernel?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const python = (codes: string[]) => notebookWith(kernel, owner, codes, 'python');

async function cellOf(notebookId: string, index: number) {
  return (await kernel.service.getNotebook(owner, notebookId)).cells[index]!;
}

it('runs a chain x -> y -> print(y) and re-runs it when x changes', async () => {
  const nb = await python(['x = 1', 'y = x + 1', 'print(y)\ny * 10']);
  const cells = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
  expect(cells.map((c) => [c.reads, c.writes])).toEqual([[[], ['x']], [['x'], ['y']], [['y'], []]]);
  await nb.run(0);
  let last = await cellOf(nb.notebookId, 2);
  expect(last.status).toBe('success');
  expect(last.stdout).toBe('2\n');
  expect(last.outputs).toEqual([{ mime_type: 'text/plain', data: '20' }]);
  await nb.edit(0, 'x = 41');
  await nb.run(0);
  last = await cellOf(nb.notebookId, 2);
  expect(last.stdout).toBe('42\n');
});

it("takes a deleted cell's private name (`_x`) out of the variable list, as its public names, and keeps other cells' names", async () => {
  const nb = await python(['_x = 1\nshown = _x', '_y = 2']);
  await nb.run(0);
  await nb.run(1);
  const names = async (): Promise<string[]> => (await kernel.service.variables(owner, nb.notebookId)).variables.map((v) => v.name);
  expect(await names()).toEqual(expect.arrayContaining(['_x', 'shown', '_y']));
  await kernel.service.deleteCell(owner, nb.notebookId, nb.cellIds[0]!);
  // The kernel re-describes its names after the deletion: wait for that list (a bounded wait, then the assertion fails).
  const deadline = Date.now() + 15_000;
  while ((await names()).includes('_x') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const left = await names();
  expect(left).not.toContain('_x');
  expect(left).not.toContain('shown');
  expect(left).toContain('_y');
});

it("keeps a Python error structured: the runtime's traceback beside its message, in the view, the event and through a reload", async () => {
  const nb = await python(['print("before")\nx = 1 / 0', 'y = x']);
  await nb.run(0);
  const failed = await cellOf(nb.notebookId, 0);
  expect(failed.status).toBe('error');
  expect(failed.error_detail).toMatchObject({ kind: 'runtime', message: 'ZeroDivisionError: division by zero' });
  const traceback = failed.error_detail!.traceback!;
  expect(traceback).toMatch(/^Traceback \(most recent call last\):\n {2}File "<cell [^>]+>", line 2, in <module>\n/);
  expect(traceback.trimEnd().endsWith('ZeroDivisionError: division by zero')).toBe(true);
  // The text users read is the traceback, which already ends with the message (as before the split).
  expect(failed.error).toBe(traceback);
  const event = kernel.eventsOf(nb.notebookId, 'cell_error').find((e) => e.cellId === failed.id && e.error !== null);
  expect(event).toEqual({ type: 'cell_error', cellId: failed.id, error: traceback, detail: failed.error_detail });
  expect((await cellOf(nb.notebookId, 1)).error_detail).toEqual({ kind: 'upstream', message: 'Not run: upstream cell 1 did not succeed.', cells: [failed.id] });

  // A new session reads the notebook back from storage: last outputs and the structured errors are all there.
  const before = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
  await kernel.service.whenIdle(owner, nb.notebookId);
  await kernel.service.release(nb.notebookId);
  const after = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
  expect(after).toEqual(before);
  expect(after[0]).toMatchObject({ stdout: 'before\n', error: traceback, error_detail: { traceback } });
}, 60_000);

describe('one notebook: streaming, a flood, an interrupt', () => {
  let nb: Awaited<ReturnType<typeof python>>;
  beforeAll(async () => {
    nb = await python([
      'import time as _time\nfor _i in range(3):\n    print("step", _i)\n    _t = _time.monotonic()\n    while _time.monotonic() - _t < 0.1: pass',
      'for _i in range(10**6): print(_i)',
      'while True: pass',
      'print("alive")',
    ]);
  });

  it('streams stdout while a loop runs', async () => {
    await nb.run(0);
    const events = kernel.eventsOf(nb.notebookId).map((e) => e.type === 'cell_stdout' ? `out:${e.data}` : e.type === 'cell_status' ? `status:${e.status}` : e.type);
    const finished = events.indexOf('status:success');
    const chunks = events.slice(0, finished).filter((e) => e.startsWith('out:'));
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect((await cellOf(nb.notebookId, 0)).stdout).toBe('step 0\nstep 1\nstep 2\n');
  });

  it('caps a flood of prints and says so', async () => {
    await nb.run(1);
    const cell = await cellOf(nb.notebookId, 1);
    expect(cell.status).toBe('success');
    expect(cell.stdout.length).toBeLessThan(300 * 1024);
    expect(cell.stdout).toMatch(/output truncated/);
    expect(cell.stdout.startsWith('0\n1\n2\n')).toBe(true);
  }, 60_000);

  it('interrupts `while True: pass` through the interrupt buffer (not by restarting the worker)', async () => {
    const run = nb.run(2);
    await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.cellId === nb.cellIds[2] && e.status === 'running'));
    await kernel.service.interrupt(owner, nb.notebookId);
    await run;
    const spun = await cellOf(nb.notebookId, 2);
    expect(spun.status).toBe('error');
    expect(spun.error).toMatch(/KeyboardInterrupt/);
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')).toHaveLength(0);
    await nb.run(3);
    expect((await cellOf(nb.notebookId, 3)).stdout).toBe('alive\n');
  });
});

it('a 45 MB HTML output and NaN from _repr_json_ leave the kernel alive, and each cell says what happened (issue 19 items 7, 8)', async () => {
  const nb = await python([
    'class Big:\n    def _repr_html_(self): return "<p>" + "x" * (45 * 1024 * 1024)\nBig()',
    'class J:\n    def _repr_json_(self): return {"v": float("nan")}\nJ()',
    '1 + 1',
  ]);
  await nb.run(0);
  await nb.run(1);
  await nb.run(2);
  const cells = (await kernel.service.getNotebook(owner, nb.notebookId)).cells;
  expect(cells.map((c) => [c.status, c.error])).toEqual([['success', null], ['success', null], ['success', null]]);
  expect(cells[0]!.outputs).toEqual([{ mime_type: 'text/plain', data: 'Output of 45 MB not shown: the limit is 8 MB.' }]);
  expect(cells[1]!.outputs).toEqual([expect.objectContaining({ mime_type: 'application/json', data: { v: 'NaN' } })]);
  expect(cells[2]!.outputs).toEqual([{ mime_type: 'text/plain', data: '2' }]);
  expect(kernel.events.some((e) => e.notebookId === nb.notebookId && e.event.type === 'kernel_restarted')).toBe(false);
}, 60_000);

it('survives the kernel process dying: cells are marked stale and run again in a new kernel', async () => {
  const nb = await python(['base = 20', 'print(base + 1)']);
  await nb.run(1);
  expect((await cellOf(nb.notebookId, 1)).stdout).toBe('21\n');
  for (const p of kernel.manager.processMemory().filter((p) => p.owner === owner)) process.kill(p.pid, 'SIGKILL');
  await waitFor(() => kernel.eventsOf(nb.notebookId, 'kernel_restarted').length > 0);
  expect((await nb.state()).map((c) => c.status)).toEqual(['stale', 'stale']);
  await nb.run(1);
  expect((await cellOf(nb.notebookId, 1)).stdout).toBe('21\n');
}, 30_000);

describe('escapes from a Python cell fail through the whole stack', () => {
  const marker = `/tmp/rnb-python-escape-${process.pid}`;
  const attempts: [string, string][] = [
    ['the server\'s environment through js.process', 'import js as _js\n_js.process.env'],
    ['the server\'s environment through os.environ', `import os as _os\nprint(_os.environ.get("RNB_PYTHON_TEST_SECRET"))\nassert "${SECRET}" not in str(dict(_os.environ))\nraise RuntimeError("no secret")`],
    ['run_js', 'from pyodide.code import run_js as _run_js\n_run_js("process.env")'],
    ['pyodide_js.FS', 'import pyodide_js as _p\n_p.FS.readFile("/etc/passwd")'],
    ['Function through .constructor.constructor', 'import js as _js\n_js.setTimeout.constructor.constructor("return process")()'],
    ['/etc/passwd', 'print(open("/etc/passwd").read())'],
    ['the repository\'s files', `print(open(${JSON.stringify(__filename)}).read())`],
    ['subprocess', 'import subprocess as _sp\n_sp.run(["id"])'],
    ['os.system', 'import os as _os\n_os.system("id")'],
    ['signals to the server', 'import os as _os\n_os.kill(_os.getppid(), 9)'],
    ['a socket to a host port', 'import socket as _socket\n_socket.create_connection(("127.0.0.1", PORT), timeout=2).recv(100)'],
    ['urllib to a host port', 'import urllib.request as _request\n_request.urlopen("http://127.0.0.1:PORT/", timeout=2).read()'],
    ['pyfetch', 'from pyodide.http import pyfetch as _pyfetch\nawait _pyfetch("http://127.0.0.1:PORT/")'],
  ];
  const sideEffects: [string, string][] = [
    ['writing a host file (it lands in Pyodide\'s memory only)', `open("${marker}", "w").write("escaped")\nraise RuntimeError("done")`],
    ['libc system() through ctypes', `import ctypes as _ctypes\n_ctypes.CDLL(None).system(b"touch ${marker}")\nraise RuntimeError("done")`],
  ];
  // One notebook (one Pyodide) holds every attempt, one independent cell each.
  let nb: Awaited<ReturnType<typeof python>>;
  beforeAll(async () => {
    nb = await python([...attempts, ...sideEffects].map(([, code]) => code.replaceAll('PORT', String(port))).concat('print("still here")'));
  });
  afterEach(() => rmSync(marker, { force: true }));

  it.each(attempts.map(([name], index) => [name, index] as const))('%s', async (_name, index) => {
    await nb.run(index);
    const cell = await cellOf(nb.notebookId, index);
    // An error of the attempt itself, not a notebook-level refusal (every name used is private to its cell).
    expect(cell.status).toBe('error');
    expect(cell.error).toMatch(/Error|Exception/);
    expect(`${cell.stdout}${cell.error}${JSON.stringify(cell.outputs)}`).not.toContain(SECRET);
    expect(cell.stdout).not.toMatch(/root:|uid=/);
    expect(connections).toBe(0);
  });

  it.each(sideEffects.map(([name], index) => [name, attempts.length + index] as const))('%s', async (_name, index) => {
    await nb.run(index);
    expect((await cellOf(nb.notebookId, index)).error).toMatch(/RuntimeError: done/);
    expect(existsSync(marker)).toBe(false);
  });

  it('leaves the kernel, the server process and the notebook working', async () => {
    const last = attempts.length + sideEffects.length;
    await nb.run(last);
    expect((await cellOf(nb.notebookId, last)).stdout).toBe('still here\n');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('kernel start from the build snapshot', () => {
  it('restores Python from the snapshot when a notebook waits for a new kernel, and in the warm pool too', async () => {
    // npm run build:ts makes it (snapshot/make-snapshot.ts); without it kernels still start, only about 2 s slower.
    expect(usableSnapshot(pyodideDir())).not.toBeNull();
    expect(usableCodeCache(pyodideDir())).not.toBeNull();
    const logs: string[] = [];
    // No warm process: the notebook's kernel is started while it waits.
    const cold = await createTestKernel({ languages: [pythonLanguage()], manager: { warmProcesses: 0, log: (_level, message) => logs.push(message) } });
    try {
      const nb = await notebookWith(cold, owner, ['print(6 * 7)'], 'python');
      await nb.run(0);
      expect((await nb.state())[0]!.stdout).toBe('42\n');
      expect(logs.filter((line) => line.includes("restored from the build's snapshot"))).toHaveLength(1);
      expect(logs.filter((line) => line.includes('snapshot not used'))).toEqual([]);
      // Pyodide's JavaScript compiled with the build's code cache (runtime/pyodide-module.ts): V8 accepted it in the
      // sandboxed kernel, whose V8 flags the build's maker used (core's kernelV8Flags).
      expect(logs.filter((line) => line.includes('Pyodide') && line.includes('ready') && line.includes('code cache: used'))).toHaveLength(1);
    } finally {
      await cold.close();
    }
    // A warm-pool process loads Python ahead of use, from the snapshot too (restored without its zero pages or a kept
    // copy of the file, it costs no more memory than a load from scratch: runtime/snapshot-restore.ts); once it says it
    // is warm, a notebook takes it (in the first second after start a notebook gets a fresh process: core's warm-pool.ts).
    const poolLogs: string[] = [];
    const pooled = await createTestKernel({ languages: [pythonLanguage()], manager: { warmProcesses: 1, log: (_level, message) => poolLogs.push(message) } });
    try {
      const poolPid = pooled.manager.processMemory()[0]!.pid;
      for (let waited = 0; !poolLogs.some((line) => line.includes(`kernel ${poolPid}: warm after`)) && waited < 60_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const nb = await notebookWith(pooled, owner, ['print(6 * 7)'], 'python');
      await nb.run(0);
      expect((await nb.state())[0]!.stdout).toBe('42\n');
      expect(pooled.manager.processMemory().find((p) => p.owner === owner)!.pid).toBe(poolPid);
      const ready = poolLogs.filter((line) => line.startsWith(`kernel ${poolPid}: `) && line.includes('Pyodide') && line.includes('ready'));
      expect(ready.length).toBeGreaterThan(0);
      expect(ready.filter((line) => !line.includes("restored from the build's snapshot"))).toEqual([]);
      // The pool's workers load in the background: they import Pyodide's module as Pyodide does (a worker compiled
      // with the code cache kept more memory once idle), only a worker a notebook waits for uses the cache.
      expect(ready.filter((line) => !line.includes('code cache: not used'))).toEqual([]);
    } finally {
      await pooled.close();
    }
  }, 180_000);
});
