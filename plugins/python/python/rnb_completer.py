"""Completions for the editor (the runtime call ``complete``), from the notebook's live namespace.

Like the standard library's rlcompleter, it completes a dotted name at the cursor from the values themselves; unlike it,
it never evaluates anything but attribute lookups on a chain of plain names (no calls, no subscripts), and its answer is
bounded. Called through ``_rnb_runner.complete``.
"""
from _rnb_runner import G
import builtins as _builtins, json as _json, keyword as _keyword, re as _re, types as _types


class _LazyInspect:
    """The inspect module, imported on first use: it costs more than the rest of the runner at every kernel start."""

    def __getattr__(self, name):
        import inspect
        return getattr(inspect, name)


_inspect = _LazyInspect()

MAX_COMPLETIONS = 500
MAX_CODE = 100_000
# "a.b.c" (chain "a.b.", word "c") or a bare word, ending at the cursor.
_TAIL = _re.compile(r"((?:[A-Za-z_][A-Za-z0-9_]*\.)*)([A-Za-z_][A-Za-z0-9_]*)?$")
_FUNCTION_TYPES = (_types.FunctionType, _types.BuiltinFunctionType, _types.MethodType, _types.BuiltinMethodType,
                   _types.MethodDescriptorType, _types.WrapperDescriptorType, _types.MethodWrapperType,
                   _types.ClassMethodDescriptorType, staticmethod, classmethod)
_MISSING = object()


def _kind(value, of_object):
    """The CodeMirror completion type of a value (or of a raw class attribute)."""
    if value is _MISSING:
        return "property" if of_object else "variable"
    if isinstance(value, _types.ModuleType):
        return "namespace"
    if isinstance(value, type):
        return "class"
    if isinstance(value, _FUNCTION_TYPES):
        return "method" if of_object else "function"
    if isinstance(value, (property, _types.GetSetDescriptorType, _types.MemberDescriptorType)):
        return "property"
    if callable(value):
        return "function"
    return "variable"


def _visible(name, word):
    return name.startswith(word) and (word.startswith("_") or not name.startswith("_"))


def _resolve(parts):
    """The value a chain of plain names stands for in the notebook, or _MISSING."""
    head = parts[0]
    if head in G:
        value = G[head]
    elif hasattr(_builtins, head):
        value = getattr(_builtins, head)
    else:
        return _MISSING
    for part in parts[1:]:
        try:
            value = getattr(value, part)
        except Exception:
            return _MISSING
    return value


def _attribute_options(value, word):
    try:
        names = dir(value)
    except Exception:
        return []
    of_object = not isinstance(value, _types.ModuleType)
    options = []
    for name in sorted(set(n for n in names if isinstance(n, str) and _visible(n, word))):
        raw = _inspect.getattr_static(value, name, _MISSING)
        options.append({"label": name, "type": _kind(raw, of_object)})
    return options


def _name_options(word):
    options, seen = [], set()
    def add(name, kind, detail=None):
        if name in seen or not _visible(name, word):
            return
        seen.add(name)
        option = {"label": name, "type": kind}
        if detail:
            option["detail"] = detail
        options.append(option)
    for name in sorted(k for k in G.keys() if isinstance(k, str)):
        if name.startswith("__") and name.endswith("__"):
            continue
        value = G[name]
        add(name, _kind(value, False), type(value).__name__)
    for name in sorted(_keyword.kwlist + _keyword.softkwlist):
        add(name, "keyword")
    for name in sorted(dir(_builtins)):
        add(name, _kind(getattr(_builtins, name, _MISSING), False))
    return options


def complete(request_json):
    """{code, cursor} -> {from, options: [{label, type, detail?}], complete}: what may stand at the cursor."""
    request = _json.loads(request_json)
    code = request["code"][:MAX_CODE]
    cursor = max(0, min(int(request["cursor"]), len(code)))
    # Only the end of the text matters (and a long line must not make the search slow).
    before = code[max(0, cursor - 2000):cursor]
    match = _TAIL.search(before)
    chain, word = match.group(1), match.group(2) or ""
    start = cursor - len(word)
    # What stands just before the completed expression: a dot or a bracket means an attribute of a call or
    # subscript, which this completer does not evaluate; a digit means a number ("1.5").
    preceded = before[:match.start()].rstrip()[-1:]
    if preceded in (".", ")", "]") or preceded.isdigit() or before[:match.start()][-1:].isalnum():
        options = []
    elif chain:
        value = _resolve(chain[:-1].split("."))
        options = [] if value is _MISSING else _attribute_options(value, word)
    else:
        options = _name_options(word)
    return _json.dumps({"from": start, "options": options[:MAX_COMPLETIONS], "complete": len(options) <= MAX_COMPLETIONS})
