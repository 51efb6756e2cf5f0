"""A progress bar for training loops (Keras `fit`): an ipywidgets bar in a notebook, a text
line elsewhere. Its API is Keras's `Progbar` (`update(current, values)`, `add(n, values)`),
so `tfteach.keras` can use it where Keras uses Progbar.
"""
import sys
import time

__all__ = ["ProgressBar", "in_notebook"]


def in_notebook():
    """True inside a Jupyter kernel with ipywidgets importable (not in a terminal IPython)."""
    ip = sys.modules.get("IPython")
    if ip is None:
        return False
    shell = ip.get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


class ProgressBar:
    """`ProgressBar(target, stateful_metrics=None, unit_name="step")`.

    Metrics passed to `update` are averaged over the steps seen (weighted by steps, as
    Keras does) unless listed in `stateful_metrics`, which are shown as given.
    `notebook=None` picks the widget inside Jupyter and text otherwise; `verbose=2` prints
    only the final line (Keras's one line per epoch)."""

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step", notebook=None, file=None, description=""):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self.description = description
        self.file = file
        self.notebook = in_notebook() if notebook is None else notebook
        self._values = {}
        self._order = []
        self._seen = 0
        self._start = time.time()
        self._last_draw = 0.0
        self._finished = False
        self.widget = None
        self._handle = None
        if self.notebook and verbose:
            self._make_widget()

    # --- Keras Progbar API ----------------------------------------------------------------
    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or ():
            if k not in self._order:
                self._order.append(k)
            v = float(v)
            if k in self.stateful_metrics:
                self._values[k] = [v, 1]
            else:
                base = max(current - self._seen, 1)
                acc = self._values.setdefault(k, [0.0, 0])
                acc[0] += v * base
                acc[1] += base
        self._seen = current
        now = time.time()
        if not finalize and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        self._draw(current, finalize)
        if finalize:
            self._finished = True

    def add(self, n, values=None):
        self.update(self._seen + n, values)

    def close(self):
        if not self._finished:
            self._draw(self._seen, True)
            self._finished = True

    # --- what is shown ------------------------------------------------------------------------
    def metrics(self):
        """{name: value shown} (averages for non-stateful metrics)."""
        return {k: self._values[k][0] / max(self._values[k][1], 1) for k in self._order}

    def _metrics_text(self):
        return "".join(f" - {k}: {_fmt(v)}" for k, v in self.metrics().items())

    def _time_text(self, current, finalize):
        elapsed = time.time() - self._start
        if finalize or not self.target or not current:
            per = elapsed / max(current, 1)
            unit = f"{per * 1e3:.0f}ms/{self.unit_name}" if per < 1 else \
                f"{per:.1f}s/{self.unit_name}"
            return f"{elapsed:.0f}s {unit}"
        eta = elapsed / current * (self.target - current)
        return f"ETA: {eta:.0f}s"

    def text(self, current=None, finalize=False):
        current = self._seen if current is None else current
        if self.target:
            n = len(str(self.target))
            frac = min(current / self.target, 1.0)
            filled = int(self.width * frac)
            bar = "=" * max(filled - 1, 0) + (">" if filled < self.width else "=") \
                if filled else ""
            head = f"{current:>{n}}/{self.target} [{bar:<{self.width}}]"
        else:
            head = f"{current} {self.unit_name}s"
        return f"{head} - {self._time_text(current, finalize)}{self._metrics_text()}"

    def _draw(self, current, finalize):
        if not self.verbose:
            return
        if self.widget is not None:
            bar, label = self.widget.children[1], self.widget.children[2]
            bar.value = min(current, bar.max)
            if finalize:
                bar.bar_style = "success"
            label.value = (f"{current}/{self.target} · {self._time_text(current, finalize)}"
                           if self.target else f"{current} · "
                           f"{self._time_text(current, finalize)}") + self._metrics_text()
            if finalize and self._handle is not None:
                # the stored output gets the final line as its static copy
                self._handle.update(self.bundle(current, True), raw=True)
            return
        if self.verbose == 2 and not finalize:
            return
        out = self.file or sys.stdout
        out.write(("\r" if self.verbose == 1 else "") + self.text(current, finalize)
                  + ("\n" if finalize else ""))
        out.flush()

    def _make_widget(self):
        import ipywidgets as w
        from IPython.display import display
        bar = w.IntProgress(min=0, max=self.target or 1, value=0,
                            layout=w.Layout(width="40%"))
        if not self.target:
            bar.bar_style = "info"
        self.widget = w.HBox([w.Label(self.description), bar, w.Label("")])
        self._handle = display(self.bundle(), raw=True, display_id=True)

    def bundle(self, current=0, finalize=False):
        """The widget's view, with the progress line as text and as a static HTML copy: an
        exported page or a viewer without the widget state shows the line instead of nothing
        (updated to the final line when the bar finishes)."""
        import html
        data = self.widget._repr_mimebundle_()
        line = ((self.description + " ") if self.description else "") + \
            self.text(current, finalize)
        data["text/plain"] = line
        data["text/html"] = f'<pre class="tfteach-static">{html.escape(line)}</pre>'
        return data


def _fmt(v):
    a = abs(v)
    if a != 0 and (a < 1e-3 or a >= 1e4):
        return f"{v:.4e}"
    return f"{v:.4f}"
