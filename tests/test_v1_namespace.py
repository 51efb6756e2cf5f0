"""tf.compat.v1's namespace, losses, metrics and checks against TF 2.21 (values, op names and
messages measured with TensorFlow 2.21 and written in here; TF itself is never imported)."""
import logging

import numpy as np
import pytest

import tfteach.v1 as tf
from tfteach import errors
from tfteach.compat import _v1_names as N

pytestmark = pytest.mark.mode("v1")

# Names of TF 2.21's compat.v1 that tfteach does not implement. Keep it honest both ways:
# a name here must not resolve, every other name must.
NOT_IMPLEMENTED = frozenset("""
AttrValue COMPILER_VERSION CXX11_ABI_FLAG CXX_VERSION CriticalSection DeviceSpec Event
FixedLengthRecordReader GIT_VERSION HistogramProto IdentityReader LMDBReader LogMessage
MONOLITHIC_BUILD MetaGraphDef NameAttrList NodeDef NoneTensorSpec OptionalSpec
RaggedTensorSpec ReaderBase SessionLog SparseConditionalAccumulator SparseFeature Summary
SummaryMetadata TFRecordReader TensorArraySpec TensorInfo TextLineReader TypeSpec
WholeFileReader add_check_numerics_ops approx_top_k audio batch_gather bitwise check_pinned
container control_flow_v2_enabled conv conv2d_backprop_filter_v2 conv2d_backprop_input_v2
convert_to_tensor_or_sparse_tensor create_partitioned_variables decode_compressed
decode_json_example delete_session_tensor dequantize deserialize_many_sparse
disable_control_flow_v2 disable_resource_variables disable_tensor_equality distributions
edit_distance enable_control_flow_v2 enable_resource_variables enable_tensor_equality
experimental extract_image_patches extract_volume_patches fake_quant_with_min_max_args
fake_quant_with_min_max_args_gradient fake_quant_with_min_max_vars
fake_quant_with_min_max_vars_gradient fake_quant_with_min_max_vars_per_channel
fake_quant_with_min_max_vars_per_channel_gradient feature_column fftnd fingerprint
fixed_size_partitioner get_session_handle get_session_tensor gfile graph_util ifftnd irfftnd
lite load_file_system_library load_library load_op_library matrix_square_root
min_max_variable_partitioner mixed_precision mlir nondifferentiable_batch_function op_scope
orthogonal_initializer profiler quantization quantize quantize_v2 quantized_concat
ragged_fill_empty_rows ragged_fill_empty_rows_grad random_crop random_gamma
random_index_shuffle random_poisson recompute_grad resource_loader
resource_variables_enabled rfftnd saved_model serialize_many_sparse serialize_sparse
sparse_concat sparse_fill_empty_rows sparse_mask sparse_matmul sparse_maximum sparse_merge
sparse_minimum sparse_reduce_max_sparse sparse_reduce_sum_sparse sparse_reset_shape
sparse_reshape sparse_retain sparse_segment_mean sparse_segment_sqrt_n sparse_segment_sum
sparse_slice sparse_softmax sparse_split sparse_to_indicator sysconfig test tpu
type_spec_from_value types uniform_unit_scaling_initializer user_ops
variable_axis_size_partitioner variable_creator_scope variable_op_scope vectorized_map
wrap_function xla
""".split())


def _resolves(mod, name):
    try:
        getattr(mod, name)
        return True
    except AttributeError:
        return False


def test_every_tf_name_resolves_or_is_listed_as_not_implemented():
    broken = sorted(n for n in N.TOP - NOT_IMPLEMENTED if not _resolves(tf, n))
    assert not broken, f"these names should resolve: {broken}"
    now = sorted(n for n in NOT_IMPLEMENTED if _resolves(tf, n))
    assert not now, f"implemented now, remove them from NOT_IMPLEMENTED: {now}"
    assert NOT_IMPLEMENTED <= N.TOP


def test_names_tf_lacks_stay_absent():
    for name in ("foo", "contrib", "Sessions", "reduce_logsumexp_v2"):
        with pytest.raises(AttributeError):
            getattr(tf, name)
    with pytest.raises(AttributeError, match="tfteach does not implement it yet"):
        tf.GIT_VERSION          # describes a build of TF's C++ runtime


def test_dir_lists_what_resolves():
    names = set(dir(tf))
    assert {"sinh", "to_int32", "losses", "metrics", "math", "logging", "Session"} <= names
    assert not names & NOT_IMPLEMENTED


def test_layers_is_gone_with_keras_3_message():
    with pytest.raises(AttributeError, match="^`dense` is not available with Keras 3.$"):
        tf.layers.dense
    with pytest.raises(AttributeError, match="^`Dense` is not available with Keras 3.$"):
        tf.compat.v1.layers.Dense


def test_submodules():
    assert tf.compat.v1 is tf
    assert tf.math.log is tf.log and tf.math.sinh is tf.sinh
    assert tf.math.in_top_k is tf.nn.in_top_k
    assert tf.dtypes.float32 is tf.float32 and tf.dtypes.cast is tf.cast
    assert tf.debugging.assert_equal is tf.assert_equal
    assert tf.compat.as_bytes("a") == b"a"
    assert tf.keras.layers.Dense is not None
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR,
            tf.logging.FATAL) == (10, 20, 30, 40, 50)
    with pytest.raises(AttributeError):
        tf.math.foo
    with pytest.raises(AttributeError):       # TF has it, tfteach implements none of it
        tf.lite
    assert tf.queue.FIFOQueue is tf.FIFOQueue
    assert tf.app.flags is tf.flags and tf.flags.FLAGS is tf.app.flags.FLAGS


def test_logging_verbosity():
    old = tf.logging.get_verbosity()
    try:
        tf.logging.set_verbosity(tf.logging.INFO)
        assert tf.logging.get_verbosity() == logging.INFO
        assert tf.get_logger().getEffectiveLevel() == logging.INFO
    finally:
        tf.logging.set_verbosity(old)


def test_small_v1_helpers():
    with tf.Graph().as_default():
        x = tf.constant([1.5, 2.0])
        assert [tf.to_int32(x).name, tf.to_int64(x).name, tf.to_double(x).name,
                tf.to_bfloat16(x).name] == ["ToInt32:0", "ToInt64:0", "ToDouble:0",
                                            "ToBFloat16:0"]
        init = tf.tables_initializer()
        assert (init.name, init.type) == ("init_all_tables", "NoOp")
        assert tf.initialize_all_tables().name == "init_all_tables_1"
        assert tf.NoGradient is tf.NotDifferentiable and tf.OpError is errors.OpError
        assert tf.dimension_value(tf.Dimension(3)) == 3 and tf.dimension_value(None) is None
        assert tf.moving_average_variables() == []
        assert tf.is_tensor(x) and not tf.is_tensor(1.0)
        assert tf.get_seed(None) == (None, None)
        assert tf.get_seed(3) == (87654321, 3)
        with tf.Session() as s:
            np.testing.assert_allclose(s.run(tf.sinh(x)), np.sinh([1.5, 2.0]), rtol=1e-6)


# -- losses ---------------------------------------------------------------------------------
L = np.array([[0., 1., 0.], [1., 0., 0.]], np.float32)
P = np.array([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]], np.float32)
W = np.array([[1.], [2.]], np.float32)
R = tf.losses.Reduction if hasattr(tf, "losses") else None
LOSSES = {   # (value, result tensor) from TF 2.21
    "mse": (lambda l, p, w: tf.losses.mean_squared_error(l, p, weights=w),
            0.27000001072883606, "mean_squared_error/value:0"),
    "abs": (lambda l, p, w: tf.losses.absolute_difference(l, p, weights=w),
            0.5666666626930237, "absolute_difference/value:0"),
    "softmax": (lambda l, p, w: tf.losses.softmax_cross_entropy(l, p, weights=w[:, 0]),
                1.5170435905456543, "softmax_cross_entropy_loss/value:0"),
    "softmax_ls": (lambda l, p, w: tf.losses.softmax_cross_entropy(l, p, label_smoothing=0.1),
                   0.9671758413314819, "softmax_cross_entropy_loss/value:0"),
    "sparse": (lambda l, p, w: tf.losses.sparse_softmax_cross_entropy(
        tf.constant([1, 0]), p, weights=w[:, 0]),
        1.5170435905456543, "sparse_softmax_cross_entropy_loss/value:0"),
    "sigmoid": (lambda l, p, w: tf.losses.sigmoid_cross_entropy(l, p, weights=w,
                                                                label_smoothing=0.2),
                1.0915288925170898, "sigmoid_cross_entropy_loss/value:0"),
    "log": (lambda l, p, w: tf.losses.log_loss(l, p, weights=w),
            0.8046873211860657, "log_loss/value:0"),
    "hinge": (lambda l, p, w: tf.losses.hinge_loss(l, p, weights=w),
              1.566666603088379, "hinge_loss/value:0"),
    "huber": (lambda l, p, w: tf.losses.huber_loss(l, p * 3, weights=w, delta=1.0),
              0.5074999928474426, "huber_loss/value:0"),
    "cosine": (lambda l, p, w: tf.losses.cosine_distance(
        tf.nn.l2_normalize(l, 1), tf.nn.l2_normalize(p, 1), axis=1, weights=w),
        0.5092145204544067, "cosine_distance_loss/value:0"),
    "sum": (lambda l, p, w: tf.losses.mean_squared_error(l, p, weights=w,
                                                         reduction=R.SUM),
            1.6200000047683716, "mean_squared_error/Sum:0"),
    "mean": (lambda l, p, w: tf.losses.mean_squared_error(l, p, weights=w, reduction=R.MEAN),
             0.18000000715255737, "mean_squared_error/value:0"),
    "batch": (lambda l, p, w: tf.losses.mean_squared_error(
        l, p, weights=2.0, reduction=R.SUM_OVER_BATCH_SIZE),
        0.29333335161209106, "mean_squared_error/value:0"),
    "scalar_w": (lambda l, p, w: tf.losses.mean_squared_error(l, p, weights=0.5),
                 0.07333333790302277, "mean_squared_error/value:0"),
}


@pytest.mark.parametrize("case", sorted(LOSSES))
def test_losses_match_tf(case):
    fn, want, name = LOSSES[case]
    with tf.Graph().as_default():
        out = fn(tf.constant(L), tf.constant(P), tf.constant(W))
        assert out.name == name
        assert tf.get_collection(tf.GraphKeys.LOSSES) == [out]
        with tf.Session() as s:
            np.testing.assert_allclose(s.run(out), want, rtol=1e-6)


def test_loss_reduction_none_and_collections():
    with tf.Graph().as_default():
        out = tf.losses.mean_squared_error(L, P, reduction=tf.losses.Reduction.NONE)
        assert out.name == "mean_squared_error/Mul:0"
    with tf.Graph().as_default():
        tf.losses.mean_squared_error(L, P)
        assert tf.losses.Reduction.all() == (
            "none", "weighted_sum", "weighted_mean", "weighted_sum_over_batch_size",
            "weighted_sum_by_nonzero_weights", "weighted_sum_by_nonzero_weights")
        tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
        total = tf.losses.get_total_loss()
        reg = tf.losses.get_regularization_loss()
        assert (total.name, reg.name) == ("total_loss:0", "total_regularization_loss:0")
        assert tf.losses.get_total_loss(add_regularization_losses=False).name == \
            "total_loss_1:0"
        tf.losses.add_loss(tf.constant(1.0))
        assert len(tf.losses.get_losses()) == 2
        with tf.Session() as s:
            t, r = s.run([total, reg])
        np.testing.assert_allclose(t, 0.64666665, rtol=1e-6)
        np.testing.assert_allclose(r, 0.5)
        assert tf.losses.compute_weighted_loss(tf.constant([1., 2.]),
                                               weights=[1., 0.]).name == "weighted_loss/value:0"


def test_loss_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"^Shapes \(1, 3\) and \(1, 2\) are incompatible$"):
            tf.losses.mean_squared_error([[1., 2.]], [[1., 2., 3.]])
        with pytest.raises(ValueError, match="^Argument `labels` must not be None.$"):
            tf.losses.mean_squared_error(None, P)
        with pytest.raises(ValueError, match="^Inputs must be an iterable of at least one "):
            tf.losses.get_total_loss()


# -- metrics --------------------------------------------------------------------------------
def test_metrics_accuracy_and_mean():
    with tf.Graph().as_default():
        labels = tf.placeholder(tf.int64, [None])
        preds = tf.placeholder(tf.int64, [None])
        acc, upd = tf.metrics.accuracy(labels, preds)
        m, mu = tf.metrics.mean(tf.constant([1., 2., 3.]), weights=tf.constant([1., 0., 1.]))
        assert [acc.name, upd.name, m.name, mu.name] == [
            "accuracy/value:0", "accuracy/update_op:0", "mean/value:0", "mean/update_op:0"]
        names = ["accuracy/total:0", "accuracy/count:0", "mean/total:0", "mean/count:0"]
        assert [v.name for v in tf.local_variables()] == names
        assert [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)] == names
        with tf.Session() as s:
            s.run(tf.local_variables_initializer())
            assert s.run(upd, {labels: [1, 2, 3, 4], preds: [1, 2, 0, 4]}) == 0.75
            assert s.run(upd, {labels: [1, 2], preds: [0, 0]}) == 0.5
            assert (s.run(acc), s.run(mu), s.run(m)) == (0.5, 2.0, 2.0)


# -- checks ---------------------------------------------------------------------------------
def test_assert_equal_fails_at_run_time_with_tf_message():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        y = tf.placeholder(tf.float32, [3], name="y")
        check = tf.assert_equal(x, y)
        # TF 2.21's names: a guarded Assert, and assert_equal's doubled scope
        assert (check.type, check.name) == ("Merge", "assert_equal_1/Assert/AssertGuard/Merge")
        same = tf.assert_equal(x, x)
        assert (same.type, same.name) == ("NoOp", "assert_equal_2/NoOp")
        less = tf.assert_less(x, x)
        assert less.name == "assert_less/Assert/AssertGuard/Merge"
        with tf.Session() as s:
            s.run(check, {x: [1., 2., 3.], y: [1., 2., 3.]})
            with pytest.raises(errors.InvalidArgumentError) as e:
                s.run(check, {x: [1., 2., 3.], y: [1., 2., 4.]})
            assert ("assertion failed: [Condition x == y did not hold element-wise:] "
                    "[x (x:0) = ] [1 2 3] [y (y:0) = ] [1 2 4]") in e.value.message
            with pytest.raises(errors.InvalidArgumentError) as e:
                s.run(tf.assert_less(y, x, message="msg here"),
                      {x: [1., 2., 3.], y: [1., 2., 4.]})
            assert ("assertion failed: [msg here] [Condition x < y did not hold element-wise:] "
                    "[x (y:0) = ] [1 2 4] [y (x:0) = ] [1 2 3]") in e.value.message
            with pytest.raises(errors.InvalidArgumentError) as e:
                s.run(tf.assert_greater(x, y, data=[x], summarize=2),
                      {x: [1., 2., 3.], y: [1., 2., 4.]})
            assert "assertion failed: [1 2...]" in e.value.message


def test_static_assert_and_rank():
    with tf.Graph().as_default():
        with pytest.raises(errors.InvalidArgumentError) as e:
            tf.assert_equal(tf.constant(1), tf.constant(2))
        assert e.value.message == ("Condition x == y did not hold element-wise:\n"
                                   "x (Const:0) = \n1\ny (Const_1:0) = \n2")
        x = tf.placeholder(tf.float32, [3], name="x")
        tf.assert_rank(x, 1)
        with pytest.raises(ValueError, match="must have rank 2"):
            tf.assert_rank(x, 2)


def test_assert_op_and_control_dependency():
    with tf.Graph().as_default():
        c = tf.placeholder(tf.bool, name="c")
        i = tf.placeholder(tf.int32, [2], name="i")
        op = tf.Assert(c, ["s", i])
        assert op.type == "Assert" and op.get_attr("summarize") == 3
        with tf.control_dependencies([op]):
            out = tf.identity(i)
        with tf.Session() as s:
            assert list(s.run(out, {c: True, i: [7, 8]})) == [7, 8]
            with pytest.raises(errors.InvalidArgumentError, match=r"assertion failed: \[s\] \[7 8\]"):
                s.run(out, {c: False, i: [7, 8]})


def test_print_is_an_identity_that_logs(capfd):
    with tf.Graph().as_default():
        x = tf.constant([1., 2., 3.])
        p = tf.Print(x, [x, x * 2], message="values: ")
        assert (p.name, p.op.type) == ("Print:0", "Print")
        assert p.op.get_attr("message") == "values: " and p.op.get_attr("first_n") == -1
        with tf.Session() as s:
            assert list(s.run(p)) == [1., 2., 3.]
        assert "values: [1 2 3][2 4 6]" in capfd.readouterr().err
        g = tf.gradients(tf.reduce_sum(p), x)[0]
        with tf.Session() as s:
            assert list(s.run(g)) == [1., 1., 1.]
