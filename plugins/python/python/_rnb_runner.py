"""The runner: the Python half of both Python runtimes (Pyodide and native CPython), imported as ``_rnb_runner``.

It runs a cell in the notebook's namespace ``G`` (``__main__``'s globals), streams its stdout and stderr
(rnb_streams.py), turns its last value into outputs (rnb_outputs.py) and formats its errors. The runtimes call the
functions below by name (python-runtime.ts through Pyodide's proxies, native_driver.py directly); each answers JSON text. The completer, the inspector and the variable
explorer / live tables are their own modules (rnb_completer, rnb_inspector, rnb_variables), so their private names
never meet this module's; the entry points at the end of this file hand their calls on.
"""
import ast, datetime, decimal, json, linecache, sys, traceback, types, warnings
import __main__
# install_streams, flush_streams and set_max_output_chars are called on this module by the runtimes
# (python-runtime.ts, native_driver.py) and rnb_display.py; _table by rnb/ui.py.
from rnb_outputs import _finite, _table, render, set_max_output_chars  # noqa: F401
from rnb_streams import STREAMS_FILE, CellStream, flush_streams, install_streams  # noqa: F401

G = __main__.__dict__


# ---- running a cell ----

def _filename(cell_id):
    return f"<cell {cell_id}>"


# Each cell's last compiled code, by its filename: a cell run again unchanged (a reactive re-run: most runs) skips parsing
# and compiling, two thirds of a trivial cell's time in the runner (bench/native-python.js, the 100-cell chain).
# Code objects are immutable, so running one again is running the cell again. A deleted cell's entry goes (forget_cells).
_compiled = {}


def _compile(code, filename):
    cached = _compiled.get(filename)
    if cached is not None and cached[0] == code:
        return cached[1], cached[2]
    body, tail = _compile_fresh(code, filename)
    _compiled[filename] = (code, body, tail)
    return body, tail


def _compile_fresh(code, filename):
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(code, filename, "exec", ast.PyCF_ONLY_AST | flags)
    last = None
    # A trailing ';' hides the value, as in Jupyter and marimo.
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not code.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", flags)
    tail = compile(last, filename, "eval", flags) if last is not None else None
    return body, tail


def _is_async(code_object):
    return code_object is not None and bool(code_object.co_flags & 0x80)  # CO_COROUTINE


def prepare(cell_id, code, defines):
    """Compiles the cell; returns (body, tail, needs_async). Raises SyntaxError."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, CellStream):
            stream.start_cell()
    # The last run's output is gone, so its warnings show again: forget which were already shown.
    G.pop("__warningregistry__", None)
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated is not None:
        try:
            mutated()
        except Exception:
            pass
    _rich("start_cell")
    live_tables_cell_started(cell_id)  # rnb_variables.py: this cell's earlier live tables go
    filename = _filename(cell_id)
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    body, tail = _compile(code, filename)
    # A cell's names are removed before it runs, so a failure never leaves last run's values behind.
    for name in defines:
        G.pop(name, None)
    _watch_private_names(cell_id, body, tail)
    return body, tail, _is_async(body) or _is_async(tail)


# ---- private names ----
# A cell's private names ('_x': the analyser never lists them among its defines) live in the one namespace too. The
# runner remembers which cell bound each, so that deleting the cell, or running it again, removes them like its
# defines: the variable explorer must not keep a deleted cell's '_x'.
_private_names_of_cell = {}
_private_watch = None


def _is_private(name):
    return name == "__" or (name.startswith("_") and not name.startswith("__"))


def _stored_private_names(code, top=True):
    # Module-level assignments, imports and loop targets are STORE_NAME; 'global _x' in a function is STORE_GLOBAL.
    # Only a cell whose names include a private one is disassembled: most cells pay one set scan.
    if not any(_is_private(n) for n in code.co_names) and not any(isinstance(c, types.CodeType) for c in code.co_consts):
        return set()
    import dis
    stored = set()
    for instruction in dis.get_instructions(code):
        if instruction.opname == "STORE_GLOBAL" or (top and instruction.opname == "STORE_NAME"):
            if _is_private(instruction.argval):
                stored.add(instruction.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            stored |= _stored_private_names(const, False)
    return stored


def _watch_private_names(cell_id, body, tail):
    global _private_watch
    for name in _private_names_of_cell.pop(cell_id, ()):
        G.pop(name, None)
    names = set()
    for code in (body, tail):
        if code is not None:
            names |= _stored_private_names(code)
    _private_watch = (cell_id, names) if names else None


def _note_private_names():
    # Called when the cell ends, failed or not: what it bound before failing is its own too.
    global _private_watch
    if _private_watch is None:
        return
    cell_id, names = _private_watch
    _private_watch = None
    bound = [name for name in names if name in G]
    if bound:
        _private_names_of_cell[cell_id] = bound


def forget_cells(cell_ids_json):
    """Deleted cells: their private names and live tables go (their defines go by delete_names)."""
    for cell_id in json.loads(cell_ids_json):
        _compiled.pop(_filename(cell_id), None)
        for name in _private_names_of_cell.pop(cell_id, ()):
            G.pop(name, None)
    if "forget_cell_tables" in globals():  # variables-py.ts
        forget_cell_tables(cell_ids_json)
    return "null"


def _rich(step, *args):
    # display(), IPython reprs, DataFrames and figures: python/rnb_display.py, which the runtime loads beside this runner.
    module = sys.modules.get("rnb_display")
    if module is None:
        return None
    try:
        return getattr(module, step)(*args)
    except Exception:
        if step == "finish_cell":
            raise
        return None


_pending = None


def run_cell(cell_id, code, defines_json, delete_json=""):
    """JSON: {"status": "ok", "outputs", "defined"} | {"status": "error", "message", "traceback"} | {"status": "async"}.
    delete_json: names to drop first (the kernel's deletions since the last call, sent along rather than by a call each)."""
    global _pending
    if delete_json:
        delete_names(delete_json)
    defines = json.loads(defines_json)
    try:
        compiled = prepare(cell_id, code, defines)
        if compiled[2]:
            # Top-level await: JavaScript awaits run_cell_async() instead.
            _pending = (cell_id, compiled, defines)
            return '{"status": "async"}'
        body, tail, _ = compiled
        try:
            exec(body, G)
            value = eval(tail, G) if tail is not None else None
        finally:
            _note_private_names()
        return _finish(value, defines)
    except BaseException as error:
        return format_error(error, cell_id)


async def run_cell_async():
    global _pending
    cell_id, (body, tail, _), defines = _pending
    _pending = None
    try:
        try:
            result = eval(body, G)
            if _is_async(body):
                await result
            value = None
            if tail is not None:
                value = eval(tail, G)
                if _is_async(tail):
                    value = await value
        finally:
            _note_private_names()
        return _finish(value, defines)
    except BaseException as error:
        return format_error(error, cell_id)


def _finish(value, defines):
    flush_streams()
    try:
        outputs = _rich("finish_cell", value) if "rnb_display" in sys.modules else render(value)
    except Exception as error:
        outputs = [{"mime_type": "text/plain", "data": f"<value could not be displayed: {error!r}>"}]
    result = {"status": "ok", "outputs": outputs, "defined": [n for n in defines if n in G]}
    try:
        # allow_nan=False: Python's NaN is not JSON, and JavaScript would fail the cell on it.
        return json.dumps(result, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(result), allow_nan=False)


def missing_imports(code):
    """Top-level modules the cell imports that this interpreter cannot find."""
    import importlib.util
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return "[]"
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    missing = []
    for name in sorted(names):
        if name in sys.modules:
            continue
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except Exception:
            missing.append(name)
    return json.dumps(missing)


# The runner's own files: their frames (input() raising, for one) say nothing about the user's code.
_RUNNER_FILES = {(lambda: None).__code__.co_filename, STREAMS_FILE}


def format_error(error, cell_id):
    """The traceback from the user's first frame on, and a one-line message."""
    flush_streams()
    _rich("abandon_cell")
    filename = _filename(cell_id)
    if isinstance(error, KeyboardInterrupt):
        text = "KeyboardInterrupt: the cell was interrupted"
        return json.dumps({"status": "error", "message": text, "traceback": text, "type": "KeyboardInterrupt"})
    te = traceback.TracebackException.from_exception(error)
    frames = list(te.stack)
    for index, frame in enumerate(frames):
        if frame.filename == filename:
            frames = frames[index:]
            break
    else:
        frames = []
    frames = [frame for frame in frames if frame.filename not in _RUNNER_FILES]
    te.stack = traceback.StackSummary.from_list(frames)
    text = "".join(te.format())
    message = "".join(te.format_exception_only()).strip().splitlines()[-1] if not isinstance(error, SyntaxError) else "".join(te.format_exception_only()).strip()
    return json.dumps({"status": "error", "message": message, "traceback": text, "type": type(error).__name__})


def install_package(buffer, filename):
    import importlib, sysconfig
    from pyodide._package_loader import unpack_buffer
    dynlibs = unpack_buffer(buffer, filename=filename, extract_dir=sysconfig.get_path("purelib"), calculate_dynlibs=True)
    importlib.invalidate_caches()
    return json.dumps(list(dynlibs) if dynlibs is not None else [])


# ---- values for other languages ----

def plain(value, depth=0):
    """A value as plain data (lists, dicts, scalars) for toJs; lists of dicts stay lists of dicts."""
    if depth > 50:
        return repr(value)
    own = getattr(type(value), "_rnb_plain_", None)  # rnb.ui widgets: {"$rnbWidget": WidgetData}
    if own is not None:
        return own(value)
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, range)):
        return [plain(v, depth + 1) for v in value]
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        if isinstance(value, pandas.DataFrame):
            return [plain(r, depth + 1) for r in value.to_dict("records")]
        if isinstance(value, pandas.Series):
            return [plain(v, depth + 1) for v in value.tolist()]
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, (numpy.ndarray, numpy.generic)):
        return plain(value.tolist(), depth + 1)
    return repr(value)


def plain_global(name):
    return plain(G.get(name))


def delete_names(names_json):
    for name in json.loads(names_json):
        G.pop(name, None)


# ---- the other modules' entry points, called by the runtimes on this module ----

def complete(request_json):
    """{code, cursor} -> the completions at the cursor (rnb_completer.py)."""
    import rnb_completer
    return rnb_completer.complete(request_json)


def inspect_name(request_json):
    """{name} -> signature, docstring and type of that dotted name (rnb_inspector.py)."""
    import rnb_inspector
    return rnb_inspector.inspect_name(request_json)


def describe_variables(max_names, budget_ms):
    """The variable explorer's list (rnb_variables.py)."""
    import rnb_variables
    return rnb_variables.describe_variables(max_names, budget_ms)


def table_columns_global(name):
    """A list of dicts by columns, for another language's cell, or None (rnb_columns.py)."""
    import rnb_columns
    return rnb_columns.table_columns_global(name)


def table_page(request_json):
    """One page of a live table (rnb_variables.py)."""
    import rnb_variables
    return rnb_variables.table_page(request_json)


def forget_cell_tables(cell_ids_json):
    """Deleted cells' live tables go (rnb_variables.py)."""
    import rnb_variables
    return rnb_variables.forget_cell_tables(cell_ids_json)


def live_tables_cell_started(cell_id):
    import rnb_variables
    rnb_variables.live_tables_cell_started(cell_id)


def live_table_metadata(value, table):
    """Keeps a big table's value for paging (rnb_variables.py); rnb_display.py calls it on this module."""
    import rnb_variables
    return rnb_variables.live_table_metadata(value, table)
