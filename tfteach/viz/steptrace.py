"""One traced step drawn as a timeline: a lane per task/device, a bar per op from its start
(`all_start_micros`) to its end (`+ op_end_rel_micros`), each _Send/_Recv marked with the
bytes it moved (`output[0].tensor_description.allocation_description.requested_bytes`,
TF's fields, which the workers fill), and the op's name and type as hover text.

`StepTrace(run_metadata)` holds the lanes (plain Python, testable); `.svg()` draws them.
The widget with a step selector is `tfteach.magics.widgets.StepTimeline`;
`tfteach.viz.timeline(...)` gives the widget, or the static drawing without ipywidgets.

Every SVG carries `<!-- tfteach-timeline HASH -->`, a hash of what does not change from
run to run (devices, ops, types, bytes): stored notebooks compare that, not the timings
(lessons/nbval_sanitize.cfg).
"""
import hashlib
import html
import re

from .dot import COLORS, format_seconds

__all__ = ["StepTrace", "TimelineDrawing", "task_label", "format_bytes"]

SEND_COLOR, RECV_COLOR = "#1f5fa8", "#6fa8dc"


def task_label(device):
    """'/job:ps/replica:0/task:0/device:CPU:0' -> '/job:ps/task:0 CPU:0'."""
    m = re.search(r"/job:([^/]+)(?:/replica:\d+)?/task:(\d+)(?:/device:([^/]+))?", device or "")
    if not m:
        return device or "?"
    head = f"/job:{m.group(1)}/task:{m.group(2)}"
    return f"{head} {m.group(3)}" if m.group(3) else head


def format_bytes(n):
    if n < 1024:
        return f"{n} B"
    if n < 1 << 20:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1 << 20):.1f} MiB"


def _op_type(ns):
    t = getattr(ns, "op_type", None)
    if t:
        return t
    m = re.match(r".* = (.*)\(", getattr(ns, "timeline_label", "") or "")
    return m.group(1) if m else "?"


class Bar:
    """One op on its lane; times in µs from the step's first op."""
    __slots__ = ("name", "op", "device", "start", "duration", "bytes", "row", "direction")

    def __init__(self, name, op, device, start, duration, nbytes, direction):
        self.name, self.op, self.device = name, op, device
        self.start, self.duration, self.bytes = start, duration, nbytes
        self.direction = direction      # "send", "recv", "client send"... or None
        self.row = 0

    @property
    def end(self):
        return self.start + self.duration

    def hover(self):
        lines = [f"{self.name} ({self.op})", f"on {self.device}",
                 f"starts at +{format_seconds(self.start / 1e6)}, "
                 f"runs {format_seconds(self.duration / 1e6)}"]
        if self.bytes is not None:
            lines.append(f"{self.direction}: {format_bytes(self.bytes)}")
        return "\n".join(lines)


def _direction(ns, op):
    name = ns.node_name
    if op == "_Send":
        return "sent to the client" if name.startswith("_send_") else "sent"
    if op == "_Recv":
        return "fed by the client" if name.startswith("_recv_") else "received"
    if name == "RecvTensor" or op == "RecvTensor":
        return "received"
    return None


def _bytes(ns):
    outs = getattr(ns, "output", None) or []
    if not outs:
        return None
    return int(outs[0].tensor_description.allocation_description.requested_bytes)


class StepTrace:
    """The lanes of one traced step (a RunMetadata or its StepStats)."""

    def __init__(self, run_metadata, name=None):
        stats = getattr(run_metadata, "step_stats", run_metadata)
        if not hasattr(stats, "dev_stats"):
            raise TypeError(f"a timeline needs a RunMetadata (or StepStats) of a run with "
                            f"RunOptions(trace_level=FULL_TRACE), not "
                            f"{type(run_metadata).__name__}")
        self.name = name
        self.lanes = {}         # device -> [Bar], in device order of first appearance
        raw = []
        for d in stats.dev_stats:
            for ns in d.node_stats:
                raw.append((d.device, ns))
        if not raw:
            raise ValueError("this RunMetadata has no step stats: run the step with "
                             "options=RunOptions(trace_level=RunOptions.FULL_TRACE)")
        t0 = min(ns.all_start_micros for _, ns in raw)
        for device, ns in raw:
            op = _op_type(ns)
            direction = _direction(ns, op)
            dur = ns.op_end_rel_micros if ns.op_end_rel_micros else ns.all_end_rel_micros
            self.lanes.setdefault(device, []).append(Bar(
                ns.node_name, op, device, ns.all_start_micros - t0, max(int(dur), 0),
                _bytes(ns) if direction else None, direction))
        self.rows = {}
        for device, bars in self.lanes.items():
            bars.sort(key=lambda b: (b.start, b.name))
            ends = []
            # ops that overlap on one device (inter-op threads) go on rows below each other
            for b in bars:
                row = next((i for i, e in enumerate(ends) if b.start >= e), None)
                if row is None:
                    row = len(ends)
                    ends.append(0)
                ends[row] = b.end
                b.row = row
            self.rows[device] = max(len(ends), 1)

    # --- what it says ----------------------------------------------------------------------
    @property
    def bars(self):
        return [b for bars in self.lanes.values() for b in bars]

    @property
    def duration(self):
        """µs from the first op's start to the last op's end."""
        return max(b.end for b in self.bars)

    def transfers(self):
        """The Send/Recv bars: [(device, name, op, direction, bytes)]."""
        return [(b.device, b.name, b.op, b.direction, b.bytes) for b in self.bars
                if b.direction]

    def bytes_sent(self):
        """Bytes the _Sends moved task to task (not to the client)."""
        return sum(b.bytes or 0 for b in self.bars if b.direction == "sent")

    def signature(self):
        """A hash of what a rerun reproduces: devices, ops, types, bytes (no timings)."""
        items = sorted(f"{b.device}|{b.name}|{b.op}|{b.bytes}" for b in self.bars)
        return hashlib.sha1("\n".join(items).encode()).hexdigest()[:16]

    def summary(self):
        sends = sum(1 for b in self.bars if b.direction == "sent")
        n = len(self.lanes)
        return (f"<tfteach step timeline: {n} device{'s' if n != 1 else ''}, "
                f"{len(self.bars)} ops, {sends} Send{'s' if sends != 1 else ''} moving "
                f"{format_bytes(self.bytes_sent())}>")

    def headline(self):
        """One line above the drawing (its timing is what nbval's timing sanitizer masks)."""
        n = len(self.lanes)
        text = (f"{self.name + ': ' if self.name else ''}{len(self.bars)} ops on {n} "
                f"device{'s' if n != 1 else ''} in {format_seconds(self.duration / 1e6)}")
        if any(b.direction == "sent" for b in self.bars):
            text += f"; Sends moved {format_bytes(self.bytes_sent())} between tasks"
        return text

    # --- the drawing -----------------------------------------------------------------------
    def svg(self, width=760):
        e = html.escape
        label_w, row_h, pad, axis_h = 190, 16, 6, 22
        plot_w = max(width - label_w - 12, 100)
        total = max(self.duration, 1)
        scale = plot_w / total
        lab_h = 11                       # one line of byte labels under a row of bars
        row_step = row_h + 2 * lab_h + 2
        lane_y, y = {}, pad
        for device in self.lanes:
            lane_y[device] = y
            y += self.rows[device] * row_step + pad
        height = y + axis_h
        out = [f'<svg class="tfteach-timeline" width="{width}" height="{height}" '
               f'xmlns="http://www.w3.org/2000/svg" style="font:10px sans-serif">'
               f"<!-- tfteach-timeline {self.signature()} -->"]
        for k, (device, bars) in enumerate(self.lanes.items()):
            y0 = lane_y[device]
            h = self.rows[device] * row_step
            if k % 2:
                out.append(f'<rect x="0" y="{y0 - pad / 2:.1f}" width="{width}" '
                           f'height="{h + pad}" fill="#f6f6f6"/>')
            out.append(f'<text x="4" y="{y0 + row_h - 3}"><title>{e(device)}</title>'
                       f"{e(task_label(device))}</text>")
            # where each (row, label line) is free again: labels that would overlap go on
            # the second line, or are left to the hover text
            free = {}
            for b in bars:
                x = label_w + b.start * scale
                bw = max(b.duration * scale, 1.5)
                by = y0 + b.row * row_step
                fill = (SEND_COLOR if b.op == "_Send" else RECV_COLOR if b.direction
                        else COLORS["const"] if b.op == "Const"
                        else COLORS["variable"] if b.op.startswith("Variable")
                        else COLORS["op"])
                cls = "transfer" if b.direction else "op"
                out.append(f'<g class="{cls}" data-op="{e(b.name)}"><title>{e(b.hover())}'
                           f'</title><rect x="{x:.1f}" y="{by}" width="{bw:.1f}" '
                           f'height="{row_h}" fill="{fill}" stroke="#555" '
                           f'stroke-width="0.4"/>')
                if bw > 40:
                    color = "#fff" if b.op == "_Send" else "#222"
                    out.append(f'<text x="{x + 2:.1f}" y="{by + row_h - 4}" '
                               f'fill="{color}">{e(b.name[: int(bw / 6)])}</text>')
                if b.direction and b.bytes is not None:
                    arrow = "→" if b.op == "_Send" else "←"
                    text = f"{arrow} {format_bytes(b.bytes)}"
                    text_w = 6 * len(text)
                    lx = min(x, width - text_w - 2)     # the last ones stay inside
                    line = next((i for i in (0, 1) if free.get((b.row, i), -1e9) <= lx), None)
                    if line is not None:
                        free[(b.row, line)] = lx + text_w + 4
                        out.append(f'<text x="{lx:.1f}" y="{by + row_h + 10 + line * lab_h}" '
                                   f'fill="{SEND_COLOR}">{e(text)}</text>')
                out.append("</g>")
        ya = height - axis_h + 4
        out.append(f'<line x1="{label_w}" y1="{ya}" x2="{label_w + plot_w}" y2="{ya}" '
                   f'stroke="#999"/>')
        for i in range(5):
            t = total * i / 4
            x = label_w + t * scale
            anchor = "start" if i == 0 else "end" if i == 4 else "middle"
            out.append(f'<line x1="{x:.1f}" y1="{ya}" x2="{x:.1f}" y2="{ya + 4}" '
                       f'stroke="#999"/><text x="{x:.1f}" y="{ya + 15}" '
                       f'text-anchor="{anchor}">{format_seconds(t / 1e6)}</text>')
        out.append("</svg>")
        return "".join(out)

    def html(self, width=760):
        return (f'<div class="tfteach-step-timeline"><p style="margin:2px 0">'
                f"{html.escape(self.headline())}</p>{self.svg(width)}</div>")


class TimelineDrawing:
    """The timelines of one or more steps without ipywidgets: each step's drawing stacked."""

    def __init__(self, run_metadata, names=None, width=760):
        self.steps = _steps(run_metadata, names)
        self.width = width

    def summary(self):
        if len(self.steps) == 1:
            return self.steps[0].summary()
        return f"<tfteach step timelines: {len(self.steps)} steps>"

    def __repr__(self):
        return self.summary()

    def static_html(self):
        return "".join(s.html(self.width) for s in self.steps)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary(), "text/html": self.static_html()}


def _steps(run_metadata, names=None):
    mds = list(run_metadata) if isinstance(run_metadata, (list, tuple)) else [run_metadata]
    if not mds:
        raise ValueError("a timeline needs at least one RunMetadata")
    if names is None:
        names = [f"step {i + 1}" for i in range(len(mds))] if len(mds) > 1 else [None]
    return [StepTrace(m, n) for m, n in zip(mds, names)]
