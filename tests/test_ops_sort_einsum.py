"""top_k, sort, argsort, searchsorted, einsum and the small array ops added beside them.

Expected op names, values and error texts were measured with TF 2.21 (`tf.compat.v1` with
v2 behaviour disabled for graphs, TF2 eager for values) and are hard-coded here.
"""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

X = np.array([[3., 1., 3., 2., 1.], [0., 5., 5., 5., -1.]], np.float32)


def _ops(g):
    return [(o.name, o.type) for o in g.get_operations()]


# --- top_k / sort / argsort / searchsorted ---------------------------------------------------

def test_top_k_values_ties_and_nan(tf2):
    v, i = tf2.math.top_k(tf2.constant(X), 3)
    assert v.numpy().tolist() == [[3., 3., 2.], [5., 5., 5.]]
    assert i.numpy().tolist() == [[0, 2, 3], [1, 2, 3]] and i.dtype == tf2.int32
    v, i = tf2.nn.top_k(tf2.constant([1., np.nan, 3.]), 3)
    assert i.numpy().tolist() == [2, 0, 1] and np.isnan(v.numpy()[2])
    v, i = tf2.math.top_k(tf2.constant([3, -2147483648, 7]), 2)
    assert v.numpy().tolist() == [7, 3] and i.numpy().tolist() == [2, 0]
    # sorted=False: TF's order is unspecified; the same values and indices come back
    v, i = tf2.math.top_k(tf2.constant(X), 3, sorted=False)
    assert sorted(i.numpy()[0].tolist()) == [0, 2, 3]


def test_top_k_errors(tf2):
    x = tf2.constant(X)
    for k, msg in ((6, "input must have at least k columns. Had 5, needed 6"),
                   (-1, "Need k >= 0, got -1")):
        with pytest.raises(errors.InvalidArgumentError, match=msg):
            tf2.math.top_k(x, k)
    with pytest.raises(errors.InvalidArgumentError, match=r"input must be >= 1-D, got shape \[\]"):
        tf2.math.top_k(tf2.constant(1.), 1)


def test_top_k_graph_errors(tf1):
    x = tf1.placeholder(tf1.float32, [2, 5], name="x")
    with pytest.raises(ValueError, match="input must have at least k columns. Had 5, needed 6"):
        tf1.nn.top_k(x, 6)


def test_top_k_graph_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 5], name="x")
    v, i = tf1.nn.top_k(x, 3)
    assert (v.name, i.name) == ("TopKV2:0", "TopKV2:1")
    op = v.op
    assert op.get_attr("sorted") is True and op.get_attr("index_type") == tf1.int32
    assert _ops(tf1.get_default_graph())[1:] == [("TopKV2/k", "Const"), ("TopKV2", "TopKV2")]
    assert tf1.nn.top_k(x, 2, sorted=False, name="tk").values.name == "tk:0"


def test_sort_graph_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 5], name="x")
    s = tf1.sort(x, axis=0)
    assert s.name == "sort/Neg_1:0" and s.shape.as_list() == [2, 5]
    assert [t for _, t in _ops(tf1.get_default_graph())[1:]] == [
        "Const", "Neg", "Const", "Const", "Const", "Const", "StridedSlice", "Const", "Const",
        "Transpose", "TopKV2", "Transpose", "Neg"]
    assert tf1.sort(x, direction="DESCENDING").name == "sort_1/TopKV2:0"
    assert tf1.argsort(x).name == "argsort/TopKV2:1"
    i = tf1.placeholder(tf1.int32, [4])
    assert tf1.sort(i).name == "sort_2/sub_1:0"
    assert tf1.argsort(i).op.inputs[0].op.type == "Sub"


def test_sort_values_like_tf(tf2):
    x = tf2.constant(X)
    assert tf2.sort(x).numpy().tolist() == [[1., 1., 2., 3., 3.], [-1., 0., 5., 5., 5.]]
    assert tf2.argsort(x).numpy().tolist() == [[1, 4, 3, 0, 2], [4, 0, 1, 2, 3]]
    assert tf2.argsort(x, direction="DESCENDING").numpy().tolist() == [[0, 2, 3, 1, 4],
                                                                       [1, 2, 3, 0, 4]]
    assert tf2.sort(x, axis=0).numpy().tolist() == [[0., 1., 3., 2., -1.], [3., 5., 5., 5., 1.]]
    assert tf2.sort(tf2.constant([3, -2147483648, 7, 2147483647])).numpy().tolist() == [
        -2147483648, 3, 7, 2147483647]
    assert tf2.sort(tf2.constant([3, 0, 255, 7], tf2.uint8)).numpy().tolist() == [0, 3, 7, 255]
    with pytest.raises(ValueError, match="Argument `direction` should be one of ASCENDING, "
                                         "DESCENDING. Received: direction=UP"):
        tf2.sort(x, direction="UP")
    with pytest.raises(ValueError, match=r"Argument `axis` must be a constant scalar. "
                                         r"Received: axis=\[0 1\]."):
        tf2.sort(x, axis=tf2.constant([0, 1]))


def test_searchsorted(tf2):
    assert tf2.searchsorted([[1., 2., 2., 4.]], [[2., 5., 0.]]).numpy().tolist() == [[1, 4, 0]]
    assert tf2.searchsorted([1., 2., 2., 4.], [2., 5., 0.], side="right").numpy().tolist() == \
        [3, 4, 0]
    with pytest.raises(ValueError, match="Argument `side` must be either 'right' or 'left'. "
                                         "Received: `side` = 'middle'."):
        tf2.searchsorted([1., 2.], [2.], side="middle")
    with pytest.raises(errors.InvalidArgumentError,
                       match="Leading dim_size of both tensors must match."):
        tf2.searchsorted([[1., 2.], [1., 3.]], [[2.]] * 3)


def test_searchsorted_graph_like_tf(tf1):
    s = tf1.placeholder(tf1.float32, [2, 4])
    v = tf1.placeholder(tf1.float32, [2, 3])
    out = tf1.searchsorted(s, v)
    assert out.name == "Reshape_2:0" and out.shape.as_list() == [2, 3]
    types = [t for _, t in _ops(tf1.get_default_graph())]
    assert "LowerBound" in types and types[-1] == "Reshape"


def test_top_k_gradient_goes_to_the_picked_entries(tf2):
    x = tf2.constant(X)
    with tf2.GradientTape() as t:
        t.watch(x)
        y = tf2.math.top_k(x, 2).values * tf2.constant([[1., 2.], [3., 4.]])
    assert t.gradient(y, x).numpy().tolist() == [[1., 0., 2., 0., 0.], [0., 3., 4., 0., 0.]]


# --- einsum ------------------------------------------------------------------------------------

def test_einsum_values(tf2):
    a = tf2.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    b = tf2.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
    assert tf2.einsum("ij,jk->ik", a, b).numpy().tolist() == [[20., 23., 26., 29.],
                                                               [56., 68., 80., 92.]]
    assert tf2.einsum("ij,jk", a, b).shape == (2, 4)
    tr = tf2.einsum("ii", tf2.reshape(tf2.range(9.), [3, 3]))
    assert tr.shape == () and float(tr.numpy()) == 12.0
    assert tf2.einsum("...ij,...jk->...ik", tf2.ones([2, 1, 2, 3]),
                      tf2.ones([3, 3, 4])).shape == (2, 3, 2, 4)
    assert tf2.einsum("ij,jk,kl->il", tf2.ones([2, 3]), tf2.ones([3, 2]),
                      tf2.ones([2, 2])).numpy().tolist() == [[6., 6.], [6., 6.]]
    i = tf2.einsum("ij,jk->ik", tf2.ones([2, 3], tf2.int32), tf2.ones([3, 4], tf2.int32))
    assert i.dtype == tf2.int32 and i.numpy().tolist() == [[3] * 4] * 2
    rng = np.random.RandomState(0)
    p, q = rng.randn(3, 40, 50).astype(np.float32), rng.randn(3, 50, 30).astype(np.float32)
    np.testing.assert_allclose(tf2.einsum("bij,bjk->bik", p, q).numpy(), p @ q,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("eq, shapes, cls, msg", [
    ("ij,jk->ik", ([2, 3], [4, 4]), errors.InvalidArgumentError,
     "Expected dimension 3 at axis 0 of the input shaped [4,4] but got dimension 4"),
    ("ij,jk", ([2, 3],), ValueError, 'Got 1 inputs for equation "ij,jk", expecting 2'),
    ("ij->ix", ([2, 3],), ValueError,
     "Output subscripts contain the label x not present in the input subscripts."),
    ("ijk->ij", ([2, 3],), errors.InvalidArgumentError,
     "Expected input 0 to have rank 3 but got: 2"),
    ("i1->i", ([2, 3],), ValueError, "Subscripts have incorrect format: i1->i"),
    ("ij->i->j", ([2, 3],), ValueError, "Subscripts have incorrect format: ij->i->j"),
    ("ij->jj", ([2, 3],), ValueError,
     "Output subscripts contain a label appearing more than once: ij->jj"),
])
def test_einsum_errors(tf2, eq, shapes, cls, msg):
    with pytest.raises(cls) as e:
        tf2.einsum(eq, *[tf2.ones(s) for s in shapes])
    assert msg in str(e.value)


def test_einsum_dtype_mismatch(tf2):
    with pytest.raises(errors.InvalidArgumentError, match="cannot compute Einsum as input "
                       "#1\\(zero-based\\) was expected to be a float tensor but is a double"):
        tf2.einsum("ij,jk->ik", tf2.ones([2, 3]), tf2.ones([3, 4], tf2.float64))


def test_einsum_graph_and_gradient_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 3])
    y = tf1.placeholder(tf1.float32, [3, 4])
    e = tf1.einsum("ij,jk->ik", x, y)
    assert e.name == "einsum/Einsum:0" and e.op.get_attr("equation") == "ij,jk->ik"
    gx, gy = tf1.gradients(e, [x, y])
    assert gx.name == "gradients/einsum/Einsum_grad/Einsum:0"
    assert gx.op.get_attr("equation") == "ik,jk->ij"
    assert gy.op.get_attr("equation") == "ik,ij->jk"
    assert tf1.einsum("ii", tf1.placeholder(tf1.float32, [3, 3])).op.get_attr(
        "equation") == "ii->"
    with pytest.raises(ValueError, match="Expected dimension 3 at axis 0 of the input shaped "
                                         r"\[4,4\] but got dimension 4 for '\{\{node "):
        tf1.einsum("ij,jk->ik", x, tf1.placeholder(tf1.float32, [4, 4]))


# --- identity_n, broadcast shapes, meshgrid, repeat ------------------------------------------------

def test_identity_n_mixed_dtypes(tf2):
    a, b = tf2.identity_n([tf2.constant([1., 2.]), tf2.constant(3)])
    assert a.dtype == tf2.float32 and b.dtype == tf2.int32 and int(b.numpy()) == 3
    x = tf2.constant([[1., 2.], [3., 4.]])
    with tf2.GradientTape() as t:
        t.watch(x)
        y = tf2.identity_n([x, tf2.constant(1)])[0] * 2.
    assert t.gradient(y, x).numpy().tolist() == [[2., 2.], [2., 2.]]


def test_identity_n_graph(tf1):
    p = tf1.placeholder(tf1.float32, [2])
    q = tf1.placeholder(tf1.int32, [3])
    a, b = tf1.identity_n([p, q])
    assert (a.name, b.name, b.dtype) == ("IdentityN:0", "IdentityN:1", tf1.int32)
    with tf1.Session() as s:
        va, vb = s.run([a, b], {p: [1., 2.], q: [1, 2, 3]})
    assert va.tolist() == [1., 2.] and vb.tolist() == [1, 2, 3]


def test_broadcast_shapes(tf2):
    assert tf2.broadcast_dynamic_shape([2, 1], [1, 3]).numpy().tolist() == [2, 3]
    assert tf2.broadcast_static_shape(tf2.TensorShape([2, 1]),
                                      tf2.TensorShape([1, 3])).as_list() == [2, 3]
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Incompatible shapes: \[2,3\] vs. \[4,3\] \[Op:BroadcastArgs\]"):
        tf2.broadcast_dynamic_shape([2, 3], [4, 3])
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting. .* "
                                         r"Received: \(2, 3\) and \(4, 3\)."):
        tf2.broadcast_static_shape(tf2.TensorShape([2, 3]), tf2.TensorShape([4, 3]))


def test_meshgrid(tf2):
    x, y = tf2.meshgrid([1, 2, 3], [4, 5])
    assert x.numpy().tolist() == [[1, 2, 3], [1, 2, 3]]
    assert y.numpy().tolist() == [[4, 4, 4], [5, 5, 5]]
    x, y = tf2.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    assert x.numpy().tolist() == [[1, 1], [2, 2], [3, 3]]
    with pytest.raises(ValueError, match="Argument `indexing` parameter must be either 'xy' "
                                         "or 'ij', got 'xx'"):
        tf2.meshgrid([1, 2], [3, 4], indexing="xx")


def test_meshgrid_graph_like_tf(tf1):
    x, y = tf1.meshgrid(tf1.placeholder(tf1.float32, [3]), tf1.placeholder(tf1.float32, [4]))
    assert (x.name, y.name) == ("meshgrid/mul:0", "meshgrid/mul_1:0")
    assert x.shape.as_list() == [4, 3]
    assert [t for _, t in _ops(tf1.get_default_graph())][2:] == [
        "Const", "Reshape", "Const", "Reshape", "Const", "Const", "Const", "Reshape", "Const",
        "Reshape", "Pack", "Const", "Fill", "Mul", "Mul"]


def test_repeat(tf2):
    assert tf2.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy().tolist() == [[1, 2], [3, 4],
                                                                             [3, 4]]
    assert tf2.repeat([[1, 2], [3, 4]], 2, axis=1).numpy().tolist() == [[1, 1, 2, 2],
                                                                        [3, 3, 4, 4]]
    assert tf2.repeat([[1, 2], [3, 4]], 2).numpy().tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf2.repeat([[1, 2], [3, 4]], [1, 2, 3], axis=0)


def test_repeat_graph_like_tf(tf1):
    x = tf1.placeholder(tf1.float32, [2, 3])
    r = tf1.repeat(x, 2, axis=1)
    assert r.name == "Repeat/Reshape_1:0" and r.shape.as_list() == [2, 6]
    types = [t for _, t in _ops(tf1.get_default_graph())]
    assert {"Cast", "ExpandDims", "Tile", "ConcatV2"} <= set(types)
    v = tf1.repeat(x, [1, 2], axis=0)
    assert v.name == "Repeat_1/boolean_mask/GatherV2:0" and v.shape.as_list() == [None, 3]
