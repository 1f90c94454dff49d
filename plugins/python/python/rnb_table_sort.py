"""The row order of a live table sorted by one column: stable (equal values keep their row order), missing values (None,
NaN, NaT) last in both directions, as docs/protocol.md says of ``table_page``.

Two steps, so that only the first costs a pass over all rows and the caller can keep it (rnb_variables.py keeps one per
column of a table until a cell runs):

- ``column_key``: what numpy sorts in the column's order. Numbers, dates and booleans are their own key. Text and other
  Python objects become their dense rank (0 for the smallest value, equal values equal ranks), because numpy sorts an
  object array very slowly (every comparison a Python call: 20 s for a million strings here). Text is ranked by sorting
  its UTF-8 bytes, zero-padded to a fixed width and read as big-endian 64-bit words, with numpy's lexsort (UTF-8's byte
  order is the code points' order, so the result is Python's order); anything else by Python's own sort, which is also
  far faster than numpy's on objects.
- ``stable_order``: a page needs only the first rows of the order. Those are selected in one pass
  (``numpy.argpartition``, then the ties at the edge taken in row order) and only they are sorted, so a click on a
  million-row table's header does not wait for a whole sort. A page further down asks for more; past an eighth of the
  rows the whole order is made. An ascending sort of all rows of a ranked column is already made by ranking.
"""
import numpy

# A prefix of the order is selected rather than the whole sort made while it is at most this fraction of the rows.
PREFIX_FRACTION = 8
# Text is ranked as a fixed-width bytes array (rows × longest value) up to this size, else by Python's sort.
MAX_TEXT_ARRAY_BYTES = 256 * 1024 * 1024


class SortKey:
    """One column's key over all rows of a table. ``values``: what numpy sorts (the column's numbers, or ranks); values at
    missing rows mean nothing. ``missing``: a boolean mask of the rows that sort last, or None when there are none.
    ``ascending``: every present row in ascending order when ranking made it anyway, else None."""
    __slots__ = ("values", "missing", "ascending")

    def __init__(self, values, missing, ascending):
        self.values = values
        self.missing = missing
        self.ascending = ascending


def column_key(values):
    """The sort key of a column given as a 1-D numpy array (a pass over all its rows; keep it)."""
    import pandas
    if values.dtype == object:
        items = values.tolist()
        # All text, so nothing missing: the common case, without a pass looking for missing values.
        if pandas.api.types.infer_dtype(values, skipna=False) == "string":
            ranks, ascending = _text_ranks(items, values)
            return SortKey(ranks, None, ascending)
    missing = numpy.asarray(pandas.isna(values), dtype=bool)
    if not missing.any():
        missing = None
    if values.dtype != object:
        return SortKey(values, missing, None)
    present_rows = None if missing is None else numpy.flatnonzero(~missing)
    ranks, ascending = _object_ranks(items if present_rows is None else values[present_rows].tolist())
    if present_rows is None:
        return SortKey(ranks, None, ascending)
    all_ranks = numpy.zeros(len(values), dtype=ranks.dtype)
    all_ranks[present_rows] = ranks
    return SortKey(all_ranks, missing, present_rows[ascending])


def _object_ranks(items):
    """(rank of each item, the items' ascending stable order) for a list of Python objects without missing values."""
    if all(isinstance(item, str) for item in items):
        return _text_ranks(items)
    return _ranks_by_python_sort(items)


def _text_ranks(items, values=None):
    """Ranks and ascending order of text (``items``, a list of str; ``values``: the same as a numpy object array, if at
    hand) from its UTF-8 bytes in a fixed-width numpy array."""
    lengths = list(map(len, items))
    longest = max(lengths, default=0)
    if longest * len(items) > MAX_TEXT_ARRAY_BYTES:
        return _ranks_by_python_sort(items)
    array = None
    if values is not None:
        try:
            array = values.astype("S")  # ASCII text: encoded by numpy in one call (characters are bytes)
        except UnicodeEncodeError:
            array = None
    if array is None:
        encoded = [item.encode("utf-8", "surrogatepass") for item in items]
        lengths = list(map(len, encoded))
        if max(lengths, default=0) * len(items) > MAX_TEXT_ARRAY_BYTES:
            return _ranks_by_python_sort(items)
        array = numpy.array(encoded, dtype=bytes)
    if numpy.count_nonzero(array.view(numpy.uint8)) != sum(lengths):
        # Some text holds NUL, which numpy's fixed-width bytes drop at the end ("a" would equal "a\x00"): a prefix-free
        # code that keeps the order and has no NUL (0 -> 1 1, 1 -> 1 2, any other byte itself).
        array = numpy.array([item.encode("utf-8", "surrogatepass").replace(b"\x01", b"\x01\x02").replace(b"\x00", b"\x01\x01")
                             for item in items], dtype=bytes)
    del lengths
    return _bytes_ranks(array)


def _bytes_ranks(array):
    """Ranks and ascending stable order of a fixed-width bytes array."""
    size, width = len(array), array.dtype.itemsize
    words = max(1, -(-width // 8))
    # As big-endian 64-bit words, zero-padded (the same order as the bytes), sorted by lexsort one word at a time from
    # the last (stable): three times faster than numpy's sort of the bytes strings themselves.
    padded = numpy.zeros((size, words * 8), dtype=numpy.uint8)
    padded[:, :width] = array.view(numpy.uint8).reshape(size, width)
    del array
    columns = padded.view(">u8")
    if words == 1:
        order = numpy.argsort(columns[:, 0], kind="stable")
    else:
        order = numpy.lexsort(tuple(columns[:, k] for k in range(words - 1, -1, -1)))
    in_order = columns[order]
    starts = numpy.empty(size, dtype=bool)
    starts[:1] = False
    numpy.any(in_order[1:] != in_order[:-1], axis=1, out=starts[1:])
    ranks = numpy.empty(size, dtype=numpy.int64)
    ranks[order] = numpy.cumsum(starts)
    return ranks, order


def _ranks_by_python_sort(items):
    """Python's sort (stable, and far faster than numpy's on objects); values it cannot compare with each other (mixed
    types) are ranked as their text."""
    try:
        order = sorted(range(len(items)), key=items.__getitem__)
        ranks = numpy.empty(len(items), dtype=numpy.int64)
        rank, previous = 0, None
        for count, position in enumerate(order):
            item = items[position]
            if count and bool(previous < item):
                rank += 1
            ranks[position] = rank
            previous = item
        return ranks, numpy.asarray(order, dtype=numpy.int64)
    except (TypeError, ValueError):
        return _text_ranks([str(item) for item in items])


def _full(values, descending):
    if not descending:
        return numpy.argsort(values, kind="stable")
    # Descending and still stable: sort the reversed values, then map back (equal values keep their row order).
    last = len(values) - 1
    return (last - numpy.argsort(values[::-1], kind="stable"))[::-1]


def _prefix(values, count, descending):
    """The first ``count`` indices of the stable order, selected in one pass and then sorted among themselves."""
    size = len(values)
    # The value at the edge of the prefix: the count-th smallest (largest), where argpartition puts it.
    if descending:
        edge = values[numpy.argpartition(values, size - count)[size - count]]
        better = numpy.flatnonzero(values > edge)
    else:
        edge = values[numpy.argpartition(values, count - 1)[count - 1]]
        better = numpy.flatnonzero(values < edge)
    # The rows equal to the edge value: the earliest ones, so the selection is the stable order's.
    ties = numpy.flatnonzero(values == edge)[:count - len(better)]
    chosen = numpy.sort(numpy.concatenate([better, ties]))
    return chosen[_full(values[chosen], descending)]


def stable_order(key, descending, needed, rows=None):
    """(row positions in sorted order, complete): at least the first ``needed``, or all of them (complete). ``rows``: the
    rows to order (a filter's, ascending), or None for all; ``key``: the column's ``column_key``."""
    if rows is None:
        present = None if key.missing is None else numpy.flatnonzero(~key.missing)
        missing_rows = None if key.missing is None else numpy.flatnonzero(key.missing)
    else:
        present = rows if key.missing is None else rows[~key.missing[rows]]
        missing_rows = None if key.missing is None else rows[key.missing[rows]]
    if rows is None and not descending and key.ascending is not None:
        order = key.ascending
    else:
        candidates = key.values if present is None else key.values[present]
        size = len(candidates)
        if needed * PREFIX_FRACTION < size:
            chosen = _prefix(candidates, needed, descending)
            return (chosen if present is None else present[chosen]), False
        order = _full(candidates, descending)
        if present is not None:
            order = present[order]
    if missing_rows is not None and len(missing_rows):
        order = numpy.concatenate([order, missing_rows])
    return order, True
