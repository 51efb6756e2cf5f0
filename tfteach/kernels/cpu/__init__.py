"""numba kernels for the CPU, one module per family of ops.

`KERNEL_MODULES` below is the index: the module that defines each op type's CPU kernel
(`registry.get("AddV2").where()` gives the file and line). Importing this package is cheap
and imports no numba: the registry calls `load_for(op_type)` the first time a plan needs an
op's kernel, which imports only that op's module, so a first `Session.run` pays only for
the kernels it uses. `load_all()` imports every module (the CUDA package and tools that walk
all kernels need them all). An op type missing from the index still works: its lookup
imports every module (tests/test_startup.py checks that the index is right and complete).
"""
import importlib
import os

# Import order matters where a module registers a kernel only if none exists yet
# (gradient_ops) or replaces one (nn): load_all keeps this order.
MODULES = ("array", "math", "state", "linalg", "random", "reduce", "gradient_ops", "summary",
           "training", "nn", "control_flow", "script", "tensor_array", "data")
# shared machinery the kernel modules import, registering no kernels themselves: _build
# (element-wise kernel factories), gemm (tfteach's own float32 GEMM), threads (the
# parallel-launch and BLAS-thread policy)
HELPERS = ("_build", "gemm", "threads")

KERNEL_MODULES = {}
_INDEX = {
    "array": """
        BroadcastTo ConcatV2 ExpandDims Fill GatherV2 Identity MirrorPad NoOp OneHot OnesLike
        Pack Pad PadV2 PlaceholderWithDefault Rank Reshape ReverseV2 Select SelectV2 Shape Size
        Slice Split SplitV Squeeze StopGradient StridedSlice Tile Transpose Unpack Where
        ZerosLike GatherNd ScatterNd TensorScatterUpdate TensorScatterAdd TensorScatterSub
        UnsortedSegmentSum UnsortedSegmentMax UnsortedSegmentMin SegmentSum SegmentMean Roll
        Unique ShapeN DynamicPartition TopKV2 LowerBound UpperBound
        IdentityN BroadcastArgs EnsureShape UniqueWithCounts UnravelIndex TensorScatterMax
        TensorScatterMin ReverseSequence
    """,
    "math": """
        Abs Acos AddN AddV2 Asin Atan Cast Ceil Cos Cosh Elu Equal Erf Exp Expm1 Floor FloorDiv
        FloorMod Greater GreaterEqual Inv IsFinite IsInf IsNan Less LessEqual Log Log1p
        LogicalAnd LogicalNot LogicalOr Maximum Minimum Mul Neg NotEqual Pow RealDiv Reciprocal
        Relu Relu6 Rint Round Rsqrt Selu Sigmoid Sign Sin Sinh Softplus Softsign Sqrt Square
        SquaredDifference Sub Tan Tanh Div TruncateDiv TruncateMod DivNoNan MulNoNan Xdivy
        Xlogy Atan2 Acosh Asinh Atanh Erfc Lgamma Digamma Cumsum Cumprod Timestamp
    """,
    "data": """
        OneShotIterator IteratorGetNext
    """,
    "state": """
        Assign AssignAdd AssignSub IsVariableInitialized VariableV2
    """,
    "linalg": """
        BatchMatMulV2 MatMul MatrixDeterminant MatrixInverse Einsum MatrixBandPart MatrixDiagV3
        MatrixDiagPartV3 MatrixSetDiagV3 Diag DiagPart MatrixSolve
    """,
    "random": """
        Multinomial RandomShuffle RandomStandardNormal RandomUniform RandomUniformInt
        TruncatedNormal
    """,
    "reduce": """
        All Any ArgMax ArgMin LinSpace Max Mean Min Prod Range Sum
    """,
    "gradient_ops": """
        BroadcastGradientArgs ConcatOffset DynamicStitch InvertPermutation MirrorPadGrad
        ReciprocalGrad RsqrtGrad SigmoidGrad SqrtGrad StridedSliceGrad TanhGrad
    """,
    "summary": """
        HistogramSummary MergeSummary ScalarSummary TensorSummaryV2
    """,
    "training": """
        ApplyAdadelta ApplyAdagrad ApplyAdam ApplyCenteredRMSProp ApplyGradientDescent
        ApplyMomentum ApplyRMSProp SparseApplyMomentum SparseApplyAdagrad SparseApplyRMSProp
        SparseApplyCenteredRMSProp SparseApplyAdadelta ResourceSparseApplyMomentum
        ResourceSparseApplyAdagrad ResourceSparseApplyRMSProp ResourceSparseApplyCenteredRMSProp
        ResourceSparseApplyAdadelta ScatterAdd ScatterSub ScatterUpdate ResourceScatterAdd
        ResourceScatterSub ResourceScatterUpdate
    """,
    "nn": """
        AvgPool AvgPoolGrad BiasAdd BiasAddGrad Conv2D Conv2DBackpropFilter Conv2DBackpropInput
        EluGrad InTopKV2 L2Loss LeakyRelu LeakyReluGrad LogSoftmax MaxPool MaxPoolGrad Relu6Grad
        ReluGrad SeluGrad Softmax SoftmaxCrossEntropyWithLogits SoftplusGrad SoftsignGrad
        SparseSoftmaxCrossEntropyWithLogits
    """,
    "script": """
        EagerPyFunc PyFunc PyFuncStateless
    """,
    "tensor_array": """
        TensorArrayV3 TensorArrayWriteV3 TensorArrayReadV3 TensorArrayGatherV3
        TensorArrayScatterV3 TensorArrayConcatV3 TensorArraySplitV3 TensorArraySizeV3
        TensorArrayCloseV3 TensorArrayGradV3
    """,
    "control_flow": """
        Merge RefMerge RefSwitch Switch Assert Print Enter RefEnter Exit RefExit NextIteration
        RefNextIteration LoopCond StackV2 StackPushV2 StackPopV2 StackCloseV2 ControlTrigger
    """,
}
for _mod, _types in _INDEX.items():
    for _t in _types.split():
        KERNEL_MODULES[_t] = _mod

_loaded = set()


def _memory_policy():
    """Stops NumPy from asking the kernel for transparent huge pages on big arrays.

    NumPy madvises every array of 4 MiB or more as MADV_HUGEPAGE. Where the kernel's THP
    `defrag` setting is `madvise` (the default, and this project's machines), a page fault
    in such an array may stall on synchronous memory compaction, and a graph allocates
    big outputs on every run: measured, a softmax over [60, 28, 3000] spent 25-50 ms of
    kernel time faulting in its output instead of 3 ms computing, and seed 3's deep model
    ran at 8.1 calls/s with the advice, 10.3 without. TF's allocator never gives the kernel
    that advice. Set TFTEACH_NUMPY_HUGEPAGES=1 to keep NumPy's default (the setting is
    process-wide: NumPy arrays made outside tfteach follow it too)."""
    if os.environ.get("TFTEACH_NUMPY_HUGEPAGES") == "1":
        return
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:     # NumPy < 2
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return
    _set_madvise_hugepage(False)


def _float_warnings_policy():
    """TF computes IEEE results without a word: log(0) is -inf, 0/0 is NaN, Relu(NaN) is NaN.
    NumPy's ufuncs (numba's element-wise kernels are ufuncs) check the FPU's flags after
    each call and warn "invalid value encountered in _relu"; this hides exactly those
    warnings, and only where the calling frame is tfteach's own code (kernels, the eager
    executor, session plans). A user's own NumPy code still warns as NumPy decides."""
    import warnings
    warnings.filterwarnings(
        "ignore", message=r"(invalid value|divide by zero|overflow) encountered in",
        category=RuntimeWarning, module=r"tfteach(\.|$)")


def _import(mod):
    if not _loaded:
        _memory_policy()
        _float_warnings_policy()
    if mod not in _loaded:
        importlib.import_module(f"{__name__}.{mod}")
        _loaded.add(mod)


def load_all():
    for mod in MODULES:
        _import(mod)


def load_for(op_type):
    """Imports the module holding `op_type`'s CPU kernel (every module if it is not indexed)."""
    mod = KERNEL_MODULES.get(op_type)
    if mod is None:
        load_all()
    else:
        _import(mod)
