"""A live table's rows filtered and sorted over all of them, for ``table_page`` (rnb_variables.py): a view is row
positions into the value, never a copy of it, and makes only as much of a sort's order as the pages asked so far need.

``keys`` is the table's own dict of what it keeps for one version of its value (rnb_variables.py drops it when a cell
runs): each sorted DataFrame column's sort key (rnb_table_sort.py), a list of records' columns, values and orders. A
second sort of a column, the other direction, pages further down and a new filter reuse them.
"""
import heapq
import itertools
import operator

# Sort keys kept per table (a million rows: 8 MB of ranks and 8 MB of order for a text column).
MAX_KEYS_PER_TABLE = 4
# A list of records' sort selects its first rows rather than making the whole order while they are at most this
# fraction of its rows (as rnb_table_sort.py does for DataFrames; that module needs numpy, lists of records do not).
PREFIX_FRACTION = 8


class FrameRows:
    """A sorted or filtered view of a DataFrame as row positions into it. A filter is one mask; a sort's order comes from
    the column's sort key."""

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


def sortable_frame(df):
    """The frame a table's pages read: a named index becomes columns (made once per table and version, not per sort)."""
    return df.reset_index() if any(n is not None for n in df.index.names) else df


def frame_view(df, query, sort, keys):
    """(column names, FrameRows) of a DataFrame filtered by ``query`` (lower-case text in any column) and sorted."""
    import numpy
    positions = None
    if query:
        mask = numpy.zeros(len(df), dtype=bool)
        for position in range(df.shape[1]):
            mask |= df.iloc[:, position].astype(str).str.lower().str.contains(query, regex=False).to_numpy(dtype=bool, na_value=False)
        positions = numpy.flatnonzero(mask)
    return [str(c) for c in df.columns], FrameRows(df, positions, sort, keys)


# ---- lists of records ----

def _record_key(value):
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    return (1, 0, str(value))


class RecordRows:
    """A list of dicts filtered and sorted, as indices into its dict rows. A sort's first page is selected in one pass
    (``heapq``, stable) rather than the whole order made; pages further down make the whole order, kept per column and
    direction."""
    frame = None

    def __init__(self, rows, columns, passing, sort, keys):
        self.rows = rows
        self.columns = columns
        self.passing = passing  # indices of the rows that pass the filter, or None for all
        self._sort = sort
        self._keys = keys
        self._order = None
        self._complete = False

    def __len__(self):
        return len(self.rows) if self.passing is None else len(self.passing)

    def page(self, offset, limit):
        if self._sort is None:
            indices = range(offset, min(offset + limit, len(self.rows))) if self.passing is None else self.passing[offset:offset + limit]
        else:
            indices = self._ordered(offset + limit)[offset:offset + limit]
        return [self.rows[i] for i in indices]

    def _ordered(self, needed):
        if self._order is not None and (self._complete or len(self._order) >= needed):
            return self._order
        column, descending = self.columns[self._sort["column"]], self._sort["descending"]
        candidates = range(len(self.rows)) if self.passing is None else self.passing
        wanted = max(needed * 2, 1000)
        whole = self._keys.get(("order", column, descending))
        if whole is None and wanted * PREFIX_FRACTION < len(candidates):
            values = _record_values(self._keys, self.rows, column)
            select = heapq.nlargest if descending else heapq.nsmallest  # both stable, as sorted(...)[:n] is
            try:
                # None and NaN (unequal to itself) are missing: they come last, after every selected row.
                prefix = select(wanted, (i for i in candidates if values[i] is not None and values[i] == values[i]), key=values.__getitem__)
            except TypeError:  # mixed types: the whole order, made with sort keys that rank them
                prefix = []
            if len(prefix) == wanted:
                self._order, self._complete = prefix, False
                return prefix
        whole = _records_order(self._keys, self.rows, column, descending)
        if self.passing is not None:
            passes = bytearray(len(self.rows))
            for i in self.passing:
                passes[i] = 1
            whole = [i for i in whole if passes[i]]
        self._order, self._complete = whole, True
        return whole


def records_view(records, query, sort, keys):
    """(column names, RecordRows) of a list of dicts filtered by ``query`` and sorted."""
    if "records" not in keys:
        rows = [r for r in records if isinstance(r, dict)]
        # Every key in order of first appearance, gathered by C loops (a Python loop over a million dicts is seconds in Pyodide).
        keys["records"] = (list(dict.fromkeys(itertools.chain.from_iterable(rows))), rows)
    columns, rows = keys["records"]
    passing = [i for i, r in enumerate(rows) if any(query in str(r.get(c)).lower() for c in columns)] if query else None
    return [str(c) for c in columns], RecordRows(rows, columns, passing, sort, keys)


def _record_values(keys, rows, column):
    values = keys.get(("values", column))
    if values is None:
        values = [r.get(column) for r in rows]
        _keep(keys, ("values", column), values)
    return values


def _reversed_stably(ascending, values):
    """The descending stable order from the ascending one: its groups of equal values in reverse, each kept in row order
    (a sort in reverse would cost nearly a whole sort again). The loops are C loops but the one over groups."""
    in_order = [values[i] for i in ascending]
    differs = list(map(operator.ne, in_order[1:], in_order[:-1]))  # differs[k]: item k + 1 starts a group
    if all(differs):
        return ascending[::-1]
    starts = [0] + list(itertools.compress(range(1, len(ascending)), differs))
    ends = starts[1:] + [len(ascending)]
    order = []
    for start, end in zip(reversed(starts), reversed(ends)):
        order += ascending[start:end]
    return order


def _keep(keys, key, value):
    """Keeps a column's values or order, at most 2 × MAX_KEYS_PER_TABLE of each kind (the oldest go)."""
    kept = [k for k in keys if isinstance(k, tuple) and k[0] == key[0]]
    if len(kept) >= 2 * MAX_KEYS_PER_TABLE:
        del keys[kept[0]]
    keys[key] = value


def _records_order(keys, rows, column, descending):
    """Every row index sorted by one column, stable, missing values last; kept per column and direction."""
    cached = keys.get(("order", column, descending))
    if cached is not None:
        return cached
    values = _record_values(keys, rows, column)
    ascending = keys.get(("order", column, False))
    missing = keys.get(("missing", column))
    if missing is None:
        missing = [i for i, v in enumerate(values) if v is None or v != v]  # None and NaN (unequal to itself)
        _keep(keys, ("missing", column), missing)
    order = None
    if descending and ascending is not None:
        try:
            order = _reversed_stably(ascending[:len(ascending) - len(missing)], values)
        except (TypeError, ValueError):  # values whose != is not a plain answer (arrays): sorted below instead
            order = None
    if order is None:
        absent = set(missing)
        present = [i for i in range(len(values)) if i not in absent] if absent else list(range(len(values)))
        try:  # one type (all text, all numbers): compared as they are, the fast path
            order = sorted(present, key=values.__getitem__, reverse=descending)
        except TypeError:  # mixed: numbers before text
            sort_keys = [_record_key(v) for v in values]
            order = sorted(present, key=sort_keys.__getitem__, reverse=descending)
    order += missing
    _keep(keys, ("order", column, descending), order)
    return order
