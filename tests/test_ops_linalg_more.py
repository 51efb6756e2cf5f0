"""Band and diagonal matrix ops (and the decompositions beside them) against TF 2.21.

Values, op names and error texts were measured with TF 2.21 (TF2 eager for values,
`tf.compat.v1` with v2 behaviour disabled for graphs) and are hard-coded here.
"""
import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")


def _ops(g, start=0):
    return [(o.name, o.type) for o in g.get_operations()[start:]]


def _x(tf):
    return tf.reshape(tf.range(1., 13.), [3, 4])


def test_band_part_and_diag_values(tf2):
    x = _x(tf2)
    assert tf2.linalg.band_part(x, 1, 0).numpy().tolist() == [
        [1., 0., 0., 0.], [5., 6., 0., 0.], [0., 10., 11., 0.]]
    assert tf2.linalg.band_part(x, -1, 1).numpy().tolist() == [
        [1., 2., 0., 0.], [5., 6., 7., 0.], [9., 10., 11., 12.]]
    assert tf2.linalg.diag([1., 2.]).numpy().tolist() == [[1., 0.], [0., 2.]]
    assert tf2.linalg.diag([[1., 2.], [3., 4.]], k=1).numpy().tolist() == [
        [[0., 1., 0.], [0., 0., 2.], [0., 0., 0.]], [[0., 3., 0.], [0., 0., 4.], [0., 0., 0.]]]
    assert tf2.linalg.diag([[1., 2.], [3., 4.]], k=(-1, 0)).numpy().tolist() == [
        [1., 0.], [3., 2.]]
    assert tf2.linalg.diag([[1., 2.], [3., 4.]], k=(-1, 0),
                           align="LEFT_RIGHT").numpy().tolist() == [[1., 0.], [4., 2.]]
    assert tf2.linalg.diag([1., 2., 3.], num_rows=3, num_cols=4,
                           padding_value=9).numpy().tolist() == [
        [1., 9., 9., 9.], [9., 2., 9., 9.], [9., 9., 3., 9.]]
    assert tf2.linalg.diag_part(x).numpy().tolist() == [1., 6., 11.]
    assert tf2.linalg.diag_part(x, k=1).numpy().tolist() == [2., 7., 12.]
    assert tf2.linalg.diag_part(x, k=(-1, 1)).numpy().tolist() == [
        [2., 7., 12.], [1., 6., 11.], [5., 10., 0.]]
    assert tf2.linalg.diag_part(x, k=(-1, 1), padding_value=-5,
                                align="LEFT_LEFT").numpy().tolist() == [
        [2., 7., 12.], [1., 6., 11.], [5., 10., -5.]]
    assert tf2.linalg.set_diag(x, [0., 0., 0.]).numpy().tolist() == [
        [0., 2., 3., 4.], [5., 0., 7., 8.], [9., 10., 0., 12.]]
    assert tf2.linalg.set_diag(x, [[7., 7., 7.], [8., 8., 8.]], k=(0, 1)).numpy().tolist() == [
        [8., 7., 3., 4.], [5., 8., 7., 8.], [9., 10., 8., 7.]]
    assert tf2.linalg.trace(x).numpy() == 18.
    assert tf2.linalg.tensor_diag([1., 2.]).numpy().tolist() == [[1., 0.], [0., 2.]]
    assert tf2.linalg.tensor_diag_part(
        tf2.reshape(tf2.range(16.), [2, 2, 2, 2])).numpy().tolist() == [[0., 5.], [10., 15.]]


@pytest.mark.parametrize("build, msg", [
    (lambda tf, x: tf.linalg.diag_part(x, k=5),
     r"lower_diag_index is out of bound: 5. It must be between -3 and 4 "
     r"\[Op:MatrixDiagPartV3\]"),
    (lambda tf, x: tf.linalg.set_diag(x, [1., 2.]),
     r"Input shape: \[3,4\]\nDiagonal shape: \[2\]\nExpected diagonal shape: \[3\] "
     r"\[Op:MatrixSetDiagV3\]"),
    (lambda tf, x: tf.linalg.diag_part(x, k=(1, 0)),
     r"lower_diag_index must not be larger than upper_diag_index: 1 > 0"),
    (lambda tf, x: tf.linalg.tensor_diag_part(x),
     r"Invalid shape \[3,4\]: dimensions 0 and 1 do not match. \[Op:DiagPart\]"),
    (lambda tf, x: tf.linalg.band_part(x, 5, 0),
     r"num_lower must be negative or less or equal to number of rows \(3\) got: 5 "
     r"\[Op:MatrixBandPart\]"),
    (lambda tf, x: tf.linalg.diag([1., 2.], num_rows=1),
     r"The number of rows is too small. \[Op:MatrixDiagV3\]"),
    (lambda tf, x: tf.linalg.diag([1., 2.], num_rows=3, num_cols=4),
     r"The number of rows or columns is not consistent with the specified d_lower, "
     r"d_upper, and diagonal. \[Op:MatrixDiagV3\]"),
])
def test_band_and_diag_errors(tf2, build, msg):
    with pytest.raises(errors.InvalidArgumentError, match=msg):
        build(tf2, _x(tf2))


def test_band_and_diag_graphs_like_tf(tf1):
    p = tf1.placeholder(tf1.float32, [3, 4], name="p")
    outs = [tf1.matrix_band_part(p, 1, 0), tf1.linalg.band_part(p, 1, 0),
            tf1.matrix_diag(tf1.placeholder(tf1.float32, [2, 3])),
            tf1.linalg.diag(tf1.placeholder(tf1.float32, [2, 3]), k=(0, 1)),
            tf1.matrix_diag_part(p), tf1.linalg.diag_part(p, k=(-1, 1)),
            tf1.matrix_set_diag(p, [1., 2., 3.]), tf1.trace(p), tf1.linalg.trace(p),
            tf1.diag([1., 2.]), tf1.diag_part(tf1.placeholder(tf1.float32, [2, 2])),
            tf1.linalg.tensor_diag([1., 2.])]
    assert [(t.name, t.shape.as_list()) for t in outs] == [
        ("MatrixBandPart:0", [3, 4]), ("MatrixBandPart_1:0", [3, 4]), ("diag:0", [2, 3, 3]),
        ("diag_1:0", [3, 3]), ("diag_part:0", [3]), ("diag_part_1:0", [3, 3]),
        ("set_diag:0", [3, 4]), ("Trace:0", []), ("Trace_1:0", []), ("Diag_2:0", [2, 2]),
        ("DiagPart:0", [2]), ("Diag_3:0", [2, 2])]
    g = tf1.get_default_graph()
    ops = _ops(g)
    assert ops[8:13] == [("diag/k", "Const"), ("diag/num_rows", "Const"),
                         ("diag/num_cols", "Const"), ("diag/padding_value", "Const"),
                         ("diag", "MatrixDiagV3")]
    assert outs[2].op.get_attr("align") in ("RIGHT_LEFT", b"RIGHT_LEFT")
    assert [o for o in ops if o[0].startswith("Trace/") or o[0] == "Trace"] == [
        ("Trace/diag_part/k", "Const"), ("Trace/diag_part/padding_value", "Const"),
        ("Trace/diag_part", "MatrixDiagPartV3"), ("Trace/reduction_indices", "Const"),
        ("Trace", "Sum")]
    b, d, s = (tf1.matrix_band_part(p, 1, 0), tf1.matrix_diag_part(p),
               tf1.matrix_set_diag(p, [1., 2., 3.]))
    n = len(g.get_operations())
    gp = tf1.gradients([b, d, s], p)[0]
    assert [o for o in _ops(g, n) if "_grad/" in o[0] or o[0] == "gradients/AddN"] == [
        ("gradients/MatrixBandPart_2_grad/MatrixBandPart", "MatrixBandPart"),
        ("gradients/diag_part_2_grad/diag/num_rows", "Const"),
        ("gradients/diag_part_2_grad/diag/num_cols", "Const"),
        ("gradients/diag_part_2_grad/diag/padding_value", "Const"),
        ("gradients/diag_part_2_grad/diag", "MatrixDiagV3"),
        ("gradients/set_diag_1_grad/zeros", "Const"),
        ("gradients/set_diag_1_grad/set_diag", "MatrixSetDiagV3"),
        ("gradients/set_diag_1_grad/diag_part/padding_value", "Const"),
        ("gradients/set_diag_1_grad/diag_part", "MatrixDiagPartV3"),
        ("gradients/AddN", "AddN")]
    with tf1.Session() as sess:
        v = sess.run(gp, {p: np.zeros((3, 4), np.float32)})
    # band [1, 0] + the main diagonal + everything off the diagonal set_diag replaced
    np.testing.assert_allclose(v, [[2., 1., 1., 1.], [2., 2., 1., 1.], [1., 2., 2., 1.]])


def test_matrix_solve_like_tf(tf2):
    a = tf2.constant([[4., 2.], [2., 3.]])
    assert tf2.linalg.solve(a, [[1.], [2.]]).numpy().tolist() == [[-0.125], [0.75]]
    assert tf2.linalg.solve(a, [[1.], [2.]], adjoint=True).numpy().tolist() == [[-0.125],
                                                                                 [0.75]]
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Input matrix is not invertible. \[Op:MatrixSolve\]"):
        tf2.linalg.solve([[1., 2.], [2., 4.]], [[1.], [1.]])


def test_matrix_solve_graph_like_tf(tf1):
    p = tf1.placeholder(tf1.float64, [2, 2])
    b = tf1.placeholder(tf1.float64, [2, 1])
    s = tf1.matrix_solve(p, b)
    assert s.name == "MatrixSolve:0" and s.shape.as_list() == [2, 1]
    g = tf1.get_default_graph()
    n = len(g.get_operations())
    tf1.gradients(s, [p, b])
    assert [o for o in _ops(g, n) if "_grad/" in o[0]] == [
        ("gradients/MatrixSolve_grad/MatrixSolve", "MatrixSolve"),
        ("gradients/MatrixSolve_grad/MatMul", "MatMul"),
        ("gradients/MatrixSolve_grad/Neg", "Neg")]


def test_tensor_scatter_max_bad_indices_policy_as_tf(tf2):
    # TF 2.21: IGNORE drops out-of-range updates, an unknown policy is an error
    from tfteach.framework.op_def_library import apply_op
    (out,) = apply_op("TensorScatterMax", [tf2.zeros([3]), [[5], [1]], [1., 2.]],
                      {"bad_indices_policy": "IGNORE"}, name="TensorScatterMax")
    np.testing.assert_array_equal(out.numpy(), [0, 2, 0])
    with pytest.raises(errors.InvalidArgumentError,
                       match="Unknown bad indices handling attribute: BOGUS"):
        apply_op("TensorScatterMax", [tf2.zeros([3]), [[1]], [1.]],
                 {"bad_indices_policy": "BOGUS"}, name="TensorScatterMax")


def test_reverse_sequence_without_seq_axis_is_tfs_type_error(tf2):
    with pytest.raises(TypeError, match="Expected int for argument 'seq_dim' not None."):
        tf2.reverse_sequence(tf2.ones([2, 3]), [1, 2])
