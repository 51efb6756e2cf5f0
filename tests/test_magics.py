"""The IPython extension, driven through IPython's own InteractiveShell."""
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mode("both")

pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from tfteach import viz  # noqa: E402
from tfteach.framework import ops  # noqa: E402


@pytest.fixture
def ip(tf1):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tfteach")
    shell.user_ns["tf"] = tf1
    yield shell
    shell.run_line_magic("unload_ext", "tfteach")
    for name in ("tf", "g1", "a", "b", "c", "d", "x", "y", "t"):
        shell.user_ns.pop(name, None)


def _run(ip, code):
    with capture_output() as cap:
        result = ip.run_cell(code)
    return result, cap


def _svgs(cap):
    return [o.data["image/svg+xml"] for o in cap.outputs if "image/svg+xml" in o.data]


def test_cell_magic_runs_in_a_fresh_graph_and_draws_it(ip):
    before = ops.get_default_graph()
    n_before = len(before.get_operations())
    result, cap = _run(ip, '%%graph -n g1\n'
                           'a = tf.constant(1.0, name="a")\n'
                           'with tf.name_scope("s"):\n'
                           '    b = a * 2.0\n')
    assert result.success
    g1 = ip.user_ns["g1"]
    assert isinstance(g1, ops.Graph) and g1 is not before
    assert [op.name for op in g1.get_operations()] == ["a", "s/mul/y", "s/mul"]
    assert len(before.get_operations()) == n_before          # the default graph is untouched
    assert ip.user_ns["b"].graph is g1
    svgs = _svgs(cap)
    assert len(svgs) == 1
    assert '<g id="scope:s" class="cluster scope plain">' in svgs[0]
    assert '<g id="op:s/mul" class="node op">' in svgs[0]
    plain = [o.data["text/plain"] for o in cap.outputs]
    assert plain == ["<tfteach graph drawing: 3 ops drawn, 1 scopes>"]


def test_cell_magic_options(ip):
    _run(ip, 'x = tf.constant(3.0, name="x")')
    result, cap = _run(ip, '%%graph --default --tb --draw y\ny = x * x\nz = y + 1.0')
    assert result.success
    assert ip.user_ns["y"].graph is ops.get_default_graph()
    svgs = _svgs(cap)
    assert len(svgs) == 1 and "<title>add</title>" not in svgs[0]   # only y's subgraph
    assert "<title>mul</title>" in svgs[0]
    result, cap = _run(ip, '%%graph --no-draw\nc = tf.constant(1)')
    assert result.success and _svgs(cap) == []
    # the cell's last expression is still displayed, as in any cell
    result, cap = _run(ip, '%%graph\nd = tf.constant(2.0, name="d")\nd')
    assert "<tf.Tensor 'd:0' shape=() dtype=float32>" in cap.stdout
    assert ip.user_ns["_"] is ip.user_ns["d"]


def test_cell_magic_error_shows_traceback_of_the_cell_only(ip):
    result, cap = _run(ip, '%%graph\na = tf.constant(1.0)\nraise ValueError("boom")')
    assert not result.success and isinstance(result.error_in_exec, ValueError)
    assert _svgs(cap) == []


def test_eager_code_inside_graph_cell_builds_a_graph(tf2):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tfteach")
    shell.user_ns["tf"] = tf2
    try:
        result, cap = _run(shell, '%%graph -n g1\nx = tf.constant(2.0, name="x")\n'
                                  'y = tf.multiply(x, x, name="y")')
        assert result.success
        assert [op.name for op in shell.user_ns["g1"].get_operations()] == ["x", "y"]
        assert len(_svgs(cap)) == 1
    finally:
        shell.run_line_magic("unload_ext", "tfteach")
        shell.user_ns.pop("g1", None)


def test_line_magic_draws_graphs_tensors_and_ops(ip):
    _run(ip, 'a = tf.constant(1.0, name="a")\nb = tf.constant(2.0, name="b")\n'
             'c = tf.add(a, b, name="c")\nd = tf.multiply(c, 3.0, name="d")')
    d = ip.run_line_magic("graph", "")
    assert isinstance(d, viz.Drawing) and '"d" [label=' in d.dot
    d = ip.run_line_magic("graph", "c --tb")
    assert '"d" [label=' not in d.dot and '"c" [label=' in d.dot and "rankdir=TB" in d.dot
    d = ip.run_line_magic("graph", "c.op")
    assert '"a" [label=' in d.dot and '"d" [label=' not in d.dot
    d = ip.run_line_magic("graph", "[c, d] --no-shapes")
    assert "float32" not in d.dot.split("}\n", 1)[-1] if "subgraph" in d.dot else \
        'label="float32' not in d.dot
    d = ip.run_line_magic("graph", "tf.get_default_graph() --collapse-over 1 --expand d")
    assert '"d" [label=' in d.dot
    assert ip.run_line_magic("graph", "--max-nodes 0").options.max_nodes is None
    assert ip.run_line_magic("graph", "--max-nodes 2").options.max_nodes == 2


def test_rich_reprs_keep_tf_text(ip):
    _run(ip, 'a = tf.constant(1.0, name="a")\nb = tf.multiply(a, 2.0, name="b")')
    fmt = ip.display_formatter
    for expr, plain in (("b", "<tf.Tensor 'b:0' shape=() dtype=float32>"),
                        ("b.op", "<tf.Operation 'b' type=Mul>")):
        data, _md = fmt.format(ip.ev(expr))
        assert data["text/plain"] == plain
        assert '<g id="op:b" class="node op">' in data["image/svg+xml"]
    active = fmt.active_types
    fmt.active_types = ["text/plain"]              # as in a terminal: no drawing is made
    try:
        assert set(fmt.format(ip.ev("b"))[0]) == {"text/plain"}
    finally:
        fmt.active_types = active
    data, _md = fmt.format(ip.ev("tf.get_default_graph()"))
    assert data["text/plain"].startswith("<tfteach.framework.ops.Graph object at 0x")
    assert "<svg" in data["image/svg+xml"]
    ip.run_line_magic("unload_ext", "tfteach")
    data, _md = fmt.format(ip.ev("b"))
    assert set(data) == {"text/plain"}
    ip.run_line_magic("load_ext", "tfteach")


def test_rich_repr_without_dot_is_text_and_hint(ip, monkeypatch):
    _run(ip, 'a = tf.constant(1.0, name="a")')
    monkeypatch.setenv("PATH", "/nonexistent")
    data, _md = ip.display_formatter.format(ip.ev("a"))
    assert data["text/plain"] == "<tf.Tensor 'a:0' shape=() dtype=float32>"
    assert "image/svg+xml" not in data
    assert "apt-get install graphviz" in data["text/html"] and "digraph G" in data["text/html"]
    result, cap = _run(ip, '%%graph\nb = tf.constant(2.0)')
    assert result.success and not result.error_in_exec
    assert "apt-get install graphviz" in cap.outputs[0].data["text/plain"]


def test_show_graph_of_a_graph_and_a_logdir(ip, tmp_path):
    from tfteach import magics
    _run(ip, 'a = tf.constant(1.0, name="a")')
    with capture_output() as cap:
        d = magics.show_graph(ops.get_default_graph(), rankdir="TB")
    assert "rankdir=TB" in d.dot and len(_svgs(cap)) == 1
    pytest.importorskip("tensorboardX")
    from tensorboardX.proto import event_pb2, graph_pb2
    from tensorboardX.record_writer import RecordWriter
    gd = graph_pb2.GraphDef()
    gd.node.add(name="k", op="Const").attr["dtype"].type = 1
    gd.node.add(name="out", op="Identity", input=["k"]).attr["T"].type = 1
    w = RecordWriter(str(tmp_path / "events.out.tfevents.9.host"))
    w.write(event_pb2.Event(step=0, graph_def=gd.SerializeToString()).SerializeToString())
    w.close()
    with capture_output() as cap:
        d = magics.show_graph(str(tmp_path))
    assert '"k" -> "out" [label="float32"' in d.dot and len(_svgs(cap)) == 1
    d = ip.run_line_magic("graph", f'"{tmp_path}"')
    assert '"out" [label=' in d.dot


def test_tf_function_graph_can_be_drawn(ip, tf2):

    @tf2.function
    def f(x):
        return x * x + 1.0
    ip.user_ns["f"] = f
    try:
        with pytest.raises(TypeError, match="has not been traced yet"):
            viz.draw(f)
        f(tf2.constant([1.0, 2.0]))
        for d in (ip.run_line_magic("graph", "f"),
                  viz.draw(f.get_concrete_function(tf2.constant([1.0, 2.0])).graph)):
            assert ">Mul<" in d.dot and ">AddV2<" in d.dot and "float32 (2,)" in d.dot

        @tf2.function(input_signature=[tf2.TensorSpec([None], tf2.float32)])
        def g(x):
            return tf2.square(x)
        assert ">Square<" in viz.draw(g).dot
    finally:
        ip.user_ns.pop("f")


def test_missing_ipywidgets_is_one_clear_traceback():
    """Without ipywidgets, importing the widgets raises one ImportError with the pip command,
    not a chain of two tracebacks (the bare "No module named" one suppressed)."""
    code = ("import sys, traceback\n"
            "sys.modules['ipywidgets'] = None\n"
            "try:\n"
            "    import tfteach.magics.widgets\n"
            "except ImportError as e:\n"
            "    text = ''.join(traceback.format_exception(e))\n"
            "    print(repr(str(e)), e.name, e.__suppress_context__, text.count('Traceback'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(__import__("pathlib").Path(__file__).parents[1]))
    line = out.stdout.strip().splitlines()[-1]
    assert "pip install" in line and "ipywidgets" in line, line
    assert line.endswith("ipywidgets True 1"), line


def test_loading_the_extension_is_cheap():
    """`%load_ext tfteach` must not import graphviz, ipywidgets or numba (they load on use)."""
    code = ("import sys, IPython\n"
            "from IPython.core.interactiveshell import InteractiveShell\n"
            "ip = InteractiveShell.instance()\n"
            "ip.run_line_magic('load_ext', 'tfteach')\n"
            "print(sorted(m for m in ('graphviz', 'ipywidgets', 'numba') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(__import__("pathlib").Path(__file__).parents[1]))
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_eager_tensors_are_not_drawn(tf2):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tfteach")
    try:
        t = tf2.constant([1.0, 2.0])
        data, _md = shell.display_formatter.format(t)
        assert "image/svg+xml" not in data and "text/html" not in data
        assert data["text/plain"] == repr(t)
    finally:
        shell.run_line_magic("unload_ext", "tfteach")
