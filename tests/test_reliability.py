"""Reliability (issue 16): values TF computes where tfteach used to be silently wrong, inputs
TF rejects, thread safety, and saving that is all-or-nothing. Mode: both (each test picks
its fixture). Expected outcomes are TF 2.21's, recorded by tools/record_reliability_tf.py."""
import os
import threading
import zipfile

import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

NAN, INF = np.nan, np.inf
X = [INF, -INF, NAN, 2.5, -2.5, 1.7, -0.0, -0.4, 3e20]


def _same(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert np.array_equal(got[ok], want[ok])
    assert np.array_equal(np.signbit(got[ok]), np.signbit(want[ok]))   # -0.0 stays -0.0


@pytest.mark.parametrize("fn, want", [
    ("round", [INF, -INF, NAN, 2.0, -2.0, 2.0, -0.0, -0.0, 3.000000060122632e+20]),
    ("floor", [INF, -INF, NAN, 2.0, -3.0, 1.0, -0.0, -1.0, 3.000000060122632e+20]),
    ("ceil", [INF, -INF, NAN, 3.0, -2.0, 2.0, -0.0, -0.0, 3.000000060122632e+20]),
])
def test_rounding_keeps_inf_nan_and_signed_zero(tf2, fn, want):
    f = {"round": tf2.round, "floor": tf2.floor, "ceil": tf2.math.ceil}[fn]
    for dt in (tf2.float32, tf2.float64):
        _same(f(tf2.constant(X, dt)).numpy(), np.asarray(want, np.float32).astype(np.float64)
              if dt == tf2.float32 else [INF, -INF, NAN] + want[3:8] + [3e20])


def test_rounding_in_a_session_matches_eager(tf1):
    x = tf1.placeholder(tf1.float32)
    ops = [tf1.round(x), tf1.floor(x), tf1.ceil(x), tf1.floordiv(x, 0.5)]
    with tf1.Session() as s:
        r, f, c, fd = s.run(ops, {x: np.array([INF, NAN, -0.4], np.float32)})
    _same(r, [INF, NAN, -0.0])
    _same(f, [INF, NAN, -1.0])
    _same(c, [INF, NAN, -0.0])
    _same(fd, [INF, NAN, -1.0])


def test_floordiv_by_zero_is_ieee(tf2):
    got = tf2.math.floordiv(tf2.constant([1., -1., 0., 7., -0.5]),
                            tf2.constant([0., 0., 0., 2., 1.])).numpy()
    _same(got, [INF, -INF, NAN, 3.0, -1.0])


@pytest.mark.parametrize("window, want", [
    ([NAN, NAN, NAN, NAN], -3.4028235e+38),     # TF's reducer starts from the lowest float
    ([1, NAN, NAN, NAN], 1.0), ([NAN, 5, NAN, NAN], 5.0), ([NAN, NAN, NAN, 7], 7.0),
    ([NAN, 1, 3, 2], 3.0),
])
def test_max_pool_skips_nan_as_tf(tf2, window, want):
    x = tf2.constant(np.array(window, np.float32).reshape(1, 2, 2, 1))
    assert tf2.nn.max_pool2d(x, 2, 1, "VALID").numpy().ravel().tolist() == [
        np.float32(want)]


def test_transpose_of_a_scalar_stays_a_scalar(tf2):
    t = tf2.transpose(tf2.constant(3.), [])
    assert t.shape == () and t.numpy() == 3.0


def test_split_rank1_along_minus_one(tf1):
    parts = tf1.split(tf1.range(6), 3, axis=-1)
    assert [p.shape.as_list() for p in parts] == [[2], [2], [2]]
    v = tf1.split(tf1.zeros([6]), [2, 4], axis=-1)
    assert [p.shape.as_list() for p in v] == [[2], [4]]
    with tf1.Session() as s:
        assert [a.tolist() for a in s.run(parts)] == [[0, 1], [2, 3], [4, 5]]


def test_sparse_xent_on_float16_returns_float16(tf2):
    loss = tf2.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[0, 1], logits=tf2.constant([[1., 2.], [3., 4.]], tf2.float16))
    assert loss.dtype == tf2.float16
    np.testing.assert_allclose(loss.numpy(), [1.3132616, 0.3132617], rtol=1e-3)


# --- inputs TF rejects -----------------------------------------------------------------------

@pytest.mark.parametrize("case, cls, words", [
    ("bias_add", errors.InvalidArgumentError, "Input tensor must be at least 2D: [2]"),
    ("softmax", errors.InvalidArgumentError, "logits must have >= 1 dimension, got []"),
    ("one_hot", errors.InvalidArgumentError,
     "Value for attr 'TI' of float is not in the list of allowed values: uint8, int8, int32, "
     "int64"),
    ("concat", errors.InvalidArgumentError, "ConcatV2"),
    ("split", errors.InvalidArgumentError, "'num_split' of 'Split' Op passed 0 less than "
                                           "minimum 1"),
    ("zeros_neg", errors.InvalidArgumentError, "Dimension -1 must be >= 0"),
    ("zeros_huge", errors.ResourceExhaustedError,
     "OOM when allocating tensor with shape[1000000000000] and type float"),
    ("xent_axis", errors.InvalidArgumentError, "axis 5"),
])
def test_eager_rejects_as_tf(tf2, case, cls, words):
    run = {
        "bias_add": lambda: tf2.nn.bias_add([1., 2.], [1., 2.]),
        "softmax": lambda: tf2.nn.softmax(tf2.constant(1.)),
        "one_hot": lambda: tf2.one_hot(tf2.constant([0., 1.]), 3),
        "concat": lambda: tf2.concat([], 0),
        "split": lambda: tf2.split(tf2.range(6), 0),
        "zeros_neg": lambda: tf2.zeros([-1, 2]),
        "zeros_huge": lambda: tf2.zeros([10 ** 12]),
        "xent_axis": lambda: tf2.nn.softmax_cross_entropy_with_logits(
            labels=[[0., 1.]], logits=[[1., 2.]], axis=5),
    }[case]
    with pytest.raises(cls) as e:
        run()
    assert words in str(e.value)


@pytest.mark.parametrize("case, cls, words", [
    ("softmax", ValueError, "Shape must be at least rank 1 but is rank 0"),
    ("bias_add", ValueError, "Shape must be at least rank 2 but is rank 1"),
    ("one_hot", TypeError, "Value passed to parameter 'indices' has DataType float32 not in "
                           "list of allowed values: uint8, int8, int32, int64"),
    ("concat", ValueError, "List argument 'values' to 'ConcatV2' Op with length 0 shorter "
                           "than minimum length 2."),
    ("split", ValueError, "Attr 'num_split' of 'Split' Op passed 0 less than minimum 1."),
    ("zeros_neg", ValueError, "Fill dimensions must be >= 0"),
])
def test_graph_building_rejects_as_tf(tf1, case, cls, words):
    run = {
        "softmax": lambda: tf1.nn.softmax(tf1.constant(1.)),
        "bias_add": lambda: tf1.nn.bias_add(tf1.constant([1., 2.]), tf1.constant([1., 2.])),
        "one_hot": lambda: tf1.one_hot(tf1.constant([0., 1.]), 3),
        "concat": lambda: tf1.concat([], 0),
        "split": lambda: tf1.split(tf1.zeros([6]), 0),
        "zeros_neg": lambda: tf1.zeros([-1, 2]),
    }[case]
    n_before = len(tf1.get_default_graph().get_operations())
    with pytest.raises(cls) as e:
        run()
    assert words in str(e.value)
    assert not isinstance(e.value, (KeyError, IndexError, ZeroDivisionError))
    # the rejected op was never added (a Const input may have been)
    ops = tf1.get_default_graph().get_operations()[n_before:]
    assert all(op.type == "Const" for op in ops)


def test_oom_in_a_session_is_resource_exhausted(tf1):
    n = tf1.placeholder(tf1.int64, [1])
    z = tf1.fill(n, 1.0)
    with tf1.Session() as s:
        with pytest.raises(errors.ResourceExhaustedError, match="OOM when allocating"):
            s.run(z, {n: [10 ** 12]})


# --- threads --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["plain", "use_locking", "resource"])
def test_assign_add_from_8_threads_loses_nothing(tf1, kind):
    if kind == "resource":
        v = tf1.get_variable("v", initializer=0.0, use_resource=True)
    else:
        v = tf1.Variable(0.0)
    op = v.assign_add(1.0, use_locking=(kind == "use_locking"))
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())

        def work():
            for _ in range(500):
                sess.run(op)
        ts = [threading.Thread(target=work) for _ in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        assert sess.run(v) == 4000.0


def test_eager_and_function_updates_from_threads(tf2):
    v = tf2.Variable(0.0)
    w = tf2.Variable(0.0)

    @tf2.function
    def step():
        w.assign_add(1.0)

    def work():
        for _ in range(300):
            v.assign_add(1.0)
            step()
    ts = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert v.numpy() == 2400.0 and w.numpy() == 2400.0


def test_first_function_calls_from_many_threads(tmp_path):
    """Op declarations load lazily; a second thread must never see them half-loaded. Needs a
    fresh interpreter (the suite's process has loaded them long ago)."""
    import subprocess
    import sys
    code = (
        "import threading, tfteach as tf\n"
        "errs = []\n"
        "@tf.function\n"
        "def f(x):\n    return x * 2 + 1\n"
        "def work(i):\n"
        "    try:\n        f(tf.constant(float(i)))\n"
        "    except Exception as e:\n        errs.append(repr(e))\n"
        "ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print('ERRORS', errs)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert "ERRORS []" in out.stdout, out.stdout + out.stderr


# --- tf.function retracing -----------------------------------------------------------------

def test_excessive_retracing_warns_like_tf(tf2, caplog):
    @tf2.function
    def f(x):
        return x + 1
    with caplog.at_level("WARNING", logger="tfteach"):
        for i in range(8):
            f(tf2.zeros([i]))
    msgs = [r.getMessage() for r in caplog.records if "retracing" in r.getMessage()]
    # TF 2.21: warned at the 5th and 6th trace, then never again for this function
    assert len(msgs) == 2
    assert msgs[0].startswith("5 out of the last 5 calls to <function")
    assert msgs[1].startswith("6 out of the last 6 calls to <function")
    assert "reduce_retracing=True" in msgs[0]


def test_reduce_retracing_relaxes_shapes(tf2):
    @tf2.function(reduce_retracing=True)
    def g(x):
        return x + 1
    for i in range(1, 9):
        g(tf2.zeros([i]))
    assert g.experimental_get_tracing_count() == 2      # TF 2.21: 2


# --- saving ---------------------------------------------------------------------------------

def test_checkpoint_manager_state_written_before_old_files_go(tf2, tmp_path, monkeypatch):
    from tfteach.train import checkpoint as ckmod
    v = tf2.Variable(1.0)
    ck = tf2.train.Checkpoint(v=v)
    mgr = tf2.train.CheckpointManager(ck, str(tmp_path), max_to_keep=1)
    mgr.save()
    v.assign(2.0)
    real_remove = os.remove

    def crash(path):     # the process dies when it starts deleting the old checkpoint
        if "ckpt-1." in str(path):
            raise KeyboardInterrupt("killed")
        real_remove(path)
    monkeypatch.setattr(ckmod.os, "remove", crash)
    with pytest.raises(KeyboardInterrupt):
        mgr.save()
    monkeypatch.setattr(ckmod.os, "remove", real_remove)
    latest = tf2.train.latest_checkpoint(str(tmp_path))
    assert latest is not None and latest.endswith("-2")
    v.assign(0.0)
    tf2.train.Checkpoint(v=v).restore(latest)
    assert v.numpy() == 2.0


def test_resave_interrupted_between_data_and_index(tf1, tmp_path, monkeypatch):
    from tfteach.kernels.cpu import io as svmod
    v = tf1.Variable([1.0, 2.0], name="v")
    assign = v.assign([5.0, 6.0])
    saver = tf1.train.Saver()
    prefix = str(tmp_path / "model")
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        saver.save(s, prefix)
        s.run(assign)
        real = svmod._atomic_write

        def dies_before_index(path, data):
            if path.endswith(".index"):
                raise KeyboardInterrupt("killed")
            real(path, data)
        monkeypatch.setattr(svmod, "_atomic_write", dies_before_index)
        with pytest.raises(KeyboardInterrupt):
            saver.save(s, prefix)
        monkeypatch.setattr(svmod, "_atomic_write", real)
    # the new data file is in place, the index is the old one: the old values load
    assert tf1.train.load_variable(prefix, "v").tolist() == [1.0, 2.0]


def test_damaged_index_is_data_loss(tf1, tmp_path):
    v = tf1.Variable([1.0], name="v")
    saver = tf1.train.Saver()
    prefix = str(tmp_path / "m")
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        saver.save(s, prefix)
    raw = open(prefix + ".index", "rb").read()
    for damaged in (raw[:10] + bytes([raw[10] ^ 0x40]) + raw[11:],    # a flipped bit
                    raw[:-20],                                          # truncated
                    b"\x80\x04garbage" * 8):                            # not an index at all
        open(prefix + ".index", "wb").write(damaged)
        with pytest.raises(errors.DataLossError, match="m.index"):
            tf1.train.load_checkpoint(prefix)
    open(prefix + ".index", "wb").write(raw)
    data = open(prefix + ".data-00000-of-00001", "rb").read()
    open(prefix + ".data-00000-of-00001", "wb").write(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(errors.DataLossError, match="Checksum does not match"):
        tf1.train.load_checkpoint(prefix)


def test_file_writer_flush_writes_every_queued_event(tf1, tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    w = tf1.summary.FileWriter(str(tmp_path), max_queue=10, flush_secs=3600)
    x = tf1.placeholder(tf1.float32)
    summ = tf1.summary.scalar("x", x)
    with tf1.Session() as s:
        for i in range(3):
            w.add_summary(s.run(summ, {x: float(i)}), global_step=i)
    w.flush()
    files = [f for f in os.listdir(tmp_path) if "tfevents" in f]
    events = list(EventFileLoader(str(tmp_path / files[0])).Load())
    steps = [e.step for e in events if e.HasField("summary")]
    assert steps == [0, 1, 2]
    w.close()


def test_keras_zip_bomb_refused_before_extracting(tf2, tmp_path):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", "{}")
        z.writestr("model.weights.h5", b"\0" * (64 << 20))     # 64 MiB of zeros: ~64 KiB zipped
    assert path.stat().st_size < 1 << 20
    with pytest.raises(ValueError, match="refusing to extract"):
        tf2.keras.models.load_model(str(path))
    not_zip = tmp_path / "junk.keras"
    not_zip.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a valid `.keras` file"):
        tf2.keras.models.load_model(str(not_zip))


def test_fused_kernel_folder_must_be_private(tmp_path, monkeypatch):
    from tfteach.runtime import fusion
    shared = tmp_path / "cache"
    (shared / "fused").mkdir(parents=True)
    os.chmod(shared / "fused", 0o777)
    monkeypatch.setenv("TFTEACH_CACHE_DIR", str(shared))
    with pytest.raises(PermissionError, match="writable by no one else"):
        fusion._cache_dir()
    os.chmod(shared / "fused", 0o700)
    assert fusion._cache_dir() == str(shared / "fused")


def test_tf2_summary_writer_flush_writes_every_queued_event(tf2, tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    w = tf2.summary.create_file_writer(str(tmp_path), max_queue=10, flush_millis=3_600_000)
    with w.as_default():
        for i in range(3):
            tf2.summary.scalar("x", float(i), step=i)
    w.flush()
    files = [f for f in os.listdir(tmp_path) if "tfevents" in f]
    events = list(EventFileLoader(str(tmp_path / files[0])).Load())
    assert [e.step for e in events if e.HasField("summary")] == [0, 1, 2]
    w.close()


def test_lessons_copy_never_writes_through_links(tmp_path):
    """`tfteach lessons` copies into a folder a student owns: a dangling link must not create
    a file outside it, and --update must not overwrite a link's target."""
    from tfteach import cli
    src = tmp_path / "shipped"
    src.mkdir()
    (src / "01_a.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                    '"nbformat_minor": 5}')
    (src / "02_b.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                    '"nbformat_minor": 5}')
    dest = tmp_path / "lessons"
    dest.mkdir()
    outside = tmp_path / "outside.ipynb"
    os.symlink(outside, dest / "01_a.ipynb")                 # dangling link
    victim = tmp_path / "victim.ipynb"
    victim.write_text("precious")
    os.symlink(victim, dest / "02_b.ipynb")                  # link to a real file
    said = []
    cli.copy_lessons(src, dest, update=True, out=said.append)
    assert not outside.exists()
    assert victim.read_text() == "precious"
    assert any("left alone" in s and "01_a.ipynb" in s for s in said)
