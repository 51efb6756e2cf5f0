"""Widget state, checked in Python (no browser): what each widget would show."""
import io

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v1")

pytest.importorskip("ipywidgets")
from tfteach.magics import widgets  # noqa: E402
from tfteach.magics.progress import ProgressBar  # noqa: E402
from tfteach.magics.timings import profile, timing_table  # noqa: E402


def _graph(tf):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.name_scope("model"):
        W = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="W")
        b = tf.Variable([0.5, -0.5], name="b")
        y = tf.add(tf.multiply(x, W), b, name="y")
    c = tf.constant([1.0, 2.0], name="c")
    d = tf.multiply(c, 3.0, name="d")
    return x, W, b, y, c, d


def test_graph_explorer_details_and_values(tf1):
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    sess = tf.Session()
    ex = widgets.GraphExplorer(tf.get_default_graph(), sessions=[sess])
    assert ex.selected.name == "d"                       # the last op is selected first
    assert list(ex.select_box.options)[0] == "x"
    ex.select("model/y")
    info = ex.details()
    assert info["type"] == "AddV2"
    assert info["inputs"] == [("model/Mul:0", "float32", "(2, 2)"),      # (?, 2) * (2, 2)
                              ("model/b/read:0", "float32", "(2,)")]
    assert info["outputs"] == [("model/y:0", "float32", "(2, 2)", [])]
    assert info["attrs"]["T"] == "float32"
    cpu = info["kernels"]["CPU"]
    assert cpu.split(":")[0].endswith("tfteach/kernels/cpu/math.py") and cpu.split(":")[1].isdigit()
    assert "AddV2" in ex.info.value and "model/b/read:0" in ex.info.value
    # the op's one-line doc, its family and where it is declared and built, from the registry
    assert info["doc"] == "x + y element-wise, with broadcasting." and info["doc"] in ex.info.value
    assert info["family"] == "math"
    assert info["declared"].split(":")[0].endswith("tfteach/ops/math_ops.py")
    assert info["api"].split(":")[0].endswith("tfteach/ops/math_ops.py")
    assert '<g id="op:model/y" class="node op current">' in ex.picture.value
    # value in a session; an error is shown as TF's error class, not a traceback
    text = ex.evaluate()
    assert text.startswith("InvalidArgumentError") and "must feed a value" in text
    text = ex.evaluate(feed_dict={x: [[1.0, 1.0]]})
    assert text.startswith("FailedPreconditionError") and "model/" in text
    sess.run(tf.global_variables_initializer())
    text = ex.evaluate(feed_dict={x: [[1.0, 1.0]]})
    assert text == "model/y:0 = [[1.5 1.5]\n [3.5 3.5]]  shape=(2, 2) dtype=float32"
    assert "1.5" in ex.value.value
    ex.select("d")
    assert ex.evaluate() == "d:0 = [3. 6.]  shape=(2,) dtype=float32"
    # the filter narrows the list by name or type
    ex.filter.value = "variablev2"
    assert list(ex.select_box.options) == ["model/W", "model/b"]
    ex.select_box.value = "model/W"
    assert ex.selected.name == "model/W"
    assert ex.details()["gradient"] in ("none registered",
                                        "not differentiable (NotDifferentiable)")
    sess.close()


def test_graph_explorer_gradient_and_no_session(tf1):
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    assert widgets.GraphExplorer(y).selected is y.op           # opens at a tensor's op
    with pytest.raises(TypeError, match="needs a Graph"):
        widgets.GraphExplorer(42)
    ex = widgets.GraphExplorer(tf.get_default_graph())
    ex.select("d")
    info = ex.details()
    if info["gradient_source"] is not None:       # once Mul's gradient is registered
        assert "tfteach" in info["gradient_source"] and info["gradient"].count(".") >= 1
    assert ex.evaluate().startswith("No session")


def test_variable_inspector_two_sessions(tf1):
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    s1, s2 = tf.Session(), tf.Session()
    vi = widgets.VariableInspector({"A": s1, "B": s2})
    assert list(vi.values()) == ["model/W:0", "model/b:0"]
    assert vi.values()["model/W:0"] == [None, None]
    assert vi.table.value.count("uninitialized") == 4
    s1.run(tf.global_variables_initializer())
    vals = vi.refresh()
    np.testing.assert_array_equal(vals["model/b:0"][0], [0.5, -0.5])
    assert vals["model/b:0"][1] is None and vi.differs("model/b:0")
    s2.run(tf.global_variables_initializer())
    s2.run(tf.assign(b, [7.0, 8.0]))
    vals = vi.refresh()
    np.testing.assert_array_equal(vals["model/b:0"][1], [7.0, 8.0])
    assert vi.differs("model/b:0") and not vi.differs("model/W:0")
    assert 'class="differs"' in vi.table.value and 'class="same"' in vi.table.value
    assert "<th>A</th><th>B</th>" in vi.table.value
    s2.close()
    vi.refresh()
    assert "closed session" in vi.table.value
    s1.close()


def test_live_plot_from_summaries_hook_and_logdir(tmp_path):
    plot = widgets.LivePlot(min_interval=0)
    assert "waiting" in plot.chart.value
    for step in range(5):
        plot.add_scalar("loss", 1.0 / (step + 1), step)
    assert plot.data["loss"][-1] == (4, 0.2)
    assert plot.chart.value.count("<polyline") == 1 and 'data-tag="loss"' in plot.chart.value
    assert "loss: 0.2 (step 4)" in plot.chart.value
    pytest.importorskip("tensorboardX")
    from tensorboardX.proto import summary_pb2
    from tensorboardX.record_writer import RecordWriter

    def summary(tag, v):
        return summary_pb2.Summary(value=[summary_pb2.Summary.Value(
            tag=tag, simple_value=v)]).SerializeToString()
    plot.add_summary(summary("acc", 0.5), 3)
    assert plot.data["acc"] == [(3, 0.5)] and plot.chart.value.count("<polyline") == 2

    class Writer:                      # the FileWriter interface the hook wraps
        def __init__(self):
            self.written = []

        def add_summary(self, s, global_step=None):
            self.written.append((s, global_step))
    wr = plot.attach(Writer())
    wr.add_summary(summary("acc", 0.75), 4)
    assert wr.written[0][1] == 4 and plot.data["acc"][-1] == (4, 0.75)
    # tailing a logdir's event files
    from tensorboardX.proto import event_pb2
    rw = RecordWriter(str(tmp_path / "events.out.tfevents.1.host"))
    tail_plot = widgets.LivePlot(logdir=str(tmp_path))
    for step in range(3):
        ev = event_pb2.Event(step=step, summary=summary_pb2.Summary.FromString(
            summary("mse", 3.0 - step)))
        rw.write(ev.SerializeToString())
    rw.flush()
    assert tail_plot.poll() == 3
    assert tail_plot.data == {"mse": [(0, 3.0), (1, 2.0), (2, 1.0)]}
    tail_plot.start(interval=0.05)
    rw.write(event_pb2.Event(step=3, summary=summary_pb2.Summary.FromString(
        summary("mse", 0.5))).SerializeToString())
    rw.flush()
    tail_plot.stop()
    assert tail_plot.data["mse"][-1] == (3, 0.5)


def test_progress_bar_text_mode():
    out = io.StringIO()
    bar = ProgressBar(4, notebook=False, file=out, interval=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 0.5)])           # weighted by 2 steps: (1 + 2*0.5) / 3
    assert bar.metrics()["loss"] == pytest.approx(2 / 3)
    bar.update(4, [("loss", 0.25), ("acc", 0.9)])
    text = out.getvalue()
    assert text.startswith("\r1/4 [======>  ") and text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert last.startswith("4/4 [==============================] - ")
    assert "ms/step" in last and " - loss: 0.5625 - acc: 0.9000" in last
    out2 = io.StringIO()
    bar2 = ProgressBar(2, notebook=False, file=out2, verbose=2, stateful_metrics=["acc"])
    bar2.update(1, [("acc", 0.1)])
    assert out2.getvalue() == ""
    bar2.update(2, [("acc", 0.7)])
    assert out2.getvalue().endswith(" - acc: 0.7000\n") and "\r" not in out2.getvalue()


def test_progress_bar_widget_mode():
    bar = ProgressBar(10, notebook=True, interval=0, description="epoch 1/2")
    label, progress, text = bar.widget.children
    assert label.value == "epoch 1/2" and progress.max == 10 and progress.value == 0
    bar.add(4, [("loss", 2.0)])
    assert progress.value == 4 and "4/10" in text.value and "loss: 2.0000" in text.value
    bar.update(10, [("loss", 1.0)])
    assert progress.value == 10 and progress.bar_style == "success"
    # the static copy beside the widget view carries the final line
    final = bar.bundle(10, True)
    assert "application/vnd.jupyter.widget-view+json" in final
    assert final["text/plain"].startswith("epoch 1/2 10/10 [") and "loss: " in final["text/plain"]
    assert final["text/html"].startswith('<pre class="tfteach-static">epoch 1/2 10/10 [')
    unknown = ProgressBar(None, notebook=True, interval=0)
    unknown.update(5)
    assert unknown.widget.children[2].value.startswith("5 · ")
    unknown.close()


def test_session_stepper_replays_a_run(tf1):
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    inc = tf.assign_add(b, [1.0, 1.0], name="inc")
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    st = widgets.SessionStepper(sess, [y, inc], feed_dict={x: [[1.0, 1.0]]})
    names = [s.op.name for s in st.steps]
    assert "model/y" in names and "inc" in names and "d" not in names   # pruned
    assert "x" not in names                                             # fed, not run
    assert names.index("model/Mul") < names.index("model/y")
    np.testing.assert_allclose(st.result[0], [[1.5, 1.5], [3.5, 3.5]])
    np.testing.assert_allclose(sess.run(b), [1.5, 0.5])                 # the run was real
    i = names.index("model/y")
    s = st.go(i)
    np.testing.assert_allclose(s.values[0], [[1.5, 1.5], [3.5, 3.5]])
    assert "model/y" in st.info.value and "step" in st.info.value
    assert '<g id="op:model/y" class="node op current">' in st.picture.value
    assert '<g id="op:model/Mul" class="node op done">' in st.picture.value
    assert "class=\"node op pending" in st.picture.value or i == len(names) - 1
    assert st.slider.value == i
    st.next()
    assert st.step == min(i + 1, len(names) - 1)
    st.go(0)
    st.prev()
    assert st.step == 0
    assert all(s.seconds >= 0 for s in st.steps)
    assert '<g id="op:x" class="node op' in st.picture.value           # drawn, as fed
    assert '<g id="op:d"' not in st.picture.value
    assert st.run_metadata.step_stats.dev_stats[0].node_stats
    sess.close()


def test_timing_table_from_run_metadata(tf1):
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        val, md = profile(sess, y, {x: [[1.0, 1.0]]})
    np.testing.assert_allclose(val, [[1.5, 1.5], [3.5, 3.5]])
    table = timing_table(md)
    assert "model/y" in table.as_dict() and "model/Mul" in table.as_dict()
    assert "model/y" in repr(table) and "<table" in table._repr_html_()


def test_timing_table_layout():
    from tfteach.client.config import NodeExecStats, RunMetadata, _DeviceStepStats
    md = RunMetadata()
    dev = _DeviceStepStats("/job:localhost/replica:0/task:0/device:CPU:0")
    dev.node_stats += [NodeExecStats("a", "MatMul", 0, 3000, dev.device),
                       NodeExecStats("b", "AddV2", 3000, 1000, dev.device)]
    md.step_stats.dev_stats.append(dev)
    t = timing_table(md)
    assert [r[0] for r in t.rows] == ["a", "b"] and t.total == pytest.approx(0.004)
    lines = repr(t).splitlines()
    assert lines[0].split() == ["op", "type", "time", "share"]
    assert lines[1].split() == ["a", "MatMul", "3.00", "ms", "75.0%"]
    assert lines[-1] == "2 ops, total 4.00 ms"
    assert t._repr_html_().count("<tr>") == 4
    assert timing_table(md, top=1)._repr_html_().count("<tr>") == 3


def test_widgets_store_short_deterministic_text(tf1):
    tf = tf1
    _graph(tf)
    sess = tf.Session()
    ex = widgets.GraphExplorer(tf.get_default_graph(), sessions=[sess])
    data = ex._repr_mimebundle_()
    assert data["text/plain"] == "<GraphExplorer: 14 ops, selected d (Mul)>"
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    vi = widgets.VariableInspector([sess])
    assert vi._repr_mimebundle_()["text/plain"] == \
        "<VariableInspector: 2 variables in 1 sessions>"
    assert widgets.LivePlot()._repr_mimebundle_()["text/plain"] == "<LivePlot: no scalars yet>"
    sess.close()


def test_live_plot_with_tf_summary_and_filewriter(tf1, tmp_path):
    tf = tf1
    w = tf.Variable(4.0, name="w")
    mse = tf.square(w, name="loss")
    summ = tf.summary.scalar("MSE", mse)
    step = tf.assign_sub(w, 1.0)
    plot = widgets.LivePlot(min_interval=0)
    tail = widgets.LivePlot(logdir=str(tmp_path))
    writer = plot.attach(tf.summary.FileWriter(str(tmp_path), tf.get_default_graph()))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            writer.add_summary(sess.run(summ), i)
            sess.run(step)
    assert plot.data == {"MSE": [(0, 16.0), (1, 9.0), (2, 4.0)]}      # the hook, at once
    writer.close()
    assert tail.poll() == 3 and tail.data == plot.data                 # the event files
    assert "MSE: 4 (step 2)" in tail.chart.value


def test_widgets_store_a_static_fallback_beside_the_view(tf1):
    """Outside a live kernel (an exported page without widget state, a viewer without
    ipywidgets) the stored `text/html` is what shows: it must carry what the widget shows."""
    import re
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    st = widgets.SessionStepper(sess, y, feed_dict={x: [[1.0, 1.0]]})
    page = st._repr_mimebundle_()["text/html"]
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code>", page)
    assert [name for _, name in rows] == [s.op.name for s in st.steps]
    assert [int(i) for i, _ in rows] == list(range(1, len(st.steps) + 1))
    # the value model/y produced, as the step table shows it: [[1.5 1.5] [3.5 3.5]]
    assert "model/y:0 = [[1.5 1.5]" in page and "<svg" in page
    plot = widgets.LivePlot()
    for step, v in enumerate([3.0, 2.0, 1.5]):
        plot.add_scalar("loss", v, step)
    page = plot._repr_mimebundle_()["text/html"]
    assert 'data-tag="loss"' in page and "loss: 1.5 (step 2)" in page
    assert len(re.search(r'points="([^"]+)"', page).group(1).split()) == 3
    vi = widgets.VariableInspector([sess])
    page = vi._repr_mimebundle_()["text/html"]
    assert "model/W:0" in page and "[[1. 2.]" in page
    ex = widgets.GraphExplorer(tf.get_default_graph(), sessions=[sess])
    ex.select("model/y")
    page = ex._repr_mimebundle_()["text/html"]
    assert "AddV2" in page and "kernel CPU" in page
    sess.close()


def test_exported_html_shows_the_fallback_without_widget_state(tf1):
    """nbconvert's HTML export skips a widget view whose state the notebook does not hold and
    uses the next format: the static copy."""
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    tf = tf1
    x, W, b, y, c, d = _graph(tf)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    data = widgets.SessionStepper(sess, d)._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell("SessionStepper(sess, d)", outputs=[
        nbformat.v4.new_output("display_data", data=data)])
    page, _ = nbconvert.HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=[cell]))
    assert 'class="tfteach-steps"' in page and "<code>d</code>" in page
    sess.close()


def test_graph_explorer_opens_kernel_and_gradient_source(tf1):
    tf = tf1
    a = tf.constant([[1.0, 2.0]], name="a")
    b = tf.constant([[3.0], [4.0]], name="b")
    c = tf.matmul(a, b, name="c")
    ex = widgets.GraphExplorer(c)
    kernel = ex.source("CPU")
    # paths relative to the package: a stored output reads the same on every machine
    assert kernel.location.startswith("tfteach/kernels/cpu/linalg.py:")
    assert kernel.code.startswith('@register_kernel("MatMul")') and "def " in kernel.code
    assert ex.details()["kernels"]["CPU"] == kernel.location
    grad = ex.source("gradient")
    assert grad.location.startswith("tfteach/ops/linalg_grad.py:")
    assert '@registry.RegisterGradient("MatMul")' in grad.code and "transpose_b=True" in grad.code
    assert repr(grad).startswith("MatMul, gradient function (tfteach/ops/linalg_grad.py:")
    assert 'class="tfteach-source"' in grad._repr_mimebundle_()["text/html"]
    with pytest.raises(ValueError, match="MatMul has no 'TPU' source"):
        ex.source("TPU")


def test_a_kernel_stores_the_static_copies(monkeypatch):
    """Run in a real kernel (as a lesson is stored): the progress bar's output ends with the
    final line as its static copy, and a displayed live plot carries its chart."""
    import os
    from pathlib import Path
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    root = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("PYTHONPATH", str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "from tfteach.magics.progress import ProgressBar\n"
            "bar = ProgressBar(3, notebook=True, interval=0)\n"
            "for k in range(1, 4):\n    bar.update(k, [('loss', 1.0 / k)])"),
        nbformat.v4.new_code_cell(
            "from tfteach.magics import LivePlot\nplot = LivePlot()\n"
            "for s in range(5):\n    plot.add_scalar('loss', 5 - s, s)\nplot")])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (bar_out,) = [o for o in nb.cells[0].outputs if o.output_type == "display_data"]
    assert bar_out.data["text/html"].startswith('<pre class="tfteach-static">3/3 [')
    plot_out = nb.cells[1].outputs[-1]
    assert "application/vnd.jupyter.widget-view+json" in plot_out.data
    assert 'data-tag="loss"' in plot_out.data["text/html"]
