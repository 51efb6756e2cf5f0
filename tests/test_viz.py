"""Drawings, checked structurally: the DOT source and the SVG hold the expected clusters,
nodes, labels and edge styles."""
import re
import sys

import pytest

from tfteach import viz
from tfteach.viz import events

pytestmark = pytest.mark.mode("v1")


def _model(tf):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer"):
        W = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="W")
        y = tf.identity(x, name="y") * 2.0
    with tf.name_scope("gradients"):
        g = tf.identity(y, name="g")
    with tf.control_dependencies([g]):
        z = tf.identity(y, name="z")
    return x, W, y, g, z


def _node_line(dot, name):
    m = re.search(rf'^\s*"{re.escape(name)}" \[label=.*$', dot, re.M)
    assert m, f"no node {name} in\n{dot}"
    return m.group(0)


def test_dot_structure(tf1):
    tf = tf1
    _model(tf)
    dot = viz.to_dot(tf.get_default_graph())
    # name scopes are clusters; a variable and its Assign/read/initial_value share one
    assert 'subgraph "cluster_layer" {' in dot
    assert 'subgraph "cluster_layer/W" {' in dot and 'class="scope variable"' in dot
    w_block = dot.split('subgraph "cluster_layer/W" {')[1].split("}")[0]
    for member in ("layer/W", "layer/W/Assign", "layer/W/read", "layer/W/initial_value"):
        assert f'"{member}" [label=' in w_block
    # an op with only its implicit constant (`mul`, `mul/y`) is not a cluster of its own
    assert "cluster_layer/mul" not in dot
    # op name and type on each node
    assert "<b>mul</b>" in _node_line(dot, "layer/mul") and ">Mul<" in _node_line(dot, "layer/mul")
    assert ">Placeholder<" in _node_line(dot, "x")
    # gradient ops marked apart, inside a dashed gradient cluster
    assert 'class="op grad"' in _node_line(dot, "gradients/g")
    assert 'class="op"' in _node_line(dot, "layer/y")
    assert re.search(r'id="scope:gradients", class="scope grad", style="dashed,rounded"', dot)
    # edges: dtype + static shape labels (v1 prints unknown dims as ?), refs apart, control dashed
    assert '"x" -> "layer/y" [label="float32 (?, 3)", class="data"]' in dot
    assert '"layer/W" -> "layer/W/read" [label="float32_ref (3, 2)", class="ref"' in dot
    assert '"gradients/g" -> "z" [style=dashed, class="control"' in dot
    assert "rankdir=LR" in dot and "rankdir=TB" in viz.to_dot(tf.get_default_graph(), rankdir="TB")
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(tf.get_default_graph(), rankdir="diagonal")


def test_dot_is_deterministic(tf1):
    tf = tf1
    _model(tf)
    g = tf.get_default_graph()
    assert viz.to_dot(g) == viz.to_dot(g)
    assert "0x" not in viz.to_dot(g)


def test_svg_holds_clusters_nodes_and_labels(tf1):
    tf = tf1
    _model(tf)
    svg = viz.draw(tf.get_default_graph()).svg()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert re.search(r"<!-- tfteach-dot [0-9a-f]{16} -->", svg)
    assert '<g id="scope:layer" class="cluster scope plain">' in svg
    assert '<g id="scope:layer/W" class="cluster scope variable">' in svg
    assert '<g id="scope:gradients" class="cluster scope grad">' in svg
    assert '<g id="op:gradients/g" class="node op grad">' in svg
    assert '<g id="op:layer/W" class="node op variable">' in svg
    assert ">VariableV2</text>" in svg and ">AddV2</text>" not in svg
    assert ">float32 (?, 3)</text>" in svg
    assert svg.count('class="node') == len(tf.get_default_graph().get_operations())
    assert 'stroke-dasharray' in svg          # the control edge


def test_large_scopes_collapse_unless_expanded(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [2], name="x")
    with tf.name_scope("big"):
        h = x
        for _ in range(30):
            h = tf.identity(h)
    out = tf.identity(h, name="out")
    g = tf.get_default_graph()
    dot = viz.to_dot(g)
    assert '"scope:big" [label=<<b>big/</b><br/><font point-size="8">30 ops</font>>' in dot
    assert '"big/Identity' not in dot
    # edges into and out of the box replace the hidden ones
    assert '"x" -> "scope:big" [label="float32 (2,)"' in dot
    assert '"scope:big" -> "out"' in dot
    for opts in ({"expand": ["big"]}, {"expand": True}, {"collapse_over": 100}):
        dot = viz.to_dot(g, **opts)
        assert 'subgraph "cluster_big"' in dot and '"big/Identity_29"' in dot, opts
    dot = viz.to_dot(out, collapse=["big"], collapse_over=1000)
    assert '"scope:big"' in dot
    d = viz.draw(g)
    assert d.summary() == "<tfteach graph drawing: 2 ops drawn, 1 collapsed>"


def test_group_variables_and_highlight(tf1):
    tf = tf1
    _model(tf)
    g = tf.get_default_graph()
    dot = viz.to_dot(g, group_variables=True)
    assert '"scope:layer/W" [label=<<b>W/</b><br/><font point-size="8">VariableV2, 4 ops</font>>' \
        in dot and "shape=cylinder" in dot
    assert '"layer/W/read"' not in dot
    dot = viz.to_dot(g, highlight=["layer/mul"], done=["x"])
    assert 'class="op current"' in _node_line(dot, "layer/mul")
    assert 'penwidth="3"' in _node_line(dot, "layer/mul")
    assert 'class="op done"' in _node_line(dot, "x")


def test_tensor_and_operation_subgraphs(tf1):
    tf = tf1
    x, W, y, g, z = _model(tf)
    dot = viz.to_dot(y)
    names = set(re.findall(r'^\s*"([^"]+)" \[label=', dot, re.M))
    assert names == {"x", "layer/y", "layer/mul", "layer/mul/y"}
    names = set(re.findall(r'^\s*"([^"]+)" \[label=', viz.to_dot(z.op), re.M))
    assert "gradients/g" in names and "layer/W" not in names      # control input followed
    names = set(re.findall(r'^\s*"([^"]+)" \[label=', viz.to_dot(W), re.M))
    assert names == {"layer/W", "layer/W/read", "layer/W/Assign", "layer/W/initial_value"}
    with pytest.raises(TypeError, match="Cannot draw a int"):
        viz.to_dot(3)


def test_timings_overlay(tf1):
    tf = tf1
    _model(tf)
    dot = viz.to_dot(tf.get_default_graph(), timings={"layer/mul": 0.002, "layer/y": 0.0005})
    line = _node_line(dot, "layer/mul")
    assert "2.00 ms" in line and 'fillcolor="#ff6464"' in line and "timed" in line
    assert "500 µs" in _node_line(dot, "layer/y")


def test_no_dot_falls_back_to_text(tf1, monkeypatch):
    tf = tf1
    _model(tf)
    monkeypatch.setenv("PATH", "/nonexistent")
    d = viz.draw(tf.get_default_graph())
    bundle = d._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert viz.INSTALL_HINT in bundle["text/plain"] and "digraph G {" in bundle["text/plain"]
    assert "apt-get install graphviz" in bundle["text/html"]
    with pytest.raises(viz.GraphvizUnavailable, match="apt-get install graphviz"):
        d.svg()


def test_missing_graphviz_package_is_named_with_pip(tf1, monkeypatch):
    """No `graphviz` Python package (but `dot` on PATH): the hint names the package and pip,
    not the `dot` program and apt-get."""
    tf = tf1
    _model(tf)
    monkeypatch.setitem(sys.modules, "graphviz", None)     # `import graphviz` raises
    d = viz.draw(tf.get_default_graph())
    bundle = d._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert viz.PACKAGE_HINT in bundle["text/plain"] and "digraph G {" in bundle["text/plain"]
    assert "pip install graphviz" in bundle["text/html"]
    assert "apt-get" not in bundle["text/plain"] and "`dot` program" not in bundle["text/plain"]
    with pytest.raises(viz.GraphvizUnavailable, match="pip install graphviz") as info:
        d.svg()
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(viz.GraphvizUnavailable, match="Python package"):
        d.save("unused.png")


def test_missing_dot_program_is_named_with_apt_get(tf1, monkeypatch):
    tf = tf1
    _model(tf)
    monkeypatch.setenv("PATH", "/nonexistent")
    bundle = viz.draw(tf.get_default_graph())._repr_mimebundle_()
    assert "`dot` program is not installed" in bundle["text/plain"]
    assert "pip install" not in bundle["text/plain"]


def test_save_dot_and_svg(tf1, tmp_path):
    tf = tf1
    _model(tf)
    d = viz.draw(tf.get_default_graph())
    d.save(tmp_path / "g.dot")
    d.save(tmp_path / "g.svg")
    assert (tmp_path / "g.dot").read_text() == d.dot
    assert "<svg" in (tmp_path / "g.svg").read_text()


def test_real_gradients_are_marked(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    W = tf.Variable([1.0, 2.0, 3.0], name="W")
    loss = tf.square(x * W - 1.0, name="loss")
    grads = tf.gradients(loss, [W])
    g = tf.get_default_graph()
    grad_ops = [op for op in g.get_operations() if op.name.startswith("gradients")]
    assert grad_ops and grads[0].op.name.startswith("gradients")
    dot = viz.to_dot(g, expand=True)
    for op in grad_ops:
        assert " grad" in _node_line(dot, op.name)
    for op in g.get_operations():
        if not op.name.startswith("gradients"):
            assert "grad" not in _node_line(dot, op.name).split("class=")[1].split(",")[0]


# --- event files (FileWriter graphs and scalars) --------------------------------------------

def _write_events(path, events_bytes):
    """TFRecord framing with masked CRC32C, as TensorFlow writes it."""
    tbx = pytest.importorskip("tensorboardX")
    from tensorboardX.record_writer import RecordWriter
    w = RecordWriter(str(path))
    for b in events_bytes:
        w.write(b)
    w.close()
    return tbx


def test_event_file_graph_roundtrip(tmp_path):
    pytest.importorskip("tensorboardX")
    from tensorboardX.proto import event_pb2, graph_pb2, summary_pb2
    gd = graph_pb2.GraphDef()
    n = gd.node.add(name="a", op="Const")
    n.attr["dtype"].type = 1
    n.attr["_output_shapes"].list.shape.add().dim.add(size=3)
    n = gd.node.add(name="scope/b", op="Placeholder")
    n.attr["dtype"].type = 1
    n = gd.node.add(name="scope/add", op="AddV2", input=["a", "scope/b:0", "^a"])
    n.attr["T"].type = 1
    ev_graph = event_pb2.Event(wall_time=1.0, step=0, graph_def=gd.SerializeToString())
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", simple_value=0.5)])
    ev_s = event_pb2.Event(wall_time=2.0, step=7, summary=s)
    path = tmp_path / "events.out.tfevents.1.host"
    _write_events(path, [event_pb2.Event(file_version="brain.Event:2").SerializeToString(),
                         ev_graph.SerializeToString(), ev_s.SerializeToString()])
    nodes = events.read_graph_nodes(str(tmp_path))
    assert [(nd["name"], nd["op"]) for nd in nodes] == [
        ("a", "Const"), ("scope/b", "Placeholder"), ("scope/add", "AddV2")]
    dot = viz.to_dot(str(tmp_path))
    assert 'subgraph "cluster_scope"' in dot
    assert '"a" -> "scope/add" [label="float32 (3,)", class="data"]' in dot
    assert '"scope/b" -> "scope/add" [label="float32", class="data"]' in dot
    assert '"a" -> "scope/add" [style=dashed' in dot
    assert events.read_scalars(str(tmp_path)) == {"loss": [(7, 0.5)]}
    with pytest.raises(ValueError, match="No graph found"):
        empty = tmp_path / "empty"
        empty.mkdir()
        _write_events(empty / "events.out.tfevents.2.host",
                      [event_pb2.Event(file_version="brain.Event:2").SerializeToString()])
        events.read_graph_nodes(str(empty))


def _scalar_event(tag, value, step):
    from tensorboardX.proto import event_pb2, summary_pb2
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
    return event_pb2.Event(wall_time=1.0, step=step, summary=s).SerializeToString()


def test_tensor_summaries_and_tail(tmp_path):
    pytest.importorskip("tensorboardX")
    from tensorboardX.record_writer import RecordWriter
    w = RecordWriter(str(tmp_path / "events.out.tfevents.1.host"))
    tail = events.EventTail(str(tmp_path))
    for i in range(3):
        w.write(_scalar_event("mse", 1.0 / (i + 1), i))
    w.flush()
    got = tail.poll()
    assert [(t, s) for t, s, _ in got] == [("mse", 0), ("mse", 1), ("mse", 2)]
    assert got[2][2] == pytest.approx(1 / 3, rel=1e-6)
    assert tail.poll() == []
    w.write(_scalar_event("mse", 0.1, 3))
    w.flush()
    # a half-written record is left for the next poll
    with open(tmp_path / "events.out.tfevents.1.host", "ab") as f:
        f.write(b"\x10\x00\x00")
    assert [(t, s) for t, s, _ in tail.poll()] == [("mse", 3)]
    w.close()
    # a second writer's file is picked up too
    w2 = RecordWriter(str(tmp_path / "events.out.tfevents.2.host"))
    w2.write(_scalar_event("acc", 0.75, 4))
    w2.flush()
    assert tail.poll() == [("acc", 4, 0.75)]
    # a TF2-style scalar stored as a tensor
    from tensorboardX.proto import summary_pb2, tensor_pb2
    t = tensor_pb2.TensorProto(dtype=1, float_val=[2.5])
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="acc", tensor=t)])
    assert events.parse_summary_scalars(s.SerializeToString()) == [("acc", 2.5)]


def test_filewriter_graph_if_available(tf1, tmp_path):
    tf = tf1
    _model(tf)
    writer = tf.summary.FileWriter(str(tmp_path), tf.get_default_graph())
    writer.close()
    dot = viz.to_dot(str(tmp_path))
    assert 'subgraph "cluster_layer/W"' in dot and '"gradients/g" -> "z" [style=dashed' in dot
    # a stored GraphDef holds only the base dtype's enum (DT_FLOAT) on a VariableV2; its output
    # is still TF's reference type, named `float32_ref` as on the live graph (not the enum `1`)
    assert '"layer/W" -> "layer/W/read" [label="float32_ref (3, 2)", class="ref"' in dot


def test_dot_layout_failure_retries_then_falls_back(tf1, monkeypatch):
    """dot 2.43 can fail on cluster graphs ("trouble in init_rank"): the drawing retries with
    another ranking, and if every layout fails shows the DOT text, never a traceback."""
    import graphviz
    tf = tf1
    _model(tf)
    calls = []
    real_pipe = graphviz.Source.pipe

    def flaky(self, *a, **k):
        calls.append(self.source.split("\n", 2)[1])
        if len(calls) == 1:
            raise graphviz.CalledProcessError(1, ["dot"], stderr=b"Error: trouble in init_rank")
        return real_pipe(self, *a, **k)
    monkeypatch.setattr(graphviz.Source, "pipe", flaky)
    d = viz.draw(tf.get_default_graph())
    assert "<svg" in d.svg() and "newrank=true" in calls[1] and "newrank" not in calls[0]

    def broken(self, *a, **k):
        raise graphviz.CalledProcessError(1, ["dot"], stderr=b"Error: trouble in init_rank")
    monkeypatch.setattr(graphviz.Source, "pipe", broken)
    bundle = viz.draw(tf.get_default_graph())._repr_mimebundle_()
    assert "could not lay out" in bundle["text/plain"] and "trouble in init_rank" in \
        bundle["text/html"] and "digraph G" in bundle["text/plain"]


def test_big_graphs_fold_to_max_nodes_or_refuse(tf1):
    tf = tf1
    x = tf.placeholder(tf.float32, [2], name="x")
    for i in range(12):
        with tf.name_scope(f"block{i}"):
            h = x
            for _ in range(20):
                h = tf.identity(h)
    g = tf.get_default_graph()
    d = viz.draw(g, max_nodes=100)            # 241 ops: 20-op scopes fold to fit 100 boxes
    assert d.options.visible == 13 and d.dot.count('class="collapsed') == 12
    assert viz.draw(g, max_nodes=None).options.visible == 241
    assert "<svg" in d.svg()
    for _ in range(120):                      # ops outside any scope cannot be folded
        tf.identity(x)
    d = viz.draw(g, max_nodes=100)
    with pytest.raises(viz.render.DrawingTooLarge, match="max_nodes=None"):
        d.svg()
    bundle = d._repr_mimebundle_()
    assert "digraph" not in bundle["text/plain"] and "133 boxes" in bundle["text/plain"]


def test_notes_add_a_line_to_an_op_box(tf1):
    tf = tf1
    a = tf.constant(5.0, name="a")
    b = tf.constant(7.0, name="b")
    total = tf.add(a, 2.0 * b, name="total")
    dot = viz.to_dot(total, notes={"total": "value 19 · grad 1", b.op: "value 7 · grad 2"})
    assert 'value 19 · grad 1</font>' in _node_line(dot, "total")
    assert 'class="op noted"' in _node_line(dot, "total")
    assert 'value 7 · grad 2</font>' in _node_line(dot, "b")
    assert "value" not in _node_line(dot, "a")
    # a note is escaped like any label text
    assert "&lt;b&gt;" in viz.to_dot(total, notes={"total": "<b>"})


def _copy_paste_bug(tf):
    """Lesson 11's graph: 36 ops, of which 22 only give four variables their first value."""
    X = tf.placeholder(tf.float32, shape=(None, 3), name="X")
    w1 = tf.Variable(tf.random_normal((3, 1)), name="weights1")
    w2 = tf.Variable(tf.random_normal((3, 1)), name="weights2")
    b1 = tf.Variable(0.0, name="bias1")
    b2 = tf.Variable(0.0, name="bias2")
    linear1 = tf.add(tf.matmul(X, w1), b1, name="linear1")
    linear2 = tf.add(tf.matmul(X, w2), b2, name="linear2")
    relu1 = tf.maximum(linear1, 0, name="relu1")
    relu2 = tf.maximum(linear1, 0, name="relu2")
    return tf.add_n([relu1, relu2], name="output")


def test_setup_ops_are_left_out_of_large_drawings(tf1):
    tf = tf1
    _copy_paste_bug(tf)
    g = tf.get_default_graph()
    assert len(g.get_operations()) == 36
    dot = viz.to_dot(g)                                        # setup="auto", past 30 ops
    drawn = set(re.findall(r'^\s*"([^"]+)" \[label=', dot, re.M))
    # what is left: X, the 4 variables and their reads, 2 MatMul, 2 adds, 2 maxima with their
    # constants, the AddN: 18 boxes, none of them an initializer or a random_normal op
    assert len(drawn) == 18
    assert not any(n.endswith("/Assign") or "random_normal" in n or "initial_value" in n
                   for n in drawn)
    # each variable's box counts what it stands for: random_normal's 6 ops + Assign = 7;
    # a constant initial value + Assign = 2
    assert "+7 setup ops" in _node_line(dot, "weights1")
    assert "+2 setup ops" in _node_line(dot, "bias2")
    # the bug stays in view: relu2 reads linear1, and linear2 leads nowhere
    assert '"linear1" -> "relu2"' in dot and not re.search(r'"linear2" -> ', dot)
    full = viz.to_dot(g, setup="show")
    assert len(re.findall(r'^\s*"[^"]+" \[label=', full, re.M)) == 36
    # small drawings (lessons 02-06) stay whole unless asked
    with tf.Graph().as_default() as small:
        v = tf.Variable(1.0, name="v")
        tf.multiply(v, 2.0, name="twice")
    assert "v/Assign" in viz.to_dot(small)
    assert "v/Assign" not in viz.to_dot(small, setup="fold")
    with pytest.raises(ValueError, match="setup must be"):
        viz.to_dot(small, setup="hide")


def test_drawings_are_scaled_to_fit_a_column_without_changing_their_identity(tf1):
    pytest.importorskip("graphviz")
    tf = tf1
    # a chain of 60 ops laid out left to right is far wider than a notebook column
    t = tf.constant(1.0, name="c0")
    for k in range(60):
        t = tf.identity(t, name="id%d" % k)
    d = viz.draw(tf.get_default_graph(), setup="show", collapse_over=1000)
    try:
        svg = d.svg()
    except viz.GraphvizUnavailable:
        pytest.fail("graphviz's dot is needed for this test (apt-get install graphviz)")
    width = float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg).group(1))
    assert width <= 9.5 * 72 + 1                 # at most 9.5 inches (72 pt each)
    full = viz.draw(tf.get_default_graph(), setup="show", collapse_over=1000, max_size=None)
    assert float(re.search(r'<svg[^>]*width="([\d.]+)pt"', full.svg()).group(1)) > 9.5 * 72
    # nbval compares the hash of the DOT source: the same for both sizes
    digest = re.compile(r"<!-- tfteach-dot ([0-9a-f]{16}) -->")
    assert digest.search(svg).group(1) == digest.search(full.svg()).group(1)
