"""GPU kernels vs CPU kernels, run in numba's CUDA simulator (tiny sizes).

Runs only in a process started with NUMBA_ENABLE_CUDASIM=1 (the simulator must be chosen
before numba is imported): tests/test_cuda_parity.py starts that process, so the normal
suite stays one process. Run it directly with

    NUMBA_ENABLE_CUDASIM=1 python -m pytest -q tests/test_cuda_sim.py

On a machine with an NVIDIA GPU the same walk runs on the real device with

    TFTEACH_CUDA_REAL=1 python -m pytest -q tests/test_cuda_sim.py

The walk is over the registry: every op type with a GPU kernel is run on '/GPU:0' and on
'/CPU:0' through a Session, and must give the same values, dtypes and shapes. Element-wise
kernels (generated from the CPU scalar functions) get generic inputs; every other GPU
kernel needs a case in CASES, and `test_every_gpu_kernel_has_a_case` fails until it has one.
"""
import os

import numpy as np
import pytest

# In the simulator (CI), or on a real GPU with TFTEACH_CUDA_REAL=1 (the same walk there).
_ACTIVE = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or \
    os.environ.get("TFTEACH_CUDA_REAL") == "1"
pytestmark = [pytest.mark.mode("v1"),
              pytest.mark.skipif(not _ACTIVE, reason="needs NUMBA_ENABLE_CUDASIM=1 before "
                                 "numba is imported (or TFTEACH_CUDA_REAL=1 on a GPU)")]

if _ACTIVE:
    import tfteach.v1 as tf
    from tfteach.framework import registry
    from tfteach.framework.op_def_library import apply_op
    from tfteach.kernels import gpu_memory
    from tfteach.runtime import devices
    from tfteach.eager import api
    api.load_all_ops()                  # every op declared, then every family's GPU kernels
    registry.load_kernels("GPU")
    from tfteach.kernels.cuda.elementwise import GpuElementwise, GpuIntOrFloat
    GPU_OPS = sorted(t for t, d in registry.all_ops().items() if "GPU" in d.kernels)
else:
    GPU_OPS = []

RNG = np.random.default_rng(7)
F32 = np.float32


def u(shape, lo=-1.0, hi=1.0, dt=F32):
    return RNG.uniform(lo, hi, shape).astype(dt)


class C:
    """An input given as a constant (host-memory inputs: axes, shapes, ...)."""

    def __init__(self, a, dtype=None):
        self.a = np.asarray(a, dtype=dtype)


class Case:
    def __init__(self, inputs, attrs=None, tol=1e-5, stats=None):
        self.inputs, self.attrs, self.tol, self.stats = inputs, attrs or {}, tol, stats


def _i32(a):
    return C(a, np.int32)


def _nhwc(n=2, h=5, w=5, c=3):
    return u((n, h, w, c))


_CONV = {"strides": [1, 2, 2, 1], "padding": "SAME", "data_format": "NHWC",
         "dilations": [1, 1, 1, 1]}
_POOL = {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
         "data_format": "NHWC"}
_x = _nhwc()
_DW = {"strides": [1, 2, 2, 1], "padding": "SAME", "data_format": "NHWC",
       "dilations": [1, 1, 1, 1], "explicit_paddings": []}
_LRN = {"depth_radius": 2, "bias": 1.5, "alpha": 0.3, "beta": 0.75}
_lrn_x = u((2, 2, 3, 7))
_x3 = u((2, 4, 5, 3, 2))
_C3 = {"strides": [1, 2, 2, 1, 1], "padding": "SAME", "data_format": "NDHWC",
       "dilations": [1, 1, 1, 1, 1]}
_P3 = {"ksize": [1, 2, 2, 2, 1], "strides": [1, 2, 2, 2, 1], "padding": "SAME",
       "data_format": "NDHWC"}
_f = u((3, 3, 3, 4))
_dy = u((2, 3, 3, 4))
_pool_dy = u((2, 3, 3, 3))
_logits = u((4, 5), -2, 2)
_labels = np.eye(5, dtype=F32)[[0, 3, 1, 4]]

_STATELESS_IN = [_i32([3, 7]), np.array([0x0123456789ABCDEF], np.uint64),
                 np.array([5, 0xFEDCBA9876543210], np.uint64), C(np.int32(1))]
_CROP_BOXES = np.array([[0.1, 0.2, 0.7, 0.9], [-0.2, -0.1, 1.2, 1.1], [0.8, 0.9, 0.2, 0.1],
                        [0.5, 0.5, 0.5, 0.5]], F32)
_CROP_IND = np.array([0, 1, 1, 0], np.int32)
_KEY = np.array([0x9E3779B97F4A7C15], np.uint64)
_COUNTER = np.array([0xFFFFFFFFFFFFFFFE, 0x0123456789ABCDEF], np.uint64)

def _cplx(shape, dt=np.complex64):
    return (u(shape, dt=np.float64) + 1j * u(shape, dt=np.float64)).astype(dt)


_R32 = {"Treal": tf.float32, "Tcomplex": tf.complex64}
_R64 = {"Treal": tf.float64, "Tcomplex": tf.complex128}

CASES = {
    "AddN": lambda: Case([[u((2, 3)), u((2, 3)), u((2, 3))]]),
    # the spectral ops' GPU kernels are host-staged (kernels/cuda/signal.py)
    **{f"{i}FFT{s}": (lambda s=s: [Case([_cplx((2, 4, 6, 5))]),
                                   Case([_cplx((3, 4, 6, 5), np.complex128)])])
       for s in ("", "2D", "3D") for i in ("", "I")},
    **{f"RFFT{s}": (lambda n=n: [Case([u((2, 4, 6, 5)), _i32([4, 6, 8][-n:])], dict(_R32)),
                                 Case([u((2, 4, 6, 5), dt=np.float64), _i32([3, 6, 5][-n:])],
                                      dict(_R64))])
       for n, s in ((1, ""), (2, "2D"), (3, "3D"))},
    **{f"IRFFT{s}": (lambda n=n: [Case([_cplx((2, 4, 6, 5)), _i32([4, 6, 8][-n:])],
                                       dict(_R32)),
                                  Case([_cplx((2, 4, 6, 5), np.complex128),
                                        _i32([3, 6, 9][-n:])], dict(_R64))])
       for n, s in ((1, ""), (2, "2D"), (3, "3D"))},
    "All": lambda: Case([RNG.random((3, 4)) > 0.3, _i32([1])], {"keep_dims": False}),
    "Any": lambda: Case([RNG.random((3, 4)) > 0.7, _i32([0])], {"keep_dims": True}),
    "ArgMax": lambda: Case([u((3, 4, 2)), _i32(1)], {"output_type": tf.int64}),
    "ArgMin": lambda: Case([u((3, 4)), _i32(0)], {"output_type": tf.int32}),
    "AvgPool": lambda: Case([_x], dict(_POOL)),
    "AvgPoolGrad": lambda: Case([_i32(_x.shape), _pool_dy], dict(_POOL)),
    "BatchMatMulV2": lambda: Case([u((2, 1, 3, 4)), u((3, 5, 4))],
                                  {"adj_x": False, "adj_y": True}),
    "BiasAdd": lambda: Case([u((2, 3, 4)), u((4,))], {"data_format": "NHWC"}),
    "BiasAddGrad": lambda: Case([u((2, 3, 4))], {"data_format": "NHWC"}),
    "BroadcastTo": lambda: Case([u((3, 1)), _i32([2, 3, 4])]),
    "Cast": lambda: Case([u((2, 3), -3, 3)], {"DstT": tf.int32}),
    "ConcatV2": lambda: Case([[u((2, 3)), u((2, 1)), u((2, 2))], _i32(1)]),
    "Conv2D": lambda: Case([_x, _f], dict(_CONV), tol=1e-4),
    "Conv2DBackpropFilter": lambda: Case([_x, _i32(_f.shape), _dy], dict(_CONV), tol=1e-4),
    "Conv2DBackpropInput": lambda: Case([_i32(_x.shape), _f, _dy], dict(_CONV), tol=1e-4),
    "DepthToSpace": lambda: Case([u((2, 2, 3, 8))], {"block_size": 2, "data_format": "NHWC"}),
    "DepthwiseConv2dNative": lambda: Case([_x, u((3, 3, 3, 2))], dict(_DW), tol=1e-4),
    "DepthwiseConv2dNativeBackpropFilter": lambda: Case(
        [_x, _i32([3, 3, 3, 2]), u((2, 3, 3, 6))], dict(_DW), tol=1e-4),
    "DepthwiseConv2dNativeBackpropInput": lambda: Case(
        [_i32(_x.shape), u((3, 3, 3, 2)), u((2, 3, 3, 6))], dict(_DW), tol=1e-4),
    "Conv3D": lambda: Case([_x3, u((2, 3, 2, 2, 3))], dict(_C3), tol=1e-4),
    "Conv3DBackpropFilterV2": lambda: Case([_x3, _i32([2, 3, 2, 2, 3]), u((2, 2, 3, 3, 3))],
                                           dict(_C3), tol=1e-4),
    "Conv3DBackpropInputV2": lambda: Case([_i32(_x3.shape), u((2, 3, 2, 2, 3)),
                                           u((2, 2, 3, 3, 3))], dict(_C3), tol=1e-4),
    "AvgPool3D": lambda: Case([_x3], dict(_P3)),
    "AvgPool3DGrad": lambda: Case([_i32(_x3.shape), u((2, 2, 3, 2, 2))], dict(_P3)),
    "MaxPool3D": lambda: Case([_x3], dict(_P3)),
    "MaxPool3DGrad": lambda: Case([_x3, u((2, 2, 3, 2, 2)), u((2, 2, 3, 2, 2))], dict(_P3)),
    "FusedBatchNormV3": lambda: Case([u((2, 3, 2, 4)), u((4,)), u((4,)), u((4,)),
                                      u((4,), 0.5, 1.5)],
                                     {"epsilon": 0.001, "exponential_avg_factor": 0.4,
                                      "data_format": "NHWC", "is_training": True}),
    "FusedBatchNormGradV3": lambda: Case([u((2, 3, 2, 4)), u((2, 3, 2, 4)), u((4,)), u((4,)),
                                          u((4,), 0.5, 1.5), np.zeros([0], F32)],
                                         {"epsilon": 0.001, "data_format": "NHWC",
                                          "is_training": True}, tol=1e-4),
    "MaxPoolWithArgmax": lambda: Case([_x], {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1],
                                             "padding": "SAME", "Targmax": tf.int64,
                                             "include_batch_in_index": False}),
    "MaxPoolGradWithArgmax": lambda: Case(
        [_x, _pool_dy, np.array(RNG.integers(0, 75, (2, 3, 3, 3)), np.int64)],
        {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
         "include_batch_in_index": False}),
    "ExpandDims": lambda: Case([u((2, 3)), _i32(1)]),
    "Fill": lambda: Case([_i32([2, 3]), C(np.float32(1.5))]),
    "GatherV2": lambda: Case([u((5, 3)), np.array([4, 0, 2, 2], np.int32), _i32(0)],
                             {"batch_dims": 0}),
    "Identity": lambda: Case([u((2, 3))]),
    "L2Loss": lambda: Case([u((3, 4))]),
    "LRN": lambda: Case([u((2, 2, 3, 7))], dict(_LRN), tol=1e-5),
    "LRNGrad": lambda: Case([u((2, 2, 3, 7)), _lrn_x, _lrn_x], dict(_LRN), tol=1e-5),
    "LeakyRelu": lambda: Case([u((2, 3))], {"alpha": 0.1}),
    "LeakyReluGrad": lambda: Case([u((2, 3)), u((2, 3))], {"alpha": 0.1}),
    "LogSoftmax": lambda: Case([_logits]),
    "MatMul": lambda: Case([u((3, 4)), u((5, 4))], {"transpose_a": False,
                                                   "transpose_b": True}),
    "Max": lambda: Case([u((3, 4, 2)), _i32([0, 2])], {"keep_dims": False}),
    "MaxPool": lambda: Case([_x], dict(_POOL)),
    "MaxPoolGrad": lambda: Case([_x, u((2, 3, 3, 3)), _pool_dy], dict(_POOL)),
    "Mean": lambda: Case([u((3, 4)), _i32([1])], {"keep_dims": True}),
    "Min": lambda: Case([np.array([[3, 1, 2], [5, 4, 9]], np.int32), _i32([1])],
                        {"keep_dims": False}),
    "MirrorPad": lambda: Case([u((2, 3)), _i32([[1, 1], [2, 1]])], {"mode": "REFLECT"}),
    "NoOp": None,
    "OneHot": lambda: Case([np.array([0, 2, 1, 5], np.int32), _i32(3), C(F32(1.0)),
                            C(F32(-1.0))], {"axis": -1}),
    "OnesLike": lambda: Case([u((2, 3))]),
    "Pack": lambda: Case([[u((2, 3)), u((2, 3))]], {"axis": 1}),
    "Pad": lambda: Case([u((2, 3)), _i32([[1, 0], [0, 2]])]),
    "PadV2": lambda: Case([u((2, 3)), _i32([[1, 0], [0, 2]]), C(F32(7))]),
    "PlaceholderWithDefault": None,
    "Prod": lambda: Case([u((3, 4), 0.5, 1.5), _i32([0, 1])], {"keep_dims": False}),
    "RandomStandardNormal": lambda: Case([_i32([10, 20])], {"dtype": tf.float32, "seed": 1,
                                                            "seed2": 2}, stats="normal"),
    "RandomUniform": lambda: Case([_i32([10, 20])], {"dtype": tf.float32, "seed": 1,
                                                     "seed2": 2}, stats="uniform"),
    "Rank": lambda: Case([u((2, 3))]),
    "CheckNumerics": lambda: Case([u((2, 3))], {"message": "fine"}),
    "CheckNumericsV2": lambda: Case([u((2, 3))], {"message": "fine"}),
    "StatelessMultinomial": lambda: Case([u((3, 4), -2, 2), C(np.int32(6)),
                                          C(np.array([1, 2], np.int64))],
                                         {"output_dtype": tf.int64}),
    "StatelessRandomGetKeyCounter": lambda: [Case([C(np.array([7, -3], np.int64))]),
                                             Case([C(np.array([5, -9], np.int64))])],
    # key and counter from seed (7, -3); the values are TF's bits on both devices. Then a
    # key and counter with every word set (the counter's carries), more numbers than one
    # Philox call gives, 32- and 64-bit outputs
    "StatelessRandomUniformV2": lambda: [
        Case(_STATELESS_IN, {"dtype": tf.float32}),
        Case([_i32([3, 7]), _KEY, _COUNTER, _i32(1)], {"dtype": tf.float32})],
    "StatelessRandomNormalV2": lambda: Case(_STATELESS_IN, {"dtype": tf.float64}),
    "StatelessTruncatedNormalV2": lambda: Case(_STATELESS_IN, {"dtype": tf.float32}),
    "StatelessRandomUniformIntV2": lambda: [
        Case(_STATELESS_IN + [C(np.int64(-5)), C(np.int64(1000))]),
        Case([_i32([5, 3]), _KEY, _COUNTER, _i32(1), C(np.int64(-7)), C(np.int64(2 ** 40))],
             {"dtype": tf.int64})],
    "StatelessRandomUniformFullIntV2": lambda: Case(_STATELESS_IN, {"dtype": tf.int32}),
    "Range": lambda: Case([C(F32(0.5)), C(F32(3.0)), C(F32(0.7))]),
    "LinSpace": lambda: Case([C(F32(-1.0)), C(F32(2.0)), _i32(7)]),
    "InTopKV2": lambda: Case([np.array([[0.1, 0.5, 0.4], [0.3, 0.3, np.inf], [1, 2, 3]], F32),
                              np.array([2, 0, 1], np.int32), _i32(2)]),
    "RandomUniformInt": lambda: Case([_i32([10, 20]), C(np.int32(-3)), C(np.int32(4))],
                                     {"seed": 1, "seed2": 2}, stats="int"),
    "Reshape": lambda: Case([u((2, 3)), _i32([3, -1])]),
    "ReverseV2": lambda: Case([u((2, 3, 2)), _i32([0, 2])]),
    "Select": lambda: Case([np.array([True, False]), u((2, 3)), u((2, 3))]),
    "SelectV2": lambda: Case([RNG.random((1, 3)) > 0.5, u((2, 3)), u((2, 1))]),
    "Shape": lambda: Case([u((2, 3))], {"out_type": tf.int32}),
    "Size": lambda: Case([u((2, 3))], {"out_type": tf.int64}),
    "Slice": lambda: Case([u((3, 4)), _i32([1, 0]), _i32([2, -1])]),
    "Softmax": lambda: Case([_logits]),
    "SpaceToDepth": lambda: Case([u((2, 4, 6, 3))], {"block_size": 2, "data_format": "NHWC"}),
    "SoftmaxCrossEntropyWithLogits": lambda: Case([_logits, _labels]),
    "SparseSoftmaxCrossEntropyWithLogits": lambda: Case(
        [_logits, np.array([0, 3, 1, 4], np.int32)]),
    "Split": lambda: Case([_i32(1), u((2, 4))], {"num_split": 2}),
    "SplitV": lambda: Case([u((5, 2)), _i32([2, -1, 1]), _i32(0)], {"num_split": 3}),
    "Squeeze": lambda: Case([u((2, 1, 3, 1))], {"squeeze_dims": [1]}),
    "StopGradient": lambda: Case([u((2, 3))]),
    "StridedSlice": lambda: Case([u((4, 5)), _i32([1, 4]), _i32([4, 0]), _i32([2, -2])],
                                 {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0,
                                  "new_axis_mask": 0, "shrink_axis_mask": 0}),
    "StridedSliceGrad": lambda: Case([_i32([4, 5]), _i32([1, 4]), _i32([4, 0]), _i32([2, -2]),
                                      u((2, 2))],
                                     {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0,
                                      "new_axis_mask": 0, "shrink_axis_mask": 0}),
    "UnsortedSegmentSum": lambda: Case([u((5, 3)), np.array([2, 0, 2, -1, 1], np.int32),
                                        _i32(4)]),
    "Sum": lambda: Case([u((3, 4, 2)), _i32([0, 2])], {"keep_dims": False}),
    "Tile": lambda: Case([u((2, 3)), _i32([2, 1])]),
    "Transpose": lambda: Case([u((2, 3, 4)), _i32([2, 0, 1])]),
    "TruncatedNormal": lambda: Case([_i32([10, 20])], {"dtype": tf.float32, "seed": 1,
                                                       "seed2": 2}, stats="truncated"),
    "Unpack": lambda: Case([u((3, 2))], {"num": 2, "axis": 1}),
    "ZerosLike": lambda: Case([u((2, 3))]),
    # host-memory kernels (TF's HostMemory for every argument): placed on the GPU, computed
    # on the host
    "InvertPermutation": lambda: Case([np.array([2, 0, 3, 1], np.int32)]),
    "BroadcastGradientArgs": lambda: Case([np.array([2, 1, 3], np.int32),
                                           np.array([4, 3], np.int32)]),
    "BroadcastArgs": lambda: Case([np.array([2, 1, 3], np.int32), np.array([4, 3], np.int32)]),
    "ConcatOffset": lambda: Case([_i32(1), [np.array([2, 3, 4], np.int32),
                                            np.array([2, 5, 4], np.int32)]]),
    "ShapeN": lambda: Case([[u((2, 3)), u((4,))]], {"out_type": tf.int32}),
    "TruncateMod": lambda: Case([np.array([7, -7, 9], np.int32), np.array([3, 3, -4], np.int32)]),
    "IdentityN": lambda: Case([[u((2, 3)), np.array([4, 5], np.int32)]]),
    "EnsureShape": lambda: Case([u((2, 3))], {"shape": tf.TensorShape([None, 3])}),
    "Roll": lambda: Case([u((3, 4)), _i32([1, -2]), _i32([0, 1])]),
    "ReverseSequence": lambda: Case([u((3, 4)), np.array([2, 4, 1], np.int32)],
                                    {"seq_dim": 1, "batch_dim": 0}),
    "SpaceToBatchND": lambda: Case([u((2, 3, 4, 1)), _i32([1, 2]), _i32([[0, 1], [2, 0]])]),
    "BatchToSpaceND": lambda: Case([u((8, 2, 3, 1)), _i32([2, 2]), _i32([[0, 1], [1, 0]])]),
    "Bitcast": lambda: Case([u((2, 3))], {"type": tf.int8}),
    "HistogramFixedWidth": lambda: Case([u((5, 7), -2.0, 2.0), np.array([-1.0, 1.0], F32),
                                         _i32(6)], {"dtype": tf.int32}),
    "Diag": lambda: Case([u((2, 3))]),
    "DiagPart": lambda: Case([u((3, 2, 3, 2))]),
    "MatrixBandPart": lambda: Case([u((2, 4, 4)), _i32(1), _i32(0)]),
    # scans, N-d gathers and scatters, segments (the indices are in range here: out of
    # range, TF's GPU kernels differ from its CPU ones, see test_nd_out_of_range_on_gpu)
    "Cumsum": lambda: Case([u((3, 4, 2)), _i32(1)], {"exclusive": True, "reverse": True}),
    "Cumprod": lambda: Case([RNG.integers(-3, 4, (2, 5)).astype(np.int64), _i32(-1)],
                            {"exclusive": False, "reverse": False}),
    "GatherNd": lambda: Case([u((4, 3, 2)), np.array([[[3, 1], [0, 2]], [[1, 0], [3, 2]]],
                                                     np.int64)]),
    "ScatterNd": lambda: Case([np.array([[1], [3], [1]], np.int32), u((3, 2)), _i32([5, 2])]),
    "TensorScatterUpdate": lambda: Case([u((4, 3)), np.array([[2, 1], [0, 0]], np.int32),
                                         u((2,))]),
    "TensorScatterAdd": lambda: Case([u((4, 3)), np.array([[2], [0], [2]], np.int32),
                                      u((3, 3))]),
    "TensorScatterSub": lambda: Case([np.arange(12, dtype=np.int32).reshape(4, 3),
                                      np.array([[3], [3]], np.int64),
                                      np.array([[1, 2, 3], [4, 5, 6]], np.int32)]),
    "TensorScatterMax": lambda: Case([u((5,)), np.array([[1], [4], [1]], np.int32),
                                      u((3,))], {"bad_indices_policy": ""}),
    "TensorScatterMin": lambda: Case([u((2, 3)), np.array([[1, 2], [0, 0]], np.int32),
                                      u((2,))], {"bad_indices_policy": ""}),
    "SegmentSum": lambda: Case([u((5, 2)), np.array([0, 0, 2, 3, 3], np.int32)], tol=1e-5),
    "SegmentMean": lambda: Case([u((5, 2)), np.array([0, 0, 0, 2, 3], np.int64)]),
    "UnsortedSegmentMax": lambda: Case([u((5, 3)), np.array([2, 0, 2, -1, 2], np.int32),
                                        _i32(4)]),
    "UnsortedSegmentMin": lambda: Case([np.array([[4, -1], [2, 7], [9, 0]], np.int32),
                                        np.array([1, 1, 0], np.int64), _i32(3)]),
    # a gap in the ids (segment 1 is empty: 0 for max/min, 1 for the products)
    "SegmentMax": lambda: Case([u((5, 2)), np.array([0, 0, 2, 3, 3], np.int32)]),
    "SegmentMin": lambda: Case([np.array([[4, -1], [2, 7], [9, 0]], np.float64),
                                np.array([0, 2, 2], np.int64)]),
    "SegmentProd": lambda: Case([u((5, 2)), np.array([0, 0, 2, 3, 3], np.int32)]),
    "UnsortedSegmentProd": lambda: Case([u((5, 3)), np.array([2, 0, 2, -1, 2], np.int32),
                                         _i32(4)]),
    "CumulativeLogsumexp": lambda: Case([u((3, 4, 2), -3, 3), _i32(1)],
                                        {"exclusive": True, "reverse": True}),
    "EuclideanNorm": lambda: Case([u((3, 4)), _i32([1])], {"keep_dims": True}),
    # a value at or above size is dropped; rows with weights
    "DenseBincount": lambda: Case([np.array([[1, 3, 1, 7], [0, 0, 2, 4]], np.int32),
                                   _i32(5), u((2, 4))], {"binary_output": False}),
    # float32's own ulp (tol 0: a float64 step would round back to x1)
    "NextAfter": lambda: Case([u((2, 3), 0.5, 2.0), np.array([0., 3., 1.], F32)], tol=0),
    # float32 is TF's float formula (tiny values give 0), on the device as on the CPU
    "Erfinv": lambda: Case([np.array([[-0.99, -0.3, 0.], [1e-8, 0.5, 0.999999]], F32)],
                           tol=1e-6),
    "Where": lambda: Case([RNG.random((3, 4, 2)) > 0.6]),
    # resizes: a half-pixel grid up, an align_corners grid down (the gradients fold back)
    "ResizeBilinear": lambda: Case([u((2, 3, 4, 2)), _i32([5, 3])],
                                   {"align_corners": False, "half_pixel_centers": True}),
    "ResizeBilinearGrad": lambda: Case([u((2, 2, 3, 2)), u((2, 4, 5, 2))],
                                       {"align_corners": True, "half_pixel_centers": False}),
    "ResizeNearestNeighbor": lambda: Case([u((1, 3, 4, 2)).astype(np.float64), _i32([7, 2])],
                                          {"align_corners": True,
                                           "half_pixel_centers": False}),
    "ResizeNearestNeighborGrad": lambda: Case([u((2, 5, 3, 1)), _i32([3, 4])],
                                              {"align_corners": False,
                                               "half_pixel_centers": True}),
    # complex numbers (complex64 and complex128 on the device)
    "Real": lambda: Case([(u((2, 3)) + 1j * u((2, 3))).astype(np.complex64)],
                         {"Tout": tf.float32}),
    "Imag": lambda: Case([(u((2, 3)) + 1j * u((2, 3))).astype(np.complex128)],
                         {"Tout": tf.float64}),
    "ComplexAbs": lambda: Case([(u((4,)) + 1j * u((4,))).astype(np.complex64)],
                               {"Tout": tf.float32}),
    "Angle": lambda: Case([np.array([1 + 1j, -1 + 0j, -1 - 1e-30j, 0j, -2j], np.complex128)],
                          {"Tout": tf.float64}),
    "Conj": lambda: Case([(u((2, 2)) + 1j * u((2, 2))).astype(np.complex64)]),
    "Complex": lambda: Case([u((2, 3)), u((3,))], {"Tout": tf.complex64}),
    # diagonals: a band with padding (k a pair), a single diagonal, set on two sources
    "MatrixDiagPartV3": lambda: Case([u((2, 3, 4)), _i32([-1, 1]), C(F32(9.0))],
                                     {"align": "LEFT_RIGHT"}),
    "MatrixDiagV3": lambda: Case([u((2, 2, 3)), _i32([0, 1]), _i32(-1), _i32(4),
                                  C(F32(-7.0))], {"align": "RIGHT_LEFT"}),
    "MatrixSetDiagV3": lambda: Case([u((2, 3, 3)), u((2, 3)), _i32(0)],
                                    {"align": "RIGHT_LEFT"}),
    "MirrorPadGrad": lambda: Case([u((5, 7)), _i32([[1, 2], [2, 2]])], {"mode": "SYMMETRIC"}),
    # ties keep index order; NaN ranks below every number (with -inf by index)
    "TopKV2": lambda: Case([np.array([[1, 3, 3, -1, 2], [np.nan, -np.inf, 0, np.nan, 5],
                                      [2, 2, 2, 2, 2]], F32), _i32(4)],
                           {"sorted": True, "index_type": tf.int32}),
    "DynamicPartition": lambda: Case([u((2, 3, 2)), np.array([[2, 0, 2], [3, 0, 2]], np.int32)],
                                     {"num_partitions": 4}),
    # repeats out of order, -0.0 with 0.0, NaNs as one value (the CPU kernel's np.unique)
    "Unique": lambda: Case([np.array([3, -0.0, 1.5, 3, np.nan, 0.0, 1.5, np.nan, -2], F32)],
                           {"out_idx": tf.int64}),
    "UniqueWithCounts": lambda: Case([np.array([5, 1, 5, 5, -3, 1], np.int32)],
                                     {"out_idx": tf.int32}),
    # values below, between, equal to (repeated) and above the sorted rows
    "LowerBound": lambda: Case([np.array([[1, 2, 2, 2, 5], [-3, 0, 0, 4, 4]], F32),
                                np.array([[2, 0, 6, 5], [0, 4, -9, 1]], F32)],
                               {"out_type": tf.int32}),
    "UpperBound": lambda: Case([np.array([[1, 2, 2, 2, 5], [-3, 0, 0, 4, 4]], np.int64),
                                np.array([[2, 0, 6], [0, 4, -9]], np.int64)],
                               {"out_type": tf.int64}),
    "AdjustContrastv2": lambda: Case([u((2, 3, 4, 2), 0, 1), C(F32(1.7))]),
    # every hue sextant, grey pixels (no chroma) and black ones
    "AdjustSaturation": lambda: Case([np.concatenate([u((2, 4, 3), 0, 1), np.array(
        [[[0.5, 0.5, 0.5], [0, 0, 0], [1, 0.2, 0.1], [0.1, 0.9, 0.3]]], F32)]), C(F32(1.6))]),
    # every hue sextant, grey and black pixels; a hue turned past the end of the wheel
    "AdjustHue": lambda: Case([np.concatenate([u((2, 4, 3), 0, 1), np.array(
        [[[0.5, 0.5, 0.5], [0, 0, 0], [1, 0.2, 0.1], [0.1, 0.9, 0.3]]], F32)]), C(F32(0.7))]),
    "RGBToHSV": lambda: Case([np.concatenate([u((2, 4, 3), 0, 1), np.array(
        [[[0.5, 0.5, 0.5], [0, 0, 0], [0.2, 0.3, 0.9], [0.1, 0.9, 0.3]]], F32)])]),
    "HSVToRGB": lambda: Case([u((3, 5, 3), 0, 1).astype(np.float64)]),
    # dilated SAME windows (zero padding read) and strided VALID ones
    "ExtractImagePatches": lambda: Case([u((2, 5, 6, 2))], {
        "ksizes": [1, 3, 2, 1], "strides": [1, 2, 1, 1], "rates": [1, 1, 2, 1],
        "padding": "SAME"}),
    # boxes inside, around (extrapolated), flipped and a point; two images
    "CropAndResize": lambda: Case([u((2, 5, 6, 2)), _CROP_BOXES, _CROP_IND, _i32([3, 4])],
                                  {"method": "bilinear", "extrapolation_value": -0.5}),
    "CropAndResizeGradImage": lambda: Case([u((4, 3, 4, 2)), _CROP_BOXES, _CROP_IND,
                                            _i32([2, 5, 6, 2])],
                                           {"T": tf.float32, "method": "bilinear"},
                                           tol=1e-4),
    "CropAndResizeGradBoxes": lambda: Case([u((4, 3, 4, 2)), u((2, 5, 6, 2)), _CROP_BOXES,
                                            _CROP_IND], {"method": "bilinear"}, tol=1e-4),
    # overlapping pairs, a disjoint box, tied scores, one under the score threshold
    "NonMaxSuppressionV3": lambda: Case([np.array(
        [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
         [1, 1, 0, 0], [0, 0, 0, 1]], F32), np.array([0.9, 0.75, 0.6, 0.9, 0.9, 0.05], F32),
        _i32(5), C(F32(0.5)), C(F32(0.1))]),
    "SparseToDense": lambda: Case([np.array([[0, 1], [1, 3], [2, 0]], np.int32), _i32([3, 4]),
                                   u((3,)), C(F32(-1.0))], {"validate_indices": True}),
    # two non-zeros in row 1 add up; B read transposed
    "SparseTensorDenseMatMul": lambda: Case([np.array([[0, 2], [1, 0], [1, 1]], np.int64),
                                             u((3,)), C(np.array([2, 3], np.int64)),
                                             u((4, 3))],
                                            {"adjoint_a": False, "adjoint_b": True}),
    "Assert": None,     # no outputs: test_assert_on_gpu_passes_and_fails_as_on_cpu
    # probabilities 0.2 / 0.5 / 0.3 (a -inf logit never drawn), 400 draws per row
    "Multinomial": lambda: Case([np.array([[np.log(0.2), np.log(0.5), np.log(0.3), -np.inf]] * 2,
                                          F32), _i32(400)],
                                {"seed": 3, "seed2": 4, "output_dtype": tf.int64},
                                stats="multinomial"),
    # a batch of SPD matrices, the second not positive definite (its lower triangle NaN)
    "Cholesky": lambda: Case([np.stack([(lambda m: m @ m.T + 3 * np.eye(3))(u((3, 3))),
                                        np.array([[1, 2, 0], [2, 1, 0], [0, 0, 1]])]
                                       ).astype(F32)], tol=1e-5),
    # the upper triangle through adjoint, b's batch broadcast over a's
    "MatrixTriangularSolve": lambda: Case([u((2, 3, 3)) + 3 * np.eye(3, dtype=F32),
                                           u((3, 2))], {"lower": True, "adjoint": True},
                                          tol=1e-5),
    # LU with row exchanges (a zero first pivot); a singular matrix's determinant is 0
    "MatrixDeterminant": lambda: Case([np.stack([u((3, 3)), np.array(
        [[0, 2, 1], [1, 1, 0], [3, 0, 2]]), np.array([[1, 2, 3], [2, 4, 6], [0, 1, 1]])]
                                                ).astype(np.float64)], tol=1e-10),
    "Cross": lambda: Case([u((2, 4, 3)), u((2, 4, 3))]),
    # a zero first pivot (a row exchange) and a singular matrix (sign 0, log -inf)
    "LogMatrixDeterminant": lambda: Case([np.stack([u((3, 3)), np.array(
        [[0, 2, 1], [1, 1, 0], [3, 0, 2]]), np.array([[1, 2, 3], [2, 4, 6], [0, 1, 1]])]
                                                   ).astype(np.float64)], tol=1e-10),
    "Lu": lambda: Case([np.stack([u((4, 4)), np.array(
        [[0, 2, 1, 0], [1, 1, 0, 2], [3, 0, 2, 1], [1, 1, 1, 1]])]).astype(np.float64)],
                       {"output_idx_type": tf.int64}, tol=1e-10),
    # pivoting on a small diagonal, two right-hand sides per system
    "TridiagonalSolve": lambda: Case([np.stack([u((3, 5)), u((3, 5)) + 3 * np.array(
        [[0.], [1.], [0.]], F32)]), u((2, 5, 2))],
                                     {"partial_pivoting": True, "perturb_singular": False},
                                     tol=1e-4),
    "TridiagonalMatMul": lambda: Case([u((2, 1, 4)), u((2, 1, 4)), u((2, 1, 4)), u((2, 4, 3))]),
    "MatrixInverse": lambda: Case([np.array([[[0, 2, 1], [1, 1, 0], [3, 0, 2]]], F32) +
                                   0.1 * u((2, 3, 3))], {"adjoint": True}, tol=1e-4),
    "MatrixSolve": lambda: Case([u((2, 3, 3)) + 2 * np.eye(3, dtype=F32), u((3, 2))],
                                {"adjoint": False}, tol=1e-5),
    # a batch matmul with a broadcast ellipsis and a transposed output
    "Einsum": lambda: Case([[u((2, 1, 3, 4)), u((3, 5, 4))]], {"equation": "...ij,...kj->...ki"},
                           tol=1e-5),
    # TF's host-memory Qr: the CPU's code, so the same numbers; tall and full
    "Qr": lambda: Case([u((2, 4, 3))], {"full_matrices": True}, tol=0),
    # the values only (vectors' signs are each solver's: tests/test_cuda_host_ops.py)
    "Svd": lambda: Case([u((2, 3, 5), dt=np.float64)], {"compute_uv": False,
                                                        "full_matrices": False}, tol=1e-10),
    "SelfAdjointEigV2": lambda: Case([u((2, 4, 4), dt=np.float64)], {"compute_v": False},
                                     tol=1e-10),
    # repeated rows keep their order; rows outside the shape sort too (TF's order)
    "SparseReorder": lambda: Case([np.array([[1, 1], [0, 2], [4, 0], [0, 2], [1, 0]], np.int64),
                                   u((5,)), C(np.array([2, 3], np.int64))]),
    "DynamicStitch": lambda: Case([[np.array([0, 4], np.int32), np.array([[1, 4], [3, 2]],
                                                                          np.int32)],
                                   [u((2, 3)), u((2, 2, 3))]]),
}

# GPU kernels around session state (iterators, queues, rendezvous, Python functions): run
# through graphs that build that state, against the CPU, in the file named.
ELSEWHERE = {t: "tests/test_cuda_host_ops.py" for t in (
    "AnonymousIteratorV3", "IteratorV2", "MakeIterator", "IteratorGetNext",
    "IteratorGetNextAsOptional", "IteratorToStringHandle", "IteratorFromStringHandleV2",
    "OptionalGetValue", "OptionalHasValue", "FIFOQueueV2", "QueueEnqueueV2", "QueueDequeueV2",
    "QueueCloseV2", "QueueIsClosedV2", "QueueSizeV2", "_Send", "_Recv", "EagerPyFunc")}
# Control flow and TensorArrays have no value of their own to compare op by op (dead
# outputs, loop frames, handles): tests/test_cuda_control_flow.py runs whole conds, loops,
# loop gradients and TensorArrays on the GPU against the CPU and hand-derived values.
# RngReadAndSkip updates a Generator's state on the host (TF's GPU kernel keeps it in host
# memory); tests/test_cuda_gpu_default.py draws from a Generator on the GPU against TF's bits.
ELSEWHERE["RngReadAndSkip"] = "tests/test_cuda_gpu_default.py"
ELSEWHERE.update({t: "tests/test_cuda_control_flow.py" for t in (
    "Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch", "RefMerge",
    "RefEnter", "RefExit", "RefNextIteration", "ControlTrigger", "StackV2", "StackPushV2",
    "StackPopV2", "StackCloseV2", "TensorArrayV3", "TensorArrayReadV3", "TensorArrayWriteV3",
    "TensorArrayGatherV3", "TensorArrayScatterV3", "TensorArrayConcatV3", "TensorArraySplitV3",
    "TensorArraySizeV3", "TensorArrayGradV3", "TensorArrayCloseV3", "EmptyTensorList",
    "TensorListReserve", "TensorListFromTensor", "TensorListScatterV2",
    "TensorListScatterIntoExistingList", "TensorListSplit", "TensorListLength",
    "TensorListElementShape", "TensorListGetItem", "TensorListStack", "TensorListGather",
    "TensorListConcatV2", "TensorListSetItem", "TensorListPushBack", "TensorListPopBack",
    "TensorListResize", "TensorListConcatLists")})

# Resource-variable ops: (initial values of the variables, other inputs, attrs); the op takes
# the variables' handles first. The storage is a tf.Variable's (eager/variables.py).
RESOURCE = {
    "ReadVariableOp": ([u((3, 2))], [], {"dtype": tf.float32} if _ACTIVE else {}),
    "VariableShape": ([u((3, 2))], [], {"out_type": tf.int32} if _ACTIVE else {}),
    "AssignVariableOp": ([u((3, 2))], [u((3, 2))], {"dtype": tf.float32} if _ACTIVE else {}),
    "AssignAddVariableOp": ([u((3, 2))], [u((3, 2))],
                            {"dtype": tf.float32} if _ACTIVE else {}),
    "AssignSubVariableOp": ([u((3, 2))], [u((3, 2))],
                            {"dtype": tf.float32} if _ACTIVE else {}),
    "ResourceScatterAdd": ([u((3, 2))], [np.array([0, 0, 1], np.int32), u((3, 2))], {}),
    "ResourceScatterSub": ([np.arange(6).reshape(3, 2)], [np.array([2, 0], np.int64),
                                                          np.array([[1, 2], [3, 4]])], {}),
    "ResourceScatterUpdate": ([u((3, 2))], [np.array([[1, 2]], np.int32), u((1, 2, 2))], {}),
    # row 2 twice: written twice, in order; an int64 variable's division truncates
    "ResourceScatterMul": ([u((3, 2))], [np.array([2, 0, 2], np.int32), u((3, 2))], {}),
    "ResourceScatterDiv": ([np.array([[7, -7], [9, 2], [-9, 5]], np.int64)],
                           [np.array([0, 2, 0], np.int64),
                            np.array([[2, 2], [4, -2], [-1, 3]], np.int64)], {}),
    "ResourceScatterMin": ([u((3, 2))], [np.array([1, 1], np.int32), u((2, 2))], {}),
    "ResourceScatterMax": ([u((3, 2))], [np.array([0], np.int64), C(F32(0.25))], {}),
    "ResourceScatterNdUpdate": ([u((3, 2))], [np.array([[1, 0], [2, 1]], np.int32),
                                             u((2,))], {}),
    "ResourceScatterNdAdd": ([u((3, 2))], [np.array([[2], [0], [2]], np.int64), u((3, 2))],
                             {}),
    "ResourceScatterNdSub": ([np.arange(6).reshape(3, 2)],
                             [np.array([1, 1], np.int32), np.array([[1, 2], [3, 4]])], {}),
    "ResourceApplyGradientDescent": ([u((3, 2))], [C(F32(0.1)), u((3, 2))], {}),
    "ResourceApplyKerasMomentum": ([u((3, 2)), u((3, 2))],
                                   [C(F32(0.1)), u((3, 2)), C(F32(0.9))],
                                   {"use_nesterov": True}),
}

# Stateful ops: (variables' initial values, other inputs, attrs); the op takes the
# variables' references first, then the other inputs.
_v = u((3, 2))
_s = [C(F32(x)) for x in (0.9, 0.99, 0.01, 0.9, 0.999, 1e-7)]
STATEFUL = {
    "Assign": ([_v], [u((3, 2))], {"validate_shape": True}),
    "AssignAdd": ([_v], [u((3, 2))], {}),
    "AssignSub": ([_v], [u((3, 2))], {}),
    "ApplyGradientDescent": ([_v], [C(F32(0.1)), u((3, 2))], {}),
    "ApplyMomentum": ([_v, u((3, 2))], [C(F32(0.1)), u((3, 2)), C(F32(0.9))],
                      {"use_nesterov": True}),
    "ApplyAdam": ([_v, u((3, 2)), u((3, 2), 0.1, 1)],
                  [_s[0], _s[1], C(F32(0.01)), C(F32(0.9)), C(F32(0.999)), C(F32(1e-7)),
                   u((3, 2))], {"use_nesterov": False}),
    "ApplyAdagrad": ([_v, u((3, 2), 0.1, 1)], [C(F32(0.1)), u((3, 2))],
                     {"update_slots": True}),
    "ApplyRMSProp": ([_v, u((3, 2), 0.1, 1), u((3, 2))],
                     [C(F32(0.01)), C(F32(0.9)), C(F32(0.5)), C(F32(1e-7)), u((3, 2))], {}),
    "ApplyCenteredRMSProp": ([_v, u((3, 2), -0.1, 0.1), u((3, 2), 0.5, 1), u((3, 2))],
                             [C(F32(0.01)), C(F32(0.9)), C(F32(0.5)), C(F32(1e-7)),
                              u((3, 2))], {}),
    "ApplyAdadelta": ([_v, u((3, 2), 0.1, 1), u((3, 2), 0.1, 1)],
                      [C(F32(1.0)), C(F32(0.95)), C(F32(1e-6)), u((3, 2))], {}),
    # repeated rows add up (index 2 twice); ScatterUpdate's are distinct (its repeats are
    # unordered on a GPU)
    "ScatterAdd": ([_v], [np.array([2, 0, 2], np.int32), u((3, 2))], {"use_locking": True}),
    "ScatterSub": ([_v], [np.array([[1], [1]], np.int64), u((2, 1, 2))], {}),
    "ScatterUpdate": ([_v], [np.array([2, 0], np.int32), C(F32(4.5))], {}),
    "ScatterMul": ([_v], [np.array([2, 0, 2], np.int32), u((3, 2))], {}),
    "ScatterDiv": ([_v], [np.array([[1], [1]], np.int64), u((2, 1, 2), 0.5, 2)], {}),
    "ScatterMin": ([_v], [np.array([0, 2], np.int32), C(F32(0.1))], {}),
    "ScatterMax": ([_v], [np.array([1, 1, 0], np.int32), u((3, 2))], {}),
    "ScatterNdUpdate": ([_v], [np.array([[2, 1], [0, 0]], np.int32), u((2,))],
                        {"use_locking": True}),
    "ScatterNdAdd": ([_v], [np.array([[1], [1]], np.int64), u((2, 2))], {}),
    "ScatterNdSub": ([_v], [np.array([[2], [0]], np.int32), u((2, 2))], {}),
    # row 2 named twice: updated twice, in order
    "SparseApplyAdagrad": ([_v, u((3, 2), 0.1, 1)],
                           [C(F32(0.1)), u((3, 2)), np.array([2, 0, 2], np.int32)],
                           {"update_slots": True}),
    "SparseApplyAdadelta": ([_v, u((3, 2), 0.1, 1), u((3, 2), 0.1, 1)],
                            [C(F32(1.0)), C(F32(0.95)), C(F32(1e-6)), u((2, 2)),
                             np.array([1, 1], np.int64)], {}),
    "IsVariableInitialized": ([_v], [], lambda: {"dtype": tf.float32, "bool": tf.bool}),
    "VariableV2": ([_v], None, {}),
}


def _elementwise_cases(kernel):
    """Generic inputs for a generated element-wise kernel: float32 with broadcasting, and
    int32 / bool when the op takes them."""
    k = kernel.f if isinstance(kernel, GpuIntOrFloat) else kernel
    types = set(kernel.i.types) | set(kernel.f.types) if isinstance(kernel, GpuIntOrFloat) \
        else set(k.types)
    n = k.cpu.nargs if isinstance(k, GpuElementwise) else 2
    # only the dtypes TF 2.21 has a GPU kernel for (the others are placed on the CPU, as in
    # TF: test_dtypes_tf_keeps_on_the_cpu_are_not_placed_on_the_gpu)
    from tfteach.runtime._tf_gpu_types import GPU_TYPES
    tf_types = GPU_TYPES.get(kernel.op_type, (None, None))[1]
    if tf_types is not None:
        types = {t for t in types if (t if t != "boolean" else "bool") in tf_types}
    cases = []
    if "float32" in types:
        if n == 1:
            cases.append(Case([u((2, 3), 0.1, 0.9)]))
        elif n == 3:        # Betainc(a, b, x): one shape (it does not broadcast), x in (0, 1)
            cases.append(Case([u((2, 3), 0.5, 2.0), u((2, 3), 0.5, 2.0), u((2, 3), 0.1, 0.9)]))
        else:
            cases.append(Case([u((2, 3), 0.5, 2.0), u((3,), 0.5, 2.0)]))
    # int32 too where the integer path is separate code (floor division, modulo, pow) or
    # the GPU's scalar function differs from the CPU's; other ops share one body for all types.
    from tfteach.kernels.cuda.elementwise import GPU_SCALAR
    if "int32" in types and (not cases or isinstance(kernel, GpuIntOrFloat) or
                             k.op_type in GPU_SCALAR):
        if n == 1:
            cases.append(Case([RNG.integers(-5, 6, (2, 3)).astype(np.int32)]))
        else:
            cases.append(Case([RNG.integers(-9, 10, (2, 3)).astype(np.int32),
                               RNG.integers(1, 4, (2, 3)).astype(np.int32)]))
    if "boolean" in types and not cases:
        cases.append(Case([RNG.random((2, 3)) > 0.5 for _ in range(n)]))
    return cases


def _build(op_type, case, devices):
    """One graph with the op under test once per device, on the same fed inputs."""
    g = tf.Graph()
    feeds = {}
    outs = {}
    with g.as_default():
        ins = []

        def ph(a):
            p = tf.placeholder(tf.as_dtype(a.dtype), a.shape)
            feeds[p] = a
            return p
        for x in case.inputs:
            if isinstance(x, C):
                ins.append(tf.constant(x.a))
            elif isinstance(x, list):
                ins.append([ph(a) for a in x])
            else:
                ins.append(ph(np.asarray(x)))
        for dev in devices:
            with tf.device(dev):
                outs[dev] = list(apply_op(op_type, ins, case.attrs,
                                          name=f"under_test_{dev[1:4]}"))
    return g, outs, feeds


def _plans(sess):
    """The session's cached plans (Session keeps them per fetch structure and feeds)."""
    if hasattr(sess, "_plans"):
        return list(sess._plans.values())
    return [p for f in sess._fetch_cache.values() for p in f.plans.values()]


def _placement_of(sess, name):
    for plan in _plans(sess):
        for op, dev in plan.placement.items():
            if op.name == name:
                return dev
    return None


def _run_both(op_type, case, devices=("/GPU:0", "/CPU:0")):
    """{device: (values, where the op was placed)}, from one Session.run."""
    g, outs, feeds = _build(op_type, case, devices)
    with tf.Session(graph=g) as sess:
        vals = sess.run(outs, feeds)
        return {d: (vals[d], _placement_of(sess, f"under_test_{d[1:4]}")) for d in devices}


def _run(op_type, case, device):
    return _run_both(op_type, case, (device,))[device]


def _compare(op_type, got, want, tol):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        a, b = np.asarray(a), np.asarray(b)
        assert isinstance(a, np.ndarray) and not hasattr(a, "copy_to_host")
        assert a.dtype == b.dtype, (op_type, a.dtype, b.dtype)
        assert a.shape == b.shape, (op_type, a.shape, b.shape)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=op_type)
        else:
            np.testing.assert_array_equal(a, b, err_msg=op_type)


def _check_stats(kind, vals):
    (v,) = vals
    if kind == "multinomial":
        assert v.shape == (2, 400) and v.dtype == np.int64 and set(np.unique(v)) <= {0, 1, 2}
        np.testing.assert_allclose(np.bincount(v.ravel(), minlength=3)[:3] / v.size,
                                   [0.2, 0.5, 0.3], atol=0.06)
        return
    if kind == "int":
        assert v.shape == (10, 20) and v.dtype == np.int32
        assert v.min() >= -3 and v.max() < 4 and set(np.unique(v)) == set(range(-3, 4))
        return
    assert v.shape == (10, 20) and v.dtype == np.float32
    if kind == "uniform":
        assert v.min() >= 0 and v.max() < 1 and abs(v.mean() - 0.5) < 0.05
    elif kind == "normal":
        assert abs(v.mean()) < 0.3 and abs(v.std() - 1) < 0.25
    else:
        assert np.abs(v).max() <= 2 and abs(v.mean()) < 0.3


def _run_stateful(op_type, device):
    var_inits, others, attrs = STATEFUL[op_type]
    attrs = attrs() if callable(attrs) else attrs
    g = tf.Graph()
    feeds = {}
    with g.as_default(), tf.device(device):
        vs = [tf.Variable(v) for v in var_inits]
        if others is None:
            fetch = [vs[0].op.outputs[0]]
            under_test = vs[0].op.name
        else:
            ins = [v.op.outputs[0] for v in vs]
            for x in others:
                if isinstance(x, C):
                    ins.append(tf.constant(x.a))
                else:
                    p = tf.placeholder(tf.as_dtype(x.dtype), x.shape)
                    feeds[p] = x
                    ins.append(p)
            fetch = apply_op(op_type, ins, attrs, name="under_test")
            under_test = "under_test"
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        out = sess.run(fetch, feeds)
        placed = _placement_of(sess, under_test)
        after = sess.run([v.op.outputs[0] for v in vs])
    return [np.asarray(o) for o in out] + after, placed


def _run_resource(op_type, device):
    """Runs the op on fresh variable storages (fed as `resource` placeholders, as a traced
    tf.function feeds them); returns its outputs, the values after, where it ran and how
    the values are stored (a GPU kernel leaves them on the device)."""
    from tfteach.eager.variables import _GpuStorage
    inits, others, attrs = RESOURCE[op_type]
    slots = []
    for i, v in enumerate(inits):
        s = _GpuStorage(f"v{i}")
        s.value = v.copy()
        slots.append(s)
    g = tf.Graph()
    feeds = {}
    with g.as_default(), tf.device(device):
        ins = []
        for s in slots:
            p = tf.placeholder(tf.resource, [])
            feeds[p] = s
            ins.append(p)
        for x in others:
            if isinstance(x, C):
                ins.append(tf.constant(x.a))
            else:
                p = tf.placeholder(tf.as_dtype(x.dtype), x.shape)
                feeds[p] = x
                ins.append(p)
        if op_type == "ReadVariableOp":
            attrs = dict(attrs, _shape=tf.TensorShape([3, 2]))
        outs = apply_op(op_type, ins, attrs, name="under_test")
        outs = list(outs) if isinstance(outs, (list, tuple)) else []
        target = g.get_operation_by_name("under_test")
    from tfteach.runtime import executor, placement
    plan = executor.Plan(g, outs, [target], list(feeds), devices=placement.eager_devices())
    got = plan.run(list(feeds.values()), executor.RunContext(executor.SessionState()))
    placed = plan.placement[target]
    on_device = [s.stored is not None and hasattr(s.stored, "copy_to_host") for s in slots]
    return [np.asarray(x) for x in got] + [np.asarray(s.value) for s in slots], placed, \
        on_device


@pytest.mark.parametrize("op_type", sorted(RESOURCE))
def test_resource_variable_kernels_keep_values_on_the_device(op_type):
    want, placed_cpu, _ = _run_resource(op_type, "/CPU:0")
    got, placed, on_device = _run_resource(op_type, "/GPU:0")
    assert (placed_cpu, placed) == ("CPU", "GPU")
    _compare(op_type, got, want, 1e-5)
    if op_type != "ReadVariableOp":
        assert on_device[0], "the GPU kernel wrote a host value"


@pytest.mark.parametrize("op_type", [t for t in GPU_OPS if t not in RESOURCE and
                                     t not in ELSEWHERE])
def test_gpu_kernel_matches_cpu(op_type):
    kernel = registry.get(op_type).kernels["GPU"]
    if op_type in STATEFUL:
        want, placed_cpu = _run_stateful(op_type, "/CPU:0")
        got, placed = _run_stateful(op_type, "/GPU:0")
        assert placed_cpu == "CPU" and placed == "GPU", (placed_cpu, placed)
        _compare(op_type, got, want, 1e-5)
        return
    if isinstance(kernel, (GpuElementwise, GpuIntOrFloat)):
        cases = _elementwise_cases(kernel)
    else:
        make = CASES[op_type]
        if make is None:
            pytest.skip(f"{op_type} has no data to compare (covered by the placement tests)")
        made = make()           # one Case, or a list of them
        cases = made if isinstance(made, list) else [made]
    assert cases, f"no input dtype to test {op_type} with"
    for case in cases:
        if case.stats:
            got, placed = _run(op_type, case, "/GPU:0")
            assert placed == "GPU", f"{op_type} was not placed on the GPU"
            _check_stats(case.stats, got)
            continue
        res = _run_both(op_type, case)
        (got, placed), (want, placed_cpu) = res["/GPU:0"], res["/CPU:0"]
        assert placed == "GPU", f"{op_type} was not placed on the GPU"
        assert placed_cpu == "CPU"
        _compare(op_type, got, want, case.tol)


def test_dtypes_tf_keeps_on_the_cpu_are_not_placed_on_the_gpu():
    """TF 2.21 has no int32 GPU kernel for Pow (its registrations, tools/
    record_tf_gpu_kernels.py): pinned to the GPU it is TF's error, or the CPU with soft
    placement; the float32 one runs on the GPU."""
    g = tf.Graph()
    with g.as_default(), tf.device("/GPU:0"):
        p_int = tf.pow(tf.constant([2, 3]), tf.constant([3, 2]))
        p_float = tf.pow(tf.constant([2.0, 3.0]), tf.constant([3.0, 2.0]))
    with tf.Session(graph=g) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Cannot assign a device for operation Pow:"):
            sess.run(p_int)
    with tf.Session(graph=g, config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        a, b = sess.run([p_int, p_float])
        where = {op.name: d for plan in _plans(sess) for op, d in plan.placement.items()}
    np.testing.assert_array_equal(a, [8, 9])
    np.testing.assert_array_equal(b, [8.0, 9.0])
    assert where["Pow"] == "CPU" and where["Pow_1"] == "GPU"


def test_every_gpu_kernel_has_a_case():
    missing = [t for t in GPU_OPS
               if not isinstance(registry.get(t).kernels["GPU"],
                                 (GpuElementwise, GpuIntOrFloat))
               and t not in CASES and t not in STATEFUL and t not in RESOURCE
               and t not in ELSEWHERE]
    assert not missing, f"GPU kernels without a parity case in tests/test_cuda_sim.py: " \
                        f"{missing}"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for t, path in ELSEWHERE.items():
        with open(os.path.join(root, path)) as f:
            assert t in f.read(), f"{path} does not run {t}'s GPU kernel"


# --- kernels at sizes that reach their other code paths -------------------------------------
def test_fast_matmul_tiles_and_padding():
    from tfteach.kernels.cuda import _dev, gemm as matmul
    a, b = u((70, 20)), u((33, 20))
    got = matmul.matmul_fast(_dev.dev(a), _dev.dev(b), transpose_b=True,
                             tiles=(64, 64, 16)).copy_to_host()
    np.testing.assert_allclose(got, a @ b.T, rtol=1e-5, atol=1e-5)


def test_fast_matmul_128_tile_double_buffered():
    from tfteach.kernels.cuda import _dev, gemm as matmul
    a, b = u((128, 32)), u((32, 128))          # two K-steps: both shared buffers used
    got = matmul.matmul_fast(_dev.dev(a), _dev.dev(b), tiles=(128, 128, 16)).copy_to_host()
    np.testing.assert_allclose(got, a @ b, rtol=1e-5, atol=1e-5)


def test_reduction_two_pass_and_all_axes():
    from tfteach.kernels.cuda import _dev, reduction as r
    x = u((3, 700))
    got = r.reduce(_dev.dev(x), [1], r.SUM, False, "Sum").copy_to_host()   # M < 64: 2 passes
    np.testing.assert_allclose(got, x.sum(axis=1), rtol=1e-5, atol=1e-4)
    got = r.reduce(_dev.dev(x), [0, 1], r.MEAN, False, "Mean").copy_to_host()
    np.testing.assert_allclose(got, x.mean(), rtol=1e-4, atol=1e-5)


def test_integer_division_by_zero_on_gpu():
    g = tf.Graph()
    with g.as_default(), tf.device("/GPU:0"):
        z = tf.constant([4, 5], dtype=tf.int32) // tf.constant([2, 0], dtype=tf.int32)
    with tf.Session(graph=g) as s:
        with pytest.raises(tf.errors.InvalidArgumentError, match="division by zero"):
            s.run(z)


def test_gather_bad_index_error_matches_cpu():
    case = Case([u((5, 3)), np.array([1, 7], np.int32), _i32(0)], {"batch_dims": 0})
    for dev in ("/GPU:0", "/CPU:0"):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 7"):
            _run("GatherV2", case, dev)


# --- placement and copies at the edges --------------------------------------------------------
def test_auto_placement_and_copies_only_at_edges():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 3])
        w = tf.constant(u((3, 4)))
        y = tf.nn.relu(tf.matmul(x, w) + 1.0) if hasattr(tf, "nn") else tf.matmul(x, w)
        s = tf.reduce_sum(y)
    with tf.Session(graph=g) as sess:
        feed = {x: u((2, 3))}
        sess.run(s, feed)                       # builds the plan, copies constants once
        before = gpu_memory.copy_counts()
        v = sess.run(s, feed)
        after = gpu_memory.copy_counts()
        plan = _plans(sess)[-1]
    assert {op.type: d for op, d in plan.placement.items()}["MatMul"] == "GPU"
    assert after["h2d"] - before["h2d"] == 1     # the feed
    assert after["d2h"] - before["d2h"] == 1     # the fetch
    assert "H2D(f0)" in plan.source and plan.source.count("D2H(") == 1
    want = feed[x] @ w.op.get_attr("value")
    want = (np.maximum(want + 1, 0) if hasattr(tf, "nn") else want).sum()
    np.testing.assert_allclose(v, want, rtol=1e-5)


def test_soft_placement_of_an_op_without_gpu_kernel():
    cpu_only = [t for t, d in registry.all_ops().items()
                if "CPU" in d.kernels and "GPU" not in d.kernels]
    assert "UnravelIndex" in cpu_only           # TF 2.21 has no GPU kernel for it either
    g = tf.Graph()
    with g.as_default(), tf.device("/GPU:0"):
        r = apply_op("UnravelIndex", [tf.constant([1, 5]), tf.constant([2, 3])], {})[0]
        y = tf.cast(r, tf.float32) * 2.0
    with tf.Session(graph=g, config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        np.testing.assert_array_equal(sess.run(y), [[0.0, 2.0], [2.0, 4.0]])
    with tf.Session(graph=g) as sess:       # v1 default: no soft placement
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="no supported kernel for GPU devices"):
            sess.run(y)


def test_log_device_placement(capfd):
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([1.0, 2.0], name="a")
        b = tf.add(a, a, name="b")
        with tf.device("/CPU:0"):
            c = tf.multiply(b, 2.0, name="c")
    with tf.Session(graph=g, config=tf.ConfigProto(log_device_placement=True)) as sess:
        np.testing.assert_array_equal(sess.run(c), [4.0, 8.0])
    cap = capfd.readouterr()
    err = cap.out + cap.err         # TF's placer log goes to stdout in Session.run
    assert "b: (AddV2): /job:localhost/replica:0/task:0/device:GPU:0" in err
    assert "c: (Mul): /job:localhost/replica:0/task:0/device:CPU:0" in err


def test_variables_stay_on_device_and_training_step_runs_there():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.ones((3, 1), F32))
        x = tf.placeholder(tf.float32, [4, 3])
        loss = tf.reduce_mean(tf.square(apply_op("MatMul", [x, w.op.outputs[0]], {
            "transpose_a": False, "transpose_b": False})[0]))
        grad = apply_op("MatMul", [x, apply_op("Fill", [tf.constant([4, 1]),
                                                        tf.constant(0.5)], {})[0]],
                        {"transpose_a": True, "transpose_b": False})[0]
        step = apply_op("ApplyGradientDescent", [w.op.outputs[0], tf.constant(F32(0.1)),
                                                 grad], {})
        init = tf.global_variables_initializer()
    feed = {x: np.ones((4, 3), F32)}
    with tf.Session(graph=g) as sess:
        sess.run(init)
        sess.run(step, feed)
        slot = sess._state.variables[w.op.name]
        assert hasattr(slot.value, "copy_to_host")        # the value lives on the device
        before = gpu_memory.copy_counts()
        sess.run(step, feed)
        after = gpu_memory.copy_counts()
        assert after["h2d"] - before["h2d"] == 1 and after["d2h"] - before["d2h"] == 1
        np.testing.assert_allclose(sess.run(w), np.full((3, 1), 1 - 2 * 0.1 * 2.0, F32),
                                   rtol=1e-6)
        sess.run(loss, feed)


def test_failed_run_rolls_back_device_variable():
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable(np.zeros(2, F32))
        bump = tf.assign_add(v, [1.0, 1.0]) if hasattr(tf, "assign_add") else None
        bad = tf.placeholder(tf.float32, [None])
        upd = apply_op("AssignAdd", [v.op.outputs[0], bad], {})[0]
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        if bump is not None:
            sess.run(bump)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(upd, {bad: np.ones(3, F32)})
        np.testing.assert_array_equal(sess.run(v), [1.0, 1.0] if bump is not None else
                                      [0.0, 0.0])


# --- the memory pool ----------------------------------------------------------------------------
def test_pool_tracks_device_tensors():
    from tfteach.kernels.cuda import _dev
    import gc
    gc.collect()
    p = gpu_memory.pool()
    base = p.bytes_in_use
    a = _dev.empty((1000,), np.float32)
    assert p.bytes_in_use == base + 4096          # rounded up to 256 bytes
    peak = p.peak_bytes_in_use
    del a
    gc.collect()
    assert p.bytes_in_use == base and p.peak_bytes_in_use == peak
    info = devices.get_memory_info("GPU:0")
    assert info["current"] == base and info["peak"] >= base + 4096


def test_physical_devices_and_session_devices():
    from tfteach.runtime import devices
    assert devices.physical_devices("GPU") == [
        devices.PhysicalDevice("/physical_device:GPU:0", "GPU")]
    with tf.Session(graph=tf.Graph()) as s:
        names = [d.name for d in s.list_devices()]
    assert names[-1] == "/job:localhost/replica:0/task:0/device:GPU:0"


def test_plans_outside_a_session_can_use_the_gpu():
    """What tf.function graphs get from placement.eager_devices(): the GPU, soft placement."""
    from tfteach.runtime import executor, placement
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        y = apply_op("UnravelIndex", [tf.constant([0, 1, 2]), tf.constant([3])],
                     {})[0]                                             # no GPU kernel
        z = x * tf.cast(tf.reshape(y, [3]), tf.float32)
    plan = executor.Plan(g, [z], [], [x], devices=placement.eager_devices())
    where = {op.type: d for op, d in plan.placement.items()}
    assert where["Mul"] == "GPU" and where["UnravelIndex"] == "CPU"
    (out,) = plan.run([np.array([1, 2, 3], F32)], executor.RunContext(executor.SessionState()))
    np.testing.assert_array_equal(out, [0, 2, 6])


def test_tf2_config_lists_the_gpu():
    import tfteach
    assert [d.device_type for d in tfteach.config.list_physical_devices("GPU")] == ["GPU"]


# --- N-d gathers / scatters, scans, segments: edges --------------------------------------------
def test_nd_out_of_range_on_gpu():
    """TF's GPU kernels do not check the indices (its documented GPU behaviour; the CPU ones
    raise InvalidArgumentError): GatherNd gives zeros for an index outside params,
    ScatterNd and TensorScatter* skip that update. Expected values derived by hand. An int32
    ScatterNd is TF's host-memory int32 kernel, the CPU's code: it checks, on a GPU too."""
    params = np.array([[1, 2], [3, 4], [5, 6]], F32)
    idx = np.array([[2], [3], [-1], [0]], np.int32)
    got, placed = _run("GatherNd", Case([params, idx]), "/GPU:0")
    assert placed == "GPU"
    np.testing.assert_array_equal(got[0], [[5, 6], [0, 0], [0, 0], [1, 2]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[3\] does not "
                                                             r"index into param shape \[3,2\]"):
        _run("GatherNd", Case([params, idx]), "/CPU:0")
    got, _ = _run("ScatterNd", Case([np.array([[1], [7], [-2], [1]], np.int32),
                                     np.array([1, 2, 3, 4], F32), _i32([3])]), "/GPU:0")
    np.testing.assert_array_equal(got[0], [0, 5, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[7\] does not "
                                                             r"index into shape \[3\]"):
        _run("ScatterNd", Case([np.array([[1], [7], [-2], [1]], np.int32),
                                np.array([1, 2, 3, 4], np.int32), _i32([3])]), "/GPU:0")
    got, _ = _run("TensorScatterUpdate", Case([np.zeros((2, 2), F32),
                                               np.array([[0, 1], [2, 0]], np.int64),
                                               np.array([7, 8], F32)]), "/GPU:0")
    np.testing.assert_array_equal(got[0], [[0, 7], [0, 0]])


def test_nd_empty_and_shape_errors_match_cpu():
    cases = [("GatherNd", Case([u((3, 2)), np.zeros((0, 1), np.int32)])),
             ("GatherNd", Case([u((3, 2)), np.zeros((2, 0), np.int32)])),   # whole params
             ("ScatterNd", Case([np.zeros((0, 1), np.int32), np.zeros((0, 2), F32),
                                 _i32([3, 2])])),
             ("TensorScatterAdd", Case([np.zeros((0, 2), F32), np.zeros((0, 1), np.int32),
                                        np.zeros((0, 2), F32)])),
             ("Cumsum", Case([np.zeros((2, 0), F32), _i32(1)],
                             {"exclusive": False, "reverse": False})),
             ("Cumprod", Case([np.array([[1, np.inf], [2, 3]], F32), _i32(0)],
                              {"exclusive": True, "reverse": True})),
             ("SegmentSum", Case([np.zeros((0, 3), F32), np.zeros((0,), np.int32)])),
             ("Einsum", Case([[u((3, 3, 2), dt=np.float64)]], {"equation": "iij->j"})),
             ("Einsum", Case([[u((2, 3), dt=np.float64), u((3,), dt=np.float64)]],
                             {"equation": "ij,j->"})),
             ("Einsum", Case([[u((2, 0)), u((0, 3))]], {"equation": "ik,kj->ij"})),
             ("Cholesky", Case([np.zeros((0, 2, 2), np.float64)])),
             ("Unique", Case([np.zeros((0,), np.int32)], {"out_idx": tf.int32})),
             # many collisions and probes: 300 values drawn from 40
             ("Unique", Case([RNG.integers(-20, 20, 300).astype(np.int64)],
                             {"out_idx": tf.int32})),
             # 2100 rows: three to a chunk, partitions crossing the chunk borders in order
             ("DynamicPartition", Case([np.arange(2100, dtype=np.int64),
                                        RNG.integers(0, 3, 2100).astype(np.int32)],
                                       {"num_partitions": 3})),
             ("DynamicPartition", Case([np.zeros((0, 2), F32), np.zeros((0,), np.int32)],
                                       {"num_partitions": 2})),
             ("TopKV2", Case([RNG.integers(-4, 4, (2, 3, 6)).astype(np.int64), _i32(6)],
                             {"sorted": False, "index_type": tf.int32})),
             ("TopKV2", Case([u((2, 3)), _i32(0)], {"sorted": True, "index_type": tf.int32})),
             ("MirrorPadGrad", Case([u((4, 6)).astype(np.float64), _i32([[1, 1], [2, 0]])],
                                    {"mode": "REFLECT"})),
             ("Where", Case([np.zeros((0, 3), np.int32)])),
             ("Where", Case([np.float64(2.5)])),          # a scalar: one row of no columns
             # chunks of two elements per thread, rows across chunk borders in order
             ("Where", Case([(RNG.random((40, 51)) > 0.9).astype(F32) * u((40, 51))])),
             ("UnsortedSegmentMax", Case([np.zeros((0,), F32), np.zeros((0,), np.int32),
                                          _i32(2)]))]
    for op_type, case in cases:
        res = _run_both(op_type, case)
        (got, placed), (want, _) = res["/GPU:0"], res["/CPU:0"]
        assert placed == "GPU", op_type
        _compare(op_type, got, want, 1e-12)     # atomic adds: float64 order may differ
    bad = [("TensorScatterAdd", Case([u((4, 3)), np.array([[1], [2]], np.int32), u((3, 3))]),
            r"must match dimensions \[0,1\) of updates\[shape=\[3,3\]\]"),
           ("Cumsum", Case([u((2, 3)), _i32(2)], {"exclusive": False, "reverse": False}),
            r"Expected scan axis in the range \[-2, 2\), but got 2"),
           ("DynamicPartition", Case([u((3,)), np.array([0, 2, 1], np.int32)],
                                     {"num_partitions": 2}), r"partitions\[1\] = 2 is not in \[0, 2\)"),
           ("SparseToDense", Case([np.array([[0, 1], [0, 1]], np.int32), _i32([2, 2]),
                                   u((2,)), C(F32(0))], {"validate_indices": True}),
            r"indices\[1\] = \[0,1\] is repeated"),
           ("SparseToDense", Case([np.array([[0, 1], [2, 0]], np.int32), _i32([2, 2]),
                                   C(F32(1)), C(F32(0))], {"validate_indices": False}),
            r"indices\[1\] = \[2,0\] is out of bounds"),
           ("MatrixTriangularSolve", Case([np.array([[1, 0], [2, 0]], F32), u((2, 1))],
                                           {"lower": True, "adjoint": False}),
            "Input matrix is not invertible"),
           ("MatrixInverse", Case([np.array([[1, 2], [2, 4]], F32)], {"adjoint": False}),
            "Input is not invertible"),
           ("MatrixSolve", Case([np.zeros((2, 2), F32), u((2, 1))], {"adjoint": False}),
            "Input matrix is not invertible"),
           ("UnsortedSegmentMin", Case([u((3, 2)), np.zeros((2,), np.int32), _i32(2)]),
            r"does not start with segment_ids.shape = \[2\]")]
    for op_type, case, msg in bad:
        for dev in ("/GPU:0", "/CPU:0"):
            with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
                _run(op_type, case, dev)


def test_segments_out_of_range_ids_on_gpu():
    """UnsortedSegmentMax drops rows whose id is outside [0, num_segments) on a GPU (the CPU
    raises for an id too large); SegmentSum's GPU kernel sizes its output from the last id
    and does not check the order (TF's documented GPU behaviour). By hand:"""
    got, _ = _run("UnsortedSegmentMax", Case([np.array([1, 5, 3], F32),
                                              np.array([0, 9, 0], np.int32), _i32(2)]),
                  "/GPU:0")
    np.testing.assert_array_equal(got[0], [3, np.finfo(F32).min])
    got, _ = _run("SegmentSum", Case([np.array([1, 2, 4], F32),
                                      np.array([1, 0, 1], np.int32)]), "/GPU:0")
    np.testing.assert_array_equal(got[0], [2, 5])


def test_variable_scatter_skips_out_of_range_rows_on_gpu():
    """TF's GPU scatter functor ignores an index outside the variable's rows (its CPU kernel
    raises InvalidArgumentError); the other rows are updated. By hand: rows 0 and 2 get +1
    and +3, the update for row 7 is dropped."""
    g = tf.Graph()
    with g.as_default(), tf.device("/GPU:0"):
        v = tf.Variable(np.zeros((3, 2), F32))
        upd = apply_op("ScatterAdd", [v.op.outputs[0], tf.constant([0, 7, 2]),
                                      tf.constant(np.array([[1, 1], [2, 2], [3, 3]], F32))],
                       {}, name="under_test")
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        sess.run(upd)
        assert _placement_of(sess, "under_test") == "GPU"
        np.testing.assert_array_equal(sess.run(v), [[1, 1], [0, 0], [3, 3]])


def test_sparse_apply_bad_index_error_matches_cpu():
    for dev in ("/GPU:0", "/CPU:0"):
        g = tf.Graph()
        with g.as_default(), tf.device(dev):
            v = tf.Variable(np.ones((3, 2), F32))
            acc = tf.Variable(np.ones((3, 2), F32))
            upd = apply_op("SparseApplyAdagrad", [
                v.op.outputs[0], acc.op.outputs[0], tf.constant(F32(0.1)),
                tf.constant(np.ones((2, 2), F32)), tf.constant([1, 3])], {}, name="under_test")
            init = tf.global_variables_initializer()
        with tf.Session(graph=g) as sess:
            sess.run(init)
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Index 3 at offset 1 in indices is out of range"):
                sess.run(upd)
            np.testing.assert_array_equal(sess.run(v), np.ones((3, 2), F32))   # undone


def test_assert_on_gpu_passes_and_fails_as_on_cpu():
    """Assert is a host-memory kernel on the GPU (TF's HostMemory for condition and data):
    placed there, it passes on a true condition and raises TF's error on a false one."""
    for dev in ("/GPU:0", "/CPU:0"):
        g = tf.Graph()
        with g.as_default(), tf.device(dev):
            cond = tf.placeholder(tf.bool, [2])
            apply_op("Assert", [cond, [tf.constant([7, 8])]], {"summarize": 3},
                     name="under_test")
            a = g.get_operation_by_name("under_test")
        with tf.Session(graph=g) as sess:
            sess.run(a, {cond: [True, True]})
            assert _placement_of(sess, "under_test") == dev[1:4]
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[7 8\]"):
                sess.run(a, {cond: [True, False]})
