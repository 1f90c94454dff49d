"""Hover docs and signature help (the runtime call ``inspect``) for a dotted name of the notebook.

Like the completer it only looks up plain names and attributes (never calls, subscripts or evaluates), and its answer is
bounded: a signature of at most MAX_SIGNATURE characters and a docstring of at most MAX_DOC. Called through
``_rnb_runner.inspect_name``.
"""
import json as _json, keyword as _keyword, re as _re, types as _types
from rnb_completer import _MISSING, _inspect, _resolve
import reprlib as _reprlib

MAX_SIGNATURE = 400
# Bounded reprs of builtins (a 100 MB string is not copied whole); other objects' own __repr__ is clipped after.
_SHORT = _reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 200
_SHORT.maxlevel = 2
MAX_DOC = 4000
_DOTTED = _re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _clip(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _signature(value):
    """'(a, b=1) -> int' for what can be called, else None (a builtin without text signature, a plain value)."""
    if not callable(value):
        return None
    try:
        return _clip(str(_inspect.signature(value)), MAX_SIGNATURE)
    except (TypeError, ValueError):
        return None


def _type_name(value):
    kind = type(value)
    module = getattr(kind, "__module__", "")
    return kind.__qualname__ if module in ("builtins", "__main__", None, "") else f"{module}.{kind.__qualname__}"


def _doc(value):
    # A plain value's docstring is its type's (int's for 3): say nothing rather than repeat the type's manual.
    if not (callable(value) or isinstance(value, (_types.ModuleType, property))):
        return None
    try:
        doc = _inspect.getdoc(value)
    except Exception:
        return None
    return _clip(doc, MAX_DOC) if doc else None


def _inspect_summary(value):
    """A short repr, for values (not for functions, classes or modules)."""
    if callable(value) or isinstance(value, _types.ModuleType):
        return None
    try:
        shape = getattr(value, "shape", None)
        if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
            return " \u00d7 ".join(f"{n:,}" for n in shape)
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            return f"{type(value).__name__}[{len(value)}]"
        return _clip(_SHORT.repr(value), 200)
    except Exception:
        return None


def inspect_name(request_json):
    """{name: 'a.b.c'} -> {name, type, signature, doc, value} or None when the notebook holds no such thing."""
    name = str(_json.loads(request_json).get("name", ""))[:500]
    if not _DOTTED.match(name):
        return _json.dumps(None)
    value = _resolve(name.split("."))
    if value is _MISSING:
        if _keyword.iskeyword(name):
            return _json.dumps({"name": name, "type": "keyword", "signature": None, "doc": None, "value": None})
        return _json.dumps(None)
    return _json.dumps({"name": name, "type": _type_name(value), "signature": _signature(value), "doc": _doc(value), "value": _inspect_summary(value)})
