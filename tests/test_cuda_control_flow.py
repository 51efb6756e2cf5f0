"""Control flow on a GPU, in numba's CUDA simulator: tf.cond, tf.while_loop (nested, and its
gradient, which keeps forward values on stacks), TensorArrays inside loops, built under
`tf.device('/GPU:0')` with soft placement off, so every op must be placed on the GPU.

Runs only in a process started with NUMBA_ENABLE_CUDASIM=1 (tests/test_cuda_parity.py
starts it). The oracles: hand-derived values, and the same graph pinned to the CPU (whose
kernels the rest of the suite pins to TF 2.21). Placement is read from each plan, the
while frames' ops included. What crosses between host and device is recorded: as in TF,
only host-memory arguments (a loop's predicate, TensorArray indices) cross inside a loop,
never a loop's data.
"""
import os

import numpy as np
import pytest

_ACTIVE = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or \
    os.environ.get("TFTEACH_CUDA_REAL") == "1"
pytestmark = [pytest.mark.mode("both"),      # v1 graphs (tf1 fixture), TF2 eager (tf2)
              pytest.mark.skipif(not _ACTIVE, reason="needs NUMBA_ENABLE_CUDASIM=1 before "
                                 "numba is imported (or TFTEACH_CUDA_REAL=1 on a GPU)")]

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
F32 = np.float32

if _ACTIVE:
    import tfteach.v1 as tf
    from tfteach.kernels import gpu_memory


def _plans(sess):
    return [p for f in sess._fetch_cache.values() for p in f.plans.values()] \
        if hasattr(sess, "_fetch_cache") else list(sess._plans.values())


class _Crossings:
    """Records each copy between host and device while active: (direction, dtype, shape).
    The pool's own counters must agree, so no copy goes unrecorded."""

    def __enter__(self):
        self.seen = []
        self._h2d, self._d2h = gpu_memory.to_device, gpu_memory.to_host
        self._before = gpu_memory.copy_counts()

        def h2d(x):
            if not gpu_memory.is_device_array(x):
                a = np.asarray(x)
                self.seen.append(("h2d", a.dtype.name, a.shape))
            return self._h2d(x)

        def d2h(x):
            if gpu_memory.is_device_array(x):
                self.seen.append(("d2h", np.dtype(x.dtype).name, tuple(x.shape)))
            return self._d2h(x)
        gpu_memory.to_device, gpu_memory.to_host = h2d, d2h
        return self

    def __exit__(self, *exc):
        gpu_memory.to_device, gpu_memory.to_host = self._h2d, self._d2h
        after = gpu_memory.copy_counts()
        self.counts = {k: after[k] - self._before[k] for k in after}

    def inside_run(self, feeds, fetches):
        """The copies beyond moving the feeds in and the fetches out."""
        rest = list(self.seen)
        for item in feeds + fetches:
            rest.remove(item)
        return rest


def _run_both(build, feed_values, **session_kw):
    """The graph built on /CPU:0 and on /GPU:0 (soft placement off); the GPU run's second
    call is the one whose copies are recorded."""
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        g = tf.Graph()
        with g.as_default(), tf.device(device):
            fetches, feeds = build()
        feed = dict(zip(feeds, feed_values))
        with tf.Session(graph=g, **session_kw) as sess:
            got = sess.run(fetches, feed)
            if device == "/GPU:0":
                with _Crossings() as crossings:
                    again = sess.run(fetches, feed)
                for a, b in zip(got, again):
                    np.testing.assert_array_equal(a, b)
                assert crossings.counts == {
                    "h2d": sum(c[0] == "h2d" for c in crossings.seen),
                    "d2h": sum(c[0] == "d2h" for c in crossings.seen)}, crossings.seen
                where = {op: d for p in _plans(sess) for op, d in p.placement.items()}
        out[device] = got
    off = sorted({op.type for op, d in where.items() if d != "GPU"})
    assert not off, f"not placed on the GPU: {off}"
    for a, b in zip(out["/GPU:0"], out["/CPU:0"]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    return out["/GPU:0"], {op.type for op in where}, crossings


def _scalar_bookkeeping(copies):
    """True when every copy is a scalar predicate or index (host memory in TF)."""
    return all(shape == () and dtype in ("bool", "int32") for _, dtype, shape in copies)


def test_while_loop_sums_on_the_gpu_and_only_its_predicate_crosses(tf1):
    n, width = 6, 5

    def build():
        count = tf.placeholder(tf.int32, [])
        x = tf.placeholder(tf.float32, [width])
        _, total = tf.while_loop(lambda i, s: i < count,
                                 lambda i, s: (i + 1, s + x * tf.cast(i, tf.float32)),
                                 [tf.constant(0), tf.zeros([width])])
        return [total], [count, x]

    x = np.linspace(-1, 1, width).astype(F32)
    (total,), types, cross = _run_both(build, [np.int32(n), x])
    np.testing.assert_allclose(total, x * (n * (n - 1) / 2), rtol=1e-6)    # x * sum(0..n-1)
    assert {"Enter", "Merge", "Switch", "LoopCond", "NextIteration", "Exit"} <= types
    inner = cross.inside_run(feeds=[("h2d", "float32", (width,))],
                             fetches=[("d2h", "float32", (width,))])
    # TF's int32 kernels of the counter's ops (Enter, Merge, Less, Switch, AddV2,
    # NextIteration) keep it in host memory, so the predicate is made on the host and never
    # crosses; the int32 feed stays there too. Cast reads the counter in device memory: one
    # host->device copy per pass through the body. The float data never leaves the device.
    assert inner == [("h2d", "int32", ())] * n
    assert cross.counts == {"h2d": n + 1, "d2h": 1}


def test_log_device_placement_lists_each_op_of_a_loop_on_the_gpu(tf1, capfd):
    """The placement log names every op of the frame, as TF's does, not the frame as one."""
    g = tf.Graph()
    with g.as_default(), tf.device("/GPU:0"):
        _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * 2.0),
                             [tf.constant(0), tf.constant(1.0)])
    with tf.Session(graph=g, config=tf.ConfigProto(log_device_placement=True)) as sess:
        assert sess.run(s) == 8.0
    cap = capfd.readouterr()
    err = cap.out + cap.err         # the session's placer log goes to stdout
    for name, op_type in [("while/LoopCond", "LoopCond"), ("while/Merge_1", "Merge"),
                          ("while/Switch_1", "Switch"), ("while/NextIteration_1",
                                                         "NextIteration"),
                          ("while/Exit_1", "Exit"), ("while/mul", "Mul")]:
        assert f"{name}: ({op_type}): {GPU0}" in err, err


def test_cond_takes_either_branch_on_the_gpu(tf1):
    def build():
        p = tf.placeholder(tf.bool, [])
        x = tf.placeholder(tf.float32, [3])
        y = tf.cond(p, lambda: tf.square(x), lambda: x - 1.0)
        return [y], [p, x]

    x = np.array([1.5, -2.0, 3.0], F32)
    (y,), types, cross = _run_both(build, [True, x])
    np.testing.assert_array_equal(y, x * x)
    assert {"Switch", "Merge"} <= types
    (y,), _, cross = _run_both(build, [False, x])
    np.testing.assert_array_equal(y, x - 1.0)

    def build_const():      # a branch's constant waits on the branch: dead when untaken
        p = tf.placeholder(tf.bool, [])
        x = tf.placeholder(tf.float32, [3])
        return [tf.cond(p, lambda: x * 2.0, lambda: tf.constant([7.0, 8.0, 9.0]))], [p, x]

    for pred, want in [(True, 2 * x), (False, [7.0, 8.0, 9.0])]:
        (y,), _, _ = _run_both(build_const, [pred, x])
        np.testing.assert_array_equal(y, want)
    inner = cross.inside_run(feeds=[("h2d", "bool", ()), ("h2d", "float32", (3,))],
                             fetches=[("d2h", "float32", (3,))])
    assert _scalar_bookkeeping(inner), inner


def test_gradient_of_a_power_computed_by_a_loop_uses_stacks_on_the_gpu(tf1):
    """p = x^k by k multiplications; dp/dx = k x^(k-1). The backward loop pops the forward
    loop's values from stacks (StackV2/StackPushV2/StackPopV2 on the GPU)."""
    k = 4

    def build():
        x = tf.placeholder(tf.float32, [3])
        kk = tf.placeholder(tf.int32, [])
        _, p = tf.while_loop(lambda i, p: i < kk, lambda i, p: (i + 1, p * x),
                             [tf.constant(0), tf.ones([3])])
        return [p, tf.gradients(p, x)[0]], [x, kk]

    x = np.array([0.5, -1.5, 2.0], F32)
    (p, dp), types, cross = _run_both(build, [x, np.int32(k)])
    np.testing.assert_allclose(p, x ** k, rtol=1e-6)
    np.testing.assert_allclose(dp, k * x ** (k - 1), rtol=1e-6)
    assert {"StackV2", "StackPushV2", "StackPopV2"} <= types
    inner = cross.inside_run(feeds=[("h2d", "float32", (3,))],     # the int32 k stays
                             fetches=[("d2h", "float32", (3,))] * 2)
    assert _scalar_bookkeeping(inner), inner


def test_loop_gradient_with_swap_memory_keeps_the_saved_values_on_the_host(tf1):
    """swap_memory=True: each pushed forward value waits in host memory (one copy out, one
    back) and the gradient is unchanged."""
    def build():
        x = tf.placeholder(tf.float32, [2])
        _, p = tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x),
                             [tf.constant(0), tf.ones([2])], swap_memory=True)
        return [tf.gradients(p, x)[0]], [x]

    x = np.array([1.5, -0.5], F32)
    (dp,), _, cross = _run_both(build, [x])
    np.testing.assert_allclose(dp, 3 * x ** 2, rtol=1e-6)
    # the three saved values of p go out to the host and come back, the fetch comes out
    assert cross.seen.count(("d2h", "float32", (2,))) == 3 + 1
    assert cross.seen.count(("h2d", "float32", (2,))) == 3 + 1    # + the feed


def test_nested_loops_on_the_gpu(tf1):
    def build():
        def outer(i, acc):
            _, acc = tf.while_loop(lambda j, a: j < i,
                                   lambda j, a: (j + 1, a + tf.cast(i * j, tf.float32)),
                                   [tf.constant(0), acc])
            return i + 1, acc
        n = tf.placeholder(tf.int32, [])
        _, total = tf.while_loop(lambda i, a: i < n, outer, [tf.constant(0), tf.constant(0.0)])
        return [total], [n]

    (total,), _, cross = _run_both(build, [np.int32(5)])
    assert total == sum(i * j for i in range(5) for j in range(i))     # 35
    inner = cross.inside_run(feeds=[("h2d", "int32", ())], fetches=[("d2h", "float32", ())])
    assert _scalar_bookkeeping(inner), inner


def test_tensor_arrays_in_a_loop_and_their_gradient_on_the_gpu(tf1):
    def build():
        m = tf.placeholder(tf.float32, [4, 2])
        rows = tf.TensorArray(tf.float32, size=4).unstack(m)
        out = tf.TensorArray(tf.float32, size=4, clear_after_read=False)
        _, out = tf.while_loop(lambda i, o: i < 4,
                               lambda i, o: (i + 1, o.write(i, rows.read(i) * 2.0 + 1.0)),
                               [tf.constant(0), out])
        stacked = out.stack()
        picked = out.gather([3, 1])
        pieces = tf.TensorArray(tf.float32, size=0, dynamic_size=True,
                                infer_shape=False).split(m, [1, 3])
        joined = pieces.concat()
        size = pieces.size()
        grad = tf.gradients(tf.reduce_sum(stacked * stacked), m)[0]
        scattered = tf.TensorArray(tf.float32, size=4).scatter([2, 0, 3, 1], m).stack()
        return [stacked, picked, joined, size, grad, scattered], [m]

    m = np.arange(8, dtype=F32).reshape(4, 2)
    (stacked, picked, joined, size, grad, scattered), types, cross = _run_both(build, [m])
    np.testing.assert_array_equal(stacked, 2 * m + 1)
    np.testing.assert_array_equal(picked, (2 * m + 1)[[3, 1]])
    np.testing.assert_array_equal(joined, m)
    assert size == 2
    np.testing.assert_array_equal(grad, 4 * (2 * m + 1))      # d/dm sum((2m+1)^2)
    np.testing.assert_array_equal(scattered, m[[1, 3, 0, 2]])
    assert {"TensorArrayV3", "TensorArrayReadV3", "TensorArrayWriteV3", "TensorArrayGatherV3",
            "TensorArrayScatterV3", "TensorArrayConcatV3", "TensorArraySplitV3",
            "TensorArraySizeV3", "TensorArrayGradV3"} <= types
    host_out = [("d2h", "float32", s) for s in [(4, 2), (2, 2), (4, 2)]] + \
        [("d2h", "float32", (4, 2)), ("d2h", "float32", (4, 2))]
    inner = cross.inside_run(feeds=[("h2d", "float32", (4, 2))], fetches=host_out)
    # the lengths (int64) of the concat come to the host as TF's HostMemory output; the
    # rest are the loops' predicates and the TensorArray indices
    assert _scalar_bookkeeping([c for c in inner if c[1] != "int64" and c[2] != (4,)]), inner
    assert not [c for c in inner if c[1] == "float32"], inner


def test_a_variable_in_a_cond_and_a_loop_stays_on_the_gpu(tf1):
    """RefSwitch / RefMerge (a cond whose branches assign) and a loop reading the variable,
    all colocated with the variable on the GPU."""
    def build():
        v = tf.Variable(F32(2.0))
        p = tf.placeholder(tf.bool, [])
        with tf.control_dependencies([v.initializer]):
            c = tf.cond(p, lambda: tf.assign(v, v * 3.0), lambda: tf.assign_add(v, 1.0))
        with tf.control_dependencies([c]):
            _, w = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a + v.read_value()),
                                 [0, tf.constant(0.0)])
        return [w], [p]

    (w,), types, _ = _run_both(build, [True])
    assert w == 3 * 6.0
    assert {"RefSwitch", "RefMerge", "VariableV2"} <= types
    (w,), _, _ = _run_both(build, [False])
    assert w == 3 * 3.0


def test_tf_function_with_a_loop_and_a_cond_runs_on_the_gpu_eagerly(tf2):
    @tf2.function
    def f(x, n):
        _, s = tf2.while_loop(lambda i, s: i < n,
                              lambda i, s: (i + 1, s + x * tf2.cast(i, tf2.float32)),
                              [0, tf2.zeros_like(x)])
        return tf2.cond(tf2.reduce_sum(s) > 5.0, lambda: s * 2.0, lambda: s)

    x = tf2.constant(np.array([1.0, 2.0], F32))
    n = tf2.constant(4)
    with tf2.GradientTape() as tape:
        tape.watch(x)
        y = f(x, n)
        loss = tf2.reduce_sum(y)
    assert y.device == GPU0
    np.testing.assert_array_equal(y.numpy(), 2 * 6 * x.numpy())   # sum(0..3) = 6, then > 5
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), [12.0, 12.0])
    plan = f.get_concrete_function(x, n)._get_plan()[0]
    assert {"Enter", "LoopCond", "Switch", "Merge"} <= {op.type for op in plan.placement}
    assert set(plan.placement.values()) == {"GPU"}
    np.testing.assert_array_equal(f(x, tf2.constant(1)).numpy(), [0.0, 0.0])


def test_tensor_array_gradient_aggregates_and_unwritten_elements_read_zeros_on_the_gpu(tf1):
    """Reading one element twice makes its gradient array add two writes to one index; a
    stack over an element never written gives zeros (its shape is known)."""
    def build():
        v = tf.placeholder(tf.float32, [3])
        ta = tf.TensorArray(tf.float32, size=3, clear_after_read=False).unstack(v)
        r = ta.read(1) + ta.read(1) * ta.read(2)
        z = tf.TensorArray(tf.float32, size=2, element_shape=[2]).write(0, [1.0, 2.0]).stack()
        return [r, tf.gradients(r, v)[0], z], [v]

    (r, grad, z), _, _ = _run_both(build, [np.array([1.0, 2.0, 3.0], F32)])
    assert r == 2.0 + 2.0 * 3.0
    np.testing.assert_array_equal(grad, [0.0, 1.0 + 3.0, 2.0])    # d/dv1 = 1 + v2, d/dv2 = v1
    np.testing.assert_array_equal(z, [[1.0, 2.0], [0.0, 0.0]])


def test_a_loop_with_a_cond_an_assign_and_a_closed_tensor_array_on_the_gpu(tf1):
    """A cond inside a loop body (its gradient orders the pushes with ControlTrigger), a
    variable updated in the body (RefEnter), a TensorArray closed after its read
    (TensorArrayCloseV3). x = 1.5: 1.5 -> 3.0 (+x) -> 4.5 (*x) -> 6.75 (*x), so r = 2x^3
    and dr/dx = 6x^2 = 13.5; the variable gains 2 per iteration."""
    def build():
        v = tf.Variable(F32(1.0))
        x = tf.placeholder(tf.float32, [])

        def body(i, a):
            with tf.control_dependencies([tf.assign_add(v, 2.0)]):
                return i + 1, tf.cond(a > 2.0, lambda: a * x, lambda: a + x)
        with tf.control_dependencies([v.initializer]):
            _, r = tf.while_loop(lambda i, a: i < 3, body, [0, x])
        ta = tf.TensorArray(tf.float32, size=1).write(0, x * 2.0)
        val = ta.read(0)
        with tf.control_dependencies([val]):
            close = ta.close()
        with tf.control_dependencies([close, r]):
            after = tf.identity(v.read_value())
        return [r, tf.gradients(r, x)[0], after, val], [x]

    (r, dr, v, val), types, _ = _run_both(build, [F32(1.5)])
    assert (r, dr, v, val) == (6.75, 13.5, 1.0 + 3 * 2.0, 3.0)
    assert {"ControlTrigger", "RefEnter", "TensorArrayCloseV3", "AssignAdd"} <= types


def test_ref_frame_ops_and_stack_close_on_the_gpu(tf1):
    """RefExit and RefNextIteration (a loop variable that is a variable's reference, which
    tf.while_loop itself never makes) forward the variable's slot itself; StackCloseV2
    empties a stack and a push after it is an error, as on the CPU."""
    from types import SimpleNamespace
    from tfteach.framework import registry
    from tfteach.runtime.run_context import VariableSlot
    slot = VariableSlot("v")
    for t in ("RefExit", "RefNextIteration", "RefEnter"):
        assert registry.get(t).kernel_for("GPU")(slot) is slot
    gpu = {t: registry.get(t).kernel_for("GPU")
           for t in ("StackV2", "StackPushV2", "StackPopV2", "StackCloseV2")}
    stack = gpu["StackV2"](np.int32(-1), op=SimpleNamespace(name="s"))
    elem = gpu_memory.to_device(np.array([1.0, 2.0], F32))
    gpu["StackPushV2"](stack, elem)
    assert gpu["StackPopV2"](stack, elem_type=tf.float32) is elem   # never left the device
    gpu["StackPushV2"](stack, elem)
    gpu["StackCloseV2"](stack)
    with pytest.raises(tf.errors.InvalidArgumentError, match="StackPushV2: the stack is closed"):
        gpu["StackPushV2"](stack, elem)


def test_a_loop_pinned_to_the_cpu_between_gpu_ops(tf1):
    """Values cross at the loop's edges: the GPU's result comes to the host for a loop on
    the CPU, and the loop's result goes back to the device for the GPU op after it."""
    def build(loop_device):
        x = tf.placeholder(tf.float32, [2])
        with tf.device("/GPU:0"):
            y = x * 2.0
        with tf.device(loop_device):
            _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + y),
                                 [tf.constant(0), tf.zeros([2])])
        with tf.device("/GPU:0"):
            z = s * 10.0
        return z, x

    out = {}
    for loop_device in ("/CPU:0", "/GPU:0"):
        g = tf.Graph()
        with g.as_default():
            z, x = build(loop_device)
        with tf.Session(graph=g) as sess:
            sess.run(z, {x: [1.0, -2.0]})
            with _Crossings() as cross:
                out[loop_device] = sess.run(z, {x: [1.0, -2.0]})
            where = {op.type: d for p in _plans(sess) for op, d in p.placement.items()}
        assert where["Exit"] == loop_device[1:4] and where["Mul"] == "GPU"
        data = sorted(c for c in cross.seen if c[1] == "float32")
        if loop_device == "/CPU:0":     # x in; y out to the loop, s back in; z out
            assert data == [("d2h", "float32", (2,))] * 2 + [("h2d", "float32", (2,))] * 2
        else:                           # x in, z out
            assert data == [("d2h", "float32", (2,)), ("h2d", "float32", (2,))]
    np.testing.assert_array_equal(out["/CPU:0"], [60.0, -120.0])     # 3 * 2x * 10
    np.testing.assert_array_equal(out["/GPU:0"], out["/CPU:0"])


def test_tensor_lists_in_a_loop_and_their_gradient_on_the_gpu(tf1):
    """TF 2's lists (variant values, ops/list_ops.py) on '/GPU:0': the list travels the
    loop like any loop variable, its elements stay device arrays, and only TF's host-memory
    arguments (indices, shape vectors, counts) cross."""
    from tfteach.ops import list_ops as L

    def build():
        m = tf.placeholder(tf.float32, [4, 2])
        rows = L.tensor_list_from_tensor(m, [2])
        out = L.tensor_list_reserve([2], 4, tf.float32)

        def body(i, o):
            return i + 1, L.tensor_list_set_item(
                o, i, L.tensor_list_get_item(rows, i, tf.float32) * 2.0 + 1.0)
        _, out = tf.while_loop(lambda i, o: i < 4, body, [tf.constant(0), out])
        stacked = L.tensor_list_stack(out, tf.float32, num_elements=4)
        picked = L.tensor_list_gather(out, [3, 1], tf.float32)
        pieces = L.tensor_list_split(m, [-1, 2], np.array([1, 3], np.int64))
        joined = L.tensor_list_concat(pieces, tf.float32, element_shape=[-1, 2])
        grown = L.tensor_list_push_back(L.tensor_list_resize(rows, 2), m[3])
        popped, last = L.tensor_list_pop_back(grown, tf.float32)
        both = L.tensor_list_stack(L.tensor_list_concat_lists(popped, popped, tf.float32),
                                   tf.float32)
        scattered = L.tensor_list_stack(L.tensor_list_scatter(m, [2, 0, 3, 1], [2]),
                                        tf.float32)
        size = L.tensor_list_length(grown)
        shape = L.tensor_list_element_shape(rows, tf.int32)
        grad = tf.gradients(tf.reduce_sum(stacked * stacked), m)[0]
        appended = L.tensor_list_push_back(L.empty_tensor_list([2], tf.float32), m[0])
        into = L.tensor_list_stack(L.tensor_list_scatter(m[2:], [2, 0],
                                                         input_handle=appended), tf.float32)
        return [stacked, picked, joined, last, both, scattered, size, shape, grad, into], [m]

    m = np.arange(8, dtype=F32).reshape(4, 2)
    (stacked, picked, joined, last, both, scattered, size, shape, grad, into), types, cross = \
        _run_both(build, [m])
    np.testing.assert_array_equal(stacked, 2 * m + 1)
    np.testing.assert_array_equal(picked, (2 * m + 1)[[3, 1]])
    np.testing.assert_array_equal(joined, m)
    np.testing.assert_array_equal(last, m[3])
    np.testing.assert_array_equal(both, np.concatenate([m[:2], m[:2]], axis=1))
    np.testing.assert_array_equal(scattered, m[[1, 3, 0, 2]])
    assert size == 3 and shape.tolist() == [2]
    np.testing.assert_array_equal(grad, 4 * (2 * m + 1))      # d/dm sum((2m+1)^2)
    np.testing.assert_array_equal(into, [m[3], [0, 0], m[2]])    # index 1 never set: zeros
    assert {"EmptyTensorList", "TensorListScatterIntoExistingList", "TensorListFromTensor",
            "TensorListReserve", "TensorListSetItem",
            "TensorListGetItem", "TensorListStack", "TensorListGather", "TensorListSplit",
            "TensorListConcatV2", "TensorListPushBack", "TensorListResize",
            "TensorListPopBack", "TensorListConcatLists", "TensorListScatterV2",
            "TensorListLength", "TensorListElementShape"} <= types
    host_out = [("d2h", "float32", s) for s in [(4, 2), (2, 2), (4, 2), (2,), (2, 4),
                                                (4, 2)]] + \
        [("d2h", "float32", (4, 2)), ("d2h", "float32", (3, 2))]
    inner = cross.inside_run(feeds=[("h2d", "float32", (4, 2))], fetches=host_out)
    # besides the loops' predicates and indices: the concat's int64 lengths (host memory
    # in TF) and the gradient's shape arithmetic (int32 vectors of at most the rank, which
    # tfteach computes on the device where TF keeps int32 on the host); never the data
    assert not [c for c in inner if not (c[1] in ("bool", "int32") and len(c[2]) <= 1 and
                                          (not c[2] or c[2][0] <= 2) or c[1] == "int64")], \
        inner
    assert not [c for c in inner if c[1] == "float32"], inner
