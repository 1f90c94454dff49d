"""Rich output for notebook cells, shared by every Python runtime (Pyodide and native CPython).

Imported by the runtime as the module ``rnb_display`` next to the runner (``_rnb_runner``). It gives cells:

- a builtin ``display(*objs)`` that emits outputs while the cell runs, in order (a cell may show many);
- the last expression's value rendered with IPython's conventions (``_repr_mimebundle_``, ``_repr_html_``,
  ``_repr_markdown_``, ``_repr_png_``, ...), the richest MIME type the page draws, text/plain kept in
  ``metadata["text/plain"]`` as the fallback;
- pandas DataFrames and Series as the page's table output (``rnb_tables.py``);
- matplotlib figures as PNG: ``plt.show()``, a figure as the last value, and figures left open by the cell,
  all closed afterwards (``rnb_figures.py``);
- an ``IPython.display`` shim (``rnb_ipython.py``) so notebooks written for Jupyter run unchanged.

The runtime calls ``install(sink)`` once (sink: one output as JSON text, sent to the page at once) and the runner
calls ``start_cell()`` before each cell, ``finish_cell(value)`` after it and ``abandon_cell()`` when it failed.
See plugins/python/README.md, "Rich output".
"""
import base64
import builtins
import json
import math
import os
import sys

TABLE_MIME = "application/vnd.notebook.table+json"
# What clear_output() sends: core empties the running cell's outputs (never shown itself).
CLEAR_OUTPUT_MIME = "application/vnd.rnb.clear-output+json"

# The page's renderers, richest first. The first type a value offers is shown; text/plain is the fallback.
PAGE_MIME_ORDER = [
    "application/vnd.vegalite.v5+json",
    "application/vnd.vegalite.v4+json",
    "application/vnd.plotly.v1+json",
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/latex",
    "application/json",
    "text/plain",
]

_REPR_METHODS = (
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_latex_", "text/latex"),
    ("_repr_json_", "application/json"),
)

# The text/plain fallback kept beside a rich output, and a plain repr, are cut here.
MAX_TEXT = 100_000
# Outputs one cell may show (display() in a loop of a million): the rest become one note. Core's run coordinator keeps
# as many (core/src/session/run-coordinator.ts), so nothing is rendered only to be dropped there.
MAX_OUTPUTS_PER_CELL = 50

_state = {"sink": None, "pending": [], "shown": 0, "dropped": 0}


def _runner():
    return sys.modules.get("_rnb_runner")


def max_output_chars():
    """The kernel's limit on one output's characters (rnb_outputs.py holds it, set by the runner; 8 MB without it)."""
    return getattr(sys.modules.get("rnb_outputs"), "MAX_OUTPUT_CHARS", 8 * 1024 * 1024)


def size_text(chars):
    # The kernel's wording (core/src/kernel/child/output-cap.ts).
    mib = 1024 * 1024
    if chars >= mib:
        mb = chars / mib
        return f"{round(mb) if mb >= 10 else float(f'{mb:.1f}'):g} MB"
    return f"{max(1, round(chars / 1024))} KB"


def too_large(size):
    return {"mime_type": "text/plain", "data": f"Output of {size_text(size)} not shown: the limit is {size_text(max_output_chars())}."}


def note(text):
    return {"mime_type": "text/plain", "data": text}


def finite(data):
    """JSON-like data with NaN and the infinities as the strings docs/protocol.md names, so it is valid JSON."""
    if isinstance(data, float):
        if math.isfinite(data):
            return data
        return "NaN" if data != data else ("Infinity" if data > 0 else "-Infinity")
    if isinstance(data, dict):
        return {str(k): finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite(v) for v in data]
    return data


def bounded_json_size(data, limit, depth=0):
    """About how many characters ``data`` takes as JSON, counting no further than ``limit``: a huge value is
    recognised without encoding it. Unknown objects count as their str() would."""
    size = 0
    stack = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if level > 200:
            return limit + 1
        if isinstance(value, str):
            size += len(value) + 2
        elif value is None or isinstance(value, (bool, int, float)):
            size += 5 if value is None or isinstance(value, bool) else len(repr(value))
        elif isinstance(value, dict):
            size += 2 + len(value)
            if size > limit:
                return size
            for key, item in value.items():
                size += len(str(key)) + 3
                stack.append((item, level + 1))
        elif isinstance(value, (list, tuple)):
            size += 2 + len(value)
            if size > limit:  # before its items are visited: a list of a million says so at once
                return size
            stack.extend((item, level + 1) for item in value)
        else:
            size += 20
        if size > limit:
            return size
    return size


def plain_text(value):
    try:
        text = repr(value)
    except Exception as error:
        text = f"<value could not be displayed: {error!r}>"
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"... [{len(text) - MAX_TEXT:,} more characters]"
    return text


def _call(value, method, *args, **kwargs):
    fn = getattr(value, method, None)
    if fn is None or isinstance(value, type) or not callable(fn):
        return None
    try:
        return fn(*args, **kwargs)
    except TypeError:
        if args or kwargs:  # an older _repr_mimebundle_() that takes no include/exclude
            return _call(value, method)
        return None
    except Exception:  # a failing _repr_*_ falls back to the next one, at last to repr()
        return None


def mime_bundle(value, include=None, exclude=None):
    """The IPython MIME bundle of a value: (data by MIME type, metadata by MIME type)."""
    data, metadata = {}, {}
    raw = _call(value, "_repr_mimebundle_", include=include, exclude=exclude)
    if isinstance(raw, tuple) and len(raw) == 2:
        raw, raw_metadata = raw
        if isinstance(raw_metadata, dict):
            metadata.update(raw_metadata)
    if isinstance(raw, dict):
        data.update(raw)
    for method, mime in _REPR_METHODS:
        if mime in data:
            continue
        result = _call(value, method)
        if isinstance(result, tuple) and len(result) == 2:
            result, item_metadata = result
            if isinstance(item_metadata, dict):
                metadata[mime] = item_metadata
        if result is not None:
            data[mime] = result
    if include:
        data = {k: v for k, v in data.items() if k in include}
    if exclude:
        data = {k: v for k, v in data.items() if k not in exclude}
    return data, metadata


def _encode(mime, data):
    """One bundle entry as an output's data, its size checked before it is encoded; None when it cannot be."""
    limit = max_output_chars()
    if mime in ("image/png", "image/jpeg"):
        if isinstance(data, (bytes, bytearray, memoryview)):
            size = 4 * ((len(data) + 2) // 3)
            if size > limit:
                return too_large(size)
            return {"mime_type": mime, "data": base64.b64encode(bytes(data)).decode("ascii")}
        if isinstance(data, str):  # already base64, as IPython allows
            return too_large(len(data)) if len(data) > limit else {"mime_type": mime, "data": data.strip()}
        return None
    if mime.endswith("json"):
        if isinstance(data, (bytes, bytearray)):
            data = data.decode("utf-8")
        if isinstance(data, str):
            if len(data) > limit:
                return too_large(len(data))
            data = json.loads(data)
        size = bounded_json_size(data, limit)
        if size > limit:
            return too_large(size)
        data = finite(data)
        json.dumps(data, allow_nan=False)  # raises when it is not JSON at all: the next type is tried
        return {"mime_type": mime, "data": data}
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if not isinstance(data, str):
        return None
    if len(data) > limit:
        return too_large(len(data))
    return {"mime_type": mime, "data": data}


def outputs_from_bundle(data, metadata=None, text=None):
    """The richest output of a bundle the page draws; its text/plain rides along in metadata."""
    plain = data.get("text/plain", text)
    for mime in PAGE_MIME_ORDER:
        if mime not in data:
            continue
        try:
            output = _encode(mime, data[mime])
        except Exception:
            continue
        if output is None:
            continue
        if output["mime_type"] != "text/plain":
            meta = dict(metadata.get(mime, {})) if isinstance(metadata, dict) and isinstance(metadata.get(mime), dict) else {}
            if isinstance(plain, str):
                meta["text/plain"] = plain if len(plain) <= MAX_TEXT else plain[:MAX_TEXT] + "…"
            if meta and output["mime_type"] == mime:
                output["metadata"] = finite(meta)
        return [output]
    return [note(plain)] if isinstance(plain, str) else []


def render(value, include=None, exclude=None):
    """The outputs of one value ([] for None): a table, a figure, or the value's richest repr."""
    if value is None:
        return []
    own = getattr(type(value), "_rnb_output_", None)  # rnb.ui widgets: their own widget output
    if own is not None:
        return [own(value)]
    from rnb_tables import as_table_source, table_output  # noqa: imported lazily, the runtime registers it
    from rnb_figures import figure_output, is_matplotlib_artist
    source = as_table_source(value)
    table = table_output(source)
    if table is not None:
        # A big result stays in the kernel for paging, sorting and filtering (rnb_variables.py), its output a preview.
        live = getattr(_runner(), "live_table_metadata", None)
        meta = live(source, table["data"]) if live is not None else None
        if meta:
            table["metadata"] = {**(table.get("metadata") or {}), **meta}
        return [table]
    figure = figure_output(value)
    if figure is not None:
        return figure
    if is_matplotlib_artist(value):
        return []  # plt.plot(...)'s lines: their figure shows, not "[<matplotlib.lines.Line2D ...>]"
    data, metadata = mime_bundle(value, include, exclude)
    if data:
        if "text/plain" not in data:
            data["text/plain"] = plain_text(value)
        return outputs_from_bundle(data, metadata)
    return [note(plain_text(value))]


# ---- the cell's outputs, in order ----

def room():
    """How many more outputs this cell may show."""
    return MAX_OUTPUTS_PER_CELL - _state["shown"]


def emit(output):
    """Shows one output now (after the text printed before it), or keeps it for the end of the cell."""
    if _state["shown"] >= MAX_OUTPUTS_PER_CELL:
        _state["dropped"] += 1
        return
    _state["shown"] += 1
    runner = _runner()
    if runner is not None:
        runner.flush_streams()
    sink = _state["sink"]
    if sink is None:
        _state["pending"].append(output)
        return
    try:
        text = json.dumps(output, allow_nan=False)
    except ValueError:
        text = json.dumps(finite(output), allow_nan=False)
    sink(text)


def display(*objs, include=None, exclude=None, metadata=None, raw=False, **kwargs):
    """IPython's display(): each object's richest output, shown at once, in order. ``raw=True`` takes MIME bundles."""
    for obj in objs:
        if raw and isinstance(obj, dict):
            outputs = outputs_from_bundle(obj, metadata)
        else:
            try:
                outputs = render(obj, include, exclude)
            except Exception as error:
                outputs = [note(f"<value could not be displayed: {error!r}>")]
        for output in outputs:
            emit(output)


def clear_output(wait=False):
    """IPython's clear_output(): what the cell printed and showed so far goes. ``wait=True`` clears only when the next
    text or output arrives, so a loop that redraws (a progress line, a live chart) does not flicker. Core does the
    clearing (docs/protocol.md, ``cell_cleared``); the cell's output budget starts again."""
    _state["shown"] = 0
    _state["dropped"] = 0
    _state["pending"] = []
    runner = _runner()
    if runner is not None:
        runner.flush_streams()
    if _state["sink"] is not None:
        _state["sink"](json.dumps({"mime_type": CLEAR_OUTPUT_MIME, "data": {"wait": bool(wait)}}))


def install(sink):
    """The runtime's sink for outputs shown while a cell runs (one output as JSON text), and the builtins."""
    _state["sink"] = sink
    builtins.display = display
    # plotly figures give their JSON through _repr_mimebundle_ only with a MIME renderer (outside Jupyter its default
    # opens a browser); read by plotly when it is imported.
    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype")
    import rnb_figures
    import rnb_ipython
    rnb_figures.install()
    rnb_ipython.install()


def start_cell():
    _state["pending"] = []
    _state["shown"] = 0
    _state["dropped"] = 0
    import rnb_figures
    rnb_figures.close_all()  # a figure a failed cell left open is not this cell's


def finish_cell(value):
    """The outputs the runner returns at the end: what display() kept (no sink), the last value, open figures."""
    import rnb_figures
    outputs = list(_state["pending"])
    _state["pending"] = []
    try:
        for output in render(value):
            emit(output)
    except Exception as error:
        emit(note(f"<value could not be displayed: {error!r}>"))
    for output in rnb_figures.open_figures_as_outputs():
        emit(output)
    outputs.extend(_state["pending"])
    _state["pending"] = []
    if _state["dropped"]:
        outputs.append(note(f"{_state['dropped']:,} more outputs not shown: a cell shows at most {MAX_OUTPUTS_PER_CELL}."))
    return outputs


def abandon_cell():
    """A failed cell: its open figures are closed, what it displayed stays shown."""
    import rnb_figures
    _state["pending"] = []
    rnb_figures.close_all()
