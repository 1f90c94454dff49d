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
    # "frame", "keys" and "view" are derived from "value" at "version" (the object is the table's own: its identity).
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


class _FrameRows:
    """A sorted or filtered view of a DataFrame as row positions into it: never a copy of the frame. A filter is one mask;
    a sort makes only as much of its order as the pages asked so far need (rnb_table_sort.py), from the column's sort key,
    which the table keeps (``keys``) so another sort of that column, the other direction or a new filter do not pass
    over its values again."""

    def __init__(self, frame, positions, sort, keys):
        self.frame = frame
        self.positions = positions  # the rows that pass the filter, or None for all
        self._sort = sort
        self._keys = keys
        self._order = None  # positions in sorted order: a prefix, or all when _complete
        self._complete = False

    def __len__(self):
        return len(self.frame) if self.positions is None else len(self.positions)

    def page(self, offset, limit):
        if self._sort is None:
            rows = self.frame.iloc[offset:offset + limit] if self.positions is None else self.frame.iloc[self.positions[offset:offset + limit]]
        else:
            rows = self.frame.iloc[self._ordered(offset + limit)[offset:offset + limit]]
        return rows.itertuples(index=False, name=None)

    def _ordered(self, needed):
        if self._order is not None and (self._complete or len(self._order) >= needed):
            return self._order
        import rnb_table_sort
        key = _column_key(self._keys, self.frame, self._sort["column"])
        # Twice what is asked: scrolling on fetches the next pages without a new pass.
        wanted = max(needed * 2, 1000)
        self._order, self._complete = rnb_table_sort.stable_order(key, self._sort["descending"], wanted, self.positions)
        return self._order


# Sort keys kept per table (a million rows: 8 MB of ranks and 8 MB of order for a text column).
MAX_KEYS_PER_TABLE = 4


def _column_key(keys, frame, column):
    import rnb_table_sort
    key = keys.pop(column, None)
    if key is None:
        series = frame.iloc[:, column]
        if getattr(series.dtype, "tz", None) is not None:
            # Timezone-aware datetimes as UTC instants: numbers numpy sorts, not an object array of Timestamps.
            values = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        else:
            values = series.to_numpy()
        key = rnb_table_sort.column_key(values)
    keys[column] = key  # the most recently used last
    while len(keys) > MAX_KEYS_PER_TABLE:
        del keys[next(iter(keys))]
    return key


def _sortable_frame(df):
    """The frame a table's pages read: a named index becomes columns (made once per table and version, not per sort)."""
    return df.reset_index() if any(n is not None for n in df.index.names) else df


def _frame_view(df, query, sort, keys):
    import numpy
    positions = None
    if query:
        mask = numpy.zeros(len(df), dtype=bool)
        for position in range(df.shape[1]):
            mask |= df.iloc[:, position].astype(str).str.lower().str.contains(query, regex=False).to_numpy(dtype=bool, na_value=False)
        positions = numpy.flatnonzero(mask)
    return [str(c) for c in df.columns], _FrameRows(df, positions, sort, keys)


def _record_key(value):
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    return (1, 0, str(value))


def _records_view(records, query, sort, keys):
    """A list of dicts filtered and sorted as a list of its rows. Its columns and each sorted column's order are kept in
    ``keys`` (the table's, for one version of the value): paging, the other direction and a new filter reuse them."""
    if "records" not in keys:
        columns, seen = [], set()
        for record in records:
            if isinstance(record, dict):
                for key in record:
                    if key not in seen:
                        seen.add(key)
                        columns.append(key)
        keys["records"] = (columns, [r for r in records if isinstance(r, dict)])
    columns, rows = keys["records"]
    if query:
        passing = [i for i, r in enumerate(rows) if any(query in str(r.get(c)).lower() for c in columns)]
    else:
        passing = None
    if sort is None:
        chosen = rows if passing is None else [rows[i] for i in passing]
    else:
        order = _records_order(keys, rows, columns[sort["column"]], sort["descending"])
        if passing is not None:
            wanted = bytearray(len(rows))
            for i in passing:
                wanted[i] = 1
            order = [i for i in order if wanted[i]]
        chosen = [rows[i] for i in order]
    return [str(c) for c in columns], (columns, chosen)


def _records_order(keys, rows, column, descending):
    """Row indices sorted by one column, stable, missing values last; kept per column and direction."""
    cached = keys.get(("order", column, descending))
    if cached is not None:
        return cached
    values = [r.get(column) for r in rows]
    present = [i for i, v in enumerate(values) if v is not None and v == v]
    missing = [i for i, v in enumerate(values) if not (v is not None and v == v)]
    ascending = keys.get(("order", column, False))
    try:  # one type (all text, all numbers): compared as they are, the fast path
        if descending and ascending is not None:
            # Ascending already (ties in row order): sorted again in reverse, stable and nearly free on that input.
            order = sorted(ascending[:len(present)], key=values.__getitem__, reverse=True)
        else:
            order = sorted(present, key=values.__getitem__, reverse=descending)
    except TypeError:  # mixed: numbers before text
        sort_keys = [_record_key(v) for v in values]
        order = sorted(present, key=sort_keys.__getitem__, reverse=descending)
    order += missing
    orders = [k for k in keys if isinstance(k, tuple)]
    if len(orders) >= 2 * MAX_KEYS_PER_TABLE:
        del keys[orders[0]]
    keys[("order", column, descending)] = order
    return order


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
        if pandas is not None and isinstance(value, pandas.DataFrame):
            if entry["frame"] is None:
                entry["frame"] = _sortable_frame(value)
            built = _frame_view(entry["frame"], query, sort, entry["keys"])
        else:
            built = _records_view(value, query, sort, entry["keys"])
        entry["view"] = (key, built)
    columns, view = entry["view"][1]
    if isinstance(view, tuple):
        keys, rows = view
        total = len(rows)
        page = [[_scalar(r.get(c)) for c in keys] for r in rows[offset:offset + limit]]
    else:
        total = len(view)
        # A DataFrame's NaN is a missing value: null, as in its preview (rnb_tables.py), not the string "NaN".
        page = [[None if isinstance(v, float) and v != v else _scalar(v) for v in row] for row in view.page(offset, limit)]
    answer = {"status": "ok", "columns": columns, "rows": page, "total": total, "all_rows": _row_count(entry["value"])}
    try:
        return _json.dumps(answer, allow_nan=False)
    except ValueError:
        return _json.dumps(_finite(answer), allow_nan=False)
