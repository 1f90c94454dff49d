"""The row order of a live table sorted by one column: stable (equal values keep their row order), missing values (None,
NaN, NaT) last in both directions, as docs/protocol.md says of ``table_page``.

A page needs only the first rows of the order: for those, the rows that belong there are selected in one pass
(``numpy.argpartition``, then the ties at the edge taken in row order) and only they are sorted, so a click on a
million-row table's header does not wait for a whole sort. A page further down asks for more; past an eighth of the
rows the whole order is made (and kept by the caller).
"""
import numpy

# A prefix of the order is selected rather than the whole sort made while it is at most this fraction of the rows.
PREFIX_FRACTION = 8


def _text_as_unicode(values):
    """Object columns of str only: as a fixed-width unicode array, which numpy sorts far faster than Python objects."""
    if values.dtype != object:
        return values
    import pandas
    if pandas.api.types.infer_dtype(values, skipna=False) == "string":
        return values.astype("U")
    return values


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


def stable_order(values, descending, needed):
    """(indices into ``values`` in sorted order, complete): at least the first ``needed``, or all of them (complete).
    Raises TypeError when the values cannot be compared with each other (the caller sorts them as text)."""
    import pandas
    missing = numpy.asarray(pandas.isna(values), dtype=bool)
    present = numpy.flatnonzero(~missing) if missing.any() else None
    candidates = _text_as_unicode(values if present is None else values[present])
    size = len(candidates)
    complete = needed * PREFIX_FRACTION >= size
    order = _full(candidates, descending) if complete else _prefix(candidates, needed, descending)
    if present is not None:
        order = present[order]
        if complete:
            order = numpy.concatenate([order, numpy.flatnonzero(missing)])
    return order, complete
