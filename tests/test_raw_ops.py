"""tf.raw_ops and the small top-level helpers beside it (tf.version, tf.make_tensor_proto,
tf.make_ndarray, tf.zeros_like/ones_like(input=), tf.is_symbolic_tensor, tf.hessians,
tf.grad_pass_through, tf.compat.v1.nn.conv2d_backprop_*) against TF 2.21's recorded results
(tests/data/tf_raw_ops.json, tools/record_raw_ops.py)."""
import json
import os

import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

pytestmark = pytest.mark.mode("v2")

with open(os.path.join(os.path.dirname(__file__), "data", "tf_raw_ops.json")) as _f:
    TF = json.load(_f)
CASES = {c["id"]: c for c in TF["cases"]}
TOP = TF["top"]


def arg(v):
    if isinstance(v, dict) and "t" in v:
        return tf.constant(np.array(v["t"], dtype=v["dtype"]), dtype=v["dtype"])
    if isinstance(v, dict) and "dtype" in v:
        return tf.as_dtype(v["dtype"])
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return [arg(x) for x in v]
    return v


def check(got, want):
    if "list" in want:
        assert isinstance(got, list) and len(got) == len(want["list"])
        for g, w in zip(got, want["list"]):
            check(g, w)
        return
    assert got.dtype.name == want["dtype"]
    assert list(got.shape) == want["shape"]
    np.testing.assert_allclose(got.numpy(), np.array(want["value"]), rtol=1e-5, atol=1e-6)


def call(case):
    return getattr(tf.raw_ops, case["op"])(**{k: arg(v) for k, v in case["kwargs"].items()})


@pytest.mark.parametrize("cid", [c for c in CASES if "error" not in CASES[c]])
def test_values(cid):
    check(call(CASES[cid]), CASES[cid])


_ERRORS = {"InvalidArgumentError": errors.InvalidArgumentError, "TypeError": TypeError}
# the part of TF's message that names the problem (TF's kernel-site prefixes differ)
_ERROR_TEXT = {"matmul_mismatch": "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]",
               "add_v2_dtype_mismatch": "cannot compute AddV2 as input #1(zero-based) was "
                                        "expected to be a float tensor but is a int32 tensor",
               "unpack_num_wrong": "Input shape axis 0 must equal 3, got shape [2,3]",
               "cast_error_type": "Value for attr 'output_type' of float is not in the list "
                                  "of allowed values: int16, uint16, int32, int64"}


@pytest.mark.parametrize("cid", [c for c in CASES if "error" in CASES[c]])
def test_errors(cid):
    case = CASES[cid]
    with pytest.raises(_ERRORS[case["error"]]) as info:
        call(case)
    text = _ERROR_TEXT.get(cid, case["message"])
    assert text in case["message"]          # the pinned part is TF's
    assert text in str(info.value)


@pytest.mark.parametrize("case", TF["call_errors"], ids=lambda c: c["id"])
def test_keyword_only(case):
    fn = getattr(tf.raw_ops, case["op"])
    with pytest.raises(TypeError) as info:
        fn(*[arg(a) for a in case["args"]], **{k: arg(v) for k, v in case["kwargs"].items()})
    assert str(info.value) == case["message"]


@pytest.mark.parametrize("cid", sorted(c for c in TF["graph"] if not c.startswith("no_op")))
def test_graph_mode_creates_the_op(cid):
    case, want = CASES[cid], TF["graph"][cid]
    g = tf.Graph()
    with g.as_default():
        res = getattr(tf.raw_ops, case["op"])(
            **{k: arg(v) for k, v in case["kwargs"].items()}, name="raw")
    ops = [[o.name, o.type] for o in g.get_operations() if o.type != "Const"]
    assert ops == want["ops"]
    assert (len(res) if isinstance(res, list) else 1) == want["n_outputs"]


def test_graph_mode_values_in_tf_function():
    case = CASES["conv2d_backprop_filter_same"]
    kwargs = {k: arg(v) for k, v in case["kwargs"].items()}

    @tf.function
    def f(x, dy):
        return tf.raw_ops.Conv2DBackpropFilter(**{**kwargs, "input": x, "out_backprop": dy})

    check(f(kwargs["input"], kwargs["out_backprop"]), case)
    graph = f.get_concrete_function(kwargs["input"], kwargs["out_backprop"]).graph
    assert "Conv2DBackpropFilter" in [o.type for o in graph.get_operations()]


def test_no_output_op():
    assert repr(tf.raw_ops.NoOp()) == TF["graph"]["no_op_eager"]
    g = tf.Graph()
    with g.as_default():
        op = tf.raw_ops.NoOp(name="nothing")
    assert type(op).__name__ == TF["graph"]["no_op"]["returns"]
    assert op.name == TF["graph"]["no_op"]["name"]


def test_generated_from_the_registry_with_tfs_signature():
    import inspect

    from tfteach.framework import graph_io
    names = dir(tf.raw_ops)
    assert {"AddV2", "MatMul", "Conv2D", "Unpack", "StridedSlice"} <= set(names)
    assert len(names) > 300
    assert tf.compat.v1.raw_ops is tf.raw_ops
    for name in ("MatMul", "Conv2D", "ConcatV2", "Cast", "ArgMax", "Unpack"):
        params = list(inspect.signature(getattr(tf.raw_ops, name)).parameters)
        assert params == graph_io.tf_op_def(name)["raw_ops"][1]
    sig = inspect.signature(tf.raw_ops.Conv2D)
    assert sig.parameters["data_format"].default == "NHWC"
    assert sig.parameters["dilations"].default == [1, 1, 1, 1]
    assert sig.parameters["strides"].default is inspect.Parameter.empty
    with pytest.raises(AttributeError, match="does not implement it yet"):
        tf.raw_ops.PrintV2      # tfteach's PrintV2 is not TF's
    with pytest.raises(AttributeError):
        tf.raw_ops.NotAnOp


def test_raw_op_gradient_is_the_ops():
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.raw_ops.MatMul(a=x, b=x, transpose_b=True))
    got = tape.gradient(y, x).numpy()
    xv = x.numpy()
    ones = np.ones((2, 2))
    np.testing.assert_allclose(got, ones @ xv + ones.T @ xv)


# --- top-level names ---------------------------------------------------------------------------

def test_version():
    for k, v in TOP["version"].items():
        assert getattr(tf.version, k) == v
    assert tf.compat.v1.VERSION == tf.version.VERSION
    assert TOP["compat_v1_version"]


def test_zeros_like_ones_like_take_input():
    check(tf.zeros_like(input=tf.constant([[1, 2], [3, 4]]), dtype=tf.float32),
          TOP["zeros_like"])
    check(tf.ones_like(input=tf.constant([1.5, 2.5])), TOP["ones_like"])
    check(tf.ones_like(input=tf.constant([1.5, 2.5]), dtype=tf.bool), TOP["ones_like_bool"])
    with pytest.raises(NotImplementedError, match="DTensor"):
        tf.zeros_like(tf.constant(1.0), layout=object())


_PROTO_ARGS = {
    "float_matrix": ([[1.0, 2.0], [3.0, 4.0]], {}),
    "int_scalar": (7, {}),
    "int64_list": ([1, 2, 3], {"dtype": "int64"}),
    "bool": ([True, False], {}),
    "strings": ([b"ab", b"c"], {}),
    "broadcast_shape": (0.5, {"shape": [2, 3]}),
    "float64": (np.array([1.5, -2.25]), {}),
    "int32_to_float": ([1, 2], {"dtype": "float32"}),
    "verify_shape_bad": ([1, 2, 3], {"shape": [2], "verify_shape": True}),
    "shape_too_small": ([1, 2, 3], {"shape": [2]}),
    "fewer_values": ([1, 2], {"shape": [4]}),
    "float_as_int": ([1.5], {"dtype": "int32"}),
    "numpy_float_as_int": (np.array([1.5]), {"dtype": "int32"}),
    "big_int": ([2 ** 40], {}),
    "int_as_string": ([1, 2], {"dtype": "string"}),
    "string_as_float": (["a"], {"dtype": "float32"}),
    "complex": ([1 + 2j], {}),
    "float16": (np.float16([1, 2]), {}),
    "bool_scalar": (True, {}),
}


@pytest.mark.parametrize("cid", sorted(_PROTO_ARGS))
def test_make_tensor_proto(cid):
    want = TOP["make_tensor_proto"][cid]
    values, kw = _PROTO_ARGS[cid]
    if "error" in want:
        with pytest.raises({"TypeError": TypeError, "ValueError": ValueError}[want["error"]],
                            match=want["message"].replace("(", r"\(").replace(")", r"\)")):
            tf.make_tensor_proto(values, **kw)
        return
    p = tf.make_tensor_proto(values, **kw)
    assert p.SerializeToString().hex() == want["serialized"]     # TF's bytes, field for field
    back = tf.make_ndarray(p)
    assert str(back.dtype) == want["ndarray_dtype"]
    if back.dtype == object:
        assert [x.decode() for x in back.reshape(-1)] == want["ndarray"]
    elif back.dtype.kind == "c":
        assert [[x.real, x.imag] for x in back.reshape(-1)] == want["ndarray"]
    else:
        assert back.tolist() == want["ndarray"]


def test_make_ndarray_of_tfs_protos():
    from tensorboard.compat.proto import tensor_pb2
    p = tensor_pb2.TensorProto.FromString(bytes.fromhex(TOP["make_ndarray_repeat"]["serialized"]))
    assert tf.make_ndarray(p).tolist() == TOP["make_ndarray_repeat"]["ndarray"]
    with pytest.raises(AttributeError, match=TOP["make_ndarray_not_proto"]["message"]):
        tf.make_ndarray([1, 2])


def test_is_symbolic_tensor():
    g = tf.Graph()
    with g.as_default():
        sym = tf.constant(1.0)
    got = {"graph": tf.is_symbolic_tensor(sym), "eager": tf.is_symbolic_tensor(tf.constant(1.0)),
           "variable": tf.is_symbolic_tensor(tf.Variable(1.0)),
           "number": tf.is_symbolic_tensor(1.0)}
    assert got == TOP["is_symbolic"]


def test_hessians():
    @tf.function
    def hess(x):
        y = tf.reduce_sum(x * x * x) + x[0] * x[1]
        return tf.hessians(y, x)

    check(hess(tf.constant([1.0, 2.0, 3.0])), TOP["hessians"])

    @tf.function
    def hess2(x, w):
        y = tf.reduce_sum(tf.sin(x) * w * w) + tf.reduce_sum(x * x) * w[0, 0]
        return tf.hessians(y, [x, w])

    check(hess2(tf.constant([[0.5, 1.0], [1.5, 2.0]]), tf.constant([[1.0, -1.0], [2.0, 0.5]])),
          TOP["hessians_two"])
    want = TOP["hessians_eager"]
    with pytest.raises(RuntimeError, match=want["message"].split(".")[0]):
        tf.hessians(tf.constant(1.0), tf.constant(1.0))


def test_grad_pass_through():
    x = tf.Variable([1.0, 2.5, -3.7])
    with tf.GradientTape() as tape:
        y = tf.grad_pass_through(tf.round)(x) * tf.constant([1.0, 2.0, 3.0])
    check(y, TOP["grad_pass_through"]["y"])
    check(tape.gradient(y, x), TOP["grad_pass_through"]["grad"])
    v = tf.Variable(3.0)
    with tf.GradientTape():
        z = tf.grad_pass_through(v.assign)(tf.constant(5.0)) * 2.0
    check(z, TOP["grad_pass_through_assign"]["z"])
    assert float(v.numpy()) == TOP["grad_pass_through_assign"]["v"]

    @tf.function
    def traced():
        return tf.grad_pass_through(tf.round)(x)

    with pytest.raises(NotImplementedError, match="grad_pass_through inside a tf.function"):
        traced()


def test_v1_conv2d_backprops():
    img = arg(CASES["conv2d_valid"]["kwargs"]["input"])
    filt = arg(CASES["conv2d_valid"]["kwargs"]["filter"])
    dy_same = arg(CASES["conv2d_backprop_filter_same"]["kwargs"]["out_backprop"])
    dy_valid = arg(CASES["conv2d_backprop_input"]["kwargs"]["out_backprop"])
    nn = tf.compat.v1.nn
    check(nn.conv2d_backprop_filter(img, [2, 2, 2, 3], dy_same, [1, 2, 2, 1], "SAME"),
          TOP["v1_conv2d_backprop_filter"])
    check(nn.conv2d_backprop_input([1, 4, 4, 2], filt, dy_valid, [1, 1, 1, 1], "VALID"),
          TOP["v1_conv2d_backprop_input"])
    check(nn.conv2d_backprop_input([1, 4, 4, 2], filters=filt, out_backprop=dy_valid,
                                   strides=[1, 1, 1, 1], padding="VALID"),
          TOP["v1_conv2d_backprop_input_filters"])


def test_tfs_renamed_attrs_are_known():
    # the raw ops' parameters after the inputs are OpDef attrs, but for the renames
    # tfteach/compat/raw_ops.py lists
    from tfteach.compat import raw_ops
    from tfteach.framework import graph_io
    graph_io.tf_op_def("MatMul")
    renamed = {}
    for op, d in graph_io._TF_OPS.items():
        if "raw_ops" not in d:
            continue
        extra = [p for p in d["raw_ops"][1][len(d["inputs"]):-1] if p not in d["attrs"]]
        if extra:
            renamed[op] = extra
    assert renamed == {op: list(m) for op, m in raw_ops._RENAMED_ATTRS.items()}


def test_every_raw_op_has_tfs_recorded_signature():
    import inspect

    from tfteach.framework import graph_io
    for name in dir(tf.raw_ops):
        if name.startswith("_"):
            continue
        fn = getattr(tf.raw_ops, name)
        assert list(inspect.signature(fn).parameters) == graph_io.tf_op_def(name)["raw_ops"][1]
        assert fn.__name__ == graph_io.tf_op_def(name)["raw_ops"][0]


def test_const_and_placeholder_take_protos_and_shapes():
    got = tf.raw_ops.Const(value=tf.make_tensor_proto([1.0, 2.0]), dtype=tf.float32)
    assert got.dtype == tf.float32 and got.numpy().tolist() == [1.0, 2.0]
    g = tf.Graph()
    with g.as_default():
        c = tf.raw_ops.Const(value=tf.make_tensor_proto([[1, 2]]), dtype=tf.int32, name="c")
        p = tf.raw_ops.Placeholder(dtype=tf.float32)             # TF's default: unknown rank
        q = tf.raw_ops.Placeholder(dtype=tf.float32, shape=[None, 3])
    assert (c.op.type, c.op.name, c.shape.as_list()) == ("Const", "c", [1, 2])
    assert p.shape.rank is None and q.shape.as_list() == [None, 3]
