"""tf.IndexedSlices: gradients of gather are slices (eagerly, in tf.function, in graphs),
aggregated, densified and applied by optimizers as TensorFlow 2.21 does. Every expected value,
op name and message is TF's, recorded by tools/record_tf2sem.py into
tests/data/tf2sem_tf221.json."""
import json
import os
import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.mode("both")

with open(os.path.join(os.path.dirname(__file__), "data", "tf2sem_tf221.json")) as _f:
    TF = json.load(_f)
IS = TF["indexed_slices"]
BASE = np.arange(15, dtype=np.float32).reshape(5, 3) / 7


def _f32(x):
    return np.asarray(x, np.float32).ravel().tolist()


def test_tape_gradient_of_gather_is_slices(tf2):
    v = tf2.Variable(BASE)
    with tf2.GradientTape() as t:
        y = tf2.reduce_sum(tf2.gather(v, [0, 2, 0]) ** 2)
    g = t.gradient(y, v)
    assert type(g).__name__ == IS["tape_type"] == "IndexedSlices"
    assert isinstance(g, tf2.IndexedSlices) and not isinstance(g, tf2.Tensor)
    assert _f32(g.values) == IS["tape_values"]
    assert g.indices.numpy().tolist() == IS["tape_indices"]
    assert g.dense_shape.numpy().tolist() == IS["tape_dense_shape"]
    assert g.shape.as_list() == [5, 3] and g.dtype == tf2.float32
    assert _f32(tf2.convert_to_tensor(g)) == IS["dense"]
    assert _f32(tf2.math.add_n([g, tf2.ones((5, 3))])) == IS["add_n_mixed"]
    neg = -g
    assert _f32(neg.values) == [-x for x in IS["tape_values"]]


def test_str_names_the_three_parts(tf2):
    s = tf2.IndexedSlices(tf2.constant([[1., 2.]]), tf2.constant([1]), tf2.constant([3, 2]))
    assert str(s) == IS["tape_str"]


def test_embedding_lookup_gradient(tf2):
    v = tf2.Variable(BASE)
    with tf2.GradientTape() as t:
        y = tf2.reduce_sum(tf2.nn.embedding_lookup(v, [[1, 2], [2, 4]]))
    e = t.gradient(y, v)
    assert e.indices.numpy().tolist() == IS["embedding_indices"]
    assert list(e.values.shape) == IS["embedding_values_shape"]


def _cases(tf, v):
    def G(i):
        return tf.reduce_sum(tf.gather(v, [i]))
    return {"left": lambda: (G(1) + G(2)) + G(3),
            "right": lambda: G(1) + (G(2) + G(3)),
            "mul": lambda: G(1) * 2.0 + G(2),
            "mixed": lambda: G(1) + tf.reduce_sum(v),
            "axis1": lambda: tf.reduce_sum(tf.gather(v, [1, 1], axis=1)),
            "through_mul": lambda: tf.reduce_sum(tf.gather(v * 1.0, [1]))}


@pytest.mark.parametrize("case", sorted(IS["tape_kinds"]))
def test_kind_and_row_order_follow_tf(tf2, case):
    """Slices stay slices until something dense meets them; several slices concatenate in
    the order TF's backward walk reaches them (first ready, first served)."""
    v = tf2.Variable(BASE)
    fn = _cases(tf2, v)[case]
    kind, indices = IS["tape_kinds"][case]
    with tf2.GradientTape() as t:
        y = fn()
    g = t.gradient(y, v)
    assert type(g).__name__ == kind
    if indices is not None:
        assert g.indices.numpy().tolist() == indices

    @tf2.function
    def traced():
        with tf2.GradientTape() as t:
            y = _cases(tf2, v)[case]()
        g = t.gradient(y, v)
        assert type(g).__name__ == ("IndexedSlices" if kind == "IndexedSlices" else "Tensor")
        return g.indices if indices is not None else g
    out = traced()
    if indices is not None:
        assert out.numpy().tolist() == indices


def test_graph_gradient_ops_are_tfs(tf1):
    p = tf1.placeholder(tf1.float32, [5, 3], name="p")
    y = tf1.reduce_sum(tf1.gather(p, tf1.constant([0, 2, 0], name="i")) * 2.0)
    g = tf1.get_default_graph()
    n = len(g.get_operations())
    gp = tf1.gradients(y, p)[0]
    assert [f"{o.name}:{o.type}" for o in g.get_operations()[n:]] == IS["graph_ops"]
    assert [gp.values.name, gp.indices.name, gp.dense_shape.name] == IS["graph_names"]
    n = len(g.get_operations())
    dense = tf1.convert_to_tensor(gp)
    assert [f"{o.name}:{o.type}" for o in g.get_operations()[n:]] == IS["graph_convert_ops"]
    n = len(g.get_operations())
    tf1.gradients(tf1.gather(p * 3.0, [0, 2]), p)
    assert [f"{o.name}:{o.type}" for o in g.get_operations()[n:]] == \
        IS["graph_through_mul_ops"]
    gg = tf1.gradients(tf1.reduce_sum(tf1.gather(p, [1])) +
                       tf1.reduce_sum(tf1.gather(p, [2, 3])), p)[0]
    assert [type(gg).__name__, gg.values.name, gg.indices.name] == IS["graph_two_gathers"]
    gm = tf1.gradients(tf1.reduce_sum(tf1.gather(p, [1])) + tf1.reduce_sum(p), p)[0]
    assert isinstance(gm, tf1.Tensor) and [gm.op.type, gm.name] == IS["graph_mixed"][1:]
    with tf1.Session() as s:
        out = s.run(dense, {p: BASE})
    want = np.zeros((5, 3), np.float32)
    want[0] = 4.0
    want[2] = 2.0
    np.testing.assert_array_equal(out, want)


def test_large_dense_conversion_warns_as_tf(tf1):
    big = tf1.placeholder(tf1.float32, [100000, 1000], name="big")
    gb = tf1.gradients(tf1.gather(big, [1]), big)[0]
    unknown = tf1.placeholder(tf1.float32, [None, 3])
    gu = tf1.gradients(tf1.gather(unknown, [1]), unknown)[0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        tf1.convert_to_tensor(gb)
        tf1.convert_to_tensor(gu)
    assert [[str(x.message), x.category.__name__] for x in w] == IS["warnings"]


def test_conversion_refuses_another_dtype(tf2):
    s = tf2.IndexedSlices(tf2.constant([[1., 2.]]), tf2.constant([1]), tf2.constant([3, 2]))
    with pytest.raises(ValueError, match="Incompatible tensor conversion requested to "
                                         "`dtype` int32 for IndexedSlices"):
        tf2.convert_to_tensor(s, dtype=tf2.int32)
    with pytest.raises(ValueError, match="without dense_shape"):
        tf2.convert_to_tensor(tf2.IndexedSlices(tf2.constant([[1.]]), tf2.constant([0])))


# --- optimizers ---------------------------------------------------------------------------

def _v1_makers(tf):
    t = tf.compat.v1.train if hasattr(tf, "compat") else tf.train
    return {"GradientDescent": lambda: t.GradientDescentOptimizer(0.1),
            "Momentum": lambda: t.MomentumOptimizer(0.1, 0.9),
            "Nesterov": lambda: t.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
            "Adam": lambda: t.AdamOptimizer(0.1),
            "Adagrad": lambda: t.AdagradOptimizer(0.1),
            "RMSProp": lambda: t.RMSPropOptimizer(0.1),
            "RMSPropCentered": lambda: t.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
            "Adadelta": lambda: t.AdadeltaOptimizer(0.1)}


@pytest.mark.parametrize("name", sorted(TF["v1_sparse"]))
def test_v1_optimizer_sparse_ops_and_values(tf1, name):
    want = TF["v1_sparse"][name]
    v = tf1.Variable(BASE, name="v")
    loss = tf1.reduce_sum(tf1.gather(v, [0, 2, 0]) ** 2)
    g = tf1.get_default_graph()
    n = len(g.get_operations())
    train = _v1_makers(tf1)[name]().minimize(loss)
    types = [o.type for o in g.get_operations()[n:]]
    assert [t for t in types if "catter" in t or "pply" in t or
            t in ("Unique", "UnsortedSegmentSum")] == want["ops"]
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        for _ in range(3):
            s.run(train)
        assert _f32(s.run(v)) == want["graph"]


@pytest.mark.parametrize("name", sorted(TF["v1_sparse"]))
def test_v1_optimizer_sparse_eager(tf2, name):
    want = TF["v1_sparse"][name]
    v = tf2.Variable(BASE)
    opt = _v1_makers(tf2)[name]()
    for _ in range(3):
        with tf2.GradientTape() as t:
            loss = tf2.reduce_sum(tf2.gather(v, [0, 2, 0]) ** 2)
        opt.apply_gradients([(t.gradient(loss, v), v)])
    assert _f32(v) == want["eager"]


def _keras_opt(tf, name, kw):
    return getattr(tf.keras.optimizers, name)(**kw)


@pytest.mark.parametrize("i", range(len(TF["keras_sparse"])))
@pytest.mark.parametrize("mode", ["eager", "function"])
def test_keras_optimizer_sparse(tf2, i, mode):
    """Keras 3 keeps slices through scalar products and squares, densifies them when they
    meet a dense tensor, and writes slices with scatter_add/scatter_sub: duplicate rows
    therefore give Keras' values, not those of the dense gradient."""
    name, kw, want = TF["keras_sparse"][i]
    v = tf2.Variable(BASE)
    opt = _keras_opt(tf2, name, kw)

    def step():
        with tf2.GradientTape() as t:
            y = tf2.reduce_sum(tf2.gather(v, [0, 2, 0, 3]) ** 2)
        opt.apply_gradients([(t.gradient(y, v), v)])
    if mode == "function":
        step = tf2.function(step)
    for _ in range(3):
        step()
    assert _f32(v) == want[mode]


def test_keras_sgd_writes_rows_with_resource_scatter(tf2):
    v = tf2.Variable(BASE)
    opt = tf2.keras.optimizers.SGD(0.1)

    @tf2.function
    def step():
        with tf2.GradientTape() as t:
            y = tf2.reduce_sum(tf2.gather(v, [0, 2]))
        opt.apply_gradients([(t.gradient(y, v), v)])
    step()
    types = {o.type for o in step.get_concrete_function().graph.get_operations()}
    assert "ResourceScatterSub" in types and "UnsortedSegmentSum" not in types


def test_scatter_methods_of_variables(tf1, tf2):
    v = tf2.Variable(np.zeros((4, 2), np.float32))
    v.scatter_add(tf2.IndexedSlices(tf2.constant([[1., 1.], [2., 2.]]), tf2.constant([1, 1])))
    v.scatter_sub(tf2.IndexedSlices(tf2.constant([[0.5, 0.5]]), tf2.constant([3])))
    v.scatter_update(tf2.IndexedSlices(tf2.constant([[7., 8.]]), tf2.constant([0])))
    np.testing.assert_array_equal(v.numpy(), [[7, 8], [3, 3], [0, 0], [-0.5, -0.5]])
    with pytest.raises(TypeError, match="Argument `sparse_delta` must be a `tf.IndexedSlices`"):
        v.scatter_add(tf2.constant([1.]))


def test_session_fetches_indexed_slices_value(tf1):
    p = tf1.placeholder(tf1.float32, [5, 3])
    g = tf1.gradients(tf1.gather(p, [4, 1]), p)[0]
    with tf1.Session() as s:
        out = s.run(g, {p: BASE})
    assert type(out).__name__ == "IndexedSlicesValue"
    assert out.indices.tolist() == [4, 1] and out.dense_shape.tolist() == [5, 3]
    np.testing.assert_array_equal(out.values, np.ones((2, 3), np.float32))


def test_slices_through_cond_merge_as_tf_v1_control_flow(tf1):
    """tfteach's cond is TF1's Switch/Merge: the untaken branch's zeros join the slices as
    rows of zeros (TF's merge of IndexedSlices), as TF does with v1 control flow."""
    p = tf1.Variable(np.arange(8, dtype=np.float32).reshape(4, 2))
    b = tf1.placeholder(tf1.bool, [])
    y = tf1.cond(b, lambda: tf1.gather(p, [1, 1]), lambda: tf1.gather(p, [2]) * 3.0)
    gp = tf1.gradients(tf1.reduce_sum(y * y), p)[0]
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        got = []
        for bb in (True, False):
            val = s.run(gp, {b: bb})
            got.append([type(gp).__name__, val.indices.tolist(), _f32(val.values)])
    assert got == IS["cond_v1"]


def test_slices_through_cond_as_tf2(tf2):
    """With TF 2 behaviour TF differentiates a functional If: the branch that did not run
    adds no rows (so a sparse optimizer leaves the other rows alone)."""
    v1 = tf2.compat.v1
    with tf2.Graph().as_default():
        p = v1.Variable(np.arange(8, dtype=np.float32).reshape(4, 2), use_resource=False)
        b = v1.placeholder(tf2.bool, [])
        y = tf2.cond(b, lambda: tf2.gather(p, [1, 1]), lambda: tf2.gather(p, [2]) * 3.0)
        gp = tf2.gradients(tf2.reduce_sum(y * y), p)[0]
        with v1.Session() as s:
            s.run(v1.global_variables_initializer())
            got = []
            for bb in (True, False):
                val = s.run(gp, {b: bb})
                got.append(["IndexedSlices" if isinstance(gp, tf2.IndexedSlices) else "?",
                            val.indices.tolist(), _f32(val.values)])
    assert got == IS["cond_v2"]
