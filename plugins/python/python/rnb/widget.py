"""The base of ``rnb.ui``'s widgets (rnb/ui.py has the kinds): a widget's identity, the value the user set and how the
host sets it.

A widget's output is ``{"mime_type": WIDGET_MIME, "data": WidgetData}`` (core/src/wire.ts); its id is
``<defining cell id>:<creation index>``, so a re-run of the defining cell finds the value the user set, kept while the
widget's arguments (its props) are the same. The host calls ``set_widget_value`` (through the runtime channel) and
re-runs the readers of the names it answers.
"""
import json, math, sys

WIDGET_MIME = "application/vnd.rnb.widget+json"

_current_cell = None
_created = 0
# widget id -> the live widget last made with that id (the kernel's current values).
_live = {}
# widget id -> {"value", "props"} the host stored with the notebook, handed in before the defining cell runs.
_stored = {}


def begin_cell(cell_id, stored_json):
    """Called before each cell: ids restart at 0, and the values the notebook stored for this cell apply."""
    global _current_cell, _created, _stored
    _current_cell = cell_id
    _created = 0
    try:
        stored = json.loads(stored_json) if stored_json else {}
    except ValueError:
        stored = {}
    _stored = stored if isinstance(stored, dict) else {}


def _props_key(props):
    return json.dumps(props, sort_keys=True, default=str)


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{what} must be a finite number, not {value!r}")
    return value


class Widget:
    """A control bound to a notebook variable: the cell's output shows it, other cells read .value."""

    kind = "widget"

    def __init__(self, props, default, label=""):
        global _created
        if not isinstance(label, str):
            raise TypeError(f"label must be a string, not {type(label).__name__}")
        self._props = dict(props, label=label)
        cell = _current_cell if _current_cell is not None else "none"
        self._id = f"{cell}:{_created}"
        _created += 1
        self._value = self._check(default)
        key = _props_key(self._props)
        previous = _live.get(self._id)
        stored = _stored.get(self._id)
        # Same arguments as the widget this one replaces: the user's value stays.
        if previous is not None and previous.kind == self.kind and _props_key(previous._props) == key:
            self._value = previous._value
            self._adopt(previous)
        elif isinstance(stored, dict) and stored.get("kind", self.kind) == self.kind and _props_key(stored.get("props")) == key:
            try:
                self._value = self._check(stored.get("value"))
            except (TypeError, ValueError):
                pass
        _live[self._id] = self

    def _adopt(self, previous):
        """Takes over what else the widget it replaces held (a button's callback result)."""

    # The value as the page shows it (JSON); subclasses turn it into the Python value.
    def _check(self, wire_value):
        return wire_value

    def _python(self, wire_value):
        return wire_value

    @property
    def value(self):
        return self._python(self._value)

    @property
    def id(self):
        return self._id

    def _set(self, wire_value):
        self._value = self._check(wire_value)

    def _data(self):
        return {"widget_id": self._id, "kind": self.kind, "value": self._value, "props": self._props}

    def _rnb_output_(self):
        return {"mime_type": WIDGET_MIME, "data": self._data()}

    def _rnb_plain_(self):
        # What other languages see (NamespaceEntry.toJS): the markdown plugin embeds the control from it.
        return {"$rnbWidget": self._data()}

    def __repr__(self):
        return f"ui.{self.kind}(value={self.value!r})"


def set_widget_value(request_json):
    """The host's runtime call: {widget_id, value} -> {value, props, kind, names} (names bound to the widget),
    {missing: true} when this kernel has no such widget, or {error} with the one-line reason the value was refused."""
    try:
        return json.dumps(_set_widget_value(json.loads(request_json)))
    except Exception as error:
        return json.dumps({"error": f"{type(error).__name__}: {error}" if not isinstance(error, (ValueError, TypeError, LookupError)) else str(error)})


def _set_widget_value(request):
    widget_id = request.get("widget_id") if isinstance(request, dict) else None
    widget = _live.get(widget_id) if isinstance(widget_id, str) else None
    if widget is None:
        # A new kernel that has not run the defining cell: the host keeps the value and runs that cell.
        return {"missing": True}
    widget._set(request.get("value"))
    return {"value": widget._value, "props": widget._props, "kind": widget.kind, "names": _names_of(widget)}


def _names_of(widget):
    """Top-level names whose value is this widget, or a list, tuple or dict holding it."""
    names = []
    for name, value in list(sys.modules["__main__"].__dict__.items()):
        if name.startswith("__"):
            continue
        if value is widget:
            names.append(name)
        elif isinstance(value, (list, tuple)) and any(item is widget for item in value[:1000]):
            names.append(name)
        elif isinstance(value, dict) and len(value) <= 1000 and any(item is widget for item in value.values()):
            names.append(name)
    return sorted(names)
