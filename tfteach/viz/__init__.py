"""Drawing graphs: Graph/Tensor/Operation/logdir -> DOT -> SVG (graphviz), shared by the
notebook magics and widgets. Importing this costs nothing: graphviz loads on first render."""
from .dot import to_dot
from .model import is_gradient_name, nodes_of
from .render import INSTALL_HINT, PACKAGE_HINT, Drawing, GraphvizUnavailable, draw, render_svg

__all__ = ["draw", "to_dot", "render_svg", "Drawing", "GraphvizUnavailable", "INSTALL_HINT",
           "PACKAGE_HINT", "nodes_of", "is_gradient_name", "timeline"]


def timeline(run_metadata, names=None, width=760):
    """A traced step's timeline (`RunOptions(trace_level=FULL_TRACE)`; a RunMetadata, or a
    list of them for a step selector): the `StepTimeline` widget, or without ipywidgets the
    static drawing (`steptrace.TimelineDrawing`). Lanes are tasks/devices, bars ops, each
    Send/Recv marked with the bytes it moved."""
    try:
        from ..magics.widgets import StepTimeline
    except ImportError:
        from .steptrace import TimelineDrawing
        return TimelineDrawing(run_metadata, names, width)
    return StepTimeline(run_metadata, names, width)
