"""DOT -> SVG through graphviz's `dot`, and the `Drawing` object notebooks display.

Without the `dot` executable (or the `graphviz` Python package) a drawing falls back to its
DOT text plus one line saying how to install graphviz: never a traceback.
"""
import hashlib
import html
import re

from .dot import DotOptions, to_dot

__all__ = ["Drawing", "draw", "render_svg", "GraphvizUnavailable", "DrawingTooLarge",
           "INSTALL_HINT", "PACKAGE_HINT"]

# Two different things can be missing, each installed by a different tool: the `dot` program
# (a system package) and the `graphviz` Python package that calls it (pip).
INSTALL_HINT = ("graphviz's `dot` program is not installed, so this is the DOT text of the "
                "drawing: install it with `apt-get install graphviz` (or `conda install "
                "graphviz`, `brew install graphviz`) to see the picture.")
PACKAGE_HINT = ("the `graphviz` Python package is not installed, so this is the DOT text of "
                "the drawing: install it with `pip install graphviz` (or pip install "
                "'tfteach[jupyter]') to see the picture.")


class GraphvizUnavailable(RuntimeError):
    """`dot` (or the `graphviz` Python package) is missing."""


class DrawingTooLarge(GraphvizUnavailable):
    """More boxes than `max_nodes` even with scopes folded: laying it out would take long."""


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
# A notebook column is about 10 inches wide at 96 dpi: a larger drawing is scaled down to fit
# (graphviz's `size`, which only ever shrinks), and very tall ones stop at a screen and a half.
MAX_SIZE = (9.5, 14.0)


def render_svg(dot_source, max_size=MAX_SIZE):
    """SVG text for `dot_source`, at most `max_size` (inches, width and height; None: as
    large as `dot` lays it out). The SVG carries a `tfteach-dot` comment with a hash of the
    DOT source: the drawing's identity independent of the `dot` version and of the size it is
    shown at (nbval compares it)."""
    source = dot_source
    if max_size:
        source = dot_source.replace("  graph [", '  graph [size="%g,%g", ' % tuple(max_size), 1)
    svg = _pipe(_graphviz(), source, "svg").decode("utf-8")
    digest = hashlib.sha1(dot_source.encode()).hexdigest()[:16]
    m = _SVG_OPEN.search(svg)
    if m is not None:
        svg = svg[m.start():]        # drop the XML prolog/doctype: it is invalid inline in HTML
        m = _SVG_OPEN.match(svg)
        svg = f"{svg[:m.end()]}\n<!-- tfteach-dot {digest} -->{svg[m.end():]}"
    return svg


# `dot` 2.43 sometimes gives up on cluster graphs ("trouble in init_rank"); its other ranking
# algorithm (newrank), then ranking without clusters, lay out the same graph
_FALLBACK_LAYOUTS = ("newrank=true", "clusterrank=none")


def _graphviz():
    try:
        import graphviz
    except ImportError:
        # `from None`: the ImportError's own traceback says nothing the hint does not
        raise GraphvizUnavailable(PACKAGE_HINT) from None
    return graphviz


def _pipe(graphviz, dot_source, fmt):
    last = None
    for extra in ("",) + _FALLBACK_LAYOUTS:
        src = dot_source.replace("  graph [", f"  graph [{extra}, ", 1) if extra else dot_source
        try:
            return graphviz.Source(src).pipe(format=fmt)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizUnavailable(INSTALL_HINT) from e
        except graphviz.CalledProcessError as e:
            last = e
    raise GraphvizUnavailable(f"graphviz's `dot` could not lay out this graph "
                              f"({(last.stderr or b'').decode(errors='replace').strip()[:200]}); "
                              f"this is its DOT text.") from last


class Drawing:
    """A drawn graph: `.dot` (text), `.svg()` (rendered once), shown inline by Jupyter.

    `text/plain` is a short deterministic summary (op and scope counts), so a notebook's
    stored outputs stay comparable whatever `dot` drew."""

    def __init__(self, obj, max_size=MAX_SIZE, **options):
        self.max_size = max_size
        self.options = DotOptions(**options)
        self.dot = to_dot(obj, _opts=self.options)
        self._svg = None
        self._error = None

    def svg(self):
        if self._svg is None:
            limit = self.options.max_nodes
            if limit and self.options.visible > limit:
                raise DrawingTooLarge(
                    f"{self.options.visible} boxes to draw even with name scopes folded (limit "
                    f"max_nodes={limit}): laying them out would take long. Draw a part "
                    f"(`%graph loss` draws what `loss` needs), add name scopes, or pass "
                    f"max_nodes=None.")
            self._svg = render_svg(self.dot, self.max_size)
        return self._svg

    def summary(self):
        nodes = len(re.findall(r'\[label=<', self.dot))
        boxes = self.dot.count('class="collapsed')
        clusters = self.dot.count("subgraph ")
        grads = len(re.findall(r'class="(?:op[^"]*|collapsed) grad[" ]', self.dot))
        parts = [f"{nodes - boxes} ops drawn"]
        if clusters:
            parts.append(f"{clusters} scopes")
        if boxes:
            parts.append(f"{boxes} collapsed")
        if grads:
            parts.append(f"{grads} gradient")
        return f"<tfteach graph drawing: {', '.join(parts)}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return {"image/svg+xml": self.svg(), "text/plain": self.summary()}
        except GraphvizUnavailable as e:
            return self.fallback(e)

    def fallback(self, error, plain=None):
        """The bundle shown instead of the SVG: why there is none, and the DOT text (unless
        the graph is too large for it to help)."""
        dot = None if isinstance(error, DrawingTooLarge) else self.dot
        return fallback_bundle(dot, self.summary() if plain is None else plain, str(error))

    def save(self, path, format=None):
        """Writes `.dot`, `.svg` (or any graphviz format when `dot` is installed)."""
        fmt = format or str(path).rsplit(".", 1)[-1].lower()
        if fmt in ("dot", "gv"):
            data = self.dot.encode()
        elif fmt == "svg":
            data = self.svg().encode()
        else:
            data = _pipe(_graphviz(), self.dot, fmt)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def __repr__(self):
        return self.summary()


def fallback_bundle(dot_source, plain, why=INSTALL_HINT):
    """What a drawing shows when there is no picture: why, and the DOT text (if given)."""
    pre = f"<pre>{html.escape(dot_source)}</pre>" if dot_source else ""
    return {"text/plain": f"{plain}\n{why}" + (f"\n{dot_source}" if dot_source else ""),
            "text/html": (f"<div class=\"tfteach-dot-fallback\"><p><em>{html.escape(why)}"
                          f"</em></p>{pre}</div>")}


def draw(obj, **options):
    """Draws a Graph, Tensor, Operation, variable, Session, tf.function or logdir.

    Options: rankdir="LR"|"TB", collapse_over=25, expand=[scopes] or True, collapse=[scopes],
    group_variables=False, show_shapes=True, highlight=[ops], timings=RunMetadata|dict,
    title=str, notes={op: text} (a line under the op's type), max_nodes=300 (fold scopes
    further past this many boxes; refuse to lay out more; None: no limit), setup="auto"|
    "fold"|"show" (leave out the ops that only initialise variables: "auto" does it past 30
    ops), max_size=(9.5, 14.0) (inches; a larger drawing is scaled down to fit a notebook
    column; None: no limit).
    """
    return Drawing(obj, **options)
