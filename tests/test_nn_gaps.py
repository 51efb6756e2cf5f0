"""The `tf.nn` / `tf.compat.v1.nn` gaps against TensorFlow 2.21's recorded values, gradients,
graph op types and errors (tools/record_nn_gaps.py -> tests/data/nn_gaps_tf.json):
compositions (conv1d, conv*_transpose, convolution, atrous_conv2d(_transpose),
with_space_to_batch, 1-D/N-D/dilated pooling, batch_normalization, the moments family, crelu,
gelu, relu_layer, xw_plus_b, the weighted/Poisson/average losses, zero_fraction,
embedding_lookup_sparse, collapse_repeated) and the ops added for them (DepthwiseConv2dNative,
SpaceToDepth/DepthToSpace, LRN, Conv3D, MaxPool3D/AvgPool3D, FusedBatchNormV3,
MaxPoolWithArgmax and their gradient ops).

A "v2" case runs eagerly under `import tfteach as tf` with a GradientTape; a "v1" case builds
a graph under `import tfteach.v1 as tf` and runs it in a Session with `tf.gradients`. Both
evaluate the recorded expression text with `nn` bound to that namespace's `nn`.
"""
import json
import os
import re

import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

with open(os.path.join(os.path.dirname(__file__), "data", "nn_gaps_tf.json")) as _f:
    TF = json.load(_f)

# TF computes these with a cond (zero_fraction), argument asserts (compute_average_loss), SparseSegmentMean/SqrtN
# (embedding_lookup_sparse), shape arithmetic (collapse_repeated) or a transpose around the
# op (softmax over a non-last `dim`); tfteach builds other ops for the same numbers.
OTHER_OPS = {"zero_fraction", "zero_fraction_int", "compute_average_loss",
             "compute_average_loss_w", "compute_average_loss_v1", "scale_regularization_loss",
             "collapse_repeated", "collapse_repeated_v1",
             "embedding_sparse_mean", "embedding_sparse_sqrtn", "embedding_sparse_weighted",
             "embedding_sparse_weighted_mean", "softmax_dim_v1", "log_softmax_dim_v1",
             "xent_v2_dim_v1"}


def _array(spec):
    return np.asarray(spec["value"], dtype=spec["dtype"]).reshape(spec["shape"])


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _check_outputs(case, got):
    assert len(got) == len(case["outputs"])
    for want, g in zip(case["outputs"], got):
        if want is None:
            assert g is None
            continue
        g = np.asarray(g)
        assert list(g.shape) == want["shape"]
        assert g.dtype.name == want["dtype"]
        np.testing.assert_allclose(g.ravel(), want["value"], rtol=2e-5, atol=2e-5)


def _check_grads(case, grads):
    for k, g in zip(case["grad"], grads):
        want = case["grads"][k]
        if want is None:
            assert g is None, k
            continue
        np.testing.assert_allclose(np.asarray(g).ravel(), want, rtol=1e-4, atol=1e-4,
                                   err_msg=k)


def _run_v2(tf, case):
    env = {k: tf.constant(_array(v)) for k, v in case["inputs"].items()}
    with tf.GradientTape(persistent=True) as tape:
        for k in case["grad"]:
            tape.watch(env[k])
        out = _flat(eval(case["expr"], {"nn": tf.nn, "tf": tf, **env}))
        total = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in out if o is not None])
    grads = tape.gradient(total, [env[k] for k in case["grad"]])
    _check_outputs(case, [None if o is None else o.numpy() for o in out])
    _check_grads(case, [None if g is None else tf.convert_to_tensor(g).numpy() for g in grads])


def _run_v1(tf, case):
    env = {k: tf.placeholder(tf.as_dtype(_array(v).dtype), _array(v).shape, name=k)
           for k, v in case["inputs"].items()}
    out = _flat(eval(case["expr"], {"nn": tf.nn, "tf": tf, **env}))
    total = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in out if o is not None])
    grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
             for g in tf.gradients(total, [env[k] for k in case["grad"]])]
    feed = {env[k]: _array(v) for k, v in case["inputs"].items()}
    fetch = [o for o in out if o is not None] + [g for g in grads if g is not None]
    with tf.Session() as sess:
        vals = iter(sess.run(fetch, feed))
    _check_outputs(case, [None if o is None else next(vals) for o in out])
    _check_grads(case, [None if g is None else next(vals) for g in grads])


@pytest.mark.parametrize("key", sorted(TF["cases"]))
def test_values_and_gradients(key, request):
    case = TF["cases"][key]
    if case["ns"] == "v2":
        _run_v2(request.getfixturevalue("tf2"), case)
    else:
        _run_v1(request.getfixturevalue("tf1"), case)


@pytest.mark.parametrize("key", sorted(k for k in TF["cases"] if k not in OTHER_OPS))
def test_graph_op_types(key, tf1):
    """The function builds the op types TF's builds (placeholders for the inputs)."""
    case = TF["cases"][key]
    ns = tf1.nn if case["ns"] == "v1" else __import__("tfteach").nn
    env = {k: tf1.placeholder(tf1.as_dtype(_array(v).dtype), _array(v).shape, name=k)
           for k, v in case["inputs"].items()}
    eval(case["expr"], {"nn": ns, "tf": tf1, **env})
    got = sorted({op.type for op in tf1.get_default_graph().get_operations()
                  if op.type not in ("Placeholder", "Const", "Identity")})
    assert got == case["op_types"]


# TF's messages for these come from its oneDNN kernels; the class is what is pinned.
CLASS_ONLY = {"conv1d_depth", "conv2d_transpose_bad_shape", "depthwise_depth"}


def _core(message):
    """TF's eager message less the function-node prefix and the `[Op:...]` suffix."""
    message = re.sub(r"^\{\{function_node [^}]*\}\} ", "", message)
    return re.sub(r" \[Op:.*$", "", message)


@pytest.mark.parametrize("key", sorted(TF["errors"]))
def test_errors(key, tf2):
    case = TF["errors"][key]
    env = {k: tf2.constant(_array(v)) for k, v in case["inputs"].items()}
    ns = tf2.nn if case["ns"] == "v2" else tf2.compat.v1.nn
    if case["error"] is None:
        out = _flat(eval(case["expr"], {"nn": ns, "tf": tf2, **env}))
        for o, want in zip(out, case["value"]):
            np.testing.assert_allclose(np.asarray(o).ravel(), want)
        return
    cls = getattr(errors, case["error"], None) or getattr(__builtins__, case["error"], None) \
        or {"ValueError": ValueError, "TypeError": TypeError}[case["error"]]
    with pytest.raises(cls) as e:
        eval(case["expr"], {"nn": ns, "tf": tf2, **env})
    if key not in CLASS_ONLY:
        assert _core(case["message"]) in str(e.value)


def test_v1_names_differ(tf1):
    """TF1's spellings: conv1d's `value`, conv2d_transpose's `filter`, moments' `keep_dims`,
    no gelu; TF2's tf.nn has no xw_plus_b."""
    import tfteach
    assert not hasattr(tf1.nn, "gelu")
    assert not hasattr(tfteach.nn, "xw_plus_b")
    x = tf1.placeholder(tf1.float32, [2, 7, 3])
    with pytest.raises(ValueError, match="Cannot specify both 'value' and 'input'"):
        tf1.nn.conv1d(value=x, input=x, filters=np.ones((3, 3, 4), np.float32), stride=1,
                      padding="SAME")
    with pytest.raises(ValueError, match="input channels does not match filter's input "
                                         "channels, 3 != 4"):
        tf1.nn.conv2d_transpose(tf1.placeholder(tf1.float32, [1, 3, 3, 3]),
                                np.ones((3, 3, 2, 4), np.float32), [1, 6, 6, 2], [1, 2, 2, 1])


def test_v1_embedding_lookup_takes_tf1_arguments(tf1):
    """partition_strategy (any value, as TF with one params tensor) and validate_indices."""
    p = np.eye(3, dtype=np.float32)
    out = tf1.nn.embedding_lookup(p, [2, 0], partition_strategy="foo", validate_indices=False)
    with tf1.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), p[[2, 0]])


def test_conv1d_names_in_graph(tf1):
    """conv1d's ops sit in its name scope as TF's: conv1d/ExpandDims, conv1d (the Conv2D),
    conv1d/Squeeze."""
    x = tf1.placeholder(tf1.float32, [2, 7, 3])
    y = tf1.nn.conv1d(x, np.ones((3, 3, 4), np.float32), 1, "SAME")
    assert y.op.type == "Squeeze" and y.op.name == "conv1d/Squeeze"
    assert y.op.inputs[0].op.type == "Conv2D" and y.op.inputs[0].op.name == "conv1d"
    assert y.shape.as_list() == [2, 7, 4]
