"""A small ``IPython`` / ``IPython.display`` for notebooks written for Jupyter, installed when the real IPython is not
importable. Where it is (a virtualenv with IPython, on the native runtime), the real one is used and, when a cell
imports it, its ``display``, ``clear_output`` and ``update_display`` are replaced by ours (outside an IPython shell
they would only print text); its HTML, Markdown, Image... render through their ``_repr_*_`` methods.

What it has: display, clear_output (clears the cell's outputs so far; wait=True at its next output), update_display (shows again), display_html /
display_markdown / display_svg / display_png / display_json / display_latex, HTML, Markdown, Latex, Math, SVG, JSON,
Image, Pretty, Code, Javascript (not run: shown as text), DisplayObject, set_matplotlib_formats, and get_ipython()
(None: no IPython shell here).
"""
import importlib.util
import json
import sys
import types

import rnb_display


class DisplayObject:
    """IPython's DisplayObject: data given inline (no url or file is fetched: cells have no network)."""

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data is None and filename is not None:
            with open(filename, "rb" if self._binary else "r") as source:
                data = source.read()
        self.data = data
        self.url = url
        self.filename = filename
        self.metadata = metadata or {}

    _binary = False

    def _data_or_note(self):
        if self.data is None and self.url is not None:
            return None
        return self.data

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object>"


class TextDisplayObject(DisplayObject):
    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if isinstance(data, (list, tuple)) and all(isinstance(d, str) for d in data):
            data = "".join(data)
        super().__init__(data, url, filename, metadata)


class HTML(TextDisplayObject):
    def _repr_html_(self):
        return self.data if self.data is not None else f'<a href="{self.url}">{self.url}</a>'


class Markdown(TextDisplayObject):
    def _repr_markdown_(self):
        return self.data


class Latex(TextDisplayObject):
    def _repr_latex_(self):
        return self.data


class Math(TextDisplayObject):
    def _repr_latex_(self):
        text = (self.data or "").strip("$")
        return f"$\\displaystyle {text}$"


class Pretty(TextDisplayObject):
    def _repr_pretty_(self, printer, cycle):
        printer.text(self.data)

    def __repr__(self):
        return str(self.data)


class Code(TextDisplayObject):
    def __init__(self, data=None, url=None, filename=None, language=None):
        super().__init__(data, url, filename)
        self.language = language

    def __repr__(self):
        return str(self.data)


class Javascript(TextDisplayObject):
    """Not run: the page shows cell HTML in a sandboxed frame, and has no Jupyter JavaScript API."""

    def __repr__(self):
        return f"<Javascript not run: {len(self.data or '')} characters>"


class SVG(DisplayObject):
    def _repr_svg_(self):
        data = self.data
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        return data


class JSON(DisplayObject):
    def __init__(self, data=None, url=None, filename=None, expanded=False, metadata=None, root="root", **kwargs):
        if isinstance(data, str) and filename is None and url is None:
            data = json.loads(data)
        super().__init__(data, url, filename, metadata)
        if filename is not None and isinstance(self.data, str):
            self.data = json.loads(self.data)

    def _repr_json_(self):
        return self.data


_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8": "jpeg"}


class Image(DisplayObject):
    """PNG, JPEG or SVG bytes (or a file); ``url=`` alone is not fetched and shows as a note."""

    _binary = True

    def __init__(self, data=None, url=None, filename=None, format=None, embed=None, width=None, height=None,
                 retina=False, unconfined=False, metadata=None, alt=None):
        if isinstance(data, str) and filename is None and url is None and not data.lstrip().startswith("<"):
            filename, data = data, None  # Image("plot.png"), as IPython reads it
        super().__init__(data, url, filename, metadata)
        if isinstance(self.data, str) and self.data.lstrip().startswith("<"):
            format = "svg"
        if format is None and isinstance(self.data, (bytes, bytearray)):
            for signature, name in _SIGNATURES.items():
                if bytes(self.data[: len(signature)]) == signature:
                    format = name
        if format is None and filename:
            format = filename.rsplit(".", 1)[-1].lower()
        self.format = {"jpg": "jpeg"}.get(format or "png", format or "png")
        self.width, self.height, self.alt = width, height, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.data is None:
            return {"text/plain": f"<Image from {self.url}: not fetched, cells have no network>"}
        mime = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}.get(self.format)
        if mime is None:
            return {"text/plain": f"<Image of format {self.format}: not shown>"}
        meta = {k: v for k, v in (("width", self.width), ("height", self.height), ("alt", self.alt)) if v is not None}
        data = self.data.decode("utf-8", "replace") if mime == "image/svg+xml" and isinstance(self.data, bytes) else self.data
        return ({mime: data, "text/plain": repr(self)}, {mime: meta} if meta else {})


# Named as IPython names them, so their text form reads as in Jupyter (<IPython.core.display.HTML object>).
for _cls in (DisplayObject, TextDisplayObject, HTML, Markdown, Latex, Math, Pretty, Code, Javascript, SVG, JSON, Image):
    _cls.__module__ = "IPython.core.display"


def _display_as(mime):
    def show(*objs, raw=False, metadata=None):
        for obj in objs:
            if raw:
                rnb_display.display({mime: obj}, raw=True, metadata=metadata)
            else:
                rnb_display.display(obj, include=[mime, "text/plain"])
    show.__name__ = "display_" + mime.split("/")[-1]
    return show


def update_display(obj, *, display_id=None, **kwargs):
    rnb_display.display(obj, **kwargs)


def set_matplotlib_formats(*formats, **kwargs):
    import rnb_figures
    chosen = [{"retina": "png", "jpg": "png", "jpeg": "png", "pdf": "png"}.get(f.lower(), f.lower()) for f in formats]
    rnb_figures.FORMATS = [f for f in dict.fromkeys(chosen) if f in ("png", "svg")] or ["png"]


def get_ipython():
    return None


def _module(name, doc, **attrs):
    module = types.ModuleType(name, doc)
    module.__dict__.update(attrs)
    return module


_PATCHED_MODULES = ("IPython.core.display_functions", "IPython.core.display", "IPython.display")


def _patch_real(module):
    for name, ours in (("display", rnb_display.display), ("clear_output", rnb_display.clear_output), ("update_display", update_display)):
        if hasattr(module, name):
            setattr(module, name, ours)


class _RealIPythonPatcher:  # a meta path finder by its find_spec (importlib.abc is slow to import)
    """When a cell imports the real IPython's display modules, ours replace its display functions once they load."""

    def find_spec(self, name, path=None, target=None):
        if name not in _PATCHED_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


class _PatchingLoader:
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _patch_real(module)


def install():
    try:
        real = "IPython" in sys.modules or importlib.util.find_spec("IPython") is not None
    except (ImportError, ValueError):
        real = False
    if real:
        for name in _PATCHED_MODULES:
            if name in sys.modules:
                _patch_real(sys.modules[name])
        if not any(isinstance(finder, _RealIPythonPatcher) for finder in sys.meta_path):
            sys.meta_path.insert(0, _RealIPythonPatcher())
        return
    display_module = _module(
        "IPython.display", "IPython.display for notebook cells (rnb's shim: python/rnb_ipython.py).",
        display=rnb_display.display, clear_output=rnb_display.clear_output, update_display=update_display,
        DisplayObject=DisplayObject, TextDisplayObject=TextDisplayObject, HTML=HTML, Markdown=Markdown, Latex=Latex,
        Math=Math, SVG=SVG, JSON=JSON, Image=Image, Pretty=Pretty, Code=Code, Javascript=Javascript,
        set_matplotlib_formats=set_matplotlib_formats,
        display_html=_display_as("text/html"), display_markdown=_display_as("text/markdown"),
        display_svg=_display_as("image/svg+xml"), display_png=_display_as("image/png"),
        display_jpeg=_display_as("image/jpeg"), display_json=_display_as("application/json"),
        display_latex=_display_as("text/latex"), display_pretty=_display_as("text/plain"),
    )
    core_display = _module("IPython.core.display", "Alias of IPython.display (rnb's shim).", **{
        k: v for k, v in display_module.__dict__.items() if not k.startswith("__")})
    core = _module("IPython.core", "rnb's IPython shim.", display=core_display)
    ipython = _module("IPython", "rnb's IPython shim: only IPython.display is here.", display=display_module,
                      core=core, get_ipython=get_ipython, version_info=(0, 0, 0), __version__="0.0.0+rnb")
    for package in (ipython, core):
        package.__path__ = []  # packages, so `import IPython.display` finds the submodule in sys.modules
    sys.modules.update({"IPython": ipython, "IPython.core": core, "IPython.display": display_module, "IPython.core.display": core_display})
