"""TF1 corners: static shapes through placeholder-valued arguments, unknown shapes, lists
of tensors packed, rank-0 reductions under tf.gradients, integer labels in losses
(see tests/tfcases.py)."""
import numpy as np

MODE = "v1"


def _err(fn):
    try:
        fn()
    except Exception as e:     # noqa: BLE001 - the case reports the class
        return type(e).__name__
    return None


def case_dropout_placeholder_keep_prob(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 4])
    keep = tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep)
    y2 = tf.nn.dropout(x, keep_prob=keep)
    y3 = tf.nn.dropout(x, rate=1 - keep)
    with tf.Session() as s:
        full = s.run(y, {x: np.ones((2, 4)), keep: 1.0})
    return [y.shape, y2.shape, y3.shape, y.dtype, full]


def case_placeholder_args_keep_shapes(tf, tmp):
    x = tf.placeholder(tf.float32, [None, 4])
    k = tf.placeholder(tf.int32, [])
    lr = tf.placeholder(tf.float32, [])
    return [(x * lr).shape, tf.nn.leaky_relu(x, alpha=0.3).shape,
            tf.clip_by_value(x, 0., lr).shape, tf.nn.l2_normalize(x, 1).shape,
            tf.nn.top_k(x, k).values.shape, tf.pow(x, lr).shape,
            tf.reshape(x, [-1, 2, 2]).shape, tf.nn.softmax(x).shape,
            tf.concat([x, x], 1).shape, tf.tile(x, [2, 1]).shape,
            tf.expand_dims(x, k).shape, tf.one_hot(k, 5).shape]


def case_unknown_shape_ops(tf, tmp):
    u = tf.placeholder(tf.float32)
    outs = [tf.reduce_sum(u), tf.reduce_mean(u, axis=0), tf.transpose(u), tf.nn.relu(u),
            tf.shape(u), tf.size(u), tf.rank(u), tf.matmul(u, u), tf.nn.softmax(u),
            tf.argmax(u, 1), tf.reshape(u, [-1]), tf.squeeze(u), tf.expand_dims(u, 0),
            tf.concat([u, u], 0), tf.stack([u, u]), u[0], tf.reduce_max(u, keepdims=True)]
    with tf.Session() as s:
        vals = s.run(outs, {u: [[1., 2.], [3., 4.]]})
    return [[t.shape for t in outs], vals]


def case_list_of_tensors_is_packed(tf, tmp):
    a, b = tf.constant(1.), tf.constant(3.)
    m = tf.reduce_mean([a, b])
    s2 = tf.reduce_sum([[a, b], [b, a]], axis=1)
    mx = tf.reduce_max([a, 2.0, b])
    c = tf.add_n([a, b])
    sq = tf.square([a, b])
    with tf.Session() as s:
        vals = s.run([m, s2, mx, c, sq])
    ops = [op.type for op in tf.get_default_graph().get_operations()]
    return [m.op.inputs[0].op.type, s2.shape, ops.count("Pack"), vals]


def case_rank0_reduction_gradient(tf, tmp):
    x = tf.Variable(3.0)
    ys = [tf.reduce_sum(x), tf.reduce_mean(x), tf.reduce_max(x), tf.reduce_prod(x),
          tf.reduce_logsumexp(x), tf.reduce_sum(x * x, axis=None),
          tf.norm(x), tf.reduce_min(x)]
    gs = [tf.gradients(y, x)[0] for y in ys]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return [[g.shape for g in gs], s.run(gs)]


def case_rank0_reduction_gradient_with_axes(tf, tmp):
    x = tf.placeholder(tf.float32, [])
    y = tf.reduce_sum(x, axis=[])
    z = tf.reduce_mean(tf.reshape(x, [1]), axis=0)
    g = tf.gradients([y, z], x)[0]
    with tf.Session() as s:
        return [y.shape, s.run(g, {x: 2.0})]


def case_integer_labels_cast(tf, tmp):
    pred = tf.constant([[0.2, 0.8], [0.6, 0.4]])
    lab_i = tf.constant([[0, 1], [1, 0]])
    logits = tf.constant([[1., 2.], [3., 1.]])
    out = [tf.losses.mean_squared_error(lab_i, pred),
           tf.losses.absolute_difference(lab_i, pred),
           tf.losses.log_loss(lab_i, pred),
           tf.losses.hinge_loss(lab_i, logits),
           tf.losses.huber_loss(lab_i, pred),
           tf.losses.sigmoid_cross_entropy(lab_i, logits),
           tf.losses.softmax_cross_entropy(lab_i, logits),
           tf.losses.sparse_softmax_cross_entropy(tf.constant([1, 0]), logits),
           tf.losses.sparse_softmax_cross_entropy(tf.constant([1, 0], tf.int64), logits),
           tf.metrics.accuracy(tf.constant([1, 0]), tf.constant([1, 1]))[1]]
    err = _err(lambda: tf.nn.softmax_cross_entropy_with_logits_v2(labels=lab_i,
                                                                   logits=logits))
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        return [[t.dtype for t in out], s.run(out), err]


def case_v1_spellings(tf, tmp):
    a, b = tf.constant([7, -7]), tf.constant([2, 2])
    outs = [tf.floor_div(a, b), tf.floordiv(a, b), tf.truncatediv(a, b), tf.div(a, b),
            tf.mod(a, b), tf.truncatemod(a, b), tf.realdiv(tf.cast(a, tf.float32), 2.),
            tf.div_no_nan(1., 0.), tf.arg_max([1, 3, 2], 0), tf.arg_min([1, 3, 2], 0),
            tf.log(1.0), tf.squared_difference(3., 1.), tf.rint(2.5), tf.to_float(a),
            tf.reverse_v2([1, 2], [0]), tf.count_nonzero([0, 1, 2]), tf.is_nan(1.0),
            tf.matrix_transpose([[1, 2]]), tf.scalar_mul(2, a)]
    sc = tf.switch_case(tf.constant(1), [lambda: tf.constant(10), lambda: tf.constant(20)])
    with tf.Session() as s:
        return [[op.op.type for op in outs], s.run(outs), s.run(sc)]


def case_unknown_rank_reduction_gradient(tf, tmp):
    # the classic linear-regression program: a shapeless placeholder fed a scalar
    x = tf.placeholder("float")
    w = tf.Variable(1.5)
    cost = tf.reduce_sum(tf.pow(x * w - 1.0, 2)) / 4 + tf.reduce_mean(x * w) + \
        tf.reduce_max(x * w) + tf.reduce_prod(x * w)
    g = tf.gradients(cost, w)[0]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return [s.run(g, {x: 2.0}), s.run(g, {x: [1.0, 2.0]}), s.run(g, {x: [[3.0]]})]
