"""A cell's standard streams, imported by the runner (``_rnb_runner``): stdout and stderr handed to the runtime in
batches, and a stdin (and ``input()``) that says a cell cannot read from the keyboard. The runner leaves this file's
frames out of a cell's traceback (STREAMS_FILE), as it does its own.
"""
import builtins, io, sys, time

# This file as tracebacks name it: an input() in a cell raises here, which says nothing about the user's code.
STREAMS_FILE = (lambda: None).__code__.co_filename


class CellStream(io.TextIOBase):
    """sys.stdout / sys.stderr: hands text to JavaScript in batches, at least every 20 ms,
    so a print in a loop streams while a flood of prints does not cross into JavaScript a million times."""

    def __init__(self, sink, name):
        self._sink = sink
        self._parts = []
        self._size = 0
        self._last = time.monotonic()
        self.name = name

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if s:
            self._parts.append(s)
            self._size += len(s)
            # Whole lines, at most every 20 ms; a partial line waits for its newline, an explicit
            # flush, 64 KB, or the end of the cell.
            if self._size >= 65536 or (s.endswith("\n") and time.monotonic() - self._last >= 0.02):
                self.flush()
        return len(s)

    def start_cell(self):
        # The first line of a cell goes out at once.
        self._last = float("-inf")

    def flush(self):
        self._last = time.monotonic()
        if self._parts:
            data = "".join(self._parts)
            self._parts = []
            self._size = 0
            self._sink(data)


NO_KEYBOARD = ("{what} is not available: a notebook cell cannot read from the keyboard. "
               "Use a widget instead: from rnb import ui; name = ui.text(value=\"Ada\") shows a text box, "
               "and other cells read name.value (rnb.ui also has slider, number, dropdown, checkbox, date, file...). "
               "Or set the value in a cell, for example name = \"Ada\".")


def _no_keyboard(what):
    # EOFError is what input() raises when stdin has nothing to give, so code that handles that goes on.
    return EOFError(NO_KEYBOARD.format(what=what))


class NoKeyboard(io.TextIOBase):
    """sys.stdin: a cell runs with nobody at a keyboard, so every read says so instead of an OSError."""

    name = "<stdin>"

    @property
    def encoding(self):
        return "utf-8"

    def readable(self):
        return True

    def isatty(self):
        return False

    def read(self, size=-1):
        raise _no_keyboard("sys.stdin.read()")

    def readline(self, size=-1):
        raise _no_keyboard("sys.stdin.readline()")

    def readlines(self, hint=-1):
        raise _no_keyboard("sys.stdin.readlines()")


def _input(prompt=""):
    raise _no_keyboard("input()")


def install_streams(out_sink, err_sink):
    sys.stdout = CellStream(out_sink, "<stdout>")
    sys.stderr = CellStream(err_sink, "<stderr>")
    sys.stdin = NoKeyboard()
    builtins.input = _input


def flush_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
