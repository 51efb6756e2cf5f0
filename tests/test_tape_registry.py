"""The registry walk through the tape: for every op type with a gradient function, the
GradientTape's gradient (eager, op by op) equals tf.gradients' (symbolic, in a graph).

The inputs and op builders are the gradient registry test's table (`CASES` in
test_gradients_registry.py), so both autodiff paths are checked on the same ops.
"""
import numpy as np
import pytest

import tfteach.compat.v1 as v1
from tfteach.client.session import Session
from tfteach.framework import ops, registry

from test_gradients_registry import CASES, NOT_NUMERIC

pytestmark = pytest.mark.mode("v2")


def _weights(shape, seed):
    return np.random.RandomState(seed).uniform(0.5, 1.5, size=shape)


def _tape_grads(tf2, inputs, build):
    xs = [tf2.constant(a) for a in inputs]
    with tf2.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        out = build(v1, *xs)
        w = _weights(out.shape.as_list(), 7)
        loss = tf2.reduce_sum(out * w)
    grads = tape.gradient(loss, xs)
    # gather's gradient is an IndexedSlices (no .numpy(), as in TF): compare it densified
    return loss.numpy(), [None if g is None else tf2.convert_to_tensor(g).numpy()
                          for g in grads]


def _graph_grads(inputs, build):
    g = ops.Graph()
    with g.as_default():
        phs = [v1.placeholder(v1.float64, shape=np.shape(a)) for a in inputs]
        out = build(v1, *phs)
        w = _weights(out.shape.as_list(), 7)
        loss = v1.reduce_sum(out * w)
        grads = [v1.convert_to_tensor(x) if isinstance(x, v1.IndexedSlices) else x
                 for x in v1.gradients(loss, phs)]
    with Session(graph=g) as sess:
        feed = dict(zip(phs, inputs))
        vals = sess.run([x for x in grads if x is not None] + [loss], feed)
    it = iter(vals[:-1])
    return vals[-1], [None if x is None else next(it) for x in grads]


@pytest.mark.parametrize("op_type", sorted(set(CASES) - set(NOT_NUMERIC)))
def test_tape_agrees_with_tf_gradients(tf2, op_type):
    opdef = registry.all_ops().get(op_type)
    assert opdef is not None and opdef.kernel_for("CPU") is not None, op_type
    inputs, build, *_ = CASES[op_type]
    inputs = [np.array(a, dtype=np.float64, copy=True) for a in inputs]
    eager_loss, tape = _tape_grads(tf2, inputs, build)
    graph_loss, sym = _graph_grads(inputs, build)
    np.testing.assert_allclose(eager_loss, graph_loss, rtol=1e-10)
    assert [g is None for g in tape] == [g is None for g in sym], op_type
    for k, (a, b) in enumerate(zip(tape, sym)):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{op_type}: input {k}")


def test_read_variable_gradient_is_identity(tf2):
    v = tf2.Variable([1.0, 2.0])
    with tf2.GradientTape() as t:
        y = v.read_value() * 3.0
    assert t.gradient(y, v).numpy().tolist() == [3.0, 3.0]
