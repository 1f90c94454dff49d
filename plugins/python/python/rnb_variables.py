"""The variable explorer's and live tables' Python half, on Pyodide and native CPython alike.

describe_variables: every user name of ``G`` with its type, a short value or shape and an approximate size, without
converting or copying any value; bounded in names and time.

Live tables: a table output of a big result keeps the value here under a table id (named in the output's metadata), so
that the page can page, sort and filter ALL rows through ``table_page`` while only a preview travels. A cell's tables go
when it runs again or is deleted; at most MAX_LIVE_TABLES are kept (least recently used go first), so memory stays
bounded by what the notebook's own values already hold plus that many results.

Imported by the runtime right after the runner, before any cell runs (``_BASE_NAMES`` are the names ``G`` has then).
"""
from _rnb_runner import G
from rnb_outputs import _finite, _scalar
import collections as _collections, itertools as _itertools, json as _json, reprlib as _reprlib, sys as _sys, time as _time, types as _types

# The names G has before any cell ran (builtins, the runner's own): never the user's.
_BASE_NAMES = frozenset(G)
MAX_SUMMARY = 120
_short_repr = _reprlib.Repr()
_short_repr.maxstring = 60
_short_repr.maxother = 60
_short_repr.maxlist = 5
_short_repr.maxdict = 4


def _count(n):
    return f"{n:,}"


def _summary(value):
    """(type, summary) of a value, from its shape where it has one: never its full repr."""
    kind = type(value).__name__
    pandas = _sys.modules.get("pandas")
    numpy = _sys.modules.get("numpy")
    if pandas is not None:
        if isinstance(value, pandas.DataFrame):
            return kind, f"DataFrame {_count(value.shape[0])} × {_count(value.shape[1])}"
        if isinstance(value, pandas.Series):
            return kind, f"Series {_count(len(value))} {value.dtype}"
    if numpy is not None and isinstance(value, numpy.ndarray):
        return kind, f"ndarray {tuple(value.shape)} {value.dtype}"
    if isinstance(value, (list, tuple, dict, set, frozenset, _collections.deque)):
        return kind, f"{kind}[{_count(len(value))}]"
    if isinstance(value, _types.ModuleType):
        return "module", f"module {value.__name__}"
    if isinstance(value, type):
        return "class", f"class {value.__qualname__}"
    if isinstance(value, (_types.FunctionType, _types.BuiltinFunctionType, _types.MethodType)):
        return kind, f"{getattr(value, '__qualname__', kind)}(…)"
    if isinstance(value, (str, bytes)):
        return kind, _short_repr.repr(value)
    try:
        return kind, _short_repr.repr(value)
    except Exception:
        return kind, f"<{kind}>"


def _size(value):
    """Approximate bytes: the data of arrays and frames, a container's first level, else getsizeof."""
    try:
        pandas = _sys.modules.get("pandas")
        numpy = _sys.modules.get("numpy")
        if pandas is not None and isinstance(value, pandas.DataFrame):
            return int(value.memory_usage(index=True, deep=False).sum())
        if pandas is not None and isinstance(value, pandas.Series):
            return int(value.memory_usage(index=True, deep=False))
        if numpy is not None and isinstance(value, numpy.ndarray):
            return int(value.nbytes)
        size = _sys.getsizeof(value)
        if isinstance(value, (list, tuple, set, frozenset, _collections.deque, dict)):
            items = value.items() if isinstance(value, dict) else value
            sample = list(_itertools.islice(items, 1000))
            if sample:
                each = sum(_sys.getsizeof(k) + _sys.getsizeof(v) for k, v in sample) if isinstance(value, dict) else sum(_sys.getsizeof(v) for v in sample)
                size += each * len(value) // len(sample)
        return int(size)
    except Exception:
        return None


def describe_variables(max_names, budget_ms):
    """JSON list of {name, type, summary, size} for the user's names, in definition order; stops at the bounds."""
    deadline = _time.monotonic() + max(0, budget_ms) / 1000
    described = []
    for name, value in list(G.items()):
        if len(described) >= max_names or _time.monotonic() > deadline:
            break
        if name in _BASE_NAMES or (name.startswith("__") and name.endswith("__")):
            continue
        kind, summary = _summary(value)
        if len(summary) > MAX_SUMMARY:
            summary = summary[:MAX_SUMMARY - 1] + "…"
        described.append({"name": name, "type": kind, "summary": summary, "size": _size(value)})
    return _json.dumps(described)


# ---- live tables ----

MAX_LIVE_TABLES = 16
MAX_PAGE_ROWS = 1000
# A live table's output keeps this many rows: the page asks the kernel for the rest, and the notebook stores less.
LIVE_PREVIEW_ROWS = 1000
_live_tables = _collections.OrderedDict()
_live_cell = None
_live_counter = 0
# Counts cell runs: what a table keeps derived from its value (its view, sort keys) holds for one version only, since
# any cell may change a DataFrame in place (df.sort_values(inplace=True), df.loc[...] = ...).
_values_version = 0


def live_tables_cell_started(cell_id):
    """A cell runs (again): its earlier tables go, and every table's derived state is of an older version now."""
    global _live_cell, _values_version
    _live_cell = cell_id
    _values_version += 1
    forget_cell_tables(_json.dumps([cell_id]))


def forget_cell_tables(cell_ids_json):
    cells = set(_json.loads(cell_ids_json))
    for key in [k for k, t in _live_tables.items() if t["cell"] in cells]:
        del _live_tables[key]


def _table_entry(cell, value):
    # "frame", "keys" and "view" are derived from "value" at "version" (the object is the table's own: its identity);
    # rnb_table_views.py makes and uses them.
    return {"cell": cell, "value": value, "version": _values_version, "frame": None, "keys": {}, "view": None}


def _row_count(value):
    pandas = _sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return len(value)
    if isinstance(value, list):
        return len(value)
    return None


def live_table_metadata(value, table):
    """Keeps a result of more than LIVE_PREVIEW_ROWS rows and cuts its output to that preview; the metadata naming it, or None."""
    total = _row_count(value)
    if total is None or total <= LIVE_PREVIEW_ROWS or _live_cell is None:
        return None
    if len(table["rows"]) > LIVE_PREVIEW_ROWS:
        del table["rows"][LIVE_PREVIEW_ROWS:]
    shown_columns = ""  # a note on columns left out (rnb_tables.py) stays
    earlier = table.get("truncated") or ""
    if " and the first " in earlier:
        shown_columns = earlier[earlier.index(" and the first "):].rstrip(".")
    table["truncated"] = f"Showing the first {len(table['rows']):,} of {total:,} rows{shown_columns}."
    global _live_counter
    _live_counter += 1
    table_id = f"{_live_cell}:{_live_counter}"
    _live_tables[table_id] = _table_entry(_live_cell, value)
    while len(_live_tables) > MAX_LIVE_TABLES:
        _live_tables.popitem(last=False)
    return {"rnb_table": {"id": table_id, "rows": total}}


def table_page(request_json):
    """One page of a live table, filtered and sorted over all its rows: {status: ok|gone, columns, rows, total}."""
    request = _json.loads(request_json)
    entry = _live_tables.get(request.get("table_id"))
    if entry is None:
        return _json.dumps({"status": "gone"})
    _live_tables.move_to_end(request["table_id"])
    offset = max(0, int(request.get("offset") or 0))
    limit = max(0, min(MAX_PAGE_ROWS, int(request.get("limit") or 100)))
    query = str(request.get("filter") or "").strip().lower()
    sort = request.get("sort")
    if sort is not None:
        sort = {"column": int(sort["column"]), "descending": bool(sort.get("descending"))}
    key = (query, None if sort is None else (sort["column"], sort["descending"]))
    # Paging through one sort or filter reuses it: only a new sort or filter costs a pass over all rows.
    if entry["version"] != _values_version:  # a cell ran since: the value may have changed in place
        entry.update(_table_entry(entry["cell"], entry["value"]))
    if entry["view"] is None or entry["view"][0] != key:
        value = entry["value"]
        pandas = _sys.modules.get("pandas")
        import rnb_table_views
        if pandas is not None and isinstance(value, pandas.DataFrame):
            if entry["frame"] is None:
                entry["frame"] = rnb_table_views.sortable_frame(value)
            built = rnb_table_views.frame_view(entry["frame"], query, sort, entry["keys"])
        else:
            built = rnb_table_views.records_view(value, query, sort, entry["keys"])
        entry["view"] = (key, built)
    columns, view = entry["view"][1]
    total = len(view)
    if view.frame is None:
        page = [[_scalar(r.get(c)) for c in view.columns] for r in view.page(offset, limit)]
    else:
        # A DataFrame's NaN is a missing value: null, as in its preview (rnb_tables.py), not the string "NaN".
        page = [[None if isinstance(v, float) and v != v else _scalar(v) for v in row] for row in view.page(offset, limit)]
    answer = {"status": "ok", "columns": columns, "rows": page, "total": total, "all_rows": _row_count(entry["value"])}
    try:
        return _json.dumps(answer, allow_nan=False)
    except ValueError:
        return _json.dumps(_finite(answer), allow_nan=False)
