"""``from rnb import ui``: widgets bound to notebook variables, in Python (standard library only), the same module in
Pyodide and on native CPython.

Each kind checks its arguments, turns the page's value into the Python value and refuses a value it cannot take with a
one-line reason. What every widget shares (its id, the value kept across re-runs, ``begin_cell`` and
``set_widget_value``, which the runtimes call on this module) is in rnb/widget.py.
"""
import base64, datetime, sys

from .widget import WIDGET_MIME, Widget, _number, begin_cell, set_widget_value  # noqa: F401

# The host refuses a widget value over 48 KB of JSON (docs/protocol.md): an upload's bytes travel base64-encoded
# inside it, so a file widget takes at most this many bytes by default.
DEFAULT_MAX_FILE_BYTES = 32 * 1024
# 35 KB as base64 (47,787 characters) leaves room in the 49,152 for the name and type.
MAX_FILE_BYTES = 35 * 1024


__all__ = ["slider", "range_slider", "number", "text", "text_area", "dropdown", "multiselect", "checkbox", "switch",
           "radio", "date", "button", "file", "table", "Widget"]


# ---- the kinds ----

class _Range(Widget):
    def __init__(self, start, stop, step, value, label, default):
        start = _number(start, "start")
        stop = _number(stop, "stop")
        if stop <= start:
            raise ValueError(f"stop ({stop}) must be greater than start ({start})")
        if step is not None:
            step = _number(step, "step")
            if step <= 0:
                raise ValueError(f"step must be positive, not {step}")
        self._integral = all(isinstance(v, int) for v in (start, stop)) and (step is None or isinstance(step, int))
        self._start, self._stop, self._step = start, stop, step
        super().__init__({"start": start, "stop": stop, "step": step if step is not None else (1 if self._integral else (stop - start) / 100)}, default if value is None else value, label)

    def _point(self, v):
        v = _number(v, f"{self.kind} value")
        if v < self._start or v > self._stop:
            raise ValueError(f"{self.kind} value {v} is outside {self._start}..{self._stop}")
        if self._step is not None:
            v = self._start + round((v - self._start) / self._step) * self._step
            v = min(max(v, self._start), self._stop)
        return int(round(v)) if self._integral else v


class slider(_Range):
    """ui.slider(start, stop, step=None, value=start, label=""): a number between start and stop."""

    kind = "slider"

    def __init__(self, start, stop, step=None, value=None, label=""):
        super().__init__(start, stop, step, value, label, start)

    def _check(self, v):
        return self._point(v)


class range_slider(_Range):
    """ui.range_slider(start, stop, step=None, value=(start, stop), label=""): a (low, high) pair."""

    kind = "range_slider"

    def __init__(self, start, stop, step=None, value=None, label=""):
        super().__init__(start, stop, step, None if value is None else list(value), label, [start, stop])

    def _check(self, v):
        if not isinstance(v, (list, tuple)) or len(v) != 2:
            raise TypeError(f"range_slider value must be a pair [low, high], not {v!r}")
        low, high = self._point(v[0]), self._point(v[1])
        if low > high:
            raise ValueError(f"range_slider low {low} is above high {high}")
        return [low, high]

    def _python(self, v):
        return tuple(v)


class number(Widget):
    """ui.number(start=None, stop=None, step=None, value=0, label=""): a number typed in."""

    kind = "number"

    def __init__(self, start=None, stop=None, step=None, value=None, label=""):
        for name, bound in (("start", start), ("stop", stop), ("step", step)):
            if bound is not None:
                _number(bound, name)
        if start is not None and stop is not None and stop < start:
            raise ValueError(f"stop ({stop}) must not be below start ({start})")
        if step is not None and step <= 0:
            raise ValueError(f"step must be positive, not {step}")
        self._start, self._stop = start, stop
        default = value if value is not None else (start if start is not None else 0)
        super().__init__({"start": start, "stop": stop, "step": step}, default, label)

    def _check(self, v):
        v = _number(v, "number value")
        if (self._start is not None and v < self._start) or (self._stop is not None and v > self._stop):
            raise ValueError(f"number value {v} is outside {self._start}..{self._stop}")
        return v


class text(Widget):
    """ui.text(value="", placeholder="", max_length=None, label=""): one line of text."""

    kind = "text"

    def __init__(self, value="", placeholder="", max_length=None, label=""):
        if max_length is not None and (not isinstance(max_length, int) or max_length < 0):
            raise ValueError(f"max_length must be a non-negative integer, not {max_length!r}")
        if not isinstance(placeholder, str):
            raise TypeError("placeholder must be a string")
        self._max = max_length
        super().__init__({"placeholder": placeholder, "max_length": max_length}, value, label)

    def _check(self, v):
        if not isinstance(v, str):
            raise TypeError(f"{self.kind} value must be a string, not {type(v).__name__}")
        if self._max is not None and len(v) > self._max:
            raise ValueError(f"{self.kind} value has {len(v)} characters; at most {self._max}")
        return v


class text_area(text):
    """ui.text_area(value="", placeholder="", max_length=None, label=""): several lines of text."""

    kind = "text_area"


def _options(options):
    """A list of labels, or a dict label -> value: (labels, values)."""
    if isinstance(options, dict):
        labels = list(options.keys())
        values = list(options.values())
    elif isinstance(options, (list, tuple)):
        labels = list(options)
        values = list(options)
    else:
        raise TypeError(f"options must be a list or a dict of label -> value, not {type(options).__name__}")
    if not labels:
        raise ValueError("options must not be empty")
    if not all(isinstance(label, str) for label in labels):
        raise TypeError("option labels must be strings")
    if len(set(labels)) != len(labels):
        raise ValueError("option labels must be distinct")
    return labels, values


class _Choice(Widget):
    def __init__(self, options, value, label, multiple):
        self._labels, self._values = _options(options)
        if multiple:
            default = [] if value is None else [self._label_of(v) for v in value]
        else:
            default = None if value is None else self._label_of(value)
        super().__init__({"options": self._labels}, default, label)

    def _label_of(self, v):
        if v in self._labels:
            return v
        for label, option in zip(self._labels, self._values):
            if option == v:
                return label
        raise ValueError(f"{v!r} is not one of the options {self._labels}")

    def _one(self, v):
        if v is None:
            return None
        if not isinstance(v, str) or v not in self._labels:
            raise ValueError(f"{self.kind} value must be one of {self._labels}, not {v!r}")
        return v

    def _python_one(self, v):
        return None if v is None else self._values[self._labels.index(v)]


class dropdown(_Choice):
    """ui.dropdown(options, value=None, label=""): one option (None: nothing chosen); .value is the option's value."""

    kind = "dropdown"

    def __init__(self, options, value=None, label=""):
        super().__init__(options, value, label, False)

    def _check(self, v):
        return self._one(v)

    def _python(self, v):
        return self._python_one(v)


class radio(dropdown):
    """ui.radio(options, value=None, label=""): one option shown as radio buttons."""

    kind = "radio"


class multiselect(_Choice):
    """ui.multiselect(options, value=(), label=""): several options; .value is the list of their values."""

    kind = "multiselect"

    def __init__(self, options, value=None, label=""):
        super().__init__(options, value, label, True)

    def _check(self, v):
        if not isinstance(v, (list, tuple)):
            raise TypeError(f"multiselect value must be a list of options, not {v!r}")
        chosen = [self._one(item) for item in v]
        if len(set(chosen)) != len(chosen):
            raise ValueError("multiselect value lists an option twice")
        return [label for label in self._labels if label in chosen]

    def _python(self, v):
        return [self._python_one(item) for item in v]


class checkbox(Widget):
    """ui.checkbox(value=False, label=""): True or False."""

    kind = "checkbox"

    def __init__(self, value=False, label=""):
        super().__init__({}, value, label)

    def _check(self, v):
        if not isinstance(v, bool):
            raise TypeError(f"{self.kind} value must be true or false, not {v!r}")
        return v


class switch(checkbox):
    """ui.switch(value=False, label=""): a checkbox shown as a switch."""

    kind = "switch"


def _date(v, what):
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, str):
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            pass
    raise ValueError(f"{what} must be a date (datetime.date or 'YYYY-MM-DD'), not {v!r}")


class date(Widget):
    """ui.date(value=today, start=None, stop=None, label=""): a day; .value is a datetime.date."""

    kind = "date"

    def __init__(self, value=None, start=None, stop=None, label=""):
        self._start = _date(start, "start") if start is not None else None
        self._stop = _date(stop, "stop") if stop is not None else None
        if self._start and self._stop and self._stop < self._start:
            raise ValueError("stop must not be before start")
        default = _date(value, "value") if value is not None else (self._start or datetime.date.today())
        props = {"start": self._start.isoformat() if self._start else None, "stop": self._stop.isoformat() if self._stop else None}
        super().__init__(props, default.isoformat(), label)

    def _check(self, v):
        day = _date(v, "date value")
        if (self._start and day < self._start) or (self._stop and day > self._stop):
            raise ValueError(f"date {day.isoformat()} is outside {self._start}..{self._stop}")
        return day.isoformat()

    def _python(self, v):
        return datetime.date.fromisoformat(v)


class button(Widget):
    """ui.button(label="Click", on_click=None, value=0): counts clicks; with on_click, .value is
    on_click(previous value) after each click (starting from value)."""

    kind = "button"

    def __init__(self, label="Click", on_click=None, value=0):
        if on_click is not None and not callable(on_click):
            raise TypeError("on_click must be callable")
        self._on_click = on_click
        self._result = value
        super().__init__({}, 0, label)

    def _check(self, v):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"button value is a click count (a non-negative integer), not {v!r}")
        return v

    def _set(self, v):
        clicks = self._check(v)
        if self._on_click is not None:
            for _ in range(max(0, clicks - self._value)):
                self._result = self._on_click(self._result)
        self._value = clicks

    def _adopt(self, previous):
        self._result = previous._result

    @property
    def clicks(self):
        return self._value

    def _python(self, v):
        return self._result if self._on_click is not None else v


class file(Widget):
    """ui.file(accept=None, multiple=False, max_size=32 KB, label=""): uploads; .value is a list of
    {"name", "type", "size", "contents": bytes} (empty until something is uploaded)."""

    kind = "file"

    def __init__(self, accept=None, multiple=False, max_size=DEFAULT_MAX_FILE_BYTES, label=""):
        if accept is not None and not isinstance(accept, str):
            raise TypeError("accept is a string such as '.csv,text/plain'")
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size <= 0 or max_size > MAX_FILE_BYTES:
            raise ValueError(f"max_size is a number of bytes between 1 and {MAX_FILE_BYTES} (uploads travel in one widget value)")
        self._max = max_size
        super().__init__({"accept": accept, "multiple": bool(multiple), "max_size": max_size}, [], label)

    def _check(self, v):
        if not isinstance(v, list):
            raise TypeError("file value is a list of {name, type, size, data (base64)}")
        if len(v) > 1 and not self._props["multiple"]:
            raise ValueError("this file widget takes one file")
        files = []
        for item in v:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("data"), str):
                raise TypeError("each file is {name, type, size, data (base64)}")
            try:
                contents = base64.b64decode(item["data"], validate=True)
            except ValueError:
                raise ValueError(f"{item['name']}: data is not base64") from None
            if len(contents) > self._max:
                raise ValueError(f"{item['name']} has {len(contents):,} bytes; this upload takes at most {self._max:,}")
            files.append({"name": item["name"], "type": str(item.get("type") or ""), "size": len(contents), "data": item["data"]})
        return files

    def _python(self, v):
        return [{"name": f["name"], "type": f["type"], "size": f["size"], "contents": base64.b64decode(f["data"])} for f in v]


class table(Widget):
    """ui.table(rows_or_dataframe, selection="multi", label=""): the rows with a checkbox each;
    .value is the selected rows (a list of dicts, or a DataFrame for a DataFrame)."""

    kind = "table"

    def __init__(self, data, selection="multi", label=""):
        if selection not in ("single", "multi"):
            raise ValueError("selection is 'single' or 'multi'")
        runner = sys.modules.get("_rnb_runner")
        shown = runner._table(data) if runner is not None else None
        if shown is None:
            raise TypeError("ui.table takes a list of dicts or a pandas DataFrame")
        self._source = data
        self._rows = len(shown["rows"])
        super().__init__({"columns": shown["columns"], "rows": shown["rows"], "selection": selection}, [], label)

    def _check(self, v):
        if not isinstance(v, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in v):
            raise TypeError("table value is a list of row indices")
        if any(i < 0 or i >= self._rows for i in v):
            raise ValueError(f"table row index out of range 0..{self._rows - 1}")
        if len(v) > 1 and self._props["selection"] == "single":
            raise ValueError("this table selects one row")
        return sorted(set(v))

    def _python(self, v):
        if isinstance(self._source, list):
            return [self._source[i] for i in v]
        return self._source.iloc[v]


