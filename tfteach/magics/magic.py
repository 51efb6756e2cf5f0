"""`%%graph`, `%graph`, `%timeline` and the rich reprs, registered on an IPython shell."""
import ast
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ..framework import ops as _ops
from ..viz import Drawing, GraphvizUnavailable

_draw_arguments = [
    argument("--tb", action="store_true", help="lay out top to bottom (default: left to right)"),
    argument("--expand", "-e", action="append", default=[], metavar="SCOPE",
             help="draw this name scope opened; 'all' opens every scope"),
    argument("--collapse", "-c", action="append", default=[], metavar="SCOPE",
             help="draw this name scope as one box"),
    argument("--collapse-over", type=int, default=25, metavar="N",
             help="scopes with more than N ops are drawn as one box unless expanded"),
    argument("--group-variables", action="store_true",
             help="draw each variable with its initializer and read op as one node"),
    argument("--no-shapes", action="store_true", help="no dtype/shape labels on edges"),
    argument("--setup", choices=("auto", "fold", "show"), default="auto",
             help="leave out the ops that only initialise variables (auto: past 30 ops)"),
    argument("--full-size", action="store_true",
             help="draw at the size graphviz lays out (default: scaled to fit the column)"),
    argument("--max-nodes", type=int, default=300, metavar="N",
             help="fold scopes further past N boxes; 0: no limit"),
]


def _with_draw_arguments(fn):
    for a in reversed(_draw_arguments):
        fn = a(fn)
    return fn


def _options(args):
    expand = True if "all" in args.expand else args.expand
    return {"rankdir": "TB" if args.tb else "LR", "expand": expand,
            "collapse": args.collapse, "collapse_over": args.collapse_over,
            "group_variables": args.group_variables, "show_shapes": not args.no_shapes,
            "max_nodes": args.max_nodes or None, "setup": args.setup,
            **({"max_size": None} if args.full_size else {})}


@magics_class
class GraphMagics(Magics):

    @magic_arguments()
    @argument("--default", "-d", action="store_true",
              help="build into the default graph instead of a fresh one")
    @argument("--name", "-n", metavar="VAR", help="keep the graph in this variable")
    @argument("--draw", metavar="EXPR",
              help="draw this (a tensor, op, list...) instead of the whole graph")
    @argument("--no-draw", action="store_true", help="run the cell, draw nothing")
    @argument("--partitions", action="store_true",
              help="draw the partitions of the cell's last distributed Session.run: one box "
                   "per task, Send->Recv edges dashed and labelled with the tensor")
    @_with_draw_arguments
    @cell_magic
    def graph(self, line, cell):
        """Runs the cell with a graph as the default graph (ops are added to it, even in
        TF2's eager mode) and draws the graph."""
        __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
        args = parse_argstring(self.graph, line)
        g = _ops.get_default_graph() if args.default else _ops.Graph()
        if args.name:
            self.shell.user_ns[args.name] = g
        if args.partitions:
            from ..distribute import runner
            runner.LAST_STEP.clear()
        with g.as_default():
            _run_cell_body(self.shell, cell)
        if args.no_draw:
            return None
        if args.partitions:
            from ..distribute import runner
            from ..viz.partitions import PartitionDrawing
            from IPython.display import display
            if not runner.LAST_STEP:
                raise ValueError("%%graph --partitions draws a distributed step: the cell ran "
                                 "no Session.run on a cluster target")
            display(PartitionDrawing([p.graph_def() for p in runner.LAST_STEP["plan"].partitions],
                                     rankdir="TB" if args.tb else "LR"))
            return None
        target = g if not args.draw else self.shell.ev(args.draw)
        from IPython.display import display
        display(Drawing(target, **_options(args)))
        return None

    @magic_arguments()
    @argument("what", nargs="*",
              help="expression: Graph, Tensor, Operation, variable, Session, tf.function, "
                   "a RunMetadata with partition graphs, or a quoted FileWriter logdir "
                   "(default: the default graph)")
    @_with_draw_arguments
    @line_magic("graph")
    def graph_line(self, line):
        """Draws a graph, a tensor's subgraph, an operation, a tf.function's graph..."""
        args = parse_argstring(self.graph_line, line)
        expr = " ".join(args.what)
        target = _ops.get_default_graph() if not expr else self.shell.ev(expr)
        if getattr(target, "partition_graphs", None):
            # a RunMetadata of a distributed step: its partitions, one box per task
            from ..viz.partitions import PartitionDrawing
            return PartitionDrawing(target.partition_graphs, rankdir="TB" if args.tb else "LR")
        return Drawing(target, **_options(args))


    @magic_arguments()
    @argument("what", nargs="+",
              help="expression: a RunMetadata of a traced run (RunOptions(trace_level="
                   "FULL_TRACE)), or a list of them (a step selector picks one)")
    @argument("--width", type=int, default=760, help="drawing width in pixels")
    @line_magic("timeline")
    def timeline(self, line):
        """Draws traced steps as timelines: a lane per task/device, a bar per op, each
        Send/Recv marked with the bytes it moved."""
        args = parse_argstring(self.timeline, line)
        from ..viz import timeline
        return timeline(self.shell.ev(" ".join(args.what)), width=args.width)


def _run_cell_body(shell, cell):
    """Runs `cell` in the user namespace like a cell: the value of a final expression is
    displayed, and an exception propagates so the notebook cell fails (and "run all"
    stops) with a traceback pointing into the cell's own lines."""
    __tracebackhide__ = True  # noqa: F841
    filename = shell.compile.cache(cell)
    tree = ast.parse(cell, filename=filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), shell.user_ns)
    if last is not None:
        value = eval(compile(last, filename, "eval"), shell.user_ns)
        shell.displayhook(value)


def _drawable(obj):
    if isinstance(obj, _ops.Tensor) and getattr(obj, "_is_eager", False):
        return False
    if isinstance(obj, _ops.Graph):
        return bool(obj._ops)
    return getattr(obj, "graph", None) is not None


def rich_bundle(obj):
    """The mimebundle formatter for Graph/Operation/Tensor: SVG of the object's (sub)graph,
    or the DOT text with an install hint; `text/plain` is left to TF's repr."""
    if not _drawable(obj):
        return None
    d = Drawing(obj)
    try:
        return {"image/svg+xml": d.svg()}
    except GraphvizUnavailable as e:
        return {"text/html": d.fallback(e)["text/html"]}


_TYPES = (_ops.Graph, _ops.Operation, _ops.Tensor)


def register(ip):
    ip.register_magics(GraphMagics)
    display_formatter = ip.display_formatter

    def bundle(obj):
        # a terminal IPython shows text only: do not run `dot` for nothing
        if "image/svg+xml" not in display_formatter.active_types:
            return None
        return rich_bundle(obj)
    for t in _TYPES:
        display_formatter.mimebundle_formatter.for_type(t, bundle)


def unregister(ip):
    fmt = ip.display_formatter.mimebundle_formatter
    for t in _TYPES:
        fmt.pop(t, None)


__all__ = ["GraphMagics", "register", "unregister", "rich_bundle"]
