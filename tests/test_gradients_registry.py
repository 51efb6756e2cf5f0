"""The registry walk: every op type that declares a gradient is checked against central
finite differences in float64, on random inputs (broadcasting shapes, keepdims reductions).

`CASES` maps each differentiable op type to a builder; an op type that has a gradient
function but no entry here makes `test_every_differentiable_op_has_a_case` fail, so a new
op cannot join the registry without its gradient being checked. A float input whose
gradient comes back `None` fails the walk unless its case lists it in `no_grad` (TF 2.21
gives it none either). Each element-wise binary op is walked twice: broadcasting (in
`CASES`) and with equal, fully known shapes (`BINARY_EQUAL`), where TF's gradients take a
shorter path (no BroadcastGradientArgs, no reduction).
"""
import numpy as np
import pytest

import tfteach.v1 as tfv1  # noqa: F401
from tfteach.eager import api

pytestmark = pytest.mark.mode("v1")

api.load_all_ops()      # every op and gradient is declared, whatever this run imported
from tfteach.framework import registry
from tfteach.framework.op_def_library import apply_op
from tfteach.ops import list_ops as _L

RNG = np.random.RandomState(1234)


def raw(op_type, inputs, attrs=None):
    return apply_op(op_type, list(inputs), attrs, name=op_type)


def r(*shape, lo=-1.0, hi=1.0):
    return RNG.uniform(lo, hi, size=shape)


def pos(*shape):
    return RNG.uniform(0.5, 1.5, size=shape)


def distinct(*shape):
    """Values far from each other: no ties, no kinks inside the finite-difference step."""
    n = int(np.prod(shape)) if shape else 1
    return (RNG.permutation(n).astype(np.float64) * 0.37 + 0.11).reshape(shape)


def i32(v):
    return np.asarray(v, dtype=np.int32)


def unary(op_type, gen=r, shape=(2, 3)):
    return ([gen(*shape)], lambda tf, x: raw(op_type, [x])[0])


def binary(op_type, gx=r, gy=r, sx=(2, 3), sy=(3,)):
    return ([gx(*sx), gy(*sy)], lambda tf, x, y: raw(op_type, [x, y])[0])


def _sep_pair():
    a = distinct(2, 3)
    b = a + np.where(RNG.rand(2, 3) > 0.5, 0.13, -0.13)
    return a, b[0]


def reduction(op_type, keep, axes, shape=(2, 3, 2), gen=r):
    return ([gen(*shape)],
            lambda tf, x: raw(op_type, [x, i32(axes)], {"keep_dims": keep})[0])


def _conv_case(op_type):
    if op_type == "Conv2D":
        return ([r(1, 5, 5, 2), r(3, 3, 2, 3)],
                lambda tf, x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"))
    if op_type == "Conv2DBackpropInput":
        return ([r(3, 3, 2, 3), r(1, 5, 5, 3)],
                lambda tf, w, dy: raw("Conv2DBackpropInput", [i32([1, 5, 5, 2]), w, dy],
                                      {"strides": [1, 1, 1, 1], "padding": "SAME",
                                       "data_format": "NHWC", "use_cudnn_on_gpu": True,
                                       "explicit_paddings": [],
                                       "dilations": [1, 1, 1, 1]})[0])
    return ([r(1, 5, 5, 2), r(1, 5, 5, 3)],
            lambda tf, x, dy: raw("Conv2DBackpropFilter", [x, i32([3, 3, 2, 3]), dy],
                                  {"strides": [1, 1, 1, 1], "padding": "SAME",
                                   "data_format": "NHWC", "use_cudnn_on_gpu": True,
                                   "explicit_paddings": [], "dilations": [1, 1, 1, 1]})[0])


_C3 = {"strides": [1, 2, 1, 2, 1], "padding": "SAME", "data_format": "NDHWC",
       "dilations": [1, 1, 1, 1, 1]}
_DW = {"strides": [1, 2, 2, 1], "padding": "SAME", "data_format": "NHWC",
       "explicit_paddings": [], "dilations": [1, 1, 1, 1]}


def _xent_case(sparse):
    if sparse:
        labels = np.array([1, 0, 2])
        return ([r(3, 4)], lambda tf, x: tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=x))
    lab = np.abs(r(3, 4))
    lab /= lab.sum(1, keepdims=True)
    return ([r(3, 4)], lambda tf, x: tf.nn.softmax_cross_entropy_with_logits(
        labels=lab, logits=x))


def _check_numerics_v2(x, message):
    from tfteach.ops.logging_ops import check_numerics_v2
    return check_numerics_v2(x, message)


def _re_im(tf, z):
    return tf.math.real(z) * tf.math.imag(z) + tf.math.real(z)


CASES = {
    # binary element-wise, with broadcasting
    "AddV2": binary("AddV2"), "Sub": binary("Sub", sx=(3,), sy=(2, 3)),
    "Mul": binary("Mul", sx=(2, 1), sy=(1, 3)), "RealDiv": binary("RealDiv", gy=pos),
    "Div": binary("Div", gy=pos), "DivNoNan": binary("DivNoNan", gy=pos),
    "MulNoNan": binary("MulNoNan"),
    "Pow": binary("Pow", gx=pos, sx=(2, 3), sy=()),
    "Maximum": ([*_sep_pair()], lambda tf, x, y: tf.maximum(x, y)),
    "Minimum": ([*_sep_pair()], lambda tf, x, y: tf.minimum(x, y)),
    "SquaredDifference": binary("SquaredDifference", sx=(2, 3), sy=(2, 1)),
    "Atan2": binary("Atan2", gy=pos), "Xlogy": binary("Xlogy", gy=pos),
    "Xdivy": binary("Xdivy", gy=pos),
    "FloorMod": ([distinct(2, 3) * 3 + 0.05, np.full((3,), 1.7)],
                 lambda tf, x, y: raw("FloorMod", [x, y])[0]),
    # TF 2.21: no gradient for either input (a step function)
    "FloorDiv": ([distinct(2, 3) * 3 + 0.05, np.full((3,), 1.7)],
                 lambda tf, x, y: raw("FloorDiv", [x, y])[0], dict(no_grad=(0, 1))),
    "TruncateDiv": ([distinct(2, 3) * 3 + 0.05, np.full((3,), 1.7)],
                    lambda tf, x, y: raw("TruncateDiv", [x, y])[0], dict(no_grad=(0, 1))),
    # unary element-wise
    "Neg": unary("Neg"), "Abs": unary("Abs", distinct), "Sign": unary("Sign", distinct),
    "Square": unary("Square"), "Sqrt": unary("Sqrt", pos), "Rsqrt": unary("Rsqrt", pos),
    "Exp": unary("Exp"), "Expm1": unary("Expm1"), "Log": unary("Log", pos),
    "Log1p": unary("Log1p", pos), "Sin": unary("Sin"), "Cos": unary("Cos"),
    "Tan": unary("Tan"), "Asin": unary("Asin", lambda *s: r(*s, lo=-0.8, hi=0.8)),
    "Acos": unary("Acos", lambda *s: r(*s, lo=-0.8, hi=0.8)), "Atan": unary("Atan"),
    "Sinh": unary("Sinh"), "Cosh": unary("Cosh"), "Tanh": unary("Tanh"),
    "Sigmoid": unary("Sigmoid"), "Reciprocal": unary("Reciprocal", pos),
    "Inv": unary("Inv", pos), "Erf": unary("Erf"), "Erfc": unary("Erfc"),
    "Acosh": unary("Acosh", lambda *s: r(*s, lo=1.2, hi=2.0)), "Asinh": unary("Asinh"),
    "Atanh": unary("Atanh", lambda *s: r(*s, lo=-0.8, hi=0.8)),
    "Lgamma": unary("Lgamma", pos),
    "Digamma": unary("Digamma", pos),
    # special functions (mathgaps): arguments inside each domain, away from poles
    "Xlog1py": binary("Xlog1py", gy=pos),
    "NextAfter": binary("NextAfter"),
    "Igamma": binary("Igamma", gx=lambda *s: pos(*s) + 0.5, gy=pos),
    "Igammac": binary("Igammac", gx=lambda *s: pos(*s) + 0.5, gy=pos),
    "Zeta": ([np.full((2, 3), 2.5), pos(3) + 0.5],
             lambda tf, x, q: raw("Zeta", [x, q])[0], {"no_grad": (0,)}),
    "Polygamma": ([np.array([[0., 1., 2.], [1., 2., 3.]]), pos(3) + 0.5],
                  lambda tf, n, x: raw("Polygamma", [n, x])[0], {"no_grad": (0,)}),
    "Betainc": ([pos(2, 3) + 0.5, pos(2, 3) + 0.5, np.abs(r(2, 3)) * 0.4 + 0.1],
                lambda tf, a, b, x: raw("Betainc", [a, b, x])[0], {"no_grad": (0, 1)}),
    "Erfinv": unary("Erfinv", lambda *s: r(*s) * 0.4),
    "Ndtri": unary("Ndtri", lambda *s: np.abs(r(*s)) * 0.4 + 0.3),
    "BesselI0": unary("BesselI0"), "BesselI1": unary("BesselI1"),
    "BesselI0e": unary("BesselI0e"), "BesselI1e": unary("BesselI1e"),
    # reversed (exclusive scans start at -inf: a loss of -inf; TF's values pin them)
    "CumulativeLogsumexp": ([r(2, 4)], lambda tf, x: tf.math.cumulative_logsumexp(
        x, axis=1, reverse=True)),
    "EuclideanNorm": reduction("EuclideanNorm", False, [1]),
    # scans: exclusive/reverse change which elements feed each output
    "Cumsum": ([r(2, 3)], lambda tf, x: tf.cumsum(x, axis=1, exclusive=True, reverse=True)),
    "Cumprod": ([pos(2, 3)], lambda tf, x: tf.cumprod(x, axis=1, reverse=True)),
    "Relu": unary("Relu", lambda *s: distinct(*s) - 1.0),
    "Relu6": unary("Relu6", lambda *s: distinct(*s) * 4 - 1.0),
    "Elu": unary("Elu", lambda *s: distinct(*s) - 1.0),
    "Selu": unary("Selu", lambda *s: distinct(*s) - 1.0),
    "LeakyRelu": ([distinct(2, 3) - 1.0], lambda tf, x: tf.nn.leaky_relu(x, 0.2)),
    "Softplus": unary("Softplus"), "Softsign": unary("Softsign"),
    # the gradient helper ops (second derivatives)
    "SqrtGrad": binary("SqrtGrad", gx=pos, sy=(2, 3)),
    "RsqrtGrad": binary("RsqrtGrad", gx=pos, sy=(2, 3)),
    "TanhGrad": binary("TanhGrad", sy=(2, 3)),
    "SigmoidGrad": binary("SigmoidGrad", sy=(2, 3)),
    "ReciprocalGrad": binary("ReciprocalGrad", gx=pos, sy=(2, 3)),
    "ReluGrad": ([r(2, 3), distinct(2, 3) - 1.0],
                 lambda tf, g, x: raw("ReluGrad", [g, x])[0]),
    "Relu6Grad": ([r(2, 3), distinct(2, 3) * 4 - 1.0],
                  lambda tf, g, x: raw("Relu6Grad", [g, x])[0]),
    "EluGrad": ([r(2, 3), distinct(2, 3) - 1.0],
                lambda tf, g, y: raw("EluGrad", [g, y])[0]),
    "SeluGrad": ([r(2, 3), distinct(2, 3) - 1.0],
                 lambda tf, g, y: raw("SeluGrad", [g, y])[0]),
    "LeakyReluGrad": ([r(2, 3), distinct(2, 3) - 1.0],
                      lambda tf, g, x: raw("LeakyReluGrad", [g, x], {"alpha": 0.2})[0]),
    "SoftplusGrad": ([r(2, 3), r(2, 3)], lambda tf, g, x: raw("SoftplusGrad", [g, x])[0]),
    # n-ary, casts, identity
    "AddN": ([r(2, 3), r(2, 3), r(2, 3)], lambda tf, a, b, c: tf.add_n([a, b, c])),
    # float32 in the middle: coarser differences (the function is linear between roundings)
    "Cast": ([r(2, 3)], lambda tf, x: tf.cast(tf.cast(x, tf.float32), tf.float64),
             dict(eps=1e-2, rtol=1e-3, atol=1e-4)),
    "Identity": unary("Identity"),
    "PlaceholderWithDefault": ([r(2, 3)], lambda tf, x: tf.placeholder_with_default(
        x, [2, 3])),
    # reductions (keepdims and not, partial and full)
    "Sum": reduction("Sum", True, [1]), "Mean": reduction("Mean", False, [0, 2]),
    "Prod": reduction("Prod", False, [1], gen=pos),
    "Max": reduction("Max", True, [1], gen=distinct),
    "Min": reduction("Min", False, [0], gen=distinct),
    "L2Loss": unary("L2Loss"),
    # linear algebra
    "MatMul": ([r(2, 3), r(3, 4)], lambda tf, a, b: tf.matmul(a, b)),
    "BatchMatMulV2": ([r(2, 2, 3), r(1, 3, 2)],
                      lambda tf, a, b: raw("BatchMatMulV2", [a, b],
                                           {"adj_x": False, "adj_y": False})[0]),
    "MatrixInverse": ([r(3, 3) + 3 * np.eye(3)], lambda tf, a: tf.matrix_inverse(a)),
    "MatrixDeterminant": ([r(3, 3) + 2 * np.eye(3)],
                          lambda tf, a: tf.matrix_determinant(a)),
    "LogMatrixDeterminant": ([r(3, 3) + 2 * np.eye(3)],
                             lambda tf, a: tf.linalg.slogdet(a)[1]),
    "Cross": ([r(2, 3), r(2, 3)], lambda tf, a, b: tf.linalg.cross(a, b)),
    "TridiagonalSolve": ([r(3, 4) + np.array([[0.], [3.], [0.]]), r(4, 2)],
                         lambda tf, d, b: raw("TridiagonalSolve", [d, b], {
                             "partial_pivoting": True, "perturb_singular": False})[0]),
    "TridiagonalMatMul": ([r(1, 4), r(1, 4), r(1, 4), r(4, 2)],
                          lambda tf, u, m, s, b: raw("TridiagonalMatMul", [u, m, s, b])[0]),
    # eigenvalues of a matrix with one real and a complex pair, through a real loss
    "Eig": ([np.array([[1., 2., 0.], [-3., 1., 1.], [0.5, 0., 2.]]) + 0.1 * r(3, 3)],
            lambda tf, a: (lambda e: tf.math.real(e) ** 2 + tf.math.imag(e) * [1., 2., 3.])(
                raw("Eig", [a], {"Tout": tf.complex128, "compute_v": False})[0])),
    # array ops
    "Reshape": ([r(2, 3)], lambda tf, x: tf.reshape(x, [3, 2])),
    "Transpose": ([r(2, 3, 2)], lambda tf, x: tf.transpose(x, [2, 0, 1])),
    "ExpandDims": ([r(2, 3)], lambda tf, x: tf.expand_dims(x, 1)),
    "Squeeze": ([r(2, 1, 3)], lambda tf, x: tf.squeeze(x, [1])),
    "Tile": ([r(2, 3)], lambda tf, x: tf.tile(x, [2, 1])),
    "Fill": ([np.array(0.7)], lambda tf, v: tf.fill([2, 3], v)),
    "BroadcastTo": ([r(1, 3)], lambda tf, x: tf.broadcast_to(x, [2, 3])),
    "Pack": ([r(2, 3), r(2, 3)], lambda tf, a, b: tf.stack([a, b], axis=1)),
    "Unpack": ([r(3, 2)], lambda tf, x: tf.unstack(x, axis=1)[1] * 2.0 +
               tf.unstack(x, axis=1)[0]),
    "ConcatV2": ([r(2, 3), r(2, 2)], lambda tf, a, b: tf.concat([a, b], axis=1)),
    "Slice": ([r(3, 4)], lambda tf, x: tf.slice(x, [1, 1], [2, 2])),
    "StridedSlice": ([r(3, 4)], lambda tf, x: x[1:, ::2]),
    "StridedSliceGrad": ([r(2, 2)], lambda tf, g: raw(
        "StridedSliceGrad", [i32([3, 4]), i32([1, 0]), i32([3, 4]), i32([1, 2]), g],
        {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
         "shrink_axis_mask": 0})[0]),
    "SpaceToBatchND": ([r(2, 3, 4, 1)], lambda tf, x: tf.space_to_batch_nd(
        x, [1, 2], [[0, 1], [2, 0]])),
    "BatchToSpaceND": ([r(8, 2, 2, 1)], lambda tf, x: tf.batch_to_space_nd(
        x, [2, 2], [[0, 1], [1, 0]])),
    "Pad": ([r(2, 3)], lambda tf, x: tf.pad(x, [[1, 0], [0, 2]])),
    "PadV2": ([r(2, 3)], lambda tf, x: raw("PadV2", [x, i32([[1, 0], [0, 2]]),
                                                     np.float64(0.5)])[0]),
    "MirrorPad": ([r(3, 3)], lambda tf, x: tf.pad(x, [[1, 1], [0, 1]], mode="REFLECT")),
    "MirrorPadGrad": ([r(5, 4)], lambda tf, g: raw(
        "MirrorPadGrad", [g, i32([[1, 1], [0, 1]])], {"mode": "REFLECT"})[0]),
    "ReverseV2": ([r(2, 3)], lambda tf, x: tf.reverse(x, [1])),
    "GatherV2": ([r(4, 3)], lambda tf, x: tf.gather(x, [3, 0, 3], axis=0)),
    "SelectV2": ([r(2, 3), r(3,)], lambda tf, a, b: raw(
        "SelectV2", [np.array([[True, False, True], [False, True, True]]), a, b])[0]),
    "Select": ([r(2, 3), r(2, 3)], lambda tf, a, b: raw(
        "Select", [np.array([[True, False, True], [False, True, True]]), a, b])[0]),
    "Split": ([r(2, 4)], lambda tf, x: tf.split(x, 2, axis=1)[1]),
    "SplitV": ([r(2, 5)], lambda tf, x: tf.split(x, [2, 3], axis=1)[0] * 3.0),
    "DynamicStitch": ([r(2), r(2)], lambda tf, a, b: raw(
        "DynamicStitch", [[i32([0, 2]), i32([1, 3])], [a, b]])[0]),
    "GatherNd": ([r(4, 3)], lambda tf, x: tf.gather_nd(x, [[0, 1], [3, 2], [0, 1]])),
    "ScatterNd": ([r(3, 2)], lambda tf, u: tf.scatter_nd([[0], [2], [0]], u, [4, 2])),
    "TensorScatterUpdate": ([r(4, 2), r(2, 2)], lambda tf, t, u: tf.tensor_scatter_nd_update(
        t, [[0], [2]], u)),
    "TensorScatterAdd": ([r(4, 2), r(2, 2)], lambda tf, t, u: tf.tensor_scatter_nd_add(
        t, [[0], [0]], u)),
    "TensorScatterSub": ([r(4, 2), r(2, 2)], lambda tf, t, u: tf.tensor_scatter_nd_sub(
        t, [[1], [3]], u)),
    # a negative id drops its row: its gradient is zero
    "UnsortedSegmentSum": ([r(4, 3)], lambda tf, x: tf.unsorted_segment_sum(
        x, [0, 2, -1, 0], 3)),
    "UnsortedSegmentMax": ([distinct(4, 3)], lambda tf, x: tf.unsorted_segment_max(
        x, [1, 0, 1, 0], 2)),
    "UnsortedSegmentMin": ([distinct(4, 3)], lambda tf, x: tf.unsorted_segment_min(
        x, [1, 0, 1, 0], 2)),
    # the number of segments is known only at run time: reshaped to a static shape
    "SegmentMax": ([distinct(4, 3)], lambda tf, x: tf.reshape(
        tf.math.segment_max(x, [0, 0, 2, 2]), [3, 3])),
    "SegmentMin": ([distinct(4, 3)], lambda tf, x: tf.reshape(
        tf.math.segment_min(x, [0, 1, 1, 1]), [2, 3])),
    "SegmentProd": ([r(4, 3)], lambda tf, x: tf.reshape(
        tf.math.segment_prod(x, [0, 0, 2, 2]), [3, 3])),
    "UnsortedSegmentProd": ([r(4, 3)], lambda tf, x: tf.math.unsorted_segment_prod(
        x, [1, 0, -1, 1], 2)),
    "SegmentSum": ([r(4, 3)], lambda tf, x: tf.reshape(tf.segment_sum(x, [0, 0, 2, 2]),
                                                       [3, 3])),
    "SegmentMean": ([r(4, 3)], lambda tf, x: tf.reshape(tf.segment_mean(x, [0, 0, 0, 1]),
                                                        [2, 3])),
    "Roll": ([r(3, 4)], lambda tf, x: tf.roll(x, [1, -1], [0, 1])),
    "MatrixBandPart": ([r(2, 3, 4)], lambda tf, x: tf.linalg.band_part(x, 1, 0)),
    "MatrixDiagV3": ([r(2, 3)], lambda tf, d: tf.linalg.diag(d, k=(-1, 0))),
    "MatrixDiagPartV3": ([r(3, 4)], lambda tf, x: tf.linalg.diag_part(x, k=(-1, 1))),
    "MatrixSetDiagV3": ([r(3, 4), r(2, 3)], lambda tf, x, d: tf.linalg.set_diag(
        x, d, k=(0, 1))),
    "Diag": ([r(2, 2)], lambda tf, d: tf.linalg.tensor_diag(d)),
    "MatrixSolve": ([r(3, 3) + 3 * np.eye(3), r(3, 2)], lambda tf, a, b: tf.linalg.solve(
        a, b) + tf.linalg.solve(a, b, adjoint=True)),
    "DiagPart": ([r(2, 3, 2, 3)], lambda tf, x: tf.linalg.tensor_diag_part(x)),
    # image resizes: linear in the image, so a large step is exact up to the float32 the
    # bilinear op computes in
    "ResizeBilinear": ([r(1, 3, 4, 2)], lambda tf, x: tf.cast(
        tf.image.resize_bilinear(x, [5, 7]) + tf.image.resize_bilinear(
            x, [2, 3], align_corners=True) [:, :1, :1] * 0 + tf.image.resize_bilinear(
            x, [5, 7], half_pixel_centers=True), tf.float64), {"eps": 0.1, "rtol": 1e-4,
                                                               "atol": 1e-4}),
    "ResizeNearestNeighbor": ([r(1, 3, 4, 2)], lambda tf, x: tf.image.resize_nearest_neighbor(
        x, [5, 7]) + tf.image.resize_nearest_neighbor(x, [5, 7], half_pixel_centers=True)),
    # bicubic: linear in the image (legacy and half-pixel grids, the latter renormalising
    # its border taps)
    "ResizeBicubic": ([r(1, 3, 4, 2)], lambda tf, x: tf.cast(tf.concat([
        tf.reshape(tf.image.resize_bicubic(x, [5, 7]), [-1]),
        tf.reshape(tf.image.resize_bicubic(x, [2, 6], half_pixel_centers=True), [-1])], 0),
        tf.float64), {"eps": 0.1, "rtol": 1e-4, "atol": 1e-4}),
    # colour: pixels with three distinct components (the largest and smallest are then
    # fixed under a small step) in each sextant of the hue wheel
    "RGBToHSV": ([np.array([[0.9, 0.5, 0.1], [0.2, 0.7, 0.4], [0.3, 0.1, 0.8],
                            [0.6, 0.2, 0.9], [0.4, 0.8, 0.5], [0.7, 0.6, 0.2]])],
                 lambda tf, x: tf.image.rgb_to_hsv(x)),
    # patches: a gather, so linear in the image (dilated SAME windows read padding)
    "ExtractImagePatches": ([r(1, 4, 5, 2)], lambda tf, x: tf.image.extract_image_patches(
        x, [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 2, 1], "SAME")),
    # crops: linear in the image; in the boxes, piecewise linear (a small step stays on one
    # piece), both through float32 arithmetic
    "CropAndResize": ([r(2, 4, 5, 2), np.array([[0.12, 0.21, 0.73, 0.88],
                                                [0.31, 0.07, 0.58, 0.64]])],
                      lambda tf, x, b: tf.cast(tf.image.crop_and_resize(
                          x, tf.cast(b, tf.float32), [1, 0], [3, 4]), tf.float64),
                      {"eps": 1e-3, "rtol": 2e-3, "atol": 2e-3}),
    # decompositions: the input made symmetric positive definite inside the function (so
    # every entry is perturbed consistently); sign-free functions of the vectors
    "Cholesky": ([r(3, 3)], lambda tf, x: tf.linalg.cholesky(
        tf.matmul(x, x, transpose_b=True) + 3 * tf.eye(3, dtype=tf.float64))),
    "SelfAdjointEigV2": ([r(3, 3)], lambda tf, x: tf.concat([
        tf.linalg.eigvalsh(x + tf.transpose(x)),
        tf.reshape(tf.square(tf.linalg.eigh(x + tf.transpose(x))[1]), [-1])], 0)),
    "Qr": ([r(4, 3), r(2, 3)], lambda tf, x, w: tf.concat([
        tf.reshape(tf.matmul(*tf.linalg.qr(x)), [-1]),
        tf.reshape(tf.abs(tf.linalg.qr(x)[1]), [-1]),
        tf.reshape(tf.square(tf.linalg.qr(w)[0]), [-1]),
        tf.reshape(tf.abs(tf.linalg.qr(w)[1]), [-1])], 0)),
    "Svd": ([r(4, 3), r(2, 3)], lambda tf, x, w: tf.concat([
        tf.linalg.svd(x, compute_uv=False), tf.linalg.svd(w)[0],
        tf.reshape(tf.square(tf.linalg.svd(x)[1]), [-1]),
        tf.reshape(tf.square(tf.linalg.svd(w)[2]), [-1])], 0)),
    "MatrixTriangularSolve": ([r(3, 3) + 3 * np.eye(3), r(3, 2)], lambda tf, a, b:
                              tf.linalg.triangular_solve(a, b) +
                              tf.linalg.triangular_solve(a, b, lower=False, adjoint=True)),
    "TensorScatterMax": ([distinct(4, 2), distinct(2, 2)], lambda tf, t, u:
                         tf.tensor_scatter_nd_max(t, [[0], [2]], u)),
    "TensorScatterMin": ([distinct(4, 2), distinct(2, 2)], lambda tf, t, u:
                         tf.tensor_scatter_nd_min(t, [[1], [3]], u)),
    "ReverseSequence": ([r(2, 3, 4)], lambda tf, x: tf.reverse_sequence(
        x, [2, 3], seq_axis=2, batch_axis=0)),
    "DynamicPartition": ([r(4, 2)], lambda tf, x: tf.reshape(tf.dynamic_partition(
        x, [1, 0, 1, 1], 2)[1], [3, 2])),
    # top_k, einsum (tests/test_ops_sort_einsum.py)
    "TopKV2": ([distinct(2, 5)], lambda tf, x: tf.nn.top_k(x, 3).values),
    # a list of mixed dtypes: the int32 output gets no gradient
    "IdentityN": ([r(2, 3)], lambda tf, x: tf.identity_n([x, tf.constant(1)])[0] * 2.0),
    # a contraction, a label summed inside one operand, a broadcast ellipsis
    "Einsum": ([r(2, 3), r(3, 4), r(1, 3, 2)], lambda tf, a, b, c: (
        tf.reduce_sum(tf.einsum("ij,jk->ik", a, b)) * tf.einsum("ij,jk->i", a, b)[0] +
        tf.reduce_sum(tf.einsum("...ij,jk->...ik", tf.stack([a, a * 2.0]), b)) +
        tf.reduce_sum(tf.einsum("bij->bj", c)) +
        tf.reduce_sum(tf.einsum("...ij,...jk->...ik", c, tf.stack([a] * 4))))),
    # nn
    "BiasAdd": ([r(2, 3), r(3)], lambda tf, x, b: tf.nn.bias_add(x, b)),
    "BiasAddGrad": ([r(2, 3)], lambda tf, g: raw("BiasAddGrad", [g],
                                                 {"data_format": "NHWC"})[0]),
    "Softmax": ([r(2, 3)], lambda tf, x: tf.nn.softmax(x)),
    "LogSoftmax": ([r(2, 3)], lambda tf, x: tf.nn.log_softmax(x)),
    "SoftmaxCrossEntropyWithLogits": _xent_case(False),
    "SparseSoftmaxCrossEntropyWithLogits": _xent_case(True),
    "Conv2D": _conv_case("Conv2D"),
    "Conv2DBackpropInput": _conv_case("Conv2DBackpropInput"),
    "Conv2DBackpropFilter": _conv_case("Conv2DBackpropFilter"),
    "DepthwiseConv2dNative": ([r(1, 5, 4, 2), r(3, 2, 2, 2)],
                              lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1],
                                                                      "SAME")),
    "DepthwiseConv2dNativeBackpropInput": ([r(3, 2, 2, 2), r(1, 3, 2, 4)], lambda tf, w, dy: raw(
        "DepthwiseConv2dNativeBackpropInput", [i32([1, 5, 4, 2]), w, dy], _DW)[0]),
    "DepthwiseConv2dNativeBackpropFilter": ([r(1, 5, 4, 2), r(1, 3, 2, 4)], lambda tf, x, dy: raw(
        "DepthwiseConv2dNativeBackpropFilter", [x, i32([3, 2, 2, 2]), dy], _DW)[0]),
    "SpaceToDepth": ([r(1, 4, 2, 2)], lambda tf, x: tf.nn.space_to_depth(x, 2)),
    "DepthToSpace": ([r(1, 2, 1, 8)], lambda tf, x: tf.nn.depth_to_space(x, 2)),
    "LRN": ([r(1, 2, 1, 6)], lambda tf, x: tf.nn.lrn(x, 2, 1.5, 0.4, 0.75)),
    "Conv3D": ([r(1, 3, 4, 3, 2), r(2, 2, 2, 2, 2)],
               lambda tf, x, w: tf.nn.conv3d(x, w, [1, 2, 1, 2, 1], "SAME")),
    "Conv3DBackpropInputV2": ([r(2, 2, 2, 2, 2), r(1, 2, 4, 2, 2)], lambda tf, w, dy: raw(
        "Conv3DBackpropInputV2", [i32([1, 3, 4, 3, 2]), w, dy], _C3)[0]),
    "Conv3DBackpropFilterV2": ([r(1, 3, 4, 3, 2), r(1, 2, 4, 2, 2)], lambda tf, x, dy: raw(
        "Conv3DBackpropFilterV2", [x, i32([2, 2, 2, 2, 2]), dy], _C3)[0]),
    "MaxPool3D": ([distinct(1, 2, 4, 4, 1)],
                  lambda tf, x: tf.nn.max_pool3d(x, 2, 2, "VALID")),
    "AvgPool3D": ([r(1, 3, 4, 4, 2)], lambda tf, x: tf.nn.avg_pool3d(x, 2, 2, "SAME")),
    "AvgPool3DGrad": ([r(1, 2, 2, 2, 2)], lambda tf, g: raw(
        "AvgPool3DGrad", [i32([1, 3, 4, 4, 2]), g], {"ksize": [1, 2, 2, 2, 1],
                                                     "strides": [1, 2, 2, 2, 1],
                                                     "padding": "SAME",
                                                     "data_format": "NDHWC"})[0]),
    "MaxPoolWithArgmax": ([distinct(1, 4, 4, 2)],
                          lambda tf, x: tf.nn.max_pool_with_argmax(x, 2, 2, "VALID")[0]),
    "MaxPool": ([distinct(1, 4, 4, 1)],
                lambda tf, x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")),
    "AvgPool": ([r(1, 4, 4, 2)],
                lambda tf, x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")),
    "AvgPoolGrad": ([r(1, 2, 2, 2)], lambda tf, g: raw(
        "AvgPoolGrad", [i32([1, 4, 4, 2]), g], {"ksize": [1, 2, 2, 1],
                                                "strides": [1, 2, 2, 1], "padding": "VALID",
                                                "data_format": "NHWC"})[0]),
    # py_function's gradient takes the forward run's tape (its output shape is unknown)
    "EagerPyFunc": ([r(2, 3)], lambda tf, x: tf.reshape(
        tf.py_function(lambda u: tf.sin(u) * u, [x], x.dtype), [2, 3])),
    # tf.Print passes its input's gradient through (first_n=0: nothing is written)
    "Print": ([r(2, 3)], lambda tf, x: tf.Print(x, [x], message="x: ", first_n=0) * x),
    "CheckNumerics": ([r(2, 3)], lambda tf, x: tf.check_numerics(x * x, "finite") * x),
    "CheckNumericsV2": ([r(2, 3)], lambda tf, x: _check_numerics_v2(x * x, "finite") * x),
    # a v1 cond on a constant predicate, each way: the taken branch's Switch and the Merge
    # carry the gradient, the untaken branch's Switch contributes its gated zeros
    # a while loop (the frame's ops are differentiated together, ops/while_grad.py): the
    # loop variable's Enter/NextIteration/Exit, a captured tensor's constant Enter
    "Enter": ([r(2, 3), r(2, 3)], lambda tf, x, y: tf.while_loop(
        lambda i, a: i < 3, lambda i, a: (i + 1, tf.sin(a) * y), [0, x])[1]),
    "Exit": ([r(3)], lambda tf, x: tf.while_loop(
        lambda i, a: i < 2, lambda i, a: (i + 1, a * a + x), [0, x * 0.5])[1]),
    "NextIteration": ([r(2, 2), r(2, 2)], lambda tf, x, w: tf.while_loop(
        lambda i, a: i < 3, lambda i, a: (i + 1, tf.tanh(tf.matmul(a, w))), [0, x])[1]),
    "Switch": ([r(2, 3)], lambda tf, x: tf.cond(tf.constant(False), lambda: tf.sin(x),
                                                lambda: x * x)),
    "Merge": ([r(2, 3)], lambda tf, x: tf.cond(tf.constant(True), lambda: tf.sin(x) * x,
                                               lambda: -x)),
    "EnsureShape": ([r(2, 3)], lambda tf, x: tf.ensure_shape(x, [None, 3]) * x),
    # TensorArray ops: TF's TensorArrayGrad machinery (a gradient array per `gradients`
    # scope, whose writes to one index add up); the eager tape sees a Python list
    "TensorArrayWriteV3": ([r(2, 3)], lambda tf, x: tf.TensorArray(tf.float64, size=2)
                           .write(1, x).write(0, x * x).stack()),
    "TensorArrayReadV3": ([r(2, 3)], lambda tf, x: tf.TensorArray(
        tf.float64, size=2, clear_after_read=False).unstack(x).read(1) * x[1]),
    "TensorArrayScatterV3": ([r(3, 2)], lambda tf, x: tf.TensorArray(tf.float64, size=3)
                             .scatter(i32([2, 0, 1]), x).read(2)),
    "TensorArrayGatherV3": ([r(3, 2)], lambda tf, x: tf.TensorArray(tf.float64, size=3)
                            .unstack(x).gather(i32([2, 0]))),
    "TensorArraySplitV3": ([r(5, 2)], lambda tf, x: tf.reshape(tf.TensorArray(
        tf.float64, size=2, infer_shape=False).split(x, i32([2, 3])).concat(), [5, 2])),
    "TensorArrayConcatV3": ([r(5, 2)], lambda tf, x: tf.reshape(tf.TensorArray(
        tf.float64, size=2, infer_shape=False).split(x * x, i32([3, 2])).concat(), [5, 2])),
    # TensorList ops: the gradient of a list is a list (ops/list_grad.py); the reshape
    # states the shape a list's stack cannot know while the graph is built
    "TensorListFromTensor": ([r(3, 2)], lambda tf, x: tf.reshape(_L.tensor_list_stack(
        _L.tensor_list_from_tensor(x * x, [2]), tf.float64), [3, 2])),
    "TensorListStack": ([r(3, 2)], lambda tf, x: tf.reshape(_L.tensor_list_stack(
        _L.tensor_list_from_tensor(x, [2]), tf.float64) * x, [3, 2])),
    "TensorListGetItem": ([r(3, 2)], lambda tf, x: _L.tensor_list_get_item(
        _L.tensor_list_from_tensor(x, [2]), 1, tf.float64) * x[1]),
    "TensorListSetItem": ([r(3, 2), r(2)], lambda tf, x, y: tf.reshape(_L.tensor_list_stack(
        _L.tensor_list_set_item(_L.tensor_list_from_tensor(x, [2]), 2, y * y),
        tf.float64), [3, 2])),
    "TensorListPushBack": ([r(3, 2), r(2)], lambda tf, x, y: tf.reshape(_L.tensor_list_stack(
        _L.tensor_list_push_back(_L.tensor_list_from_tensor(x, [2]), y * x[0]),
        tf.float64), [4, 2])),
    "TensorListPopBack": ([r(3, 2)], lambda tf, x: tf.reshape(tf.concat(
        [_L.tensor_list_stack(_L.tensor_list_pop_back(_L.tensor_list_from_tensor(x, [2]),
                                                      tf.float64)[0], tf.float64),
         3.0 * _L.tensor_list_pop_back(_L.tensor_list_from_tensor(x, [2]),
                                       tf.float64)[1][None]], 0), [3, 2])),
    "TensorListGather": ([r(3, 2)], lambda tf, x: _L.tensor_list_gather(
        _L.tensor_list_from_tensor(x, [2]), i32([2, 0]), tf.float64)),
    "TensorListScatterV2": ([r(3, 2)], lambda tf, x: tf.reshape(_L.tensor_list_stack(
        _L.tensor_list_scatter(x, i32([3, 0, 1]), [2]), tf.float64), [4, 2])),
    "TensorListScatterIntoExistingList": ([r(3, 2), r(2, 2)], lambda tf, x, y: tf.reshape(
        _L.tensor_list_stack(_L.tensor_list_scatter(
            y * y, i32([2, 0]), [2], input_handle=_L.tensor_list_from_tensor(x, [2])),
            tf.float64), [3, 2])),
    "TensorListResize": ([r(3, 2)], lambda tf, x: tf.reshape(_L.tensor_list_stack(
        _L.tensor_list_resize(_L.tensor_list_from_tensor(x, [2]), 2), tf.float64), [2, 2])),
    "TensorListSplit": ([r(5, 2)], lambda tf, x: tf.reshape(_L.tensor_list_get_item(
        _L.tensor_list_split(x * x, [-1, 2], np.array([2, 3], np.int64)), 1, tf.float64),
        [3, 2])),
    "TensorListConcatV2": ([r(5, 2)], lambda tf, x: tf.reshape(_L.tensor_list_concat(
        _L.tensor_list_split(x, [-1, 2], np.array([3, 2], np.int64)), tf.float64,
        element_shape=[-1, 2]) * x, [5, 2])),
    # TF's older Add (the one that also concatenates strings)
    "Add": binary("Add", sx=(2, 1), sy=(3,)),
    # complex numbers: real inputs, a complex middle, a real loss (TF's conjugate rules)
    "Complex": ([r(2, 3), r(3)], lambda tf, x, y: tf.math.real(
        tf.complex(x, y) * tf.complex(y, x))),
    "ComplexAbs": ([pos(2, 3), r(2, 3)], lambda tf, x, y: tf.abs(tf.complex(x, y))),
    "Real": ([r(2, 3), r(2, 3)], lambda tf, x, y: tf.math.real(
        tf.exp(tf.complex(x, y)) * tf.complex(y, x))),
    "Imag": ([r(2, 3), r(2, 3)], lambda tf, x, y: tf.math.imag(
        tf.square(tf.complex(x, y)) / tf.complex(y + 2.0, x))),
    "Angle": ([pos(2, 3), r(2, 3)], lambda tf, x, y: tf.math.angle(tf.complex(x, y))),
    "Conj": ([r(2, 3), r(2, 3)], lambda tf, x, y: tf.math.imag(
        tf.math.conj(tf.complex(x, y)) * tf.complex(y, y * x))),
    # spectral ops (TF's scaling: N * inverse for FFT, the Hermitian masks for RFFT/IRFFT)
    **{t: ([r(*shape), r(*shape)], (lambda tf, x, y, f=f: tf.math.real(
        f(tf)(tf.complex(x, y)) * tf.complex(y, x))))
       for t, f, shape in (("FFT", lambda tf: tf.signal.fft, (2, 5)),
                           ("IFFT", lambda tf: tf.signal.ifft, (2, 4)),
                           ("FFT2D", lambda tf: tf.signal.fft2d, (2, 3, 4)),
                           ("IFFT2D", lambda tf: tf.signal.ifft2d, (3, 3)),
                           ("FFT3D", lambda tf: tf.signal.fft3d, (2, 2, 3)),
                           ("IFFT3D", lambda tf: tf.signal.ifft3d, (2, 3, 2)))},
    "RFFT": ([r(2, 7)], lambda tf, x: _re_im(tf, tf.signal.rfft(x))),
    "RFFT2D": ([r(2, 4, 6)], lambda tf, x: _re_im(tf, tf.signal.rfft2d(x))),
    "IRFFT": ([r(2, 5), r(2, 5)], lambda tf, x, y: tf.signal.irfft(tf.complex(x, y)) ** 2),
    "IRFFT2D": ([r(3, 4), r(3, 4)], lambda tf, x, y: tf.signal.irfft2d(
        tf.complex(x, y), fft_length=[3, 7]) ** 2),
    # ragged: the values land in a padded tensor, default_value everywhere else
    "RaggedTensorToTensor": ([r(5), r()], lambda tf, v, d: tf.RaggedTensor.from_row_splits(
        v, np.array([0, 3, 3, 5], np.int64)).to_tensor(default_value=d, shape=[3, 3])),
    # sparse: gradients reach the values and the dense operands
    "SparseToDense": ([r(3), r()], lambda tf, v, d: tf.sparse.to_dense(
        tf.SparseTensor([[0, 1], [1, 0], [2, 2]], v, [3, 3]), default_value=d)),
    "SparseAdd": ([r(2), r(3)], lambda tf, a, b: tf.sparse.to_dense(tf.sparse.add(
        tf.SparseTensor([[0, 0], [1, 2]], a, [2, 3]),
        tf.SparseTensor([[0, 0], [0, 2], [1, 1]], b, [2, 3])))),
    "SparseTensorDenseAdd": ([r(2), r(2, 3)], lambda tf, a, b: tf.sparse.add(
        tf.SparseTensor([[0, 0], [1, 2]], a, [2, 3]), b)),
    "SparseTensorDenseMatMul": ([r(3), r(3, 2)], lambda tf, a, b: tf.sparse.sparse_dense_matmul(
        tf.SparseTensor([[0, 1], [1, 0], [1, 2]], a, [2, 3]), b)),
    "SparseReorder": ([r(3)], lambda tf, a: tf.sparse.to_dense(tf.sparse.reorder(
        tf.SparseTensor([[1, 2], [0, 0], [0, 3]], a, [2, 4])))),
    "SparseReduceSum": ([r(3)], lambda tf, a: tf.sparse.reduce_sum(
        tf.SparseTensor([[0, 0], [1, 2], [1, 0]], a, [2, 3]), axis=1)),
}

# Ops whose gradient is checked through another path (not element-wise numbers).
NOT_NUMERIC = {
    "FusedBatchNormV3": "its gradient op takes a float32 scale only (TF's signature), so no "
                        "float64 finite differences; its gradients are checked against TF's "
                        "recorded values in float32 (test_nn_gaps.py)",
    "ReadVariableOp": "reads a resource variable: the eager tape tests cover it",
    "RefSwitch": "switches a variable's reference (an assign in a cond branch), which "
                 "carries no gradient: variables get theirs through their read's Switch; "
                 "the rule is Switch's (test_cond.py)",
    "RefMerge": "merges the results of assigns, which have no gradient; the rule is "
                "Merge's (test_cond.py)",
    # a variable's reference through a while loop's frame: tf.gradients differentiates a
    # loop as a whole (ops/while_grad.py), never these ops alone; a RefEnter's gradient is
    # checked against TF's value in test_while_loop.py (a variable read in the body)
    **{t: "a reference in a while loop's frame: the loop's gradient is built as a whole "
          "(test_while_loop.py)" for t in ("RefEnter", "RefExit", "RefNextIteration")},
}


def _differentiable():
    return sorted(t for t, d in registry.all_ops().items() if d.gradient is not None)


def test_every_differentiable_op_has_a_case():
    missing = [t for t in _differentiable() if t not in CASES and t not in NOT_NUMERIC]
    assert not missing, f"differentiable ops without a finite-difference case: {missing}"


# Ops TF 2.21 itself leaves without a gradient (tf.gradients raises LookupError through
# them) or whose gradient needs an op tfteach does not have yet.
UNCLASSIFIED_AS_IN_TF = {
    "RFFT3D": "TF registers no gradient for it",
    "IRFFT3D": "TF registers no gradient for it",
    "SoftsignGrad": "TF registers no gradient for it",
    "MaxPoolGrad": "TF's gradient needs MaxPoolGradGrad, not in tfteach yet",
    "SparseReduceMax": "TF registers no gradient for it",
    "LRNGrad": "TF registers no gradient for it",
    "MaxPool3DGrad": "TF's gradient needs MaxPool3DGradGrad, not in tfteach yet",
    "FusedBatchNormGradV3": "TF's gradient (_FusedBatchNormGradGrad) is not in tfteach yet",
    "MaxPoolGradWithArgmax": "TF's gradient needs MaxPoolGradGradWithArgmax, not in tfteach yet",
    "Bitcast": "TF registers no gradient for it",
    "GuaranteeConst": "TF registers no gradient for it",
    "HistogramFixedWidth": "TF registers no gradient for it",
    "ResizeArea": "TF registers no gradient for it (tests/cases_image_gaps.py records the "
                  "LookupError)",
    "DenseBincount": "TF registers no gradient for it",
    "IgammaGradA": "TF registers no gradient for it",
    "Lu": "TF registers no gradient for it (tf.linalg.lu is not differentiable)",
    "ListDiff": "TF registers no gradient for it (tests/data/v1_misc_tf.json records the "
                "LookupError)",
    **{t: "TF registers no gradient for it (tests/data/v1_scatter_tf.json records the "
          "LookupError)" for t in ("ScatterUpdate", "ScatterMin", "ScatterMax")},
}


def test_every_op_is_classified():
    """Every op either has a gradient function or is declared NotDifferentiable."""
    unknown = sorted(t for t, d in registry.all_ops().items()
                     if d.differentiable is None and t not in UNCLASSIFIED_AS_IN_TF)
    assert not unknown, f"ops neither differentiable nor NotDifferentiable: {unknown}"


def _loss_and_grads(tf, inputs, build, shapes=None):
    """A scalar loss sum(w * f(x)) and its tf.gradients w.r.t. the placeholders (of the
    inputs' shapes, or of `shapes` where some dims are unknown)."""
    phs = [tf.placeholder(tf.float64, shape=np.shape(a) if shapes is None else s)
           for a, s in zip(inputs, shapes or inputs)]
    out = build(tf, *phs)
    w_shape = out.shape.as_list() if shapes is None else np.broadcast(*inputs).shape
    w = tf.constant(RNG.uniform(0.5, 1.5, size=w_shape))
    loss = tf.reduce_sum(out * w)
    # gather's gradient is an IndexedSlices: compared densified, as TF's conversion does
    grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
             for g in tf.gradients(loss, phs)]
    return phs, loss, grads


def _check(tf, op_type, inputs, build, eps=1e-6, rtol=1e-4, atol=1e-6, no_grad=(),
           shapes=None):
    inputs = [np.asarray(a, dtype=np.float64) for a in inputs]
    phs, loss, grads = _loss_and_grads(tf, inputs, build, shapes)
    assert any(op.type == op_type for op in tf.get_default_graph().get_operations()), \
        f"the case for {op_type} does not create a {op_type} op"
    got_none = tuple(k for k, g in enumerate(grads) if g is None)
    assert got_none == tuple(no_grad), (
        f"{op_type}: inputs {got_none} got no gradient, the case declares {tuple(no_grad)}")
    with tf.Session() as sess:
        feed = dict(zip(phs, inputs))
        sym = sess.run([g for g in grads if g is not None], feed)
        sym_iter = iter(sym)
        for k, (a, g) in enumerate(zip(inputs, grads)):
            if g is None:
                continue
            got = next(sym_iter)
            num = np.zeros_like(a)
            flat = a.reshape(-1)
            for i in range(flat.size):
                orig = flat[i]
                flat[i] = orig + eps
                up = sess.run(loss, {**feed, phs[k]: a})
                flat[i] = orig - eps
                down = sess.run(loss, {**feed, phs[k]: a})
                flat[i] = orig
                num.reshape(-1)[i] = (up - down) / (2 * eps)
            np.testing.assert_allclose(got, num, rtol=rtol, atol=atol,
                                       err_msg=f"{op_type}: gradient of input {k}")
    return grads


@pytest.mark.parametrize("op_type", sorted(CASES))
def test_gradient_matches_finite_differences(tf1, op_type):
    opdef = registry.all_ops().get(op_type)
    assert opdef is not None, f"{op_type} is not in the registry"
    assert opdef.kernel_for("CPU") is not None, f"{op_type} has no CPU kernel"
    inputs, build, *opts = CASES[op_type]
    grads = _check(tf1, op_type, [np.array(a, copy=True) for a in inputs], build,
                   **(opts[0] if opts else {}))
    if opdef.gradient is None:
        assert all(g is None for g in grads)


# Element-wise binary ops again, on two inputs of one fully known shape: TF's gradients skip
# BroadcastGradientArgs and the reductions there (Add/Sub/Mul return the incoming gradient
# as it is), a second code path with its own bugs to catch.
BINARY_EQUAL = {
    "AddV2": (r, r), "Sub": (r, r), "Mul": (r, r), "RealDiv": (r, pos), "Div": (r, pos),
    "DivNoNan": (r, pos), "MulNoNan": (r, r), "Pow": (pos, r),
    "SquaredDifference": (r, r), "Atan2": (r, pos), "Xlogy": (r, pos), "Xdivy": (r, pos),
    "Maximum": None, "Minimum": None, "FloorMod": None, "Add": (r, r), "Complex": (r, r),
    "Xlog1py": (r, pos), "NextAfter": (r, r), "Igamma": (lambda *s: pos(*s) + 0.5, pos),
    "Igammac": (lambda *s: pos(*s) + 0.5, pos),
}
# ops whose output is not real: walked through a real loss, as in CASES
_EQUAL_BUILD = {"Complex": lambda tf, x, y: tf.math.real(tf.complex(x, y) * tf.complex(y, x))}
# TF 2.21 builds BroadcastGradientArgs for these even when the shapes are equal (recorded by
# tools/record_tf_shape_rules.py, "equal_shape_gradients"); every other one skips it.
ALWAYS_BROADCAST_ARGS = {"Xlogy", "Xdivy", "Xlog1py", "NextAfter", "Igamma", "Igammac"}
# Zeta's x and Polygamma's order get no gradient in TF either: walked by CASES only (their
# gradients build BroadcastGradientArgs always, as TF's: tests/test_math_gaps.py)
ONE_SIDED = {"Zeta", "Polygamma"}


def _equal_shape_inputs(op_type):
    if op_type in ("Maximum", "Minimum"):
        a = distinct(2, 3)
        return [a, a + np.where(RNG.rand(2, 3) > 0.5, 0.13, -0.13)]
    if op_type == "FloorMod":
        return [distinct(2, 3) * 3 + 0.05, np.full((2, 3), 1.7)]
    gx, gy = BINARY_EQUAL[op_type]
    return [gx(2, 3), gy(2, 3)]


def test_every_broadcasting_binary_op_is_walked_twice():
    binary_ops = {t for t, (inputs, *_rest) in CASES.items()
                  if len(inputs) == 2 and
                  getattr(registry.all_ops()[t].shape, "__name__", "") == "broadcast"}
    assert binary_ops and binary_ops <= set(BINARY_EQUAL) | {"FloorDiv", "TruncateDiv"} | \
        ONE_SIDED


@pytest.mark.parametrize("op_type", sorted(BINARY_EQUAL))
def test_binary_gradient_equal_shapes(tf1, op_type):
    inputs = _equal_shape_inputs(op_type)
    grads = _check(tf1, op_type, inputs, _EQUAL_BUILD.get(
        op_type, lambda tf, x, y: raw(op_type, [x, y])[0]))
    assert all(g is not None for g in grads)
    types = {op.type for op in tf1.get_default_graph().get_operations()
             if op.name.startswith("gradients")}
    assert ("BroadcastGradientArgs" in types) == (op_type in ALWAYS_BROADCAST_ARGS), (
        f"{op_type}: BroadcastGradientArgs for equal static shapes differs from TF 2.21")


@pytest.mark.parametrize("op_type", sorted(BINARY_EQUAL))
def test_binary_gradient_unknown_dims(tf1, op_type):
    """The third path: shapes known only when the graph runs (BroadcastGradientArgs at run
    time), x of shape (2, 3) fed to [None, 3] broadcast against y of shape (1, 3) fed to
    [None, None]: y's gradient must be summed over the rows."""
    x, y = _equal_shape_inputs(op_type)
    inputs = [x, y[:1]]
    grads = _check(tf1, op_type, inputs, _EQUAL_BUILD.get(
        op_type, lambda tf, a, b: raw(op_type, [a, b])[0]), shapes=[[None, 3], [None, None]])
    assert all(g is not None for g in grads)


# --- tie rules (TF 2.21) ----------------------------------------------------------------------

def test_reduce_max_splits_ties_equally(tf1):
    x = tf1.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    g = tf1.gradients(tf1.reduce_max(x, axis=1), x)[0]
    with tf1.Session() as s:
        np.testing.assert_allclose(s.run(g), [[0, .5, .5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


def test_maximum_sends_ties_to_x_minimum_too(tf1):
    x = tf1.constant([1.0, 2.0, 3.0])
    y = tf1.constant([1.0, 5.0, 0.0])
    gmax = tf1.gradients(tf1.maximum(x, y), [x, y])
    gmin = tf1.gradients(tf1.minimum(x, y), [x, y])
    with tf1.Session() as s:
        gx, gy = s.run(gmax)
        np.testing.assert_array_equal(gx, [1, 0, 1])
        np.testing.assert_array_equal(gy, [0, 1, 0])
        gx, gy = s.run(gmin)
        np.testing.assert_array_equal(gx, [1, 1, 0])
        np.testing.assert_array_equal(gy, [0, 0, 1])
