/**
 * Escapes from a native Python cell, through core's notebook service and
 * kernel process into CPython inside bubblewrap: each attempt is a cell, and
 * the host (this test process) checks that nothing reached it.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createTestKernel, describeNeeding, notebookWith, type TestKernel } from '@rnb/core/testing';
import { nativePythonLanguage } from './native-language';
import { NATIVE_PYTHON, nativeMissing, waitFor } from './testing/native-env';

const owner = 'mallory';
const SECRET = 'rnb-native-secret-9d2e71';
const marker = `/tmp/rnb-native-escape-${process.pid}`;

describeNeeding('escapes from a native Python cell', nativeMissing(), () => {
  let kernel: TestKernel;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    process.env.RNB_NATIVE_TEST_SECRET = SECRET;
    server = createServer((socket) => {
      connections++;
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // Small limits, so that filling them is quick.
    const native = nativePythonLanguage({ executable: NATIVE_PYTHON, memoryMb: 1024, tmpMb: 32, maxProcesses: 512 });
    kernel = await createTestKernel({ languages: [native.definition], manager: { limits: { interruptGraceMs: 1000 } } });
  }, 60_000);
  afterAll(async () => {
    delete process.env.RNB_NATIVE_TEST_SECRET;
    rmSync(marker, { force: true });
    await kernel?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function run(code: string): Promise<{ status: string; stdout: string; stderr: string; error: string | null }> {
    const nb = await notebookWith(kernel, owner, [code], 'python');
    await nb.run(0);
    return (await nb.state())[0]!;
  }

  /** Runs `attempt` (Python) and prints what it got, or the exception's type. */
  async function attempt(code: string): Promise<string> {
    const body = code.split('\n').map((line) => `    ${line}`).join('\n');
    const cell = await run(`try:\n${body}\nexcept BaseException as _e:\n    print("refused", type(_e).__name__, getattr(_e, "errno", ""))`);
    return cell.stdout + (cell.error ?? '');
  }

  it('sees none of the server\'s environment', async () => {
    const out = await attempt(`import os\nprint(sorted(os.environ))\nprint(open("/proc/self/environ").read())\nprint(open("/proc/1/environ", "rb").read())`);
    expect(out).not.toContain(SECRET);
    // PLOTLY_RENDERER: set by the rich output module in the process itself (python/rnb_display.py), not passed in.
    expect(out).toContain("['HOME', 'LANG', 'MPLBACKEND', 'MPLCONFIGDIR', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PLOTLY_RENDERER', 'PWD', 'PYTHONDONTWRITEBYTECODE']");
  });

  it("sees none of the server's files: not /etc/passwd, not the checkout", async () => {
    expect(await attempt('print(open("/etc/passwd").read())')).toBe('refused FileNotFoundError 2\n');
    expect(await attempt(`print(open(${JSON.stringify(__filename)}).read())`)).toBe('refused FileNotFoundError 2\n');
    expect(await attempt('import os\nprint(sorted(os.listdir("/")))')).toBe("['bin', 'dev', 'etc', 'lib', 'lib64', 'opt', 'proc', 'sbin', 'tmp', 'usr']\n");
  });

  it('cannot write outside its private /tmp, and what it writes there stays in the sandbox', async () => {
    expect(await attempt('open("/usr/evil", "w")')).toBe('refused OSError 30\n');
    expect(await attempt('open("/opt/rnb/native_driver.py", "a")')).toMatch(/^refused (OSError 30|PermissionError 13)\n$/);
    expect(await attempt(`open(${JSON.stringify(marker)}, "w").write("escaped")\nprint("written inside")`)).toBe('written inside\n');
    expect(existsSync(marker)).toBe(false);
  });

  it('cannot reach the network, the host included', async () => {
    expect(await attempt(`import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=2).recv(100)`)).toBe('refused ConnectionRefusedError 111\n');
    expect(await attempt('import socket\nsocket.create_connection(("1.1.1.1", 80), timeout=2)')).toMatch(/^refused OSError 101\n$/);
    expect(connections).toBe(0);
  });

  it('calls libc through ctypes only inside the sandbox', async () => {
    const out = await attempt(`import ctypes\nlibc = ctypes.CDLL(None)\nprint(libc.system(b"touch ${marker} && id -u"))\nprint(libc.getuid())`);
    expect(out).toMatch(/^65534\n0\n65534\n$/);
    expect(existsSync(marker)).toBe(false);
  });

  it('starts child processes only inside the sandbox', async () => {
    const out = await attempt('import subprocess\nprint(subprocess.run(["cat", "/etc/passwd"], capture_output=True).returncode)\nprint(subprocess.run(["id", "-u"], capture_output=True, text=True).stdout)');
    expect(out).toBe('1\n65534\n\n');
  });

  it("sees no process of the server in /proc, and cannot signal or trace it", async () => {
    const out = await attempt(
      `import os, ctypes\npids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())\nprint(len(pids) <= 4, max(pids) < 10)\n` +
        `print(os.path.exists("/proc/${process.pid}"))\nprint(ctypes.CDLL(None).ptrace(16, ${process.pid}, 0, 0))\nos.kill(${process.pid}, 9)`,
    );
    expect(out).toBe('True True\nFalse\n-1\nrefused ProcessLookupError 3\n');
  });

  it('cannot ptrace even its own child, create namespaces, mount, or use bpf and io_uring (seccomp, --disable-userns)', async () => {
    const out = await attempt(
      'import ctypes, os, time\nlibc = ctypes.CDLL(None, use_errno=True)\nchild = os.fork()\nif child == 0:\n    time.sleep(5)\n    os._exit(0)\n' +
        'def call(name, *args):\n    result = getattr(libc, name)(*args)\n    return (result, ctypes.get_errno())\n' +
        'print("ptrace", call("ptrace", 16, child, 0, 0))\nos.kill(child, 9)\n' +
        'print("unshare user", call("unshare", 0x10000000))\nprint("unshare mount", call("unshare", 0x00020000))\n' +
        'print("mount", call("mount", b"none", b"/tmp", b"tmpfs", 0, None))\n' +
        'print("bpf", call("syscall", 321, 0, None, 0))\nprint("io_uring", call("syscall", 425, 1, None))',
    );
    expect(out).toBe('ptrace (-1, 1)\nunshare user (-1, 1)\nunshare mount (-1, 1)\nmount (-1, 1)\nbpf (-1, 1)\nio_uring (-1, 1)\n');
  });

  it('opens no devices but the harmless ones, and a symlink out of /tmp leads nowhere', async () => {
    expect(await attempt('print(sorted(os.listdir("/dev")))\nopen("/dev/mem", "rb")'.replace(/^/, 'import os\n'))).toMatch(/^\[.*'null'.*\]\nrefused FileNotFoundError 2\n$/);
    expect(await attempt('import os\nos.symlink("/etc/shadow", "/tmp/link")\nprint(open("/tmp/link").read())')).toBe('refused FileNotFoundError 2\n');
  });

  it('is bounded: memory, /tmp and file size, processes', async () => {
    expect(await attempt('x = bytearray(2 * 1024 ** 3)')).toBe('refused MemoryError \n');
    expect(await attempt('with open("/tmp/fill", "wb") as f:\n    while True: f.write(b"x" * 1024 * 1024)')).toBe('refused OSError 28\n');
    const bomb = await attempt(
      'import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(3)\n            os._exit(0)\n        n += 1\nexcept OSError as e:\n    print("stopped", n <= 512, e.errno)',
    );
    expect(bomb).toBe('stopped True 11\n');
  }, 30_000);

  it("an interrupt ends the processes the cell started, and only those of its sandbox", async () => {
    const nb = await notebookWith(kernel, owner, [
      'import os, time\nfor _ in range(20):\n    if os.fork() == 0:\n        while True: time.sleep(1)\nwhile True: time.sleep(1)',
      'import os as _os\nprint(sorted(int(p) for p in _os.listdir("/proc") if p.isdigit()))',
    ], 'python');
    const running = nb.run(0);
    await waitFor(() => kernel.eventsOf(nb.notebookId, 'cell_status').some((e) => e.status === 'running'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kernel.service.interrupt(owner, nb.notebookId);
    await running;
    expect((await nb.state())[0]!.error).toMatch(/KeyboardInterrupt/);
    await nb.run(1);
    // bubblewrap's init (1) and the notebook's CPython (2): the 20 children are gone.
    expect((await nb.state())[1]!.stdout).toBe('[1, 2]\n');
  }, 30_000);

  it("another notebook's trivial cell answers while one spins", async () => {
    const spinning = await notebookWith(kernel, owner, ['while True: pass'], 'python');
    const running = spinning.run(0);
    await waitFor(() => kernel.eventsOf(spinning.notebookId, 'cell_status').some((e) => e.status === 'running'));
    const quick = await run('print("quick")');
    expect(quick.stdout).toBe('quick\n');
    await kernel.service.interrupt(owner, spinning.notebookId);
    await running;
  }, 30_000);

  it("a notebook at its process limit (a fork bomb holding its children) does not stop another notebook from starting", async () => {
    // Every sandbox runs as uid 65534, but each has its own user namespace, where Linux (5.14 and later) counts
    // RLIMIT_NPROC: A's processes count against A's limit only. Another owner, so B gets a kernel and CPython of its own.
    const bomb = await notebookWith(kernel, owner, [
      'import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(60)\n            os._exit(0)\n        n += 1\nexcept OSError as e:\n    print("full", e.errno, flush=True)\nwhile True: time.sleep(1)',
    ], 'python');
    const running = bomb.run(0);
    await waitFor(() => kernel.eventsOf(bomb.notebookId, 'cell_stdout').some((e) => String(e.data).startsWith('full 11')), 20_000);
    const other = await notebookWith(kernel, 'trent', ['import threading\nt = threading.Thread(target=lambda: None)\nt.start(); t.join()\nprint("started")'], 'python');
    await other.run(0);
    const [cell] = await other.state();
    expect(cell!.error).toBeNull();
    expect(cell!.stdout).toBe('started\n');
    await kernel.service.interrupt(owner, bomb.notebookId);
    await running;
  }, 60_000);
});
