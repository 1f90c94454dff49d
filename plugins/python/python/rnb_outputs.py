"""A cell's last value as outputs, imported by the runner (``_rnb_runner``): tables of records and DataFrames, the
richest repr a value has (``_repr_mimebundle_``, ``_repr_html_``, ...), plain text past that, each bounded by the
kernel's output limit. Used when the rich output files (rnb_display) are not loaded, and by ``rnb.ui.table``.
"""
import base64, json, math, sys

# The page sorts and filters every row a table output holds: hold many, bounded by rows and by
# JSON size (the host drops a cell's outputs past 8 MB).
MAX_TABLE_ROWS = 10_000
MAX_TEXT = 100_000
# Characters one output's data may take; the kernel's limit (set_max_output_chars) replaces the default. A larger repr
# becomes a note before it is encoded, copied to JavaScript and framed, rather than vanishing or killing the kernel.
MAX_OUTPUT_CHARS = 8 * 1024 * 1024


def set_max_output_chars(limit):
    global MAX_OUTPUT_CHARS
    MAX_OUTPUT_CHARS = int(limit)


def _size_text(chars):
    # The same wording as the kernel's note (core/src/kernel/child/output-cap.ts).
    mib = 1024 * 1024
    if chars >= mib:
        mb = chars / mib
        return f"{round(mb) if mb >= 10 else float(f'{mb:.1f}'):g} MB"
    return f"{max(1, round(chars / 1024))} KB"


def _too_large(size):
    return [{"mime_type": "text/plain", "data": f"Output of {_size_text(size)} not shown: the limit is {_size_text(MAX_OUTPUT_CHARS)}."}]


def _nonfinite(value):
    """NaN and the infinities as JSON cannot write them: "NaN", "Infinity", "-Infinity" (documented in docs/protocol.md)."""
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _finite(data):
    """JSON-like data with every non-finite float replaced by its string, so the result is valid JSON."""
    if isinstance(data, float):
        return data if math.isfinite(data) else _nonfinite(data)
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


MIME_ORDER = [
    "application/vnd.notebook.table+json",
    "application/vnd.plotly.v1+json",
    "application/vnd.vegalite.v5+json",
    "text/html",
    "image/svg+xml",
    "image/png",
    "application/json",
    "text/markdown",
    "text/plain",
]


def _scalar(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else _nonfinite(value)
    if isinstance(value, (bytes, bytearray)):
        text = repr(bytes(value))
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    try:
        import numpy
        if isinstance(value, numpy.generic):
            return _scalar(value.item())
    except Exception:
        pass
    if value != value:  # NaN-like (pandas NA, NaT)
        return None
    return str(value)


def _records_table(records):
    columns = []
    seen = set()
    for record in records:
        for key in record:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    rows = _bounded_rows([_scalar(record.get(c)) for c in columns] for record in records[:MAX_TABLE_ROWS])
    return _with_note({"type": "table", "columns": [str(c) for c in columns], "rows": rows}, len(records))


def _bounded_rows(rows):
    """Rows until rnb_tables' MAX_TABLE_CHARS of JSON (the first row always): one bound for every table output."""
    from rnb_tables import bounded_rows  # imported when a table is shown: the runner loads before the kernel modules

    return bounded_rows(rows)


def _with_note(table, total):
    shown = len(table["rows"])
    if total > shown:
        table["truncated"] = f"Showing the first {shown:,} of {total:,} rows."
    return table


def _dataframe_table(df):
    head = df.head(MAX_TABLE_ROWS)
    index_names = [n for n in head.index.names if n is not None]
    if index_names:
        head = head.reset_index()
    columns = [str(c) for c in head.columns]
    rows = _bounded_rows([_scalar(v) for v in row] for row in head.itertuples(index=False, name=None))
    return _with_note({"type": "table", "columns": columns, "rows": rows}, len(df))


def _table(value):
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return _records_table(value)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return _dataframe_table(value)
    return None


def _call_repr(value, method):
    fn = getattr(value, method, None)
    if fn is None or isinstance(value, type):
        return None
    try:
        return fn()
    except Exception:
        return None


def _bundle(value):
    bundle = {}
    raw = _call_repr(value, "_repr_mimebundle_")
    if isinstance(raw, tuple):
        raw = raw[0]
    if isinstance(raw, dict):
        bundle.update(raw)
    for method, mime in (("_repr_html_", "text/html"), ("_repr_svg_", "image/svg+xml"),
                         ("_repr_png_", "image/png"), ("_repr_json_", "application/json"),
                         ("_repr_markdown_", "text/markdown")):
        if mime not in bundle:
            data = _call_repr(value, method)
            if isinstance(data, tuple):
                data = data[0]
            if data is not None:
                bundle[mime] = data
    return bundle


def render(value):
    """The outputs of the cell's last value ([] for None)."""
    if value is None:
        return []
    own = getattr(type(value), "_rnb_output_", None)  # rnb.ui widgets (rnb/ui.py)
    if own is not None:
        return [own(value)]
    table = _table(value)
    if table is not None:
        output = {"mime_type": MIME_ORDER[0], "data": table}
        import rnb_variables  # keeps the full value for paging, sorting and filtering
        live = rnb_variables.live_table_metadata(value, table)
        if live is not None:
            output["metadata"] = live
        return [output]
    bundle = _bundle(value)
    for mime in MIME_ORDER[1:]:
        if mime not in bundle:
            continue
        data = bundle[mime]
        try:
            # Sizes are checked before anything is encoded or copied.
            if mime == "image/png" and isinstance(data, (bytes, bytearray)):
                if 4 * ((len(data) + 2) // 3) > MAX_OUTPUT_CHARS:
                    return _too_large(4 * ((len(data) + 2) // 3))
                data = base64.b64encode(data).decode("ascii")
            elif isinstance(data, str) and len(data) > MAX_OUTPUT_CHARS:
                return _too_large(len(data))
            elif mime.endswith("json"):
                data = _finite(data if not isinstance(data, str) else json.loads(data))
                size = len(json.dumps(data, allow_nan=False))  # raises when it is not JSON at all
                if size > MAX_OUTPUT_CHARS:
                    return _too_large(size)
            elif not isinstance(data, str):
                continue
            return [{"mime_type": mime, "data": data}]
        except Exception:
            continue
    text = repr(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"... [{len(text) - MAX_TEXT:,} more characters]"
    return [{"mime_type": "text/plain", "data": text}]
