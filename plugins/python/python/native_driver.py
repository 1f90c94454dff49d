"""The native CPython side of the Python runtime, run inside the bubblewrap sandbox.

One process per notebook. It speaks JSON lines with the kernel worker that started it: requests on stdin,
replies on the stdout it had when it started (file descriptors 1 and 2 are then pointed at pipes whose text is
forwarded as the cell's stdout and stderr, so a C library or a child process writing to them cannot corrupt the
protocol). The cell logic itself (compiling, running, tracebacks, reprs, tables) is the Pyodide runtime's runner,
imported from the files beside this one (_rnb_runner.py and the rnb_* modules), so both runtimes show the same outputs.

Usage: python3 -I -u native_driver.py LIMITS_JSON, or as the sandbox starts it, imported so that its bytecode is read from
__pycache__ rather than compiled at each start (sandbox-plan.ts, DRIVER_LAUNCHER): python3 -I -u -c LAUNCHER
/opt/rnb/native_driver.py LIMITS_JSON; either way with stdin (requests), stdout (replies) and fd 3 (a byte per interrupt;
end of file there ends the process) as pipes from the worker. See plugins/python/README.md, "How the native runtime fits".
"""
import fcntl
import json
import os
import resource
import select
import signal
import struct
import sys
import termios
import threading
import time
import types

PROTOCOL_VERSION = 1


def apply_limits(limits):
    """Resource limits, soft = hard, set before any user code runs: the cells cannot raise them again."""
    table = {
        "address_space_bytes": resource.RLIMIT_AS,
        "processes": resource.RLIMIT_NPROC,
        "file_size_bytes": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
        "cpu_seconds": resource.RLIMIT_CPU,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in table.items():
        value = limits.get(key) or 0
        if value > 0:
            resource.setrlimit(which, (value, value))


# System calls a notebook cell has no use for, refused with EPERM: debugging other processes, the mount table and
# namespaces, kernel keyrings, BPF, perf, userfaultfd and io_uring (frequent starting points of kernel exploits), modules,
# reboot, swap, accounting, and file handles that bypass path lookup.
DENIED_SYSCALLS = [
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsmount", "fsconfig", "fspick",
    "move_mount", "open_tree", "mount_setattr",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "acct", "syslog", "open_by_handle_at", "name_to_handle_at",
    "quotactl", "lookup_dcookie", "vhangup", "personality",
]


def apply_seccomp():
    """A seccomp filter through libseccomp (by ctypes: no Python binding needed). Returns whether it is in force."""
    import ctypes
    import errno
    try:
        lib = ctypes.CDLL("libseccomp.so.2")
    except OSError:
        return False
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    allow = 0x7FFF0000
    refuse = 0x00050000 | errno.EPERM
    context = lib.seccomp_init(allow)
    if not context:
        return False
    try:
        for name in DENIED_SYSCALLS:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number >= 0 and lib.seccomp_rule_add_array(context, refuse, number, 0, None) != 0:
                return False
        return lib.seccomp_load(context) == 0
    finally:
        lib.seccomp_release(context)


class Channel:
    """Writes protocol frames to the worker; one lock, since the fd forwarders write from their own threads."""

    def __init__(self, fd):
        self._file = os.fdopen(fd, "w", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def send(self, frame):
        self.send_text(json.dumps(frame, default=str))

    def send_text(self, line):
        """A frame already in JSON text (a large value, encoded once rather than as a string inside a frame)."""
        line += "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()


class RawOutput:
    """Raw writes to fd 1 or 2 (C extensions, child processes) become the running cell's stdout or stderr.

    A thread forwards them as they come; `drain()` waits until what was written so far has been forwarded, so text
    printed after a C call (or a child process) that wrote to the fd comes after that call's output, and nothing a cell
    wrote is dropped when it ends."""

    def __init__(self, fd, stream, channel, state):
        self._read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        self._lock = threading.Lock()
        self._stream = stream
        self._channel = channel
        self._state = state
        threading.Thread(target=self._pump, daemon=True, name=f"fd{fd}").start()

    def _pump(self):
        while True:
            chunk = os.read(self._read_end, 65536)
            if not chunk:
                return
            with self._lock:
                if self._state["running"]:
                    self._channel.send({"t": "out", "s": self._stream, "d": chunk.decode("utf-8", "replace")})

    def drain(self, timeout=0.05):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = struct.unpack("i", fcntl.ioctl(self._read_end, termios.FIONREAD, b"\0\0\0\0"))[0]
            if pending == 0 and not self._lock.locked():
                return
            time.sleep(0.0002)


# Runner functions the worker may call by name (op "call"); each returns JSON text.
RUNNER_CALLS = frozenset({"describe_variables", "table_page", "forget_cells", "complete", "inspect_name"})


# The kernel modules beside this file (python/, bound read-only at /opt/rnb in the sandbox), imported in the order that
# matters, as the Pyodide runtime imports them (python-sources.ts, IMPORT_KERNEL_MODULES): rnb_variables notes the
# names the notebook's namespace has before any cell; rnb_ipython imports rnb_display.
KERNEL_MODULES = ("_rnb_runner", "rnb_completer", "rnb_inspector", "rnb_variables", "rnb_display", "rnb_tables",
                  "rnb_figures", "rnb_ipython")


def load_runner():
    """The runner (``_rnb_runner``) and the modules beside it: the same files the Pyodide runtime imports."""
    import importlib
    # The cells' namespace is __main__'s (the runner's G): a fresh module, so that cells never see or replace this
    # driver's own globals (a cell's `import time` or `json = 1` must not touch the driver's).
    sys.modules["__main__"] = types.ModuleType("__main__")
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    # No __pycache__ written beside the plugin's files (unsandboxed, the folder is writable).
    sys.dont_write_bytecode = True
    for name in KERNEL_MODULES:
        importlib.import_module(name)
    # rnb.ui (python/rnb/ui.py) is imported now, as in Pyodide, so the first cell's widgets find it loaded.
    importlib.import_module("rnb.ui")
    return sys.modules["_rnb_runner"]


def finite(value):
    """NaN and infinities become null: JSON has no word for them (SQL reads them as NULL)."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, list):
        return [finite(item) for item in value]
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    return value


def table_value(table):
    """A table another language sent by columns (native-tables.ts): a pandas DataFrame when pandas is importable (built
    from whole columns), else a list of dicts, as the Pyodide runtime gives."""
    columns, data = table["columns"], table["data"]
    try:
        import pandas
    except Exception:  # not installed, or broken: the rows still arrive
        pandas = None
    if pandas is not None:
        return pandas.DataFrame(dict(zip(columns, data)), columns=columns)
    return [dict(zip(columns, row)) for row in zip(*data)]


def column_values(column, plain):
    """One DataFrame column as JSON-ready values, converting the whole column at once where its dtype allows."""
    import numpy
    dtype = column.dtype
    if isinstance(dtype, numpy.dtype) and dtype.kind in "iub":
        return column.tolist()
    if isinstance(dtype, numpy.dtype) and dtype.kind == "f":
        values = column.tolist()
        array = column.to_numpy()
        if not numpy.isfinite(array).all():
            for index in numpy.flatnonzero(~numpy.isfinite(array)).tolist():
                values[index] = None
        return values
    values = [finite(plain(item)) for item in column.tolist()]
    # NaT, pd.NA, None and NaN of object and extension columns: null (SQL reads NULL), not "NaT" or "<NA>".
    for index in numpy.flatnonzero(column.isna().to_numpy()).tolist():
        values[index] = None
    return values


def frame_columns(frame, plain):
    """A DataFrame by columns ({columns, data}), the index left out as to_dict("records") leaves it."""
    return {"columns": [str(name) for name in frame.columns], "data": [column_values(column, plain) for _, column in frame.items()]}


def value_frame(runner, name):
    """The `value` answer for a name, as frame text with the value inline: a DataFrame by columns ("table"), anything
    else as plain JSON."""
    value = runner.G.get(name)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame) and value.columns.is_unique:
        return '{"t":"value","table":true,"v":' + json.dumps(frame_columns(value, runner.plain), default=str) + "}"
    return '{"t":"value","v":' + json.dumps(finite(runner.plain(value)), default=str) + "}"


class LineReader:
    """Request lines from a file descriptor. SPIN_SECONDS > 0 polls for that long before blocking; it is 0: polling
    while the worker prepares the next cell takes the core the worker needs on a busy machine (measured: the 100-cell
    chain 2.5x slower with 0.5 ms of polling at load average 21 on 2 cores)."""

    SPIN_SECONDS = 0.0

    def __init__(self, fd):
        self._fd = fd
        self._buffer = b""

    def readline(self):
        spin_until = time.monotonic() + self.SPIN_SECONDS
        newline = self._buffer.find(b"\n")
        if newline < 0:
            # A large request arrives in many reads: gather them in a list and look for the end in each new piece only.
            pieces = [self._buffer]
            while newline < 0:
                if time.monotonic() < spin_until and not select.select([self._fd], [], [], 0)[0]:
                    continue
                chunk = os.read(self._fd, 1 << 20)
                if not chunk:
                    return b""
                pieces.append(chunk)
                at = chunk.find(b"\n")
                if at >= 0:
                    newline = sum(len(piece) for piece in pieces[:-1]) + at
            self._buffer = b"".join(pieces)
        line, self._buffer = self._buffer[:newline + 1], self._buffer[newline + 1:]
        return line


def reap_children(timeout=0.2):
    """The processes an interrupt killed are this process's children: collect them, so none is left a zombie."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.002)


def run_cell(runner, request, raw):
    for name, value in (request.get("inject") or {}).items():
        runner.G[name] = value
    for name, table in (request.get("tables") or {}).items():
        runner.G[name] = table_value(table)
    ui = sys.modules.get("rnb.ui")
    if ui is not None:
        # Widget ids restart for this cell; the values the notebook stored for its widgets apply.
        ui.begin_cell(request["cell"], json.dumps(request.get("widgets") or {}))
    # The runner's answer is JSON text, passed on as it is (no decoding and encoding again on every cell).
    result = runner.run_cell(request["cell"], request["code"], json.dumps(request["defines"]))
    if result == '{"status": "async"}':
        import asyncio
        result = asyncio.run(runner.run_cell_async())
    runner.flush_streams()
    for output in raw:
        output.drain()
    return result


def run_guarded(runner, request, raw, state):
    """One cell, with the interrupt thread allowed to kill what it started; the runner's JSON text result."""
    state["running"] = True
    try:
        return run_cell(runner, request, raw)
    except KeyboardInterrupt:  # landed outside the runner's own handling (between its steps)
        text = "KeyboardInterrupt: the cell was interrupted"
        return json.dumps({"status": "error", "message": text, "traceback": text, "type": "KeyboardInterrupt"})
    finally:
        state["running"] = False
        if state["killed"]:
            reap_children()
            state["killed"] = False


def run_plan(runner, request, raw, state, channel):
    """Cells sent ahead (op "plan", the kernel's runAhead): run in order without waiting for the worker between them,
    each one's frames then its `done`. A cell whose parent (`parents`: indices into `cells`) failed is blocked, as the
    kernel blocks it: not run, its names dropped, no frame (the kernel does not wait for one). `plan_done` ends it."""
    failed = set()
    parents = request["parents"]
    try:
        for index, cell in enumerate(request["cells"]):
            try:
                runner.delete_names(json.dumps(cell["defines"]))
                if any(parent in failed for parent in parents[index]):
                    failed.add(index)
                    continue
                result = run_guarded(runner, cell, raw, state)
            except KeyboardInterrupt:  # between two cells: the next one is the one interrupted
                text = "KeyboardInterrupt: the cell was interrupted"
                result = json.dumps({"status": "error", "message": text, "traceback": text, "type": "KeyboardInterrupt"})
            if not result.startswith('{"status": "ok"'):
                failed.add(index)
            channel.send_text('{"t":"done","c":' + json.dumps(cell["cell"]) + ',"result":' + result + "}")
    finally:
        # Whatever happened, the worker learns the plan is over (cells it still expects then run one by one).
        channel.send_text('{"t":"plan_done"}')


def main():
    # The last argument: after the script's path, or after the launcher's (which names this file).
    limits = json.loads(sys.argv[-1]) if len(sys.argv) > 1 else {}
    apply_limits(limits)
    # Before any thread starts: the filter binds this thread and what it starts from then on.
    seccomp = apply_seccomp()
    # Larger pipes to and from the worker (1 MiB, the unprivileged maximum; the buffer is the pipe's, so either end may
    # set it): a 100,000-row table then crosses in a few writes instead of dozens of 64 KiB ones, each a wake-up.
    for fd in (0, 1):
        try:
            fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except OSError:
            pass
    channel = Channel(os.dup(1))
    state = {"running": False, "killed": False}
    raw = [RawOutput(1, "stdout", channel, state), RawOutput(2, "stderr", channel, state)]

    def sink(stream):
        def send(text):
            for output in raw:
                output.drain()
            channel.send({"t": "out", "s": stream, "d": text})
        return send
    main_thread = threading.main_thread().ident

    def read_interrupts():
        # Interrupts come on their own pipe (fd 3), read here at once while the main thread may be busy running a cell;
        # requests come on stdin, read by the main thread itself (no hand-over between threads on the way to a cell).
        with os.fdopen(3, "rb", buffering=0) as interrupts:
            while True:
                byte = interrupts.read(1)
                if not byte:
                    os._exit(0)  # the worker is gone: so is this notebook
                if state["running"]:
                    # Processes the cell started go first (a fork bomb's included): kill(-1) reaches every process of
                    # this sandbox's pid namespace but its init and this one, and nothing outside it.
                    try:
                        os.kill(-1, signal.SIGKILL)
                        state["killed"] = True
                    except OSError:
                        pass
                    signal.pthread_kill(main_thread, signal.SIGINT)

    threading.Thread(target=read_interrupts, daemon=True, name="interrupts").start()
    requests = LineReader(0)
    runner = None
    channel.send({"t": "ready", "version": PROTOCOL_VERSION, "pid": os.getpid(), "uid": os.getuid(), "seccomp": seccomp})
    while True:
        try:
            line = requests.readline()
        except KeyboardInterrupt:  # an interrupt that arrived just after a cell finished
            continue
        if not line:
            return
        try:
            request = json.loads(line)
        except ValueError:
            continue
        op = request.get("op")
        try:
            if request.get("delete") and runner is not None:
                # Names the kernel dropped since the last request travel with the next one (no request of their own).
                runner.delete_names(json.dumps(request["delete"]))
            if op == "runner":
                runner = load_runner()
                if request.get("maxOutputChars"):
                    runner.set_max_output_chars(request["maxOutputChars"])
                runner.install_streams(sink("stdout"), sink("stderr"))
                if "rnb_display" in sys.modules:
                    sys.modules["rnb_display"].install(lambda text: channel.send({"t": "output", "o": json.loads(text)}))
                channel.send({"t": "loaded"})
            elif op == "run":
                result = run_guarded(runner, request, raw, state)
                channel.send_text('{"t":"done","c":' + json.dumps(request["cell"]) + ',"result":' + result + "}")
            elif op == "plan":
                run_plan(runner, request, raw, state, channel)
            elif op == "value":
                channel.send_text(value_frame(runner, request["name"]))
            elif op == "widget":
                # set_widget_value: answers JSON ({value, kind, props, names}, {missing}, or {error}).
                channel.send({"t": "value", "json": sys.modules["rnb.ui"].set_widget_value(json.dumps(request["payload"]))})
            elif op == "delete":
                runner.delete_names(json.dumps(request["names"]))
            elif op == "call" and request.get("fn") in RUNNER_CALLS:
                # The explorer's and live tables' questions (rnb_variables.py), completions and hover docs (rnb_completer.py,
                # rnb_inspector.py), through the runner's entry points: each answers JSON text.
                channel.send({"t": "value", "json": getattr(runner, request["fn"])(*request.get("args", []))})
        except KeyboardInterrupt:
            state["running"] = False
            text = "KeyboardInterrupt: the cell was interrupted"
            channel.send({"t": "done", "result": {"status": "error", "message": text, "traceback": text, "type": "KeyboardInterrupt"}})
        except BaseException as error:  # the driver itself failed: say so rather than hang the worker
            channel.send({"t": "fail", "error": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    main()
