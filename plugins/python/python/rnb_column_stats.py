"""Each column's summary for a table output's header, as marimo's and Deepnote's tables show: its type, how many values
are missing, and its range (numbers, dates) or its most frequent values (text, categories, booleans), computed in the
kernel over ALL rows of the result, not only the preview the page gets.

``metadata.column_stats`` of a table output is a list beside ``data.columns`` (docs/protocol.md, "Column summaries"):
``{"type", "nulls", "min"?, "max"?, "top"?: [[value, count], ...], "distinct"?}``; values as table cells are
(rnb_tables.cell_value). Bounded: TIME_BUDGET_SECONDS for a whole table, after which the remaining columns carry their
type only (``"partial": true`` on those), and text columns are counted from their first MAX_RECORDS_SCANNED rows, so a
5,000-column or 10-million-row result still shows at once.
"""
import collections
import math
import time

TIME_BUDGET_SECONDS = 1.5
TOP_VALUES = 3
# A list of dicts, or a column of Python objects (text), is counted in Python: at most this many rows per column (the
# summary then says how many it read); missing values are always counted over all rows.
MAX_RECORDS_SCANNED = 200_000


def _cell(value):
    from rnb_tables import cell_value
    return cell_value(value, None)


def series_stats(series):
    """One pandas Series (a column or an index level) over all its rows."""
    dtype = series.dtype
    stats = {"type": str(dtype), "nulls": int(series.isna().sum())}
    kind = getattr(dtype, "kind", "O")
    try:
        if kind in "iuf" or kind == "M" or kind == "m":
            present = series.dropna()
            if len(present):
                stats["min"] = _cell(present.min())
                stats["max"] = _cell(present.max())
        else:
            counted = series
            # Text in Python objects is counted one hashed object at a time: past a bound, from the first rows (said).
            if kind == "O" and len(series) > MAX_RECORDS_SCANNED:
                counted = series.iloc[:MAX_RECORDS_SCANNED]
                stats["sampled_rows"] = MAX_RECORDS_SCANNED
            counts = counted.value_counts(dropna=True)
            stats["distinct"] = int(len(counts))
            stats["top"] = [[_cell(value), int(count)] for value, count in counts.head(TOP_VALUES).items()]
    except Exception:  # unorderable or unhashable values (lists, dicts, mixed types): the type and nulls still say much
        pass
    return stats


def frame_stats(columns_data, deadline=None):
    """Summaries of a table's columns (pandas Series, in the table's column order), within the time budget."""
    deadline = time.monotonic() + TIME_BUDGET_SECONDS if deadline is None else deadline
    summaries = []
    for series in columns_data:
        if time.monotonic() > deadline:
            summaries.append({"type": str(series.dtype), "partial": True})
            continue
        summaries.append(series_stats(series))
    return summaries


def _python_type(value):
    return "float" if isinstance(value, float) else type(value).__name__


def records_stats(records, columns):
    """Summaries of a list of dicts' columns, in Python (no pandas needed)."""
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    scanned = records[:MAX_RECORDS_SCANNED]
    summaries = []
    for column in columns:
        if time.monotonic() > deadline:
            summaries.append({"type": "object", "partial": True})
            continue
        types, nulls, numbers, counts = set(), 0, [], collections.Counter()
        for record in scanned:
            value = record.get(column) if isinstance(record, dict) else None
            if value is None or (isinstance(value, float) and math.isnan(value)):
                nulls += 1
                continue
            types.add(_python_type(value))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers.append(value)
            else:
                try:
                    counts[value] += 1
                except TypeError:  # a list or a dict in a cell
                    pass
        if types == {"int", "float"}:
            types = {"float"}  # numbers all the same: ints among floats are not a mix of kinds
        stats = {"type": types.pop() if len(types) == 1 else ("mixed" if types else "null"), "nulls": nulls}
        if numbers and not counts:
            stats["min"], stats["max"] = _cell(min(numbers)), _cell(max(numbers))
        elif counts:
            stats["distinct"] = len(counts)
            stats["top"] = [[_cell(value), count] for value, count in counts.most_common(TOP_VALUES)]
        if len(records) > len(scanned):
            stats["sampled_rows"] = len(scanned)
        summaries.append(stats)
    return summaries
