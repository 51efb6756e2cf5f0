"""The IPython extension: `%load_ext tfteach`.

Registers
- `%%graph`: runs the cell in a fresh graph (or the default one with `--default`) and draws it;
- `%graph [expr]`: draws any graph, tensor, operation, variable, session, `tf.function` or
  FileWriter logdir (the default graph without an argument);
- rich displays for Graph, Operation and Tensor: an SVG drawing beside the unchanged
  `text/plain` repr, so printed output still matches TensorFlow.

- `%timeline md`: a traced step's timeline (a RunMetadata or a list of them).

Widgets (`GraphExplorer`, `SessionStepper`, `VariableInspector`, `LivePlot`,
`StepTimeline`), the Keras
progress bar (`progress.ProgressBar`) and per-op timings (`timing_table`, `profile`) load
ipywidgets only when first used, so loading the extension stays cheap.
"""
from ..viz import draw
from .timings import TimingTable, profile, timing_table

__all__ = ["load_ipython_extension", "unload_ipython_extension", "show_graph", "draw",
           "timing_table", "profile", "TimingTable", "GraphExplorer", "SessionStepper",
           "VariableInspector", "LivePlot", "StepTimeline", "ProgressBar"]

_WIDGETS = ("GraphExplorer", "SessionStepper", "VariableInspector", "LivePlot", "StepTimeline")


def __getattr__(name):
    if name in _WIDGETS:
        from . import widgets
        return getattr(widgets, name)
    if name == "ProgressBar":
        from .progress import ProgressBar
        return ProgressBar
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def show_graph(logdir_or_graph, **options):
    """Displays a graph inline: a FileWriter logdir (or event file, or the writer itself) or
    anything `draw` accepts. Returns the Drawing."""
    drawing = draw(logdir_or_graph, **options)
    try:
        from IPython.display import display
    except ImportError:
        print(drawing.dot)
        return drawing
    display(drawing)
    return drawing


def load_ipython_extension(ip):
    from . import magic
    magic.register(ip)


def unload_ipython_extension(ip):
    from . import magic
    magic.unregister(ip)
