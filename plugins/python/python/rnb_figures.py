"""matplotlib figures as outputs, on a non-interactive backend of our own (Agg's canvas).

- ``plt.show()`` shows the open figures at once, in order with the cell's other outputs, and closes them;
- a Figure (or an Axes: its figure) as the cell's last value shows as that figure;
- figures the cell left open show after its last value, then every figure is closed, so none leaks into the next
  run and memory stays flat across runs;
- PNG by default; ``IPython.display.set_matplotlib_formats("svg")`` (or ``rnb_figures.FORMATS = ["svg"]``) for SVG;
- bounded: a figure over MAX_PIXELS is not drawn (a note says so), no figure is drawn once the cell has shown as many
  outputs as it may (rnb_display.MAX_OUTPUTS_PER_CELL; the rest are closed undrawn), the encoded image checked
  against the kernel's output limit.
"""
# importlib.abc is not imported (it costs tens of milliseconds at every kernel start, pulling in importlib.resources):
# the import system asks finders and loaders only for the methods below.
import importlib.machinery
import io
import os
import sys

BACKEND_MODULE = "rnb_matplotlib_backend"
MAX_PIXELS = 40_000_000
FORMATS = ["png"]
DPI = 100


class _BackendFinder:
    """Makes ``rnb_matplotlib_backend`` importable, built when matplotlib asks for it (matplotlib may not be there)."""

    def find_spec(self, name, path=None, target=None):
        if name != BACKEND_MODULE:
            return None
        return importlib.machinery.ModuleSpec(name, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        from matplotlib.backend_bases import FigureManagerBase
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        module.FigureCanvas = FigureCanvasAgg
        module.FigureManager = FigureManagerBase
        module.show = show


def install():
    # Before matplotlib is imported (MPLBACKEND is read then): every figure draws on our backend, in every runtime.
    os.environ["MPLBACKEND"] = "module://" + BACKEND_MODULE
    if not any(isinstance(finder, _BackendFinder) for finder in sys.meta_path):
        sys.meta_path.append(_BackendFinder())


def _pyplot():
    return sys.modules.get("matplotlib.pyplot")


def _figure_class():
    figure = sys.modules.get("matplotlib.figure")
    return getattr(figure, "Figure", None)


def is_matplotlib_artist(value):
    artist = sys.modules.get("matplotlib.artist")
    if artist is None:
        return False
    if isinstance(value, artist.Artist):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, artist.Artist) for v in value)


def render_figure(figure):
    """One figure as outputs (one per format), bounded; the figure itself is left to the caller."""
    import rnb_display
    outputs = []
    try:
        width, height = (float(v) * DPI for v in figure.get_size_inches())
    except Exception:
        width = height = 0
    if width * height > MAX_PIXELS:
        return [rnb_display.note(f"Figure of {width:,.0f} × {height:,.0f} pixels not drawn: a figure may have at most {MAX_PIXELS:,} pixels. Make it smaller (figsize, dpi).")]
    for fmt in FORMATS:
        buffer = io.BytesIO()
        try:
            figure.savefig(buffer, format=fmt, dpi=DPI, bbox_inches="tight")
        except Exception as error:  # a figure that cannot draw says so instead of failing the cell
            outputs.append(rnb_display.note(f"<figure could not be drawn: {error!r}>"))
            continue
        mime = "image/svg+xml" if fmt == "svg" else "image/png"
        outputs.extend(rnb_display.outputs_from_bundle({mime: buffer.getvalue()}))
    return outputs


def figure_output(value):
    """The outputs of a Figure or Axes value (the figure is closed after), or None for anything else."""
    figure_class = _figure_class()
    if figure_class is None:
        return None
    figure = value if isinstance(value, figure_class) else None
    if figure is None:
        axes = sys.modules.get("matplotlib.axes")
        if axes is not None and isinstance(value, axes.Axes):
            figure = value.figure
    if figure is None:
        return None
    outputs = render_figure(figure)
    pyplot = _pyplot()
    if pyplot is not None:
        pyplot.close(figure)
    return outputs


def _take_open_figures():
    """The open figures as outputs, each closed after it is drawn; those past the cell's room closed undrawn."""
    import rnb_display
    pyplot = _pyplot()
    if pyplot is None:
        return []
    outputs = []
    skipped = 0
    numbers = list(pyplot.get_fignums())
    room = rnb_display.room()
    # When more figures wait than the cell has room for, the last slot goes to the note.
    drawable = len(numbers) if len(numbers) <= room else max(0, room - 1)
    for position, number in enumerate(numbers):
        try:
            if position < drawable:
                outputs.extend(render_figure(pyplot.figure(number)))
            else:
                skipped += 1
        finally:
            pyplot.close(number)
    if skipped:
        outputs.append(rnb_display.note(f"{skipped:,} more figures not drawn: a cell shows at most {rnb_display.MAX_OUTPUTS_PER_CELL} outputs."))
    return outputs


def show(*args, **kwargs):
    """plt.show(): the open figures, shown now."""
    import rnb_display
    for output in _take_open_figures():
        rnb_display.emit(output)


def open_figures_as_outputs():
    return _take_open_figures()


def close_all():
    pyplot = _pyplot()
    if pyplot is not None:
        try:
            pyplot.close("all")
        except Exception:
            pass
