"""DataFrames, Series and lists of dicts as the page's table output (application/vnd.notebook.table+json).

The decisions (documented in plugins/python/README.md, "Rich output"):

- Index: a default index (0, 1, 2, ... unnamed) is left out; any other index (named, labels, dates, a MultiIndex)
  becomes the leading column(s), named after its level (``index`` / ``level_N`` when unnamed, as reset_index()
  names them). ``metadata.index_columns`` says how many leading columns are the index.
- Column labels are strings; a MultiIndex's labels are joined with " / ".
- Cells: integers and floats stay numbers (integers beyond 2**53 become strings), missing values (NaN, None,
  NaT, pd.NA) become null, the infinities "Infinity" / "-Infinity", datetimes ISO 8601 strings (with their
  offset when timezone-aware), everything else (timedelta, Decimal, category, bytes, lists, dicts) its str(),
  cut at 1,000 characters.
- ``metadata.column_types`` holds each column's dtype as pandas names it ("int64", "datetime64[ns, UTC]",
  "object"), ``metadata["text/plain"]`` pandas' own text, ``metadata.column_stats`` each column's type, missing values
  and range or most frequent values over ALL rows (rnb_column_stats.py).
- numpy 2-D arrays, polars DataFrames and pyarrow Tables are shown (and kept as live tables) as a pandas DataFrame
  over their columns (``as_table_source``), when pandas is importable.
- Bounded before anything is converted: at most MAX_TABLE_ROWS rows and MAX_TABLE_COLUMNS columns are taken
  from the frame, then rows are kept until MAX_TABLE_CHARS characters of JSON; the table says what it left out
  in ``truncated``.
"""
import datetime
import json
import math
import sys

TABLE_MIME = "application/vnd.notebook.table+json"
MAX_TABLE_ROWS = 10_000
MAX_TABLE_COLUMNS = 200
MAX_TABLE_CHARS = 4_000_000
MAX_CELL_TEXT = 1_000
MAX_PLAIN_TEXT = 20_000


def cell_value(value, nan="NaN"):
    """One table cell as JSON: number, string, bool or null. ``nan``: what a float NaN becomes ("NaN" for plain Python
    data, where it differs from None; None in a DataFrame, where pandas means a missing value by it)."""
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) or len(value) <= MAX_CELL_TEXT else value[:MAX_CELL_TEXT] + "…"
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, float):
        if value != value:
            return nan
        return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        if isinstance(value, (numpy.datetime64, numpy.timedelta64)):
            return None if numpy.isnat(value) else str(value)
        return cell_value(value.item(), nan)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        try:
            if value != value:  # NaT
                return None
            return value.isoformat()
        except Exception:
            return None
    try:
        if value != value:  # pd.NA raises here, NaN-likes are unequal to themselves
            return None
    except Exception:
        return None
    text = str(value) if not isinstance(value, (bytes, bytearray)) else repr(bytes(value))
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT] + "…"


def bounded_rows(rows):
    """Rows until MAX_TABLE_CHARS characters of JSON (the first row always)."""
    kept, used = [], 0
    for row in rows:
        used += len(json.dumps(row, default=str)) + 1
        if used > MAX_TABLE_CHARS and kept:
            break
        kept.append(row)
    return kept


def _note(shown_rows, total_rows, shown_columns, total_columns):
    parts = []
    if total_rows > shown_rows:
        parts.append(f"the first {shown_rows:,} of {total_rows:,} rows")
    if total_columns > shown_columns:
        parts.append(f"the first {shown_columns:,} of {total_columns:,} columns")
    return ("Showing " + " and ".join(parts) + ".") if parts else None


def _label(label):
    if isinstance(label, tuple):
        return " / ".join(str(part) for part in label)
    return str(label)


def _is_default_index(index, pandas):
    return isinstance(index, pandas.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None


def _plain(value, pandas):
    try:
        with pandas.option_context("display.max_rows", 20, "display.max_columns", 20, "display.width", 120):
            text = repr(value)
    except Exception:
        return None
    return text if len(text) <= MAX_PLAIN_TEXT else text[:MAX_PLAIN_TEXT] + "…"


def dataframe_table(df, pandas, total_rows=None):
    rows_in_frame, total_columns = df.shape
    total_rows = rows_in_frame if total_rows is None else total_rows
    head = df.iloc[:MAX_TABLE_ROWS, :MAX_TABLE_COLUMNS]
    columns, types, data, whole = [], [], [], []
    index_columns = 0
    if not _is_default_index(head.index, pandas):
        for level in range(head.index.nlevels):
            name = head.index.names[level]
            columns.append(_label(name) if name is not None else ("index" if head.index.nlevels == 1 else f"level_{level}"))
            values = head.index.get_level_values(level)
            types.append(str(values.dtype))
            data.append(values)
            whole.append(pandas.Series(df.index.get_level_values(level), copy=False))
            index_columns += 1
    for position in range(head.shape[1]):
        series = head.iloc[:, position]
        columns.append(_label(head.columns[position]))
        types.append(str(series.dtype))
        data.append(series)
        whole.append(df.iloc[:, position])
    converted = [[cell_value(v, None) for v in _values(column)] for column in data]
    rows = bounded_rows(list(row) for row in zip(*converted)) if converted else [[] for _ in range(len(head))]
    table = {"type": "table", "columns": columns, "rows": rows}
    truncated = _note(len(rows), total_rows, head.shape[1], total_columns)
    if truncated:
        table["truncated"] = truncated
    from rnb_column_stats import frame_stats
    metadata = {"column_types": types, "index_columns": index_columns, "column_stats": frame_stats(whole)}
    plain = _plain(df, pandas)
    if plain is not None:
        metadata["text/plain"] = plain
    return {"mime_type": TABLE_MIME, "data": table, "metadata": metadata}


def _values(column):
    # Python objects, not numpy scalars: Timestamps keep their time zone, NaT and NA stay recognisable.
    try:
        if str(column.dtype).startswith(("datetime64", "timedelta64")) or hasattr(column.dtype, "tz"):
            return list(column.astype(object))
        return column.tolist()
    except Exception:
        return list(column)


def records_table(records):
    columns, seen = [], set()
    for record in records[:MAX_TABLE_ROWS]:
        for key in record:
            if key not in seen and len(columns) < MAX_TABLE_COLUMNS:
                seen.add(key)
                columns.append(key)
    rows = bounded_rows([cell_value(record.get(c)) for c in columns] for record in records[:MAX_TABLE_ROWS])
    table = {"type": "table", "columns": [str(c) for c in columns], "rows": rows}
    if len(records) > len(rows):
        table["truncated"] = f"Showing the first {len(rows):,} of {len(records):,} rows."
    from rnb_column_stats import records_stats
    return {"mime_type": TABLE_MIME, "data": table, "metadata": {"column_stats": records_stats(records, columns)}}


def table_output(value):
    """The table output of a DataFrame, a Series or a non-empty list of dicts; None for anything else."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value[:MAX_TABLE_ROWS]):
        return records_table(value)
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return None
    if isinstance(value, pandas.Series):
        return dataframe_table(value.to_frame(name=value.name if value.name is not None else "value"), pandas)
    if isinstance(value, pandas.DataFrame):
        return dataframe_table(value, pandas)
    return None


def as_table_source(value):
    """What a table output (and a live table) is made from: the value itself (a DataFrame, a Series, a list of dicts), or
    a pandas DataFrame over the columns of a numpy 2-D array, a polars DataFrame or a pyarrow Table or RecordBatch
    (made once; the live table keeps it). None for anything else. Those libraries are looked up, never imported here."""
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return value
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray) and value.ndim == 2 and value.dtype.kind in "biufcmMOSU":
        return pandas.DataFrame(value, copy=False)
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(value, polars.DataFrame):
        # Column by column through numpy: polars' own to_pandas() needs pyarrow, which a polars install may lack.
        return pandas.DataFrame({name: column.to_numpy() for name, column in zip(value.columns, value.get_columns())},
                                columns=list(value.columns))
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None and isinstance(value, (pyarrow.Table, pyarrow.RecordBatch)):
        return value.to_pandas()
    return value
