"""Graph -> DOT text: name scopes as clusters, gradients apart, edges with dtype and shape.

The DOT text is deterministic (creation order, no addresses or times unless timings are
asked for), so it is also the stable, comparable form of a drawing (see
`notes/nbval_policy.md`).

Layout rules:
- every name scope is a cluster; an op whose name is itself a scope (a variable `W` with
  `W/Assign`, `W/read`, `W/initial_value`) sits inside that scope's cluster, so a variable,
  its initializer and its read op are drawn together;
- a scope with more than `collapse_over` ops is drawn as one box unless expanded
  (`expand=["scope", ...]` or `expand=True` for everything); `collapse=[...]` folds scopes
  explicitly, `group_variables=True` folds every variable's group into one node;
- ops under a `gradients/` scope are filled orange, their cluster dashed orange;
- data edges are labelled `dtype shape`, reference edges are brown, control edges dashed;
- `notes={op_name: text}` adds a line of text to an op's box (values and gradients, say);
- *setup* ops, those that only compute a variable's initial value or initialise it (the
  `random_normal` scope feeding `W/Assign`, `W/Assign` itself, an `init` NoOp over them), are
  left out when `setup="fold"`, and by default (`"auto"`) once a drawing would have more than
  `SETUP_FOLD_OVER` boxes: the variable's box then says how many setup ops it stands for, and
  what the graph computes stays in view.
"""
import html

from .model import VARIABLE_TYPES, is_gradient_name, nodes_of

__all__ = ["to_dot", "DotOptions"]

COLORS = {
    "op": "#ffffff", "const": "#eeeeee", "placeholder": "#fff2cc", "variable": "#d9ead3",
    "grad": "#fce5cd", "train": "#f4cccc", "done": "#cfe2f3", "current": "#cc0000",
    "collapsed": "#e8e8f4", "grad_cluster": "#e69138", "var_cluster": "#6aa84f",
    "scope_cluster": "#7f7f7f", "ref_edge": "#8a5a00", "pending": "#bbbbbb",
}
TRAIN_PREFIXES = ("Apply", "ResourceApply")
SETUP_FOLD_OVER = 30
_INIT_TYPES = ("Assign", "AssignVariableOp")


class DotOptions:
    __slots__ = ("rankdir", "collapse_over", "expand", "collapse", "group_variables",
                 "show_shapes", "highlight", "done", "pending", "timings", "title",
                 "max_nodes", "visible", "notes", "setup")

    def __init__(self, rankdir="LR", collapse_over=25, expand=(), collapse=(),
                 group_variables=False, show_shapes=True, highlight=(), done=(), pending=(),
                 timings=None, title=None, max_nodes=300, notes=None, setup="auto"):
        rankdir = rankdir.upper()
        if rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(f"rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), not {rankdir!r}")
        self.rankdir = rankdir
        self.collapse_over = collapse_over
        self.expand = expand if expand is True else frozenset(_strip(s) for s in expand or ())
        self.collapse = frozenset(_strip(s) for s in collapse or ())
        self.group_variables = group_variables
        self.show_shapes = show_shapes
        self.highlight = frozenset(_names(highlight))
        self.done = frozenset(_names(done))
        self.pending = frozenset(_names(pending))
        self.timings = _timings(timings)
        self.title = title
        self.max_nodes = max_nodes
        self.visible = 0          # boxes drawn, set by to_dot
        # a line of text under an op's type (micrograd-style "value 19 · grad 1"), by op name
        self.notes = {_strip(getattr(k, "name", k)): str(v) for k, v in (notes or {}).items()}
        if setup is True:
            setup = "fold"
        elif setup is False or setup is None:
            setup = "show"
        if setup not in ("auto", "fold", "show"):
            raise ValueError(f"setup must be 'auto', 'fold' or 'show', not {setup!r}")
        self.setup = setup


def setup_ops(nodes):
    """{op name: variable it initialises, or None when it serves several} for the ops that
    only set variables up: a variable's initializer (`W/Assign`), everything whose every
    consumer is such an op (its initial value), and NoOps that only group initializers."""
    variables = {n.name for n in nodes if n.type in VARIABLE_TYPES}
    consumers = {n.name: set() for n in nodes}
    for n in nodes:
        for src, _i, _d, _s in n.inputs:
            if src in consumers:
                consumers[src].add(n.name)
        for src in n.control:
            if src in consumers:
                consumers[src].add(n.name)
    target = {}
    for n in nodes:
        var = n.name.rsplit("/", 1)[0]
        if n.type in _INIT_TYPES and n.name.endswith("/Assign") and var in variables:
            target[n.name] = var
    # creation order is a topological order: walk it backwards so consumers come first
    for n in reversed(nodes):
        if n.name in target or n.type in VARIABLE_TYPES or n.type.startswith("Placeholder"):
            continue
        users = consumers[n.name]
        if users and all(u in target for u in users):
            owners = {target[u] for u in users}
            target[n.name] = owners.pop() if len(owners) == 1 else None
    return target


def _strip(s):
    return s.rstrip("/")


def _names(items):
    if isinstance(items, str):
        items = [items]
    return [getattr(getattr(i, "op", i), "name", i) for i in items or ()]


def _timings(t):
    """{op_name: seconds} from a dict or a RunMetadata's step stats."""
    if t is None:
        return {}
    if isinstance(t, dict):
        return dict(t)
    out = {}
    for dev in t.step_stats.dev_stats:
        for ns in dev.node_stats:
            out[ns.node_name] = out.get(ns.node_name, 0.0) + ns.op_end_rel_micros / 1e6
    return out


def _q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _h(s):
    return html.escape(s, quote=True)


def format_seconds(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} µs"


class _Cluster:
    __slots__ = ("path", "children", "nodes", "count", "head")

    def __init__(self, path):
        self.path = path          # "" for the root, else "a/b"
        self.children = {}        # name -> _Cluster, in first-seen order
        self.nodes = []           # NodeViews directly inside
        self.count = 0            # ops at or below
        self.head = None          # the op named like the scope (a variable), if any


def _build_tree(nodes):
    scopes = set()
    for n in nodes:
        parts = n.name.split("/")
        for i in range(1, len(parts)):
            scopes.add("/".join(parts[:i]))
    root = _Cluster("")
    for n in nodes:
        parts = n.name.split("/")
        path = parts if n.name in scopes else parts[:-1]
        c = root
        c.count += 1
        for i, p in enumerate(path):
            sub = c.children.get(p)
            if sub is None:
                sub = c.children[p] = _Cluster("/".join(path[:i + 1]))
            c = sub
            c.count += 1
        c.nodes.append(n)
        if n.name == c.path:
            c.head = n
    _flatten_op_scopes(root)
    return root


def _flatten_op_scopes(c):
    """`mul` with its implicit constant `mul/y` is a scope in TF's naming, but a cluster
    around one op and its constants only adds noise: such scopes are drawn flat."""
    for key, sub in list(c.children.items()):
        _flatten_op_scopes(sub)
        if sub.head is not None and sub.head.type not in VARIABLE_TYPES and \
                not sub.children and all(n is sub.head or n.type == "Const" for n in sub.nodes):
            del c.children[key]
            c.nodes.extend(sub.nodes)


def _kind(cluster):
    if is_gradient_name(cluster.path + "/x"):
        return "grad"
    if cluster.head is not None and cluster.head.type in VARIABLE_TYPES:
        return "variable"
    return "plain"


def to_dot(obj, **options):
    """DOT source drawing `obj` (anything `viz.model.nodes_of` accepts)."""
    opts = options.pop("_opts", None) or DotOptions(**options)
    nodes = nodes_of(obj)
    folded = {}
    if opts.setup != "show":
        setup = setup_ops(nodes)
        if setup and (opts.setup == "fold" or len(nodes) > SETUP_FOLD_OVER):
            for name, var in setup.items():
                folded[var] = folded.get(var, 0) + 1
            nodes = [n for n in nodes if n.name not in setup]
    root = _build_tree(nodes)
    rep = {}            # op name -> visible node id
    lines = ["digraph G {",
             f"  graph [rankdir={opts.rankdir}, compound=true, fontname=\"Helvetica\", "
             f"fontsize=11, nodesep=0.25, ranksep=0.35"
             + (f", label={_q(opts.title)}, labelloc=t" if opts.title else "") + "];",
             "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
             "fontsize=10, fillcolor=\"#ffffff\", height=0.3, margin=\"0.08,0.03\"];",
             "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\", "
             "arrowsize=0.6];"]
    tmax = max(opts.timings.values(), default=0.0)
    over = opts.collapse_over

    def collapsed(c):
        if c.path in opts.collapse:
            return True
        if opts.expand is True or c.path in opts.expand or \
                any(e.startswith(c.path + "/") for e in opts.expand):
            return False
        if opts.group_variables and _kind(c) == "variable":
            return True
        return c.count > over

    def visible(c):
        return len(c.nodes) + sum(1 if collapsed(s) else visible(s)
                                  for s in c.children.values())

    # `dot`'s layout time grows fast with the number of boxes (1200 ops: ~10 s of CPU): a
    # big graph folds smaller scopes until it fits `max_nodes`, when it can
    if opts.max_nodes:
        while over > 1 and visible(root) > opts.max_nodes:
            over //= 2
    opts.visible = visible(root)

    def emit_node(n, indent):
        t = n.type
        attrs = {"id": "op:" + n.name}
        classes = ["op"]
        fill = COLORS["op"]
        if t == "Const":
            fill = COLORS["const"]
        elif t.startswith("Placeholder"):
            fill = COLORS["placeholder"]
        elif t in VARIABLE_TYPES:
            fill, attrs["shape"] = COLORS["variable"], "cylinder"
            classes.append("variable")
        elif t.startswith(TRAIN_PREFIXES):
            fill = COLORS["train"]
        if n.is_gradient:
            fill = COLORS["grad"]
            classes.append("grad")
        if t == "NoOp":
            attrs["style"] = "rounded,filled,dashed"
        short = n.name.rsplit("/", 1)[-1]
        label = f"<b>{_h(short)}</b><br/><font point-size=\"8\">{_h(t)}</font>"
        note = opts.notes.get(n.name)
        if note is None and folded.get(n.name):
            note = f"+{folded[n.name]} setup ops"
        if note is not None:
            label += f"<br/><font point-size=\"8\" color=\"#1f4e79\">{_h(note)}</font>"
            classes.append("noted")
        secs = opts.timings.get(n.name)
        if secs is not None:
            label += f"<br/><font point-size=\"8\">{_h(format_seconds(secs))}</font>"
            if tmax > 0:
                fill = _heat(secs / tmax)
            classes.append("timed")
        if n.name in opts.pending:
            attrs["fontcolor"] = COLORS["pending"]
            attrs["color"] = COLORS["pending"]
            classes.append("pending")
        if n.name in opts.done:
            fill = COLORS["done"]
            classes.append("done")
        if n.name in opts.highlight:
            attrs["color"] = COLORS["current"]
            attrs["penwidth"] = "3"
            classes.append("current")
        attrs["fillcolor"] = fill
        attrs["class"] = " ".join(classes)
        tip = f"{n.name} ({t})"
        if n.device:
            tip += f" on {n.device}"
        if n.inputs:
            tip += "\ninputs: " + ", ".join(f"{s}:{i}" for s, i, _d, _s in n.inputs)
        attrs["tooltip"] = tip
        body = ", ".join(f"{k}={_q(v)}" for k, v in attrs.items())
        lines.append(f"{indent}{_q(n.name)} [label=<{label}>, {body}];")
        rep[n.name] = n.name

    def hide(c, box):
        for n in c.nodes:
            rep[n.name] = box
        for sub in c.children.values():
            hide(sub, box)

    def emit_cluster(c, indent):
        kind = _kind(c)
        short = c.path.rsplit("/", 1)[-1]
        if collapsed(c):
            box = "scope:" + c.path
            fill = COLORS["grad"] if kind == "grad" else (
                COLORS["variable"] if kind == "variable" else COLORS["collapsed"])
            shape = "cylinder" if kind == "variable" else "box3d"
            what = f"{c.count} ops" if kind != "variable" else \
                f"{c.head.type}, {c.count} ops"
            label = f"<b>{_h(short)}/</b><br/><font point-size=\"8\">{_h(what)}</font>"
            highlight = any(r in opts.highlight for r in _all_names(c))
            extra = ', color="#cc0000", penwidth="3"' if highlight else ""
            lines.append(f"{indent}{_q(box)} [label=<{label}>, id={_q(box)}, shape={shape}, "
                         f"style=filled, fillcolor={_q(fill)}, "
                         f"class={_q('collapsed ' + kind)}, "
                         f"tooltip={_q(f'{c.path}: {c.count} ops (collapsed)')}{extra}];")
            hide(c, box)
            return
        color = {"grad": COLORS["grad_cluster"], "variable": COLORS["var_cluster"]}.get(
            kind, COLORS["scope_cluster"])
        style = "dashed,rounded" if kind == "grad" else "rounded"
        lines.append(f"{indent}subgraph {_q('cluster_' + c.path)} {{")
        lines.append(f"{indent}  graph [label={_q(short)}, id={_q('scope:' + c.path)}, "
                     f"class={_q('scope ' + kind)}, style={_q(style)}, color={_q(color)}, "
                     f"fontcolor={_q(color)}, fontsize=10];")
        emit_members(c, indent + "  ")
        lines.append(f"{indent}}}")

    def emit_members(c, indent):
        for n in c.nodes:
            emit_node(n, indent)
        for sub in c.children.values():
            emit_cluster(sub, indent)

    emit_members(root, "  ")

    seen = {}
    order = []
    for n in nodes:
        dst = rep[n.name]
        for src, idx, dtype, shape in n.inputs:
            s = rep.get(src)
            if s is None or s == dst:
                continue
            label = ""
            if opts.show_shapes and dtype:
                label = dtype if shape is None else f"{dtype} {shape}"
            key = (s, dst, "data")
            if key not in seen:
                seen[key] = [label, 0, bool(dtype and dtype.endswith("_ref"))]
                order.append(key)
            entry = seen[key]
            entry[1] += 1
            if entry[0] != label:
                entry[0] = "…"
        for src in n.control:
            s = rep.get(src)
            if s is None or s == dst:
                continue
            key = (s, dst, "control")
            if key not in seen:
                seen[key] = ["", 1, False]
                order.append(key)
    for key in order:
        s, d, kind = key
        label, count, is_ref = seen[key]
        if kind == "control":
            lines.append(f"  {_q(s)} -> {_q(d)} [style=dashed, class=\"control\", "
                         f"arrowhead=odot];")
            continue
        if count > 1:
            label = f"{label} ×{count}" if label else f"×{count}"
        attrs = [f"label={_q(label)}"] if label else []
        attrs.append('class="ref"' if is_ref else 'class="data"')
        if is_ref:
            attrs.append(f"color={_q(COLORS['ref_edge'])}")
        lines.append(f"  {_q(s)} -> {_q(d)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _all_names(c):
    for n in c.nodes:
        yield n.name
    for sub in c.children.values():
        yield from _all_names(sub)


def _heat(frac):
    """White (fast) to red (slowest op) for timing overlays."""
    frac = min(max(frac, 0.0), 1.0)
    g = int(255 - 155 * frac)
    return f"#ff{g:02x}{g:02x}"
