"""GPU kernels of the ops TF 2.21 places on a GPU around host-side state, in numba's CUDA
simulator: tf.data iterators and optionals, the FIFO queue, _Send/_Recv, py_function; and the
decompositions Qr (TF's host-memory kernel), Svd and SelfAdjointEigV2 (Jacobi on the device),
SparseReorder (a merge sort on the device).

Runs only in a process started with NUMBA_ENABLE_CUDASIM=1 (tests/test_cuda_parity.py starts
it). The oracle: the same graphs on the CPU (pinned to TF by the rest of the suite), TF's
placement (its kernel registrations, tests/data/tf_gpu_kernels.json: which ops have a GPU
kernel, which arguments stay in host memory), and for the decompositions the defining
identities (reconstruction, orthonormal vectors, sorted values), since TF leaves the signs of
vectors to each device's solver.
"""
import os

import numpy as np
import pytest

_ACTIVE = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or \
    os.environ.get("TFTEACH_CUDA_REAL") == "1"
pytestmark = [pytest.mark.mode("v2"),
              pytest.mark.skipif(not _ACTIVE, reason="needs NUMBA_ENABLE_CUDASIM=1 before "
                                 "numba is imported (or TFTEACH_CUDA_REAL=1 on a GPU)")]

F32 = np.float32
GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"

if _ACTIVE:
    import tfteach as tf
    import tfteach.v1 as tf1
    from tfteach.framework import registry
    from tfteach.kernels import gpu_memory


def _plans(sess):
    """The session's plans: per cached fetch structure, and by signature for the others."""
    return [p for f in sess._fetch_cache.values() for p in f.plans.values()] + \
        list(sess._plans.values())


def _where(sess):
    return {op.name: d for p in _plans(sess) for op, d in p.placement.items()}


def _types_where(sess):
    out = {}
    for p in _plans(sess):
        for op, d in p.placement.items():
            out.setdefault(op.type, set()).add(d)
    return out


def _delta(before):
    after = gpu_memory.copy_counts()
    return {k: after[k] - before[k] for k in after}


HARD = {"allow_soft_placement": False}


def _session(g, soft=False):
    return tf1.Session(graph=g, config=tf1.ConfigProto(allow_soft_placement=soft))


# --- one program: input pipeline, queue, decompositions -------------------------------------
def _pipeline(device, x, w):
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        ds = tf1.data.Dataset.from_tensor_slices(x).batch(3)
        it = tf1.data.make_initializable_iterator(ds)
        h = tf1.matmul(it.get_next(), tf1.constant(w))            # 3 x 3
        q = tf1.FIFOQueue(2, [tf1.float64], shapes=[[3, 3]])
        enq = q.enqueue([h])
        m = q.dequeue()
        sym = m + tf1.transpose(m)
        outs = {"qr": tuple(tf1.linalg.qr(m)), "svd": tuple(tf1.linalg.svd(m)),
                "eigh": tuple(tf1.linalg.eigh(sym))}
    return g, it, enq, outs


def test_input_pipeline_queue_and_decompositions_run_wholly_on_the_gpu():
    """The brief's program: a tf.data iterator feeding a matmul, its product through a FIFO
    queue, and Qr / Svd / eigh of what comes out, in one graph under tf.device('/GPU:0')
    with soft placement off: every op on the GPU, the CPU's values (vectors up to sign)."""
    rng = np.random.default_rng(21)
    x = rng.standard_normal((6, 4))
    w = rng.standard_normal((4, 3))
    res = {}
    for device in ("/CPU:0", "/GPU:0"):
        g, it, enq, outs = _pipeline(device, x, w)
        with _session(g) as sess:
            sess.run(it.initializer)
            sess.run(enq)
            sess.run(enq)
            res[device] = [sess.run(outs), sess.run(outs)]
            where = _types_where(sess)
    assert {"IteratorV2", "MakeIterator", "IteratorGetNext", "MatMul", "FIFOQueueV2",
            "QueueEnqueueV2", "QueueDequeueV2", "Qr", "Svd", "SelfAdjointEigV2"} <= set(where)
    assert all(d == {"GPU"} for d in where.values()), where
    for step, (got, want) in enumerate(zip(res["/GPU:0"], res["/CPU:0"])):
        m = x[3 * step:3 * step + 3] @ w
        for a, b in zip(got["qr"], want["qr"]):      # the matmul's rounding, nothing more
            np.testing.assert_allclose(a, b, atol=1e-12)
        s, u, v = got["svd"]
        np.testing.assert_allclose(s, want["svd"][0], rtol=1e-12)
        np.testing.assert_allclose((u * s) @ v.T, m, atol=1e-12)
        _cols_match_up_to_sign(u, want["svd"][1], 1e-10)
        e, vec = got["eigh"]
        np.testing.assert_allclose(e, want["eigh"][0], atol=1e-12)
        _cols_match_up_to_sign(vec, want["eigh"][1], 1e-10)


# --- tf.data iterators ------------------------------------------------------------------
def _iterator_graph(device, x, w):
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        data = tf1.placeholder(tf1.float32, [None, 2])
        ds = tf1.data.Dataset.from_tensor_slices(data).batch(2)
        it = tf1.data.make_initializable_iterator(ds)
        y = tf1.matmul(it.get_next(), tf1.constant(w))
    return g, data, it, y


def test_initializable_iterator_feeds_a_matmul_wholly_on_the_gpu():
    """IteratorV2, MakeIterator and IteratorGetNext are placed on '/GPU:0' with soft placement
    off; the element lands in device memory (one copy in per run) and the matmul reads it
    there; the values, and the end of the data, are the CPU's."""
    x = np.arange(12, dtype=F32).reshape(6, 2) / 7
    w = np.array([[1.0, 2.0], [3.0, -1.0]], F32)
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        g, data, it, y = _iterator_graph(device, x, w)
        with _session(g) as sess:
            sess.run(it.initializer, {data: x})
            got = [sess.run(y)]
            before = gpu_memory.copy_counts()
            got.append(sess.run(y))
            copies = _delta(before)
            got.append(sess.run(y))
            with pytest.raises(tf1.errors.OutOfRangeError):
                sess.run(y)
            where = _types_where(sess)
        out[device] = got
    assert {"IteratorV2", "MakeIterator", "IteratorGetNext", "MatMul"} <= set(where)
    assert all(d == {"GPU"} for d in where.values()), where
    assert copies == {"h2d": 1, "d2h": 1}, copies       # the element in, the product out
    for a, b in zip(out["/GPU:0"], out["/CPU:0"]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(np.concatenate(out["/CPU:0"]), x @ w, rtol=1e-6)


def test_one_shot_iterator_stays_on_the_cpu_as_in_tf():
    """TF 2.21 has no GPU kernel for OneShotIterator: pinned to the GPU it is TF's placement
    error; with soft placement (or made on the CPU) it runs there and its GetNext on the GPU
    reads the host iterator."""
    x = np.arange(8, dtype=F32).reshape(4, 2)
    g = tf1.Graph()
    with g.as_default(), tf1.device("/GPU:0"):
        it = tf1.data.make_one_shot_iterator(tf1.data.Dataset.from_tensor_slices(x))
        y = it.get_next() * 2.0
    with _session(g) as sess:
        with pytest.raises(tf1.errors.InvalidArgumentError,
                           match=r"Cannot assign a device for operation OneShotIterator"):
            sess.run(y)
    with _session(g, soft=True) as sess:
        got = [sess.run(y) for _ in range(4)]
        where = _types_where(sess)
    assert where["OneShotIterator"] == {"CPU"}
    assert where["IteratorGetNext"] == {"GPU"} and where["Mul"] == {"GPU"}
    np.testing.assert_array_equal(got, 2 * x)
    g = tf1.Graph()
    with g.as_default():
        with tf1.device("/CPU:0"):
            it = tf1.data.make_one_shot_iterator(tf1.data.Dataset.from_tensor_slices(x))
        with tf1.device("/GPU:0"):
            y = it.get_next() * 2.0
    with _session(g) as sess:
        got = [sess.run(y) for _ in range(4)]
        where = _types_where(sess)
    assert where["IteratorGetNext"] == {"GPU"} and where["OneShotIterator"] == {"CPU"}
    np.testing.assert_array_equal(got, 2 * x)


def test_feedable_iterator_string_handles_on_the_gpu():
    """IteratorToStringHandle and IteratorFromStringHandleV2 run on the GPU device with the
    string handle in host memory (TF's HostMemory); the fed handle picks the iterator."""
    a = np.array([[1.0, 2.0], [3.0, 4.0]], F32)
    b = np.array([[-1.0, 0.5]], F32)
    g = tf1.Graph()
    with g.as_default(), tf1.device("/GPU:0"):
        it_a = tf1.data.make_initializable_iterator(tf1.data.Dataset.from_tensor_slices(a))
        it_b = tf1.data.make_initializable_iterator(tf1.data.Dataset.from_tensor_slices(b))
        handle = tf1.placeholder(tf1.string, [])
        it = tf1.data.Iterator.from_string_handle(handle, tf1.float32, [2])
        y = it.get_next() + 1.0
        ha, hb = it_a.string_handle(), it_b.string_handle()
    with _session(g) as sess:
        sess.run([it_a.initializer, it_b.initializer])
        sa, sb = sess.run([ha, hb])
        got = [sess.run(y, {handle: sa}), sess.run(y, {handle: sb}), sess.run(y, {handle: sa})]
        where = _types_where(sess)
    assert where["IteratorToStringHandle"] == {"GPU"}
    assert where["IteratorFromStringHandleV2"] == {"GPU"} and where["IteratorGetNext"] == {"GPU"}
    np.testing.assert_array_equal(got, [a[0] + 1, b[0] + 1, a[1] + 1])


def test_dataset_loop_in_a_tf_function_on_the_gpu(capfd):
    """A `for` loop over a dataset in a tf.function: the anonymous iterator and its optionals
    are GPU ops (TF2's default device), the optional's has_value in host memory for the
    loop's condition; the sum is the CPU's."""
    x = np.arange(10, dtype=F32).reshape(5, 2)

    def total(ds):
        s = tf.zeros([2])
        for e in ds:
            s += e * e
        return s

    ds = tf.data.Dataset.from_tensor_slices(x)
    tf.debugging.set_log_device_placement(True)
    try:
        got = tf.function(total)(ds)
    finally:
        tf.debugging.set_log_device_placement(False)
    log = capfd.readouterr().err
    for t in ("AnonymousIteratorV3", "IteratorGetNextAsOptional"):
        assert f"{t}: ({t}): {GPU0}" in log, log
    assert got.device == GPU0
    with tf.device("/CPU:0"):
        want = tf.function(total)(ds)
    np.testing.assert_allclose(got.numpy(), want.numpy())
    np.testing.assert_allclose(got.numpy(), (x * x).sum(0))


def test_iterator_kernels_hand_out_device_arrays_and_host_memory_where_tf_does():
    from tfteach.kernels.cpu.dataset import _Optional
    get_value = registry.get("OptionalGetValue").kernel_for("GPU")
    has_value = registry.get("OptionalHasValue").kernel_for("GPU")
    opt = _Optional((np.array([1.0, 2.0], F32), np.array([b"a"], object)))
    v, s = get_value(opt, output_types=[tf1.float32, tf1.string], output_shapes=[[2], [1]])
    assert gpu_memory.is_device_array(v) and not gpu_memory.is_device_array(s)
    np.testing.assert_array_equal(v.copy_to_host(), [1.0, 2.0])
    assert has_value(opt) is np.True_ or bool(has_value(opt)) is True
    assert not gpu_memory.is_device_array(has_value(opt))
    assert registry.get("OptionalHasValue").host_memory(1, 1) == (frozenset(), frozenset({0}))
    assert registry.get("MakeIterator").host_memory(3, 0) == (frozenset({1, 2}), frozenset())


# --- the FIFO queue ---------------------------------------------------------------------
def _queue_graph(device):
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        q = tf1.FIFOQueue(4, [tf1.float32, tf1.int64], shapes=[[2], []])
        v = tf1.placeholder(tf1.float32, [2])
        enq = q.enqueue([v, tf1.constant(7, tf1.int64)])
        first, second = q.dequeue()
        y = first * 2.0
        size, closed, close = q.size(), q.is_closed(), q.close()
    with g.as_default(), tf1.device("/CPU:0"):
        many = q.dequeue_many(2)        # no GPU kernel in TF: reads the same queue on the CPU
    return g, v, enq, y, second, size, closed, close, many


def test_fifo_queue_enqueue_dequeue_on_the_gpu():
    """FIFOQueueV2, QueueEnqueueV2, QueueDequeueV2, QueueSizeV2, QueueIsClosedV2 and
    QueueCloseV2 on '/GPU:0' with soft placement off (handles in host memory, as TF); the
    dequeued components land in device memory (a copy in for each, the float one read
    there by the Mul);
    a DequeueMany on the CPU reads what GPU enqueues put in; values as on the CPU."""
    out = {}
    for device in ("/CPU:0", "/GPU:0"):
        g, v, enq, y, second, size, closed, close, many = _queue_graph(device)
        with _session(g) as sess:
            for i in range(4):
                sess.run(enq, {v: np.array([i, i + 0.5], F32)})
            res = [sess.run(size), sess.run(closed), sess.run(y)]
            before = gpu_memory.copy_counts()
            res.append(sess.run(y))
            copies = _delta(before)
            res.append(sess.run(many))
            sess.run(close)
            res.append(sess.run(closed))
            with pytest.raises(tf1.errors.OutOfRangeError, match="is closed and has "
                                                                 "insufficient elements"):
                sess.run(y)
            where = _where(sess)
        out[device] = (res, copies, where)
    (res, copies, where), (want, _, _) = out["/GPU:0"], out["/CPU:0"]
    types = {}
    g = _queue_graph("/GPU:0")[0]
    for name, d in where.items():
        types.setdefault(g.get_operation_by_name(name).type, set()).add(d)
    for t in ("FIFOQueueV2", "QueueEnqueueV2", "QueueDequeueV2", "QueueSizeV2",
              "QueueIsClosedV2", "QueueCloseV2", "Mul"):
        assert types[t] == {"GPU"}, (t, types)
    assert types["QueueDequeueManyV2"] == {"CPU"}
    assert copies == {"h2d": 2, "d2h": 1}, copies
    assert res[0] == want[0] == 4 and not res[1] and res[-1]
    for k in (2, 3):
        np.testing.assert_array_equal(res[k], want[k])
    np.testing.assert_array_equal(res[2:4], [[0.0, 1.0], [2.0, 3.0]])
    for a, b in zip(res[4], want[4]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(res[4][0], [[2.0, 2.5], [3.0, 3.5]])
    np.testing.assert_array_equal(res[4][1], [7, 7])


# --- _Send / _Recv ----------------------------------------------------------------------
class _Rendezvous:
    def __init__(self):
        self.box = {}

    def send(self, key, value, recv_device, client_terminated):
        self.box[key] = value

    def recv(self, key, send_device, client_terminated):
        return self.box.pop(key)


class _Ctx:
    def __init__(self, r):
        self.rendezvous = r


def test_send_and_recv_on_the_gpu_cross_as_host_values():
    """A GPU _Send stages its device tensor to the host for the rendezvous (whose transport
    moves host bytes); a GPU _Recv hands out a device array; a CPU _Recv of a GPU send gets
    a host array. The key is TF's, as on the CPU."""
    ctx = _Ctx(_Rendezvous())
    attrs = dict(tensor_name="edge_3_x", send_device="/job:w/replica:0/task:0/device:GPU:0",
                 send_device_incarnation=5, recv_device="/job:w/replica:0/task:1/device:GPU:0",
                 client_terminated=False)
    x = np.arange(6, dtype=F32).reshape(2, 3)
    send = registry.get("_Send").kernel_for("GPU")
    recv = registry.get("_Recv").kernel_for("GPU")
    send(gpu_memory.to_device(x), ctx=ctx, **attrs)
    (key, staged), = ctx.rendezvous.box.items()
    assert key == ("/job:w/replica:0/task:0/device:GPU:0;0000000000000005;"
                   "/job:w/replica:0/task:1/device:GPU:0;edge_3_x;0:0")
    assert isinstance(staged, np.ndarray)
    got = recv(ctx=ctx, **attrs)
    assert gpu_memory.is_device_array(got)
    np.testing.assert_array_equal(got.copy_to_host(), x)
    send(gpu_memory.to_device(x), ctx=ctx, **attrs)
    host = registry.get("_Recv").kernel_for("CPU")(ctx=ctx, **attrs)
    assert isinstance(host, np.ndarray)
    np.testing.assert_array_equal(host, x)
    assert registry.get("_Send").host_memory(1, 0) == (frozenset(), frozenset())


# --- py_function ------------------------------------------------------------------------
def test_py_function_on_the_gpu():
    """EagerPyFunc is placed on the GPU for the types TF's GPU kernel takes, its result in
    device memory for the Mul after it; with an int32 output (not in TF's GPU list) it is TF's
    placement error without soft placement, the CPU with it."""
    g = tf1.Graph()
    with g.as_default(), tf1.device("/GPU:0"):
        c = tf1.constant([1.0, -2.0, 3.0])
        f = tf1.py_function(lambda t: t * t + 1.0, [c], tf1.float32)
        y = f * 2.0
        n = tf1.py_function(lambda t: tf.cast(t, tf.int32), [c], tf1.int32)
    with _session(g) as sess:
        got = sess.run(y)
        where = _types_where(sess)
        with pytest.raises(tf1.errors.InvalidArgumentError,
                           match=r"Cannot assign a device for operation EagerPyFunc_1"):
            sess.run(n)
    assert where["EagerPyFunc"] == {"GPU"} and where["Mul"] == {"GPU"}
    np.testing.assert_allclose(got, [4.0, 10.0, 20.0])
    with _session(g, soft=True) as sess:
        np.testing.assert_array_equal(sess.run(n), [1, -2, 3])
        assert _where(sess)["EagerPyFunc_1"] == "CPU"


# --- decompositions ---------------------------------------------------------------------
def _eye_like(m):
    k = m.shape[-1]
    return np.broadcast_to(np.eye(k), m.shape[:-2] + (k, k))


def _cols_match_up_to_sign(a, b, tol):
    """Vectors of distinct values are unique up to sign (TF: signs may differ by device)."""
    sign = np.sign(np.sum(a * b, axis=-2, keepdims=True))
    np.testing.assert_allclose(a * sign, b, atol=tol)


def _linalg_graph(device, x, sym):
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        c, h = tf1.constant(x), tf1.constant(sym)
        outs = {
            "svd": tf1.linalg.svd(c), "svd_full": tf1.linalg.svd(c, full_matrices=True),
            "svd_t": tf1.linalg.svd(tf1.linalg.matrix_transpose(c), full_matrices=True),
            "s_only": tf1.linalg.svd(c, compute_uv=False),
            "eigh": tf1.linalg.eigh(h), "eigvalsh": tf1.linalg.eigvalsh(h),
            "qr": tuple(tf1.linalg.qr(c)), "qr_full": tuple(tf1.linalg.qr(c, full_matrices=True)),
        }
    return g, outs


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_qr_svd_eigh_on_the_gpu_match_the_cpu(dt):
    """Placed on '/GPU:0' with soft placement off: singular values (descending) and
    eigenvalues (ascending) as the CPU's; u, v, eigenvectors orthonormal, the products give
    the input back, and each vector is the CPU's up to its sign (distinct values); eigh reads
    only the lower triangle; Qr is TF's host-memory kernel, the CPU's numbers exactly."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 5, 3)).astype(dt)
    lower = rng.standard_normal((3, 4, 4)).astype(dt)
    sym = np.tril(lower) + np.swapaxes(np.tril(lower, -1), -1, -2)
    junk = np.triu(rng.standard_normal((3, 4, 4)).astype(dt), 1)     # above the diagonal
    tol = 2e-4 if dt == np.float32 else 1e-10
    res = {}
    for device in ("/CPU:0", "/GPU:0"):
        g, outs = _linalg_graph(device, x, np.tril(lower) + junk)
        with _session(g) as sess:
            res[device] = sess.run(outs)
            where = _types_where(sess)
    assert where["Svd"] == where["SelfAdjointEigV2"] == where["Qr"] == {"GPU"}
    got, want = res["/GPU:0"], res["/CPU:0"]
    for k in want:
        for a, b in zip(np.atleast_1d(got[k]) if k in ("s_only", "eigvalsh") else got[k],
                        np.atleast_1d(want[k]) if k in ("s_only", "eigvalsh") else want[k]):
            assert np.asarray(a).shape == np.asarray(b).shape and \
                np.asarray(a).dtype == np.asarray(b).dtype == dt, k
    for k in ("qr", "qr_full"):
        for a, b in zip(got[k], want[k]):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(got["s_only"], want["s_only"], rtol=tol, atol=tol)
    np.testing.assert_allclose(got["eigvalsh"], want["eigvalsh"], rtol=tol, atol=tol)
    s = got["svd"][0]
    assert np.all(np.diff(s, axis=-1) <= 0) and np.all(np.diff(got["eigh"][0], axis=-1) >= 0)
    for k, a in (("svd", x), ("svd_full", x), ("svd_t", np.swapaxes(x, -1, -2))):
        s, u, v = got[k]
        np.testing.assert_allclose(s, want[k][0], rtol=tol, atol=tol)
        kk = s.shape[-1]
        rec = np.einsum("...ik,...k,...jk->...ij", u[..., :kk], s, v[..., :kk])
        np.testing.assert_allclose(rec, a, atol=10 * tol)
        for m in (u, v):
            np.testing.assert_allclose(np.swapaxes(m, -1, -2) @ m, _eye_like(m), atol=10 * tol)
        _cols_match_up_to_sign(u[..., :kk], want[k][1][..., :kk], 10 * tol)
        _cols_match_up_to_sign(v[..., :kk], want[k][2][..., :kk], 10 * tol)
    assert got["svd_full"][1].shape == (2, 5, 5) and got["svd_t"][2].shape == (2, 5, 5)
    e, v = got["eigh"]
    np.testing.assert_allclose(e, want["eigh"][0], rtol=tol, atol=tol)
    np.testing.assert_allclose(v @ (e[..., :, None] * np.swapaxes(v, -1, -2)), sym,
                               atol=10 * tol)
    np.testing.assert_allclose(np.swapaxes(v, -1, -2) @ v, _eye_like(v), atol=10 * tol)
    _cols_match_up_to_sign(v, want["eigh"][1], 10 * tol)


def test_svd_of_a_rank_deficient_matrix_keeps_u_orthonormal():
    """Zero singular values: the left vectors are completed to an orthonormal set (as
    LAPACK's are), also for full_matrices."""
    a = np.outer([1.0, 2.0, 0.0, -1.0], [3.0, 1.0, 2.0])     # rank 1, 4 x 3
    for full in (False, True):
        g = tf1.Graph()
        with g.as_default(), tf1.device("/GPU:0"):
            out = tf1.linalg.svd(tf1.constant(a), full_matrices=full)
        with _session(g) as sess:
            s, u, v = sess.run(out)
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-12)
        np.testing.assert_allclose(u.T @ u, np.eye(u.shape[1]), atol=1e-12)
        np.testing.assert_allclose(v.T @ v, np.eye(3), atol=1e-12)
        np.testing.assert_allclose((u[:, :3] * s) @ v.T, a, atol=1e-12)


# --- SparseReorder ----------------------------------------------------------------------
def _reorder(device, idx, vals, shape):
    g = tf1.Graph()
    with g.as_default(), tf1.device(device):
        sp = tf1.SparseTensor(tf1.constant(idx, tf1.int64), tf1.constant(vals),
                              tf1.constant(shape, tf1.int64))
        r = tf1.sparse.reorder(sp)
    with _session(g) as sess:
        got = sess.run([r.indices, r.values])
        return got, _types_where(sess)["SparseReorder"]


def test_sparse_reorder_on_the_gpu():
    """A stable lexicographic sort of the index rows on the device: TF 2.21's order for rows
    outside the shape and for repeated rows (recorded in tests/test_sparse.py), and the CPU's
    for a random batch of 3-d indices, values of several dtypes."""
    (i, v), where = _reorder("/GPU:0", [[1, 1], [0, 2], [1, 0], [0, 2], [3, 1]],
                             np.array([1.0, 2.0, 3.0, 4.0, 5.0], F32), [2, 3])
    assert where == {"GPU"}
    np.testing.assert_array_equal(i, [[0, 2], [0, 2], [1, 0], [1, 1], [3, 1]])
    np.testing.assert_array_equal(v, [2.0, 4.0, 3.0, 1.0, 5.0])
    rng = np.random.default_rng(9)
    idx = rng.integers(0, 3, (37, 3))
    for vals in (rng.standard_normal(37), rng.integers(-9, 9, 37).astype(np.int32),
                 rng.random(37) > 0.5):
        got, where = _reorder("/GPU:0", idx, vals, [3, 3, 3])
        want, _ = _reorder("/CPU:0", idx, vals, [3, 3, 3])
        assert where == {"GPU"}
        for a, b in zip(got, want):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


# --- spectral ops: host-staged GPU kernels (kernels/cuda/signal.py) ---------------------------
def test_audio_spectrogram_and_its_gradient_place_the_ffts_on_the_gpu():
    """|stft| of a waveform and its gradient under tf.device('/GPU:0'): RFFT (forward) and
    IRFFT (its gradient) run their host-staged GPU kernels, as TF places them on a GPU, and
    give the CPU's values. Soft placement: the gradient's int32 -> complex64 Cast has no
    tfteach GPU kernel yet (TF has one), so it alone runs on the CPU."""
    sig = np.random.default_rng(3).standard_normal((2, 1000)).astype(F32)
    res = {}
    for device in ("/CPU:0", "/GPU:0"):
        g = tf1.Graph()
        with g.as_default(), tf1.device(device):
            p = tf1.placeholder(tf1.float32, [None, 1000])
            y = tf1.abs(tf1.signal.stft(p, 255, 128))
            (gr,) = tf1.gradients(tf1.reduce_sum(y), [p])
        with _session(g, soft=True) as sess:
            res[device] = sess.run([y, gr], {p: sig})
            where = _types_where(sess)
    assert where["RFFT"] == {"GPU"} and where["IRFFT"] == {"GPU"}
    assert where["ComplexAbs"] == {"GPU"}
    for a, b in zip(res["/GPU:0"], res["/CPU:0"]):
        # float32 sums in another order (segment sums, the window's cosines): rounding only
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())
