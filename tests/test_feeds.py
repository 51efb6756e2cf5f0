"""Session feeds: the fast path (a NumPy array of the placeholder's dtype, a Python float for a
float placeholder) must refuse what the general path refuses, with TF's message. Messages
are TF 2.21's (`Cannot feed value of shape S for Tensor N, which has shape P`)."""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("v1")

# (placeholder dtype, placeholder shape, fed value's shape): every one a mismatch
WRONG = [
    ("float32", [None, 3], (3,)),          # rank too small
    ("float32", [None, 3], (2, 3, 1)),     # rank too large
    ("float32", [2, None], (3, 4)),        # a known dim differs
    ("float64", [], (1,)),                 # scalar placeholder, vector fed
    ("float32", [None], (2, 3)),
    ("int32", [4], (2, 2)),
]


def _shape_text(shape):
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


@pytest.mark.parametrize("dtype,shape,fed", WRONG)
def test_wrong_shape_is_refused_on_both_paths(tf1, dtype, shape, fed):
    tf = tf1
    p = tf.placeholder(getattr(tf, dtype), shape, name="p")
    y = tf.identity(p)
    arr = np.ones(fed, dtype=dtype)
    msgs = []
    with tf.Session() as s:
        # same dtype ndarray (fast path), a list and an array of another dtype (general path)
        other = arr.astype(np.float64 if dtype != "float64" else np.float32)
        for value in (arr, arr.tolist(), other):
            with pytest.raises(ValueError) as e:
                s.run(y, {p: value})
            msgs.append(str(e.value))
    assert msgs[0] == msgs[1] == msgs[2] == (
        f"Cannot feed value of shape {fed!r} for Tensor p:0, which has shape "
        f"{_shape_text(shape)}")


@pytest.mark.parametrize("shape", [[2], [None], [1, 1], [None, None]])
def test_python_float_into_a_non_scalar_placeholder(tf1, shape):
    tf = tf1
    p = tf.placeholder(tf.float32, shape, name="p")
    with tf.Session() as s:
        with pytest.raises(ValueError) as e:
            s.run(p * 2.0, {p: 1.5})
    assert str(e.value) == (f"Cannot feed value of shape () for Tensor p:0, which has shape "
                            f"{_shape_text(shape)}")


def test_fast_path_values_and_dtypes(tf1):
    tf = tf1
    p32 = tf.placeholder(tf.float32, [None, 2])
    p64 = tf.placeholder(tf.float64, [])
    ph = tf.placeholder(tf.float16, [])
    with tf.Session() as s:
        a = np.array([[1.5, 2.5]], dtype=np.float32)
        r32, r64, r16 = s.run([p32 * 2.0, p64 + 1.0, ph * 2.0], {p32: a, p64: 0.1, ph: 0.1})
    assert r32.dtype == np.float32 and r32.tolist() == [[3.0, 5.0]]
    assert type(r64) is np.float64 and r64 == np.float64(0.1) + 1.0
    assert r16.dtype == np.float16 and r16 == np.float16(0.1) * np.float16(2.0)


def test_fed_array_is_not_aliased(tf1):
    """The kernels see a read-only view: an op that writes in place cannot change the caller's
    array, and a later change to the array does not reach a value already run."""
    tf = tf1
    p = tf.placeholder(tf.float32, [3])
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    with tf.Session() as s:
        out = s.run(tf.identity(p), {p: a})
        a[0] = 100.0
    assert out.tolist() == [1.0, 2.0, 3.0]
    assert a.flags.writeable


def test_unfeedable_tensor_is_refused_on_both_paths(tf1):
    tf = tf1
    p = tf.placeholder(tf.float32, [2], name="p")
    q = tf.identity(p, name="q")
    tf.get_default_graph().prevent_feeding(q)
    with tf.Session() as s:
        for value in (np.zeros(2, np.float32), [0.0, 0.0]):
            with pytest.raises(ValueError, match="^Tensor q:0 may not be fed.$"):
                s.run(q, {q: value})
        p_scalar = tf.placeholder(tf.float32, [], name="ps")
        r = tf.identity(p_scalar, name="r")
        tf.get_default_graph().prevent_feeding(r)
        with pytest.raises(ValueError, match="^Tensor r:0 may not be fed.$"):
            s.run(r, {r: 1.0})


def test_int_feed_out_of_range(tf1):
    tf = tf1
    p = tf.placeholder(tf.int32, [])
    with tf.Session() as s:
        assert s.run(p + 1, {p: 2 ** 31 - 2}) == 2 ** 31 - 1
        with pytest.raises(TypeError, match="Try explicitly setting the type of the feed "
                                            "tensor to a larger type"):
            s.run(p + 1, {p: 2 ** 31})
        with pytest.raises(errors.InvalidArgumentError, match="must feed a value"):
            s.run(p + 1)


def test_other_dtype_arrays_are_converted_to_the_placeholder_dtype(tf1):
    """An array of another dtype takes the general path: converted like np.asarray(v, dtype)."""
    tf = tf1
    p = tf.placeholder(tf.float32, [2], name="p")
    i = tf.placeholder(tf.int32, [2], name="i")
    with tf.Session() as s:
        a64 = np.array([0.1, 1e-46], dtype=np.float64)
        got = s.run(tf.identity(p), {p: a64})
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, a64.astype(np.float32))
        got = s.run(tf.identity(p), {p: np.array([3, -4], dtype=np.int64)})
        assert got.dtype == np.float32 and got.tolist() == [3.0, -4.0]
        got = s.run(tf.identity(i), {i: np.array([7, -9], dtype=np.int64)})
        assert got.dtype == np.int32 and got.tolist() == [7, -9]
        # a narrower array for a wider placeholder is widened, never passed through
        d = tf.placeholder(tf.float64, [2])
        l = tf.placeholder(tf.int64, [2])
        got = s.run(tf.identity(d), {d: np.array([0.1, 2.5], dtype=np.float32)})
        assert got.dtype == np.float64 and got.tolist() == [float(np.float32(0.1)), 2.5]
        got = s.run(tf.identity(l), {l: np.array([5, -6], dtype=np.int32)})
        assert got.dtype == np.int64 and got.tolist() == [5, -6]
        # a float for an int placeholder: the general path, TF truncates like NumPy
        assert s.run(tf.identity(i), {i: np.array([2.7, -2.7])}).tolist() == [2, -2]


def test_int_feed_limits_are_inclusive(tf1):
    tf = tf1
    p = tf.placeholder(tf.int32, [])
    with tf.Session() as s:
        assert s.run(p, {p: -2 ** 31}) == -2 ** 31
        assert s.run(p, {p: 2 ** 31 - 1}) == 2 ** 31 - 1
        with pytest.raises(TypeError, match="larger type"):
            s.run(p, {p: -2 ** 31 - 1})


def test_a_fed_array_cannot_be_changed_through_the_graph(tf1):
    """A py_func that writes into its input must not reach the caller's array: TF copies the
    feed into a tensor, tfteach hands the kernels a read-only view."""
    tf = tf1
    p = tf.placeholder(tf.float32, [3])
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)

    def poke(v):
        try:
            v[0] = 99.0
        except ValueError:       # read-only: what tfteach's view gives
            pass
        return v * 2

    y = tf.py_func(poke, [p], tf.float32)
    with tf.Session() as s:
        out = s.run(y, {p: a})
    assert a.tolist() == [1.0, 2.0, 3.0]
    assert out[1:].tolist() == [4.0, 6.0]


def test_control_dependency_on_a_fed_placeholder_is_satisfied_by_the_feed(tf1):
    """As in TF 2.21 (checked there): feeding every output of an op stands for running it,
    control edges included (tf.metrics.mean's count update waits on its values); unfed,
    the placeholder is still missing."""
    p = tf1.placeholder(tf1.float32, [2], name="p")
    q = tf1.placeholder(tf1.float32, [2], name="q")
    with tf1.control_dependencies([p]):
        c = tf1.constant(3.0) + 1.
    with tf1.Session() as s:
        assert s.run(c, {p: [1., 2.]}) == 4.0
        with pytest.raises(errors.InvalidArgumentError,
                           match="You must feed a value for placeholder tensor 'p'"):
            s.run(c, {q: [1., 2.]})
