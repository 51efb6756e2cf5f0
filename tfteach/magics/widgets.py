"""ipywidgets that make graphs, sessions and training visible.

- GraphExplorer: pick an op, see its type, attrs, inputs, outputs (dtype, shape), device,
  where its kernels and gradient are defined, and its value in a chosen session.
- SessionStepper: one real `Session.run`, traced op by op (executor tracing), replayed step by
  step with the running op highlighted in the drawing and each produced value shown.
- VariableInspector: the same variables in several sessions side by side.
- LivePlot: scalar summaries plotted as they arrive, from a FileWriter hook or by tailing a
  logdir's event files (no TensorBoard server).
- StepTimeline: traced steps (local or distributed) as timelines, a lane per task/device,
  Send/Recv marked with the bytes they moved; a selector picks the step.

The state of every widget is plain Python (`selected`, `details()`, `steps`, `values()`,
`data`), so it is testable without a browser.
"""
import html
import threading
import time
from tokenize import TokenError

import numpy as np

try:
    import ipywidgets as w
except ImportError:
    # a clear message instead of a bare "No module named"; `from None` so the student sees
    # one traceback, not the import machinery's as well
    raise ImportError("The tfteach widgets need ipywidgets: pip install 'tfteach[jupyter]' "
                      "(or pip install ipywidgets)", name="ipywidgets") from None

from .. import errors
from ..framework import ops as _ops
from ..viz import Drawing, GraphvizUnavailable
from ..viz.dot import format_seconds
from ..viz.model import VARIABLE_TYPES, _as_graph, _op_view

__all__ = ["GraphExplorer", "SessionStepper", "VariableInspector", "LivePlot", "SourceView",
           "StepTimeline", "format_value", "run_traced"]


def format_value(v, limit=400):
    """A short text form of a produced value (array, scalar, variable slot, bytes)."""
    if hasattr(v, "value") and v.__class__.__name__ == "VariableSlot":
        v = v.value
        if v is None:
            return "<uninitialized>"
    if isinstance(v, (np.ndarray, np.generic)):
        text = np.array2string(np.asarray(v), precision=4, threshold=40, edgeitems=3,
                               suppress_small=True)
        if isinstance(v, np.ndarray) and v.ndim:
            text += f"  shape={v.shape} dtype={v.dtype}"
    else:
        text = repr(v)
    return text if len(text) <= limit else text[:limit] + " …"


def _package_path(location):
    """'/anywhere/tfteach/kernels/cpu/linalg.py:165' -> 'tfteach/kernels/cpu/linalg.py:165':
    where a file sits inside tfteach reads the same on every machine (stored outputs too)."""
    if not location:
        return location
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # .../tfteach
    path, sep, line = location.rpartition(":")
    if not sep or not line.isdigit():
        return location
    base = os.path.dirname(root)
    if os.path.abspath(path).startswith(root + os.sep):
        return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/") + ":" + line
    return location


class SourceView:
    """The source of one function the registry names for an op (its kernel on a device, its
    gradient, its declaration or Python API), as `GraphExplorer.source(...)` opens it."""

    LABELS = {"CPU": "CPU kernel", "GPU": "GPU kernel", "gradient": "gradient function",
              "op": "declaration (register_op)", "api": "Python API function"}

    def __init__(self, op_type, which, location):
        import inspect
        import linecache
        self.op_type, self.which, self.location = op_type, which, _package_path(location)
        path, _, line = location.rpartition(":")
        lines = linecache.getlines(path)
        start = int(line) - 1
        # decorators sit above the `def`: show them with it
        while start > 0 and lines[start - 1].lstrip().startswith("@"):
            start -= 1
        body = lines[start:]
        first = next((k for k, ln in enumerate(body) if not ln.lstrip().startswith("@")), 0)
        try:
            block = body[:first] + inspect.getblock(body[first:])
        except (IndexError, SyntaxError, TokenError):
            block = body[:1]
        self.code = "".join(block).rstrip("\n")

    def _header(self):
        return f"{self.op_type}, {self.LABELS.get(self.which, self.which)} ({self.location}):"

    def __repr__(self):
        return self._header() + "\n" + self.code

    def _repr_mimebundle_(self, include=None, exclude=None):
        e = html.escape
        return {"text/plain": repr(self),
                "text/html": f"<p><b>{e(self._header())}</b></p>"
                             f"<pre class=\"tfteach-source\">{e(self.code)}</pre>"}


def _svg_or_dot(drawing):
    try:
        # scaled to the widget's width: a wide graph stays whole instead of scrolling away
        return drawing.svg().replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    except GraphvizUnavailable as e:
        return drawing.fallback(e)["text/html"]


def _bundle(obj):
    """The widget's view plus a short, deterministic `text/plain` (what a notebook stores and
    nbval compares; ipywidgets' own text is a truncated repr of the widget tree), and a static
    `text/html` copy of what the widget shows now: a front end that cannot draw the widget (an
    exported HTML page without its widget state, GitHub, a viewer without ipywidgets) shows
    that instead of nothing."""
    data = obj.widget._repr_mimebundle_()
    data["text/plain"] = obj.summary()
    data["text/html"] = ('<div class="tfteach-static" title="a static copy of the widget; run '
                         'the cell for the live one">' + obj.static_html() + "</div>")
    return data


def _sessions_dict(sessions):
    if sessions is None:
        from ..client.session import get_default_session
        s = get_default_session()
        return {"default session": s} if s is not None else {}
    if isinstance(sessions, dict):
        return dict(sessions)
    if not isinstance(sessions, (list, tuple)):
        sessions = [sessions]
    return {f"session {i + 1}": s for i, s in enumerate(sessions)}


def _error_text(e):
    return f"{type(e).__name__}: {getattr(e, 'message', None) or e}"


# ---------------------------------------------------------------------------------------
# Graph explorer
# ---------------------------------------------------------------------------------------

class GraphExplorer:
    """`GraphExplorer(graph, sessions=None, feed_dict=None)`; `.widget` is what to display
    (the explorer also displays itself as that widget)."""

    def __init__(self, graph=None, sessions=None, feed_dict=None, rankdir="LR"):
        first = None
        if isinstance(graph, (_ops.Tensor, _ops.Operation)):     # open at this op
            first, graph = getattr(graph, "op", graph), graph.graph
        g = _ops.get_default_graph() if graph is None else _as_graph(graph)
        if g is None:
            raise TypeError(f"GraphExplorer needs a Graph (or Session, tf.function), not "
                            f"{type(graph).__name__}")
        self.graph = g
        self.feed_dict = feed_dict
        self.rankdir = rankdir
        self.sessions = _sessions_dict(sessions)
        names = [op.name for op in g.get_operations()]
        self.filter = w.Text(placeholder="filter ops by name or type", description="find")
        self.select_box = w.Select(options=names, rows=min(12, max(len(names), 2)),
                                   description="op")
        self.session_picker = w.Dropdown(options=list(self.sessions), description="session")
        self.eval_button = w.Button(description="Evaluate", icon="play")
        self.info = w.HTML()
        self.value = w.HTML()
        self.picture = w.HTML()
        self.select_box.add_class("tfteach-op-list")
        self.picture.add_class("tfteach-picture")
        self.filter.observe(self._on_filter, names="value")
        self.select_box.observe(self._on_select, names="value")
        self.eval_button.on_click(lambda _b: self.evaluate())
        left = w.VBox([self.filter, self.select_box, w.HBox([self.session_picker,
                                                             self.eval_button]),
                       self.info, self.value], layout=w.Layout(width="45%"))
        self.widget = w.HBox([left, w.Box([self.picture], layout=w.Layout(
            width="55%", overflow="auto"))])
        self.widget.add_class("tfteach-graph-explorer")
        self.selected = None
        if names:
            self.select(first.name if first is not None else names[-1])

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self)

    def static_html(self):
        """The selected op's details and the drawing, as the widget shows them."""
        return (f"<div style=\"display:flex;gap:8px\"><div style=\"flex:0 0 45%\">"
                f"{self.info.value}{self.value.value}</div><div style=\"flex:1;overflow:auto\">"
                f"{self.picture.value}</div></div>")

    def summary(self):
        sel = f", selected {self.selected.name} ({self.selected.type})" if self.selected else ""
        return f"<GraphExplorer: {len(self.graph.get_operations())} ops{sel}>"

    def _on_filter(self, change):
        q = change["new"].lower()
        names = [op.name for op in self.graph.get_operations()
                 if q in op.name.lower() or q in op.type.lower()]
        self.select_box.options = names

    def _on_select(self, change):
        # select() sets the list's value itself: only a user's pick goes through here
        if change["new"] is not None and (self.selected is None or
                                          change["new"] != self.selected.name):
            self.select(change["new"])

    def select(self, name):
        op = self.graph.get_operation_by_name(getattr(name, "name", name))
        self.selected = op
        if self.select_box.value != op.name and op.name in self.select_box.options:
            self.select_box.value = op.name
        self.info.value = self._details_html(self.details())
        self.value.value = ""
        scope = op.name.rsplit("/", 1)[0] if "/" in op.name else ""
        drawing = Drawing(self.graph, highlight=[op.name], rankdir=self.rankdir,
                          expand=[scope] if scope else ())
        self.picture.value = _svg_or_dot(drawing)
        return op

    def details(self, op=None):
        """What the explorer shows for `op` (default: the selected one), as a dict."""
        op = op or self.selected
        opdef = op.op_def
        where = {}
        try:
            where = opdef.where()
        except Exception as e:  # noqa: BLE001 - a broken kernel package must not hide the op
            where = {"error": _error_text(e)}
        grad = opdef.gradient
        if grad is not None:
            gradient = f"{grad.__module__}.{grad.__qualname__}"
        elif opdef.differentiable is False:
            gradient = "not differentiable (NotDifferentiable)"
        else:
            gradient = "none registered"
        return {
            "name": op.name, "type": op.type, "device": op.device,
            "attrs": {k: _attr_text(v) for k, v in sorted(op._attrs.items())},
            "inputs": [(t.name, t.dtype.name, str(t.shape)) for t in op.inputs],
            "control_inputs": [c.name for c in op.control_inputs],
            "outputs": [(t.name, t.dtype.name, str(t.shape), [c.name for c in t.consumers()])
                        for t in op.outputs],
            "kernels": {k: (v if k == "error" else _package_path(v))
                        for k, v in where.items() if k in ("CPU", "GPU", "error")},
            "gradient": gradient, "gradient_source": _package_path(where.get("gradient")),
            "doc": opdef.doc or "", "family": opdef.family,
            "declared": _package_path(where.get("op")), "api": _package_path(where.get("api")),
        }

    def source(self, which="CPU", op=None):
        """Opens the source of the selected op's `which`: "CPU" or "GPU" (its kernel),
        "gradient", "op" (where it is declared) or "api" (the Python function that builds
        it). Shown as code; `.code` and `.location` hold it."""
        op = op or self.selected
        where = op.op_def.where()
        if which not in where:
            have = ", ".join(sorted(where))
            raise ValueError(f"{op.type} has no {which!r} source here (it has: {have})")
        return SourceView(op.type, which, where[which])

    @staticmethod
    def _details_html(d):
        e = html.escape

        def rows(items):
            return "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in items)
        parts = [f"<h4 style=\"margin:4px 0\"><code>{e(d['name'])}</code>: {e(d['type'])}</h4>"]
        if d["doc"]:
            parts.append(f"<p><em>{e(d['doc'])}</em></p>")
        table = [("family", e(d["family"])), ("device", e(d["device"] or "(not placed yet)"))]
        if d["declared"]:
            table.append(("declared", f"<code>{e(d['declared'])}</code>"))
        if d["api"]:
            table.append(("Python function", f"<code>{e(d['api'])}</code>"))
        table += [(f"attr <code>{e(k)}</code>", f"<code>{e(v)}</code>")
                  for k, v in d["attrs"].items()]
        table += [("input", f"<code>{e(n)}</code> {e(dt)} {e(s)}") for n, dt, s in d["inputs"]]
        table += [("control input", f"<code>{e(c)}</code>") for c in d["control_inputs"]]
        table += [("output", f"<code>{e(n)}</code> {e(dt)} {e(s)} → "
                   + (", ".join(e(c) for c in cons) or "(no consumers)"))
                  for n, dt, s, cons in d["outputs"]]
        table += [(f"kernel {e(k)}", f"<code>{e(v)}</code>") for k, v in d["kernels"].items()]
        grad = e(d["gradient"])
        if d["gradient_source"]:
            grad += f"<br/><code>{e(d['gradient_source'])}</code>"
        table.append(("gradient", grad))
        parts.append(f"<table class=\"tfteach-op\">{rows(table)}</table>")
        return "".join(parts)

    def evaluate(self, session=None, feed_dict=None):
        """Runs the selected op's outputs (or the op) in the chosen session; returns the text
        shown (TF's error class and message if it fails, as the lesson wants)."""
        op = self.selected
        if session is None:
            session = self.sessions.get(self.session_picker.value)
        if session is None:
            text = "No session: pass sessions=[sess] to GraphExplorer (or open a default one)."
        else:
            fetch = op.outputs if op.outputs else op
            try:
                vals = session.run(fetch, feed_dict=feed_dict or self.feed_dict)
                if op.outputs:
                    text = "\n".join(f"{t.name} = {format_value(v)}"
                                     for t, v in zip(op.outputs, vals))
                else:
                    text = f"{op.name} ran (an Operation has no value)"
            except (errors.OpError, ValueError, TypeError, RuntimeError) as e:
                text = _error_text(e)
        self.value.value = f"<pre class=\"tfteach-value\">{html.escape(text)}</pre>"
        return text


def _attr_text(v):
    if isinstance(v, np.ndarray):
        return format_value(v, 120)
    if hasattr(v, "name") and not isinstance(v, str):
        return v.name
    return str(v)


# ---------------------------------------------------------------------------------------
# Session stepper
# ---------------------------------------------------------------------------------------

def run_traced(sess, fetches, feed_dict=None, step_callback=None):
    """`sess.run(fetches, feed_dict)` op by op through the session's tracing entry point
    (`client.session.trace_run`): `step_callback(op, output_values, seconds)` is called
    after each op. Returns (results, run_metadata)."""
    from ..client import session as _session
    from ..client.config import RunMetadata
    if not hasattr(_session, "trace_run"):
        raise NotImplementedError("The session stepper needs executor tracing "
                                  "(client.session.trace_run), which this build lacks.")
    md = RunMetadata()
    result = _session.trace_run(sess, fetches, feed_dict, step_callback, md)
    return result, md


class Step:
    __slots__ = ("index", "op", "values", "seconds")

    def __init__(self, index, op, values, seconds):
        self.index, self.op, self.values, self.seconds = index, op, values, seconds

    def __repr__(self):
        return f"<Step {self.index}: {self.op.name} ({self.op.type})>"


def _snapshot(v):
    if v.__class__.__name__ == "VariableSlot":
        v = v.value
    if isinstance(v, np.ndarray):
        return v.copy()
    return v


class SessionStepper:
    """`SessionStepper(sess, fetches, feed_dict=None)` runs `sess.run(fetches, feed_dict)`
    once for real (variables change as they would) while recording every op the executor
    runs, then lets you step through the recording: `step`, `next()`, `prev()`, `go(i)`."""

    def __init__(self, sess, fetches, feed_dict=None, rankdir="LR"):
        self.session = sess
        self.steps = []
        self.rankdir = rankdir

        def record(op, outputs, seconds):
            vals = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            self.steps.append(Step(len(self.steps), op, [_snapshot(v) for v in vals],
                                   seconds))
        self.result, self.run_metadata = run_traced(sess, fetches, feed_dict, record)
        # the drawing shows what this run involved: every op that ran, and the fed tensors'
        # producers (they did not run: their values came from the feed)
        ops = {s.op for s in self.steps}
        graph = sess.graph
        for key in (feed_dict or {}):
            t = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
            ops.add(t.op)
        self._views = [_op_view(op) for op in sorted(ops, key=lambda o: o._id)]
        self._ran = [s.op.name for s in self.steps]
        self.step = 0
        n = max(len(self.steps) - 1, 0)
        self.slider = w.IntSlider(min=0, max=n, value=0, description="step",
                                  continuous_update=False)
        self.play = w.Play(min=0, max=n, interval=700, description="play")
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.prev_button = w.Button(description="◀ prev")
        self.next_button = w.Button(description="next ▶")
        self.prev_button.on_click(lambda _b: self.prev())
        self.next_button.on_click(lambda _b: self.next())
        self.slider.observe(lambda c: self.go(c["new"]) if c["new"] != self.step else None,
                            names="value")
        self.info = w.HTML()
        self.picture = w.HTML()
        self.widget = w.VBox([w.HBox([self.play, self.prev_button, self.slider,
                                      self.next_button]), self.info, self.picture])
        self.widget.add_class("tfteach-session-stepper")
        self.go(0)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self)

    def summary(self):
        return f"<SessionStepper: {len(self.steps)} ops ran, showing step {self.step + 1}>"

    def static_html(self, limit=60):
        """Every step of the recorded run as a table (op, type, device, what it produced),
        above the drawing of the current step."""
        e = html.escape
        rows = []
        for s in self.steps[:limit]:
            outs = s.op.outputs
            vals = "; ".join(f"{outs[j].name if j < len(outs) else j} = {format_value(v, 120)}"
                             for j, v in enumerate(s.values)) or "(no outputs)"
            rows.append(f"<tr><td>{s.index + 1}</td><td><code>{e(s.op.name)}</code></td>"
                        f"<td>{e(s.op.type)}</td><td>{e(s.op.device or 'CPU')}</td>"
                        f"<td><code>{e(vals)}</code></td></tr>")
        more = (f"<tr><td colspan=\"5\">… {len(self.steps) - limit} more steps</td></tr>"
                if len(self.steps) > limit else "")
        return (f"<table class=\"tfteach-steps\"><thead><tr><th>step</th><th>op</th>"
                f"<th>type</th><th>device</th><th>produced</th></tr></thead><tbody>"
                f"{''.join(rows)}{more}</tbody></table>{self.picture.value}")

    @property
    def current(self):
        return self.steps[self.step] if self.steps else None

    def go(self, i):
        if not self.steps:
            self.info.value = "<p>The run executed no kernels (everything was fed or constant)."
            return None
        i = max(0, min(int(i), len(self.steps) - 1))
        self.step = i
        if self.slider.value != i:
            self.slider.value = i
        s = self.steps[i]
        self.info.value = self._info_html(s)
        scope = s.op.name.rsplit("/", 1)[0] if "/" in s.op.name else ""
        drawing = Drawing(self._views, highlight=[s.op.name], done=self._ran[:i],
                          pending=self._ran[i + 1:], rankdir=self.rankdir,
                          expand=[scope] if scope else ())
        self.picture.value = _svg_or_dot(drawing)
        return s

    def next(self):
        return self.go(self.step + 1)

    def prev(self):
        return self.go(self.step - 1)

    def _info_html(self, s):
        e = html.escape
        outs = s.op.outputs
        lines = []
        for j, v in enumerate(s.values):
            name = outs[j].name if j < len(outs) else f"{s.op.name}:{j}"
            lines.append(f"{name} = {format_value(v)}")
        if not lines:
            lines.append("(no outputs: run for its effect)")
        return (f"<p>step {s.index + 1} of {len(self.steps)}: <b><code>{e(s.op.name)}</code></b>"
                f" ({e(s.op.type)}) on {e(s.op.device or 'CPU')}, "
                f"{e(format_seconds(s.seconds))}</p>"
                f"<pre class=\"tfteach-value\">{e(chr(10).join(lines))}</pre>")


# ---------------------------------------------------------------------------------------
# Variable inspector
# ---------------------------------------------------------------------------------------

class VariableInspector:
    """`VariableInspector([sess_a, sess_b], variables=None)`: a table of each variable's value
    in each session (v1 variables live in the session, so two sessions differ). Values are
    read from the session's state without running anything; `refresh()` re-reads them."""

    def __init__(self, sessions, variables=None):
        self.sessions = _sessions_dict(sessions)
        if not self.sessions:
            raise ValueError("VariableInspector needs at least one session")
        graph = next(iter(self.sessions.values())).graph
        if variables is None:
            variables = graph.get_collection(_ops.GraphKeys.GLOBAL_VARIABLES) or \
                [op.outputs[0] for op in graph.get_operations() if op.type in VARIABLE_TYPES]
        self.variables = list(variables)
        self.table = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.widget = w.VBox([self.refresh_button, self.table])
        self.widget.add_class("tfteach-variable-inspector")
        self.refresh()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self)

    def static_html(self):
        return self.table.value

    def summary(self):
        return (f"<VariableInspector: {len(self.variables)} variables in "
                f"{len(self.sessions)} sessions>")

    @staticmethod
    def _read(sess, var):
        """(value, None) or (None, why)."""
        if getattr(sess, "_closed", False):
            return None, "closed session"
        op = getattr(var, "op", None)
        if op is not None and op.type == "VariableV2":
            key = op.get_attr("shared_name") if "shared_name" in op._attrs else ""
            slot = sess._state.variables.get(key or op.name)
            if slot is None or slot.value is None:
                return None, "uninitialized"
            return np.array(slot.value, copy=True), None
        try:
            return sess.run(var), None
        except (errors.OpError, ValueError, TypeError) as e:
            return None, _error_text(e).splitlines()[0]

    def values(self):
        """{variable name: [value or None per session]} as last read."""
        return {name: [v for v, _ in cells] for name, cells in self._cells.items()}

    def refresh(self):
        self._cells = {}
        for var in self.variables:
            self._cells[getattr(var, "name", str(var))] = [
                self._read(s, var) for s in self.sessions.values()]
        self.table.value = self._html()
        return self.values()

    def differs(self, name):
        vals = [v for v, _ in self._cells[name]]
        if any(v is None for v in vals):
            return len({v is None for v in vals}) > 1
        return any(not np.array_equal(vals[0], v) for v in vals[1:])

    def _html(self):
        e = html.escape
        head = "".join(f"<th>{e(k)}</th>" for k in self.sessions)
        rows = []
        for var in self.variables:
            name = getattr(var, "name", str(var))
            shape = str(getattr(var, "shape", ""))
            diff = self.differs(name)
            cells = "".join(
                f"<td><pre style=\"margin:0\">{e(format_value(v, 200))}</pre></td>"
                if why is None else f"<td><em>{e(why)}</em></td>"
                for v, why in self._cells[name])
            style = " style=\"background:#fff2cc\"" if diff else ""
            rows.append(f"<tr class=\"{'differs' if diff else 'same'}\"{style}><td><code>"
                        f"{e(name)}</code><br/><small>{e(shape)}</small></td>{cells}</tr>")
        return (f"<table class=\"tfteach-variables\"><thead><tr><th>variable</th>{head}</tr>"
                f"</thead><tbody>{''.join(rows)}</tbody></table>")


# ---------------------------------------------------------------------------------------
# Live training plot
# ---------------------------------------------------------------------------------------

class LivePlot:
    """Scalars plotted as training runs, without TensorBoard.

    Feed it any of three ways: `attach(writer)` (every `writer.add_summary(summary, step)`
    also reaches the plot), `LivePlot(logdir=...)` + `poll()`/`start()` (tails the event
    files), or `add_scalar(tag, value, step)` directly."""

    def __init__(self, logdir=None, tags=None, width=360, height=160, min_interval=0.2):
        from ..viz.events import EventTail
        self.tags = list(tags) if tags else None
        self.data = {}
        self.width, self.height = width, height
        self.min_interval = min_interval
        self._tail = EventTail(logdir) if logdir else None
        self._last_draw = 0.0
        self._thread = None
        self._stop = threading.Event()
        self.chart = w.HTML()
        self.widget = w.VBox([self.chart])
        self.widget.add_class("tfteach-live-plot")
        self.redraw()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self)

    def summary(self):
        return f"<LivePlot: {', '.join(sorted(self.data)) or 'no scalars yet'}>"

    def static_html(self):
        """The charts as they are now (SVG), and each tag's last value."""
        self.redraw()
        return self.chart.value

    # --- inputs ----------------------------------------------------------------------------
    def add_scalar(self, tag, value, step, redraw=True):
        if self.tags is not None and tag not in self.tags:
            return
        self.data.setdefault(tag, []).append((int(step), float(value)))
        if redraw:
            self._maybe_redraw()

    def add_summary(self, summary, global_step=None):
        """A serialized `Summary` (what `tf.summary.scalar` produces and `sess.run` returns)
        or an object with `SerializeToString()`."""
        from ..viz.events import parse_summary_scalars
        if hasattr(summary, "SerializeToString"):
            summary = summary.SerializeToString()
        if isinstance(summary, np.ndarray):
            summary = summary.item()
        for tag, value in parse_summary_scalars(bytes(summary)):
            self.add_scalar(tag, value, global_step or 0, redraw=False)
        self._maybe_redraw()

    def attach(self, writer):
        """Hooks a FileWriter: what it is given to write is also plotted. Returns writer."""
        original = writer.add_summary

        def add_summary(summary, global_step=None, *args, **kwargs):
            result = original(summary, global_step, *args, **kwargs)
            self.add_summary(summary, global_step)
            return result
        writer.add_summary = add_summary
        return writer

    def poll(self):
        """Reads scalars written to the logdir since the last poll; returns how many."""
        if self._tail is None:
            return 0
        new = self._tail.poll()
        for tag, step, value in new:
            self.add_scalar(tag, value, step, redraw=False)
        if new:
            self.redraw()
        return len(new)

    def start(self, interval=1.0):
        """Polls the logdir every `interval` seconds in a background thread until `stop()`."""
        if self._tail is None:
            raise ValueError("start() tails event files: create LivePlot(logdir=...)")
        self._stop.clear()

        def loop():
            while not self._stop.wait(interval):
                self.poll()
        self._thread = threading.Thread(target=loop, daemon=True, name="tfteach-liveplot")
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.poll()

    # --- drawing ---------------------------------------------------------------------------
    def _maybe_redraw(self):
        now = time.monotonic()
        if now - self._last_draw >= self.min_interval:
            self.redraw()

    def redraw(self):
        self._last_draw = time.monotonic()
        if not self.data:
            self.chart.value = "<p><em>waiting for scalar summaries…</em></p>"
            return
        self.chart.value = "".join(self._svg(tag, pts) for tag, pts in sorted(self.data.items()))

    def _svg(self, tag, pts):
        W, H, pad = self.width, self.height, 36
        steps = [p[0] for p in pts]
        vals = [p[1] for p in pts]
        finite = [v for v in vals if np.isfinite(v)] or [0.0]
        x0, x1 = min(steps), max(steps)
        y0, y1 = min(finite), max(finite)
        if x1 == x0:
            x1 = x0 + 1
        if y1 == y0:
            y0, y1 = y0 - 0.5, y1 + 0.5

        def xy(s, v):
            v = min(max(v, y0), y1) if np.isfinite(v) else y1
            return (pad + (s - x0) / (x1 - x0) * (W - pad - 8),
                    H - 18 - (v - y0) / (y1 - y0) * (H - 36))
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(s, v) for s, v in pts))
        e = html.escape
        return (f"<svg class=\"tfteach-scalar\" data-tag=\"{e(tag)}\" width=\"{W}\" "
                f"height=\"{H}\" xmlns=\"http://www.w3.org/2000/svg\" "
                f"style=\"font:10px sans-serif;margin:4px\">"
                f"<rect x=\"{pad}\" y=\"10\" width=\"{W - pad - 8}\" height=\"{H - 28}\" "
                f"fill=\"none\" stroke=\"#ccc\"/>"
                f"<text x=\"{pad}\" y=\"8\">{e(tag)}: {vals[-1]:.4g} (step {steps[-1]})</text>"
                f"<text x=\"2\" y=\"16\">{y1:.3g}</text><text x=\"2\" y=\"{H - 18}\">"
                f"{y0:.3g}</text><text x=\"{pad}\" y=\"{H - 4}\">{x0}</text>"
                f"<text x=\"{W - 8}\" y=\"{H - 4}\" text-anchor=\"end\">{x1}</text>"
                f"<polyline fill=\"none\" stroke=\"#e06666\" stroke-width=\"1.5\" "
                f"points=\"{points}\"/></svg>")



# ---------------------------------------------------------------------------------------
# Step timeline
# ---------------------------------------------------------------------------------------

class StepTimeline:
    """`StepTimeline(run_metadata or [run_metadata, ...], names=None)`: each traced step
    (`RunOptions(trace_level=FULL_TRACE)`) drawn as a timeline, one lane per task/device,
    a bar per op (hover: name, type, times), each Send/Recv marked with the bytes it moved.
    With several steps a selector picks the one drawn; `select(i)` does the same."""

    def __init__(self, run_metadata, names=None, width=760):
        from ..viz.steptrace import _steps
        self.steps = _steps(run_metadata, names)
        self.width = width
        self.chart = w.HTML()
        children = [self.chart]
        self.selector = None
        if len(self.steps) > 1:
            self.selector = w.Dropdown(options=[(s.name, i) for i, s in enumerate(self.steps)],
                                       value=0, description="step")
            self.selector.observe(lambda ch: self.select(ch["new"]), names="value")
            children.insert(0, self.selector)
        self.widget = w.VBox(children)
        self.widget.add_class("tfteach-step-timeline")
        self.selected = None
        self.select(0)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _bundle(self)

    @property
    def step(self):
        """The StepTrace drawn now (lanes, bars, transfers)."""
        return self.steps[self.selected]

    def select(self, index):
        if not 0 <= index < len(self.steps):
            raise IndexError(f"step {index} out of range: {len(self.steps)} steps")
        self.selected = index
        if self.selector is not None and self.selector.value != index:
            self.selector.value = index
        self.chart.value = self.step.html(self.width)
        return self.step

    def static_html(self):
        return self.chart.value

    def summary(self):
        if len(self.steps) == 1:
            return self.step.summary().replace("<tfteach step timeline", "<StepTimeline", 1)
        return f"<StepTimeline: {len(self.steps)} steps, showing {self.step.name}>"
