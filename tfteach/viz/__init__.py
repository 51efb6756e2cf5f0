"""Drawing graphs: Graph/Tensor/Operation/logdir -> DOT -> SVG (graphviz), shared by the
notebook magics and widgets. Importing this costs nothing: graphviz loads on first render."""
from .dot import to_dot
from .model import is_gradient_name, nodes_of
from .render import INSTALL_HINT, PACKAGE_HINT, Drawing, GraphvizUnavailable, draw, render_svg

__all__ = ["draw", "to_dot", "render_svg", "Drawing", "GraphvizUnavailable", "INSTALL_HINT",
           "PACKAGE_HINT", "nodes_of", "is_gradient_name"]
