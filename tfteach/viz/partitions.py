"""A distributed step drawn: one box per task, its partition's ops inside, every
_Send -> _Recv pair joined by a dashed edge labelled with the tensor it carries, and the
client with its feeds (into `_recv_*`) and fetches (out of `_send_*`).

`partitions_dot(graph_defs)` takes `RunMetadata.partition_graphs` (or any list of
GraphDefs whose nodes carry devices); `PartitionDrawing` renders it like `Drawing`.
"""
import html
import re

from .dot import COLORS
from .render import Drawing, render_svg

__all__ = ["partitions_dot", "PartitionDrawing"]


def _q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _task(device):
    m = re.search(r"/job:([^/]+)/replica:\d+/task:(\d+)", device or "")
    return f"/job:{m.group(1)}/task:{m.group(2)}" if m else (device or "?")


def _tensor(attr):
    """The tensor a Send/Recv carries, as the user knows it ('w/read:0')."""
    name = attr.get("tensor_name", "")
    m = re.match(r"edge_\d+_(.*)", name)
    return f"{m.group(1)}:0" if m else name


def partitions_dot(graph_defs, rankdir="LR"):
    parts = {}
    for gd in graph_defs:
        for n in gd.node:
            parts.setdefault(n.device, []).append(n)
    out = [f"digraph partitions {{\n  rankdir={rankdir};\n  compound=true;\n"
           f"  node [shape=box, style=\"rounded,filled\", fontname=Helvetica, fontsize=10];\n"
           f"  edge [fontname=Helvetica, fontsize=9];\n"]
    sends, recvs = {}, {}
    feeds, fetches = [], []
    for k, dev in enumerate(sorted(parts)):
        out.append(f"  subgraph cluster_{k} {{\n    label={_q(_task(dev))};\n"
                   f"    style=rounded; color=\"#7f7f7f\";\n")
        for n in parts[dev]:
            nid = _q(f"{dev}|{n.name}")
            kind = n.op
            if kind in ("_Send", "_Recv"):
                fill = "#d0e0f0"
                if n.attr.get("client_terminated"):
                    (feeds if kind == "_Recv" else fetches).append((nid, n))
                else:
                    key = (n.attr.get("tensor_name"), n.attr.get("send_device"),
                           n.attr.get("recv_device"))
                    (sends if kind == "_Send" else recvs)[key] = (nid, n)
            else:
                fill = COLORS["const"] if kind == "Const" else (
                    COLORS["variable"] if kind.startswith("Variable") else COLORS["op"])
            label = f"<{html.escape(n.name)}<br/><font point-size=\"8\">{html.escape(kind)}" \
                    f"</font>>"
            out.append(f"    {nid} [label={label}, fillcolor=\"{fill}\"];\n")
        out.append("  }\n")
        for n in parts[dev]:
            for ref in n.input:
                ctrl = ref.startswith("^")
                src = ref.lstrip("^").split(":")[0]
                style = " [style=dashed, arrowhead=odot]" if ctrl else ""
                out.append(f"  {_q(f'{dev}|{src}')} -> {_q(f'{dev}|{n.name}')}{style};\n")
    for key, (sid, s) in sends.items():
        r = recvs.get(key)
        if r is not None:
            out.append(f"  {sid} -> {r[0]} [style=dashed, color=\"#1f5fa8\", penwidth=1.6, "
                       f"label={_q(_tensor(s.attr))}, fontcolor=\"#1f5fa8\"];\n")
    if feeds or fetches:
        out.append("  client [label=\"client\", shape=ellipse, fillcolor=\"#fff2cc\"];\n")
        for nid, n in feeds:
            out.append(f"  client -> {nid} [style=dashed, label={_q('feed ' + _tensor(n.attr))}];\n")
        for nid, n in fetches:
            out.append(f"  {nid} -> client [style=dashed, label={_q('fetch ' + _tensor(n.attr))}];\n")
    out.append("}\n")
    return "".join(out)


class PartitionDrawing(Drawing):
    """A distributed step's partitions, drawn (see the module docstring)."""

    def __init__(self, graph_defs, rankdir="LR"):  # noqa: super().__init__ draws graphs
        self.dot = partitions_dot(graph_defs, rankdir)
        self._svg = None
        self._error = None
        self.tasks = len({n.device for gd in graph_defs for n in gd.node})
        self.pairs = self.dot.count("penwidth=1.6")

        class _Opts:
            max_nodes = None
            visible = 0
        self.options = _Opts()

    def svg(self):
        if self._svg is None:
            self._svg = render_svg(self.dot)
        return self._svg

    def summary(self):
        return (f"<tfteach partition drawing: {self.tasks} tasks, {self.pairs} Send/Recv "
                f"pairs>")
