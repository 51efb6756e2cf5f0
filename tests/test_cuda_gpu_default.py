"""A GPU as TF 2 uses one, in numba's CUDA simulator: TF's placement rules with host memory,
whole training steps with every op on '/GPU:0', eager ops on the GPU by default.

Runs only in a process started with NUMBA_ENABLE_CUDASIM=1 (tests/test_cuda_parity.py starts
it, beside tests/test_cuda_sim.py). The oracle is the same program on the CPU (every kernel
there is pinned to TF 2.21 by the rest of the suite) and TF's observable rules: where each op
runs, which values cross between host and device, what `tensor.device` says. Shapes are tiny:
the simulator runs every GPU thread as a Python thread.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

_ACTIVE = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or \
    os.environ.get("TFTEACH_CUDA_REAL") == "1"
pytestmark = [pytest.mark.mode("v2"),
              pytest.mark.skipif(not _ACTIVE, reason="needs NUMBA_ENABLE_CUDASIM=1 before "
                                 "numba is imported (or TFTEACH_CUDA_REAL=1 on a GPU)")]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
F32 = np.float32

if _ACTIVE:
    import tfteach as tf
    import tfteach.v1 as tf1
    from tfteach.kernels import gpu_memory


def _plans(sess):
    return [p for f in sess._fetch_cache.values() for p in f.plans.values()] \
        if hasattr(sess, "_fetch_cache") else list(sess._plans.values())


def _copies():
    return gpu_memory.copy_counts()


def _delta(before):
    after = _copies()
    return {k: after[k] - before[k] for k in after}


# --- graphs: TF's placement rules with host memory -----------------------------------------
def _issue_graph(x, device, fed):
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        a = tf1.placeholder(tf1.float32, [None, 4]) if fed else tf1.constant(x)
        m = tf1.matmul(a, tf1.transpose(a))
        s = tf1.nn.softmax(m)
        grad = tf1.gradients(tf1.reduce_sum(s * m), a)[0]
    return g, grad, ({a: x} if fed else None)


@pytest.mark.parametrize("fed", [False, True], ids=["constant", "runtime_shapes"])
def test_issue_program_runs_wholly_on_the_gpu_with_host_memory_bookkeeping(fed):
    """Every op, the int32 bookkeeping of the gradient included (InvertPermutation, and with
    shapes known only at run time Shape and BroadcastGradientArgs; Reshape's shape, Sum's
    axes), is placed on the GPU with soft placement off; the int32 values never cross to the
    device and back (TF's HostMemory): a run copies the fed value in and the fetched one
    out, nothing else."""
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(F32)
    g, grad, feed = _issue_graph(x, "/CPU:0", fed)
    with tf1.Session(graph=g) as sess:
        want = sess.run(grad, feed)
    g, grad, feed = _issue_graph(x, "/GPU:0", fed)
    with tf1.Session(graph=g) as sess:       # v1 default: no soft placement
        got = sess.run(grad, feed)
        before = _copies()
        again = sess.run(grad, feed)
        copies = _delta(before)
        (plan,) = _plans(sess)
    types = {op.type for op in plan.placement}
    assert {"InvertPermutation", "Reshape", "Sum"} <= types
    if fed:
        assert {"Shape", "BroadcastGradientArgs"} <= types
    assert set(plan.placement.values()) == {"GPU"}, \
        sorted(op.type for op, d in plan.placement.items() if d != "GPU")
    assert copies == {"h2d": int(fed), "d2h": 1}
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got, again)


def test_gradient_of_a_reduction_over_runtime_axes_runs_wholly_on_the_gpu():
    """Rank and axes known only at run time: the gradient's shape arithmetic (Shape, Size,
    Range, FloorMod, DynamicStitch with its indices in host memory) is placed on the GPU."""
    x = np.arange(6, dtype=F32).reshape(2, 3)
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        g = tf1.Graph()
        with g.as_default(), tf1.device(device):
            a = tf1.placeholder(tf1.float32, None)
            axes = tf1.placeholder(tf1.int32, None)
            grad = tf1.gradients(tf1.reduce_sum(tf1.reduce_sum(a * a, axes)), a)[0]
        with tf1.Session(graph=g) as sess:
            out[device] = sess.run(grad, {a: x, axes: [1]})
            (plan,) = _plans(sess)
    assert {"DynamicStitch", "Range", "FloorMod", "Size"} <= {op.type for op in plan.placement}
    assert set(plan.placement.values()) == {"GPU"}
    np.testing.assert_array_equal(out["/GPU:0"], out["/CPU:0"])
    np.testing.assert_array_equal(out["/CPU:0"], 2 * x)


def test_an_op_tf_cannot_place_on_a_gpu_gives_tfs_error_or_soft_places():
    g = tf1.Graph()
    with g.as_default(), tf1.device("/GPU:0"):
        s = tf1.strings.length(tf1.constant(["ab", "cde"]))      # StringLength: CPU-only in TF
        y = tf1.cast(s, tf1.float32) * 2.0
    with tf1.Session(graph=g) as sess:
        with pytest.raises(tf1.errors.InvalidArgumentError,
                           match=r"Cannot assign a device for operation .*StringLength.*no "
                                 r"supported kernel for GPU devices"):
            sess.run(y)
    with tf1.Session(graph=g, config=tf1.ConfigProto(allow_soft_placement=True)) as sess:
        np.testing.assert_array_equal(sess.run(y), [4.0, 6.0])
        where = {op.type: d for op, d in _plans(sess)[0].placement.items()}
    assert where["StringLength"] == "CPU" and where["Mul"] == "GPU"


def _mlp_step(device, optimizer):
    rng = np.random.default_rng(11)
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        x = tf1.placeholder(tf1.float32, [4, 6])
        y = tf1.placeholder(tf1.int32, [4])
        w1 = tf1.Variable(rng.standard_normal((6, 5)).astype(F32) * 0.5)
        b1 = tf1.Variable(np.zeros(5, F32))
        w2 = tf1.Variable(rng.standard_normal((5, 3)).astype(F32) * 0.5)
        h = tf1.nn.relu(tf1.matmul(x, w1) + b1)
        loss = tf1.reduce_mean(tf1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=tf1.matmul(h, w2)))
        step = optimizer().minimize(loss)
        init = tf1.global_variables_initializer()
    return g, x, y, loss, step, init, [w1, b1, w2]


def _cnn_step(device, optimizer):
    rng = np.random.default_rng(12)
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        x = tf1.placeholder(tf1.float32, [2, 16])
        y = tf1.placeholder(tf1.int32, [2])
        k = tf1.Variable(rng.standard_normal((3, 3, 1, 2)).astype(F32) * 0.5)
        w = tf1.Variable(rng.standard_normal((8, 3)).astype(F32) * 0.5)
        img = tf1.reshape(x, [-1, 4, 4, 1])
        c = tf1.nn.relu(tf1.nn.conv2d(img, k, strides=[1, 1, 1, 1], padding="SAME"))
        p = tf1.nn.max_pool(c, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        logits = tf1.matmul(tf1.reshape(p, [-1, 8]), w)
        loss = tf1.reduce_mean(tf1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        step = optimizer().minimize(loss)
        init = tf1.global_variables_initializer()
    return g, x, y, loss, step, init, [k, w]


@pytest.mark.parametrize("model,optimizer", [
    ("mlp", "adam"), ("cnn", "sgd")])
def test_seed_training_steps_run_every_op_on_the_gpu_and_match_the_cpu(model, optimizer):
    opt = {"adam": lambda: tf1.train.AdamOptimizer(0.01),
           "sgd": lambda: tf1.train.GradientDescentOptimizer(0.1)}[optimizer]
    build = _mlp_step if model == "mlp" else _cnn_step
    rng = np.random.default_rng(5)
    n_in = 6 if model == "mlp" else 16
    n = 4 if model == "mlp" else 2
    feeds = (rng.standard_normal((n, n_in)).astype(F32), rng.integers(0, 3, n).astype(np.int32))
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        g, x, y, loss, step, init, vs = build(device, opt)
        with tf1.Session(graph=g) as sess:       # soft placement off: all or an error
            sess.run(init)
            losses = [sess.run([loss, step], {x: feeds[0], y: feeds[1]})[0]]
            out[device] = (losses, sess.run(vs))
            placed = {}
            for plan in _plans(sess):
                placed.update(plan.placement)
        want = "GPU" if device == "/GPU:0" else "CPU"
        assert {d for d in placed.values()} == {want}, \
            sorted({op.type for op, d in placed.items() if d != want})
    (l_cpu, v_cpu), (l_gpu, v_gpu) = out["/CPU:0"], out["/GPU:0"]
    np.testing.assert_allclose(l_gpu, l_cpu, rtol=1e-5)
    for a, b in zip(v_gpu, v_cpu):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# --- eager ops on the GPU ----------------------------------------------------------------
def test_eager_ops_run_on_the_gpu_by_default_and_cpu_overrides():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    b = tf.matmul(a, a)
    assert a.device == GPU0 and b.device == GPU0
    with tf.device("/CPU:0"):
        c = tf.matmul(a, a)
        d = tf.constant([1.0])
    assert c.device == CPU0 and d.device == CPU0
    np.testing.assert_array_equal(b.numpy(), [[7.0, 10.0], [15.0, 22.0]])
    np.testing.assert_array_equal(b.numpy(), c.numpy())
    s = tf.shape(b)          # a host-memory output: on the GPU device, in host memory
    assert s.device == GPU0 and list(s.numpy()) == [2, 2]
    n = tf.strings.length(tf.constant(["abc"]))     # no GPU kernel anywhere: soft placement
    assert n.device == CPU0 and n.numpy()[0] == 3


def test_values_cross_devices_lazily_at_the_edges():
    x = np.arange(6, dtype=F32).reshape(2, 3)
    before = _copies()
    a = tf.constant(x)                       # made on the host, copied on first GPU use
    assert _delta(before) == {"h2d": 0, "d2h": 0}
    b = tf.exp(a)
    c = b * a                                # a's device copy is kept; b never leaves
    assert _delta(before) == {"h2d": 1, "d2h": 0}
    np.testing.assert_allclose(c.numpy(), np.exp(x) * x, rtol=1e-6)
    c.numpy()                                # the host copy is kept too
    assert _delta(before) == {"h2d": 1, "d2h": 1}
    with tf.device("/CPU:0"):
        e = c + 1.0                          # the CPU kernel reads c's host copy
    assert _delta(before) == {"h2d": 1, "d2h": 1} and e.device == CPU0


def test_gradient_tape_and_variables_on_the_gpu_match_the_cpu():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(F32)
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        with tf.device(device):
            v = tf.Variable(np.ones((4, 2), F32))
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(tf.nn.softmax(tf.matmul(tf.constant(x), v)) ** 2)
            g = tape.gradient(y, v)
            v.assign_sub(0.5 * g)
        assert v.device == (GPU0 if device == "/GPU:0" else CPU0)
        assert g.device == v.device
        out[device] = (g.numpy(), v.numpy())
    np.testing.assert_allclose(out["/GPU:0"][0], out["/CPU:0"][0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out["/GPU:0"][1], out["/CPU:0"][1], rtol=1e-5, atol=1e-7)


def test_tf_function_places_like_a_graph_and_returns_gpu_tensors():
    v = tf.Variable(np.full((2, 2), 0.5, F32))

    @tf.function
    def f(x):
        v.assign_add(tf.matmul(x, v))
        return tf.reduce_sum(v)

    x = tf.constant(np.eye(2, dtype=F32))
    r = f(x)
    assert r.device == GPU0 and float(r) == pytest.approx(4.0)
    plan = f.get_concrete_function(x)._get_plan()[0]
    assert set(plan.placement.values()) == {"GPU"}
    assert hasattr(v._storage.stored, "copy_to_host")      # the variable stayed on the GPU


def test_seed_keras_cnn_training_step_eager_on_the_gpu(capfd):
    """Lesson 19's loop (Keras Conv2D / MaxPool2D / Dense, sparse cross-entropy, Adam) at a
    tiny size: every op of the step runs on the GPU (TF's placement log says so) and the
    result equals the CPU's."""
    rng = np.random.default_rng(0)
    X = rng.random((2, 16)).astype(F32)
    Y = np.array([1, 3], np.int32)

    def train(device):
        tf.keras.utils.set_random_seed(2)
        with tf.device(device):
            model = tf.keras.Sequential([
                tf.keras.layers.Reshape((4, 4, 1)),
                tf.keras.layers.Conv2D(2, 3, padding="same", activation="relu"),
                tf.keras.layers.MaxPool2D(2, 2), tf.keras.layers.Flatten(),
                tf.keras.layers.Dense(5)])
            opt = tf.keras.optimizers.Adam(0.01)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
                    Y, model(tf.convert_to_tensor(X)), from_logits=True))
            grads = tape.gradient(loss, model.variables)
            opt.apply_gradients(zip(grads, model.variables))
        return float(loss), [w.numpy() for w in model.variables], model.variables[0].device

    want = train("/CPU:0")
    capfd.readouterr()
    tf.debugging.set_log_device_placement(True)
    try:
        got = train("/GPU:0")
    finally:
        tf.debugging.set_log_device_placement(False)
    log = [line for line in capfd.readouterr().err.splitlines()
           if line.startswith("Executing op ")]
    ops = {line.split()[2] for line in log}
    assert {"Conv2D", "Conv2DBackpropFilter", "MaxPoolGrad", "MatMul", "Sqrt"} <= ops
    assert all(line.endswith("device:GPU:0") for line in log), \
        sorted({line for line in log if not line.endswith("device:GPU:0")})
    assert got[2] == GPU0 and want[2] == CPU0
    assert got[0] == pytest.approx(want[0], rel=1e-6)
    for a, b in zip(got[1], want[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_keras_fit_trains_on_the_gpu():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 3)).astype(F32)
    y = (x @ np.array([1.0, -2.0, 0.5], F32))[:, None]
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        tf.keras.utils.set_random_seed(7)
        with tf.device(device):
            m = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            m.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
            h = m.fit(x, y, batch_size=8, epochs=2, verbose=0)
        out[device] = (h.history["loss"], m.layers[0].kernel)
    assert out["/GPU:0"][1].device == GPU0
    np.testing.assert_allclose(out["/GPU:0"][0], out["/CPU:0"][0], rtol=1e-5)
    np.testing.assert_allclose(out["/GPU:0"][1].numpy(), out["/CPU:0"][1].numpy(), rtol=1e-5)
    assert out["/GPU:0"][0][1] < out["/GPU:0"][0][0]


def test_tf_function_outputs_stay_on_the_gpu_until_read():
    """A function's outputs are where its ops left them (TF 2): a float result in device
    memory, read back only when the host reads it; passing it to the next call hands the
    device array over, so a chain of calls copies nothing; an int32 shape (a host-memory
    output of a GPU op) is a tensor of the GPU whose value is on the host."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]], F32)
    v = tf.Variable(w)

    @tf.function
    def f(x):
        return tf.matmul(x, v) * 2.0, tf.shape(x)

    x = tf.constant(np.eye(2, dtype=F32))
    f(x)                                         # traced; v's value moves to the device
    before = _copies()
    r, s = f(x)
    assert _delta(before) == {"h2d": 0, "d2h": 0}
    assert r.device == GPU0 and r._dev is not None and s.device == GPU0
    assert r.shape == (2, 2) and _delta(before) == {"h2d": 0, "d2h": 0}
    r2, _ = f(r)                                 # the device array goes straight in
    assert _delta(before) == {"h2d": 0, "d2h": 0} and r2._dev is not None
    np.testing.assert_array_equal(r2.numpy(), 4.0 * w @ w)      # 2 (2 w) w
    assert _delta(before) == {"h2d": 0, "d2h": 1}
    np.testing.assert_array_equal(s.numpy(), [2, 2])
    with tf.GradientTape() as tape:
        tape.watch(r)
        y, _ = f(r)
        loss = tf.reduce_sum(y * y)
    gx, gv = tape.gradient(loss, [r, v])
    yv = 2.0 * (2.0 * w) @ w
    # d/dx sum((2 x w)^2) = 8 (x w) w^T; d/dw = 8 x^T (x w), at x = 2 w
    np.testing.assert_allclose(yv, 4.0 * w @ w)
    np.testing.assert_allclose(gx.numpy(), 8.0 * ((2 * w) @ w) @ w.T, rtol=1e-6)
    np.testing.assert_allclose(gv.numpy(), 8.0 * (2 * w).T @ ((2 * w) @ w), rtol=1e-6)
    assert gx.device == GPU0 and gv.device == GPU0


def test_int32_arithmetic_on_the_gpu_is_computed_in_host_memory():
    """TF registers the GPU kernels of int32 element-wise ops (and reductions, reshapes,
    ...) with every argument in host memory (tests/data/tf_gpu_kernels.json, `host_int32`):
    the op is placed on GPU:0, its values never cross to the device. Eagerly and in a
    graph; float32 next to it still runs in device memory."""
    before = _copies()
    a = tf.constant(np.array([1, 2, 3], np.int32))
    b = a * a + a
    c = tf.reduce_sum(tf.reshape(b, [3, 1]), axis=0)
    assert _delta(before) == {"h2d": 0, "d2h": 0}
    assert b.device == GPU0 and c.device == GPU0
    assert not hasattr(b, "_dev") and not hasattr(c, "_dev")     # host-memory tensors
    np.testing.assert_array_equal(b.numpy(), [2, 6, 12])
    np.testing.assert_array_equal(c.numpy(), [20])
    f = tf.constant([1.0, 2.0]) * 3.0               # both operands go to the device
    assert f._dev is not None and _delta(before) == {"h2d": 2, "d2h": 0}

    g = tf1.Graph()
    with g.as_default(), tf1.device("/GPU:0"):
        x = tf1.placeholder(tf1.int32, [None])
        y = tf1.reduce_sum(x * 2 + 1) - tf1.size(x)
        z = tf1.cast(x, tf1.float32) * 0.5
    with tf1.Session(graph=g) as sess:           # soft placement off: all on the GPU
        sess.run(y, {x: [1, 2]})
        before = _copies()
        got = sess.run(y, {x: [1, 2, 3]})
        assert _delta(before) == {"h2d": 0, "d2h": 0}
        assert got == 2 * 6 + 3 - 3
        placed = {op.type: d for op, d in _plans(sess)[0].placement.items()}
        assert placed["Mul"] == placed["AddV2"] == placed["Sum"] == placed["Sub"] == "GPU"
        sess.run(z, {x: [0, 0]})                 # builds the plan (0.5 goes to the device)
        before = _copies()
        np.testing.assert_array_equal(sess.run(z, {x: [4, 6]}), [2.0, 3.0])
        assert _delta(before) == {"h2d": 1, "d2h": 1}      # Cast reads x on the device

    @tf.function
    def loop(x):            # an int32 counter beside float32 data, in a while loop
        i, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * 2.0),
                             [tf.constant(0), x])
        return y, i * 10
    x = tf.constant([1.0, 2.0])
    loop(x)
    before = _copies()
    y, n = loop(x)
    assert _delta(before) == {"h2d": 0, "d2h": 0}
    assert y._dev is not None and n._dev is None and n.device == GPU0
    np.testing.assert_array_equal(y.numpy(), [8.0, 16.0])
    assert n.numpy() == 30


def test_soft_device_placement_off_raises_tfs_error_for_eager_ops():
    """With a GPU present: TF 2's message of tests/data/tf_soft_placement.json (recorded
    where only the CPU exists) with the GPU listed first among the devices."""
    words = tf.constant(["ab"])
    one = tf.constant(1.0)
    tf.config.set_soft_device_placement(False)
    try:
        with tf.device("/GPU:0"):
            assert tf.add(one, one).device == GPU0      # has a GPU kernel: fine
            with pytest.raises(tf.errors.InvalidArgumentError) as e:
                tf.strings.length(words)
        assert str(e.value) == (
            f"Could not satisfy device specification '{GPU0}'. enable_soft_placement=0. "
            f"Supported device types [CPU]. All available devices [{GPU0}, {CPU0}]. "
            f"[Op:StringLength] name: ")
        with tf.device("/GPU:7"), pytest.raises(tf.errors.InvalidArgumentError,
                                                match=r"Supported device types \[GPU, CPU\]"):
            tf.add(one, one)

        @tf.function
        def h(w):
            with tf.device("/GPU:0"):
                return tf.strings.length(w)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="no supported kernel for GPU devices"):
            h(words)
    finally:
        tf.config.set_soft_device_placement(True)
    with tf.device("/GPU:0"):
        n = tf.strings.length(words)
    assert n.device == CPU0 and n.numpy()[0] == 2


def test_soft_placement_runs_a_missing_gpu_s_ops_on_gpu0():
    """TF's soft placement picks the best device there is, GPUs first: an op (or variable)
    asked onto '/GPU:42' of a one-GPU machine runs on GPU:0, also inside a CPU scope, in a
    tf.function and in a v1 session that allows soft placement (TF's eager
    device-placement tests state the same)."""
    one = tf.constant(1.0)
    with tf.device("/GPU:42"):
        c = one + one
        v = tf.Variable(3.0)
    with tf.device("/CPU:0"), tf.device("/GPU:42"):
        d = one * 3.0
    assert c.device == v.device == d.device == GPU0

    @tf.function
    def f():
        with tf.device("/GPU:42"):
            a = tf.constant(1.0) + tf.constant(2.0)
        return a + tf.constant(2.0)
    r = f()
    assert r.device == GPU0 and float(r) == 5.0

    g = tf1.Graph()
    with g.as_default(), tf1.device("/GPU:3"):
        y = tf1.constant(2.0) * 3.0
    with tf1.Session(graph=g, config=tf1.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(y) == 6.0
        assert set(_plans(sess)[0].placement.values()) == {"GPU"}


# --- TF 2's GPU configuration (a fresh process: the first GPU use fixes it) ----------------
_CONFIG = r"""
import numpy as np
import tfteach as tf
gpus = tf.config.list_physical_devices("GPU")
assert [g.device_type for g in gpus] == ["GPU"], gpus
tf.config.experimental.set_memory_growth(gpus[0], True)
assert tf.config.experimental.get_memory_growth(gpus[0]) is True
try:
    tf.config.set_logical_device_configuration(
        gpus[0], [tf.config.LogicalDeviceConfiguration(memory_limit=1)])
    raise SystemExit("a memory limit with memory growth on must fail")
except ValueError:
    pass
tf.config.experimental.set_memory_growth(gpus[0], False)
tf.config.set_logical_device_configuration(
    gpus[0], [tf.config.LogicalDeviceConfiguration(memory_limit=1),
              tf.config.LogicalDeviceConfiguration(memory_limit=2)])
names = [d.name for d in tf.config.list_logical_devices("GPU")]
assert names == ["/device:GPU:0", "/device:GPU:1"], names
with tf.device("/GPU:1"):
    a = tf.ones((4, 4))
    b = a * 2.0
assert b.device.endswith("GPU:1"), b.device
info1 = tf.config.experimental.get_memory_info("GPU:1")
assert info1["current"] >= 2 * 256 and info1["peak"] >= info1["current"], info1
assert tf.config.experimental.get_memory_info("GPU:0")["current"] == 0
try:
    with tf.device("/GPU:0"):
        tf.ones((600, 600)) * 2.0            # 1.4 MB > GPU:0's 1 MB
    raise SystemExit("no OOM")
except tf.errors.ResourceExhaustedError as e:
    assert "OOM when allocating tensor with shape[600,600]" in str(e), e
for call in (lambda: tf.config.set_visible_devices([], "GPU"),
             lambda: tf.config.experimental.set_memory_growth(gpus[0], True)):
    try:
        call()
        raise SystemExit("configuration changed after initialisation")
    except RuntimeError:
        pass
try:
    tf.config.experimental.get_memory_info("GPU:2")
    raise SystemExit("GPU:2 exists?")
except ValueError:
    pass
print("ok")
"""

_HIDDEN = r"""
import tfteach as tf
tf.config.set_visible_devices([], "GPU")
assert tf.config.get_visible_devices("GPU") == []
assert len(tf.config.list_physical_devices("GPU")) == 1
x = tf.constant([1.0, 2.0]) * 3.0
assert x.device.endswith("CPU:0"), x.device
assert tf.config.list_logical_devices("GPU") == []
print("ok")
"""


_TWO_GPUS = r"""
import numpy as np
import tfteach as tf
from tfteach.kernels import gpu_memory
tf1 = tf.compat.v1
gpus = tf.config.list_physical_devices("GPU")
tf.config.set_logical_device_configuration(
    gpus[0], [tf.config.LogicalDeviceConfiguration(memory_limit=4),
              tf.config.LogicalDeviceConfiguration(memory_limit=4)])
GPU = "/job:localhost/replica:0/task:0/device:GPU:%d"
x = np.arange(6, dtype=np.float32).reshape(2, 3)

@tf.function
def f(a):
    with tf.device("/GPU:0"):
        b = tf.exp(a)
    with tf.device("/GPU:1"):
        c = b * 2.0 + 1.0
        d = tf.reduce_sum(c)
    return b, c, d

d2d = gpu_memory.device_copy_count()
b, c, d = f(tf.constant(x))
assert (b.device, c.device, d.device) == (GPU % 0, GPU % 1, GPU % 1), (b.device, c.device)
assert c._dev is not None and d._dev is not None         # outputs stay in GPU:1's memory
assert gpu_memory.device_copy_count() - d2d == 1          # b crossed GPU:0 -> GPU:1 once
plan = f.get_concrete_function(tf.constant(x))._get_plan()[0]
where = {op.type: plan.placement.device_name(op) for op in plan.ops}
assert where["Exp"] == GPU % 0 and where["Mul"] == where["Sum"] == GPU % 1, where
# c and d (6 and 1 floats), and the two constants copied there: four 256-byte chunks
assert tf.config.experimental.get_memory_info("GPU:1")["current"] == 4 * 256
np.testing.assert_allclose(c.numpy(), np.exp(x) * 2.0 + 1.0, rtol=1e-6)
np.testing.assert_allclose(d.numpy(), (np.exp(x) * 2.0 + 1.0).sum(), rtol=1e-6)
with tf.GradientTape() as tape:
    a = tf.constant(x)
    tape.watch(a)
    loss = f(a)[2]
np.testing.assert_allclose(tape.gradient(loss, a).numpy(), 2.0 * np.exp(x), rtol=1e-6)

g = tf1.Graph()
with g.as_default():
    with tf1.device("/GPU:1"):
        v = tf1.Variable(np.ones((2, 2), np.float32))
        y = tf1.matmul(v, v)
    with tf1.device("/GPU:0"):
        z = y + 1.0
    up = tf1.assign_add(v, y)
    init = tf1.global_variables_initializer()
with tf1.Session(graph=g) as sess:             # no soft placement: GPU:1 exists
    sess.run(init)
    zv, uv = sess.run([z, up])
    plans = list(sess._plans.values())
    where = {op.name: p.placement.device_name(op) for p in plans for op in p.ops}
assert where["MatMul"] == where["Variable"] == where["AssignAdd"] == GPU % 1, where
assert where["add"] == GPU % 0, where
np.testing.assert_array_equal(zv, np.full((2, 2), 3.0))   # (1 1; 1 1)^2 + 1
np.testing.assert_array_equal(uv, np.full((2, 2), 3.0))   # 1 + 2
print("ok")
"""


@pytest.mark.parametrize("script", ["config", "hidden", "two_gpus"])
def test_tf2_gpu_configuration_in_a_fresh_process(script):
    code = {"config": _CONFIG, "hidden": _HIDDEN, "two_gpus": _TWO_GPUS}[script]
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]


def test_random_generator_on_the_gpu_draws_tf_bits():
    """tf.random.Generator on '/GPU:0': RngReadAndSkip's GPU kernel advances the state as
    TF's does and the stateless V2 GPU kernels draw TF's recorded numbers (uniform bits
    exactly; normals to the device's last-bit rounding of log/sin/cos)."""
    import json
    with open(os.path.join(ROOT, "tests", "data", "debug_random_io_tf.json")) as f:
        rec = json.load(f)["generator"]["steps"]
    with tf.device("/GPU:0"):
        g = tf.random.Generator.from_seed(5)
        normal = g.normal([5])
        state_after_normal = g.state.numpy().tolist()
        uniform = g.uniform([3])
    assert normal.device == GPU0 and uniform.device == GPU0
    assert state_after_normal == rec[0]["state"] and g.state.numpy().tolist() == rec[1]["state"]
    want_u = np.array(rec[1]["out"]["hex"], np.uint32).view(F32)
    np.testing.assert_array_equal(uniform.numpy(), want_u)
    want_n = np.array(rec[0]["out"]["hex"], np.uint32).view(F32)
    np.testing.assert_allclose(normal.numpy(), want_n, rtol=1e-6)
