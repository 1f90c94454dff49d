"""Python tables for other languages by columns (the Python half; src/runtime/table-columns.ts reads it in JavaScript).

Uses the runner's ``plain``, so every value converts exactly as ``plain_global`` converts it: the columns are only a
faster way to the same records. Called through ``_rnb_runner.table_columns_global``.
"""
import array as _array
import datetime
from operator import itemgetter as _itemgetter

from _rnb_runner import G, plain

# Pyodide gives a JavaScript number for an int with |i| < 2**53 - 1 and a BigInt from there on (measured): such ints
# cross as float64 only below that bound.
_F64_INT_BOUND = 2**53 - 1
# Types plain() returns as they are: a column of these crosses as a list, without a call per value.
_AS_IS = frozenset((type(None), bool, int, float, str, bytes))
_ISO = frozenset((datetime.datetime, datetime.date, datetime.time))


def _column(values):
    """(kind, payload) of one column: "i64" an array('q') of ints (JavaScript reads them as numbers, or as BigInt past
    float64's exact range, as Pyodide converts one), "f64" an array('d'), "str" the strings joined by NUL, "any" a list of
    plain values."""
    if type(values[0]) is str:
        # join() takes str and its subclasses only, each as its text, which is what plain() and Pyodide give for them:
        # no pass over the types first. A NUL inside a string would split it: such a column is read as below.
        try:
            joined = "\0".join(values)
        except TypeError:
            joined = None
        if joined is not None and joined.count("\0") == len(values) - 1:
            return "str", joined
    # The type of each value, counted against the first's: one pass of C calls when a column holds one type (a set
    # of the types costs a hash insert per value). Exact types: bool is its own, so True stays true.
    types = list(map(type, values))
    only = types[0] if types.count(types[0]) == len(types) else None
    if only is int:
        try:
            return "i64", _array.array("q", values)
        except OverflowError:  # past 64 bits: plain values, as Pyodide converts them
            return "any", values
    types = {only} if only is not None else set(types)
    if types <= {int, float}:
        ints = [v for v in values if type(v) is int]
        if not ints or (-_F64_INT_BOUND < min(ints) and max(ints) < _F64_INT_BOUND):
            return "f64", _array.array("d", values)
    original = values
    if types <= _ISO:  # exact types: plain() writes them with isoformat()
        values = [v.isoformat() for v in values]
        types = {str}
    if types == {str}:
        if values is not original:  # isoformat() strings: joined here (a str column was tried above)
            joined = "\0".join(values)
            if joined.count("\0") == len(values) - 1:
                return "str", joined
        return "any", values
    if types <= _AS_IS:
        return "any", values
    return "any", [plain(v, 2) for v in values]


def table_columns(value):
    """A list of dicts that all have the same str keys, by columns: [names, kinds, payloads, row count] (see
    _column), or None for anything else (other languages then read plain(value), record by record). The values are
    what plain(value) would hold at each place (a record's values sit at depth 2)."""
    if type(value) is not list or not value:
        return None
    first = value[0]
    if type(first) is not dict or not first:
        return None
    names = tuple(first)
    if any(type(name) is not str for name in names):
        return None
    # Exact dicts (plain() reads subclasses through .items(), which may differ) of as many keys as the first, each of
    # them found in every row below (KeyError otherwise): the same keys. Their order is not checked (a pass that made
    # a tuple per row cost as much as building the list): a row with the same keys in another order reads in the
    # first row's order, as a table has one order of columns.
    # The first column's pass checks the rows too (len() in a comprehension is a specialised call, map(len, ...) a
    # slower one per row in Pyodide); a row that is no exact dict is never indexed.
    width = len(names)
    kinds = []
    payloads = []
    try:
        first_values = [row[names[0]] for row in value if type(row) is dict and len(row) == width]
        if len(first_values) != len(value):
            return None
        for index, name in enumerate(names):
            kind, payload = _column(first_values if index == 0 else list(map(_itemgetter(name), value)))
            kinds.append(kind)
            payloads.append(payload)
    except KeyError:
        return None
    return [list(names), kinds, payloads, len(value)]


def table_columns_global(name):
    return table_columns(G.get(name))
