"""Records TensorFlow 2.21's `tf.raw_ops` calls and the small top-level helpers beside them
(tf.version, tf.make_tensor_proto / tf.make_ndarray, tf.zeros_like(input=...),
tf.is_symbolic_tensor, tf.hessians, tf.grad_pass_through, tf.compat.v1.nn.conv2d_backprop_*)
into tests/data/tf_raw_ops.json, read by tests/test_raw_ops.py. Run from the repository root:

    /work/tfenv/bin/python tools/record_raw_ops.py

Arguments are written as JSON: {"t": values, "dtype": d} is a tensor, {"dtype": d} alone a
DType, a list of tensors a list input; everything else is passed as it is.
"""
import json
import os

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "tf_raw_ops.json")

X = {"t": [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], "dtype": "float32"}
Y = {"t": [[0.5, 1.5, -2.5], [3.0, -1.0, 2.0]], "dtype": "float32"}
SQ = {"t": [[1.0, 2.0], [3.0, 4.0]], "dtype": "float64"}
IMG = {"t": np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2).tolist(), "dtype": "float32"}
FILT = {"t": (np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3) / 10).tolist(),
        "dtype": "float32"}
GRAD_VALID = {"t": np.linspace(-1, 1, 27, dtype=np.float32).reshape(1, 3, 3, 3).tolist(),
              "dtype": "float32"}
GRAD_SAME = {"t": np.linspace(-1, 1, 12, dtype=np.float32).reshape(1, 2, 2, 3).tolist(),
             "dtype": "float32"}
I32 = {"t": [[3, 1, 2], [0, 5, 4]], "dtype": "int32"}

# (case id, op, keyword arguments)
CASES = [
    ("add_v2", "AddV2", {"x": X, "y": Y}),
    ("add_v2_int", "AddV2", {"x": I32, "y": I32}),
    ("matmul", "MatMul", {"a": X, "b": Y, "transpose_b": True}),
    ("matmul_ta", "MatMul", {"a": X, "b": Y, "transpose_a": True}),
    ("batch_matmul", "BatchMatMulV2", {"x": {"t": [SQ["t"], SQ["t"]], "dtype": "float64"},
                                       "y": SQ, "adj_x": True}),
    ("conv2d_valid", "Conv2D", {"input": IMG, "filter": FILT, "strides": [1, 1, 1, 1],
                                "padding": "VALID"}),
    ("conv2d_same_s2", "Conv2D", {"input": IMG, "filter": FILT, "strides": [1, 2, 2, 1],
                                  "padding": "SAME"}),
    ("conv2d_backprop_filter", "Conv2DBackpropFilter",
     {"input": IMG, "filter_sizes": [2, 2, 2, 3], "out_backprop": GRAD_VALID,
      "strides": [1, 1, 1, 1], "padding": "VALID"}),
    ("conv2d_backprop_filter_same", "Conv2DBackpropFilter",
     {"input": IMG, "filter_sizes": [2, 2, 2, 3], "out_backprop": GRAD_SAME,
      "strides": [1, 2, 2, 1], "padding": "SAME"}),
    ("conv2d_backprop_input", "Conv2DBackpropInput",
     {"input_sizes": [1, 4, 4, 2], "filter": FILT, "out_backprop": GRAD_VALID,
      "strides": [1, 1, 1, 1], "padding": "VALID"}),
    ("conv2d_backprop_input_same", "Conv2DBackpropInput",
     {"input_sizes": [1, 4, 4, 2], "filter": FILT, "out_backprop": GRAD_SAME,
      "strides": [1, 2, 2, 1], "padding": "SAME"}),
    ("reshape", "Reshape", {"tensor": X, "shape": [3, -1]}),
    ("cast", "Cast", {"x": X, "DstT": {"dtype": "int32"}}),
    ("cast_bool", "Cast", {"x": X, "DstT": {"dtype": "bool"}}),
    ("concat", "ConcatV2", {"values": [X, Y, X], "axis": 0}),
    ("concat_neg_axis", "ConcatV2", {"values": [X, Y], "axis": -1}),
    ("unpack", "Unpack", {"value": X, "num": 2}),
    ("unpack_axis1", "Unpack", {"value": X, "num": 3, "axis": 1}),
    ("pack", "Pack", {"values": [X, Y], "axis": 1}),
    ("fill", "Fill", {"dims": [2, 3], "value": 7}),
    ("fill_float", "Fill", {"dims": [3], "value": 1.5}),
    ("strided_slice", "StridedSlice", {"input": X, "begin": [0, 1], "end": [2, 3],
                                       "strides": [1, 1]}),
    ("strided_slice_masks", "StridedSlice",
     {"input": X, "begin": [1, 0], "end": [0, 2], "strides": [1, 1], "begin_mask": 0,
      "end_mask": 1, "shrink_axis_mask": 1}),
    ("strided_slice_new_axis", "StridedSlice",
     {"input": X, "begin": [0, 0], "end": [0, 0], "strides": [1, -1], "new_axis_mask": 1,
      "end_mask": 2, "begin_mask": 2}),
    ("softmax", "Softmax", {"logits": X}),
    ("log_softmax", "LogSoftmax", {"logits": Y}),
    ("argmax", "ArgMax", {"input": X, "dimension": 1}),
    ("argmax_int32", "ArgMax", {"input": X, "dimension": 0,
                                "output_type": {"dtype": "int32"}}),
    ("argmin", "ArgMin", {"input": Y, "dimension": 1, "output_type": {"dtype": "int32"}}),
    ("transpose", "Transpose", {"x": X, "perm": [1, 0]}),
    ("sum_keep", "Sum", {"input": X, "axis": [1], "keep_dims": True}),
    ("mean", "Mean", {"input": X, "axis": 0}),
    ("relu", "Relu", {"features": X}),
    ("bias_add", "BiasAdd", {"value": X, "bias": {"t": [1.0, 2.0, 3.0], "dtype": "float32"}}),
    ("atan2", "Atan2", {"y": X, "x": Y}),
    ("split", "Split", {"axis": 1, "value": {"t": [[1, 2, 3, 4], [5, 6, 7, 8]],
                                             "dtype": "int32"}, "num_split": 2}),
    ("range", "Range", {"start": 1, "limit": 10, "delta": 3}),
    ("shape_int64", "Shape", {"input": X, "out_type": {"dtype": "int64"}}),
    ("identity_n", "IdentityN", {"input": [X, I32]}),
    ("one_hot", "OneHot", {"indices": {"t": [0, 2, -1], "dtype": "int32"}, "depth": 3,
                           "on_value": 5.0, "off_value": -1.0}),
    ("select_v2", "SelectV2", {"condition": {"t": [True, False, True], "dtype": "bool"},
                               "t": {"t": [1, 2, 3], "dtype": "int32"},
                               "e": {"t": [10, 20, 30], "dtype": "int32"}}),
    ("squeeze", "Squeeze", {"input": {"t": [[[1.0], [2.0]]], "dtype": "float32"},
                            "axis": [2]}),
    ("tile", "Tile", {"input": I32, "multiples": [2, 1]}),
    ("matmul_mismatch", "MatMul", {"a": X, "b": X}),
    ("add_v2_dtype_mismatch", "AddV2", {"x": X, "y": I32}),
    ("unpack_num_wrong", "Unpack", {"value": X, "num": 3}),
    ("cast_error_type", "ArgMax", {"input": X, "dimension": 1,
                                   "output_type": {"dtype": "float32"}}),
]

# Python-level errors: (case id, op, positional args, keyword args)
CALL_ERRORS = [
    ("positional", "AddV2", [X, Y], {}),
    ("positional_one", "MatMul", [X], {"b": Y}),
    ("missing_two", "MatMul", [], {}),
    ("missing_three", "Conv2D", [], {"input": IMG}),
    ("missing_attr", "Unpack", [], {"value": X}),
    ("unexpected", "AddV2", [], {"x": X, "y": Y, "z": X}),
    ("inferred_attr_is_not_a_parameter", "AddV2", [], {"x": X, "y": Y,
                                                      "T": {"dtype": "float32"}}),
]

# op types tf.function adds for a raw call (graph mode)
GRAPH_CASES = ["matmul", "conv2d_valid", "concat", "unpack", "cast", "argmax_int32",
               "strided_slice_masks", "fill"]


def arg(v):
    if isinstance(v, dict) and "t" in v:
        return tf.constant(np.array(v["t"], dtype=v["dtype"]), dtype=v["dtype"])
    if isinstance(v, dict) and "dtype" in v:
        return tf.as_dtype(v["dtype"])
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return [arg(x) for x in v]
    return v


def value(t):
    if isinstance(t, (list, tuple)):
        return {"list": [value(x) for x in t]}
    a = t.numpy()
    return {"value": a.tolist(), "dtype": t.dtype.name, "shape": list(a.shape)}


def error(e):
    return {"error": type(e).__name__, "message": str(e)}


def main():
    out = {"tensorflow": tf.__version__, "cases": [], "call_errors": [], "graph": {},
           "top": {}}
    for cid, op, kwargs in CASES:
        try:
            res = value(getattr(tf.raw_ops, op)(**{k: arg(v) for k, v in kwargs.items()}))
        except Exception as e:     # noqa: BLE001 - the error is the record
            res = error(e)
        out["cases"].append({"id": cid, "op": op, "kwargs": kwargs, **res})
    for cid, op, args, kwargs in CALL_ERRORS:
        try:
            getattr(tf.raw_ops, op)(*[arg(a) for a in args],
                                    **{k: arg(v) for k, v in kwargs.items()})
            res = {"error": None}
        except Exception as e:     # noqa: BLE001
            res = error(e)
        out["call_errors"].append({"id": cid, "op": op, "args": args, "kwargs": kwargs, **res})
    by_id = {c[0]: c for c in CASES}
    for cid in GRAPH_CASES:
        _, op, kwargs = by_id[cid]
        g = tf.Graph()
        with g.as_default():
            res = getattr(tf.raw_ops, op)(**{k: arg(v) for k, v in kwargs.items()},
                                          name="raw")
        ops = [o for o in g.get_operations() if o.type != "Const"]
        out["graph"][cid] = {"ops": [[o.name, o.type] for o in ops],
                             "n_outputs": len(res) if isinstance(res, list) else 1}
    g = tf.Graph()
    with g.as_default():
        op = tf.raw_ops.NoOp(name="nothing")
        out["graph"]["no_op"] = {"returns": type(op).__name__, "name": op.name}
    out["graph"]["no_op_eager"] = repr(tf.raw_ops.NoOp())
    out["top"] = top_level()
    out["space_batch"] = space_batch()
    out["histogram"] = histogram()
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print(f"wrote {OUT}")


def top_level():
    top = {}
    v = tf.version
    top["version"] = {k: getattr(v, k) for k in (
        "VERSION", "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER",
        "GRAPH_DEF_VERSION_MIN_PRODUCER")}
    top["compat_v1_version"] = tf.compat.v1.VERSION == tf.version.VERSION
    # zeros_like / ones_like by TF2's parameter name
    top["zeros_like"] = value(tf.zeros_like(input=tf.constant([[1, 2], [3, 4]]),
                                            dtype=tf.float32))
    top["ones_like"] = value(tf.ones_like(input=tf.constant([1.5, 2.5])))
    top["ones_like_bool"] = value(tf.ones_like(input=tf.constant([1.5, 2.5]), dtype=tf.bool))
    # TensorProtos: the message's fields, and back
    protos = {}
    for cid, (vals, kw) in {
            "float_matrix": ([[1.0, 2.0], [3.0, 4.0]], {}),
            "int_scalar": (7, {}),
            "int64_list": ([1, 2, 3], {"dtype": tf.int64}),
            "bool": ([True, False], {}),
            "strings": ([b"ab", b"c"], {}),
            "broadcast_shape": (0.5, {"shape": [2, 3]}),
            "float64": (np.array([1.5, -2.25]), {}),
            "int32_to_float": ([1, 2], {"dtype": tf.float32}),
            "verify_shape_bad": ([1, 2, 3], {"shape": [2], "verify_shape": True}),
            "shape_too_small": ([1, 2, 3], {"shape": [2]}),
            "fewer_values": ([1, 2], {"shape": [4]}),
            "float_as_int": ([1.5], {"dtype": tf.int32}),
            "numpy_float_as_int": (np.array([1.5]), {"dtype": tf.int32}),
            "big_int": ([2 ** 40], {}),
            "int_as_string": ([1, 2], {"dtype": tf.string}),
            "string_as_float": (["a"], {"dtype": tf.float32}),
            "complex": ([1 + 2j], {}),
            "float16": (np.float16([1, 2]), {}),
            "bool_scalar": (True, {}),
    }.items():
        try:
            p = tf.make_tensor_proto(vals, **kw)
            from google.protobuf import json_format
            back = tf.make_ndarray(p)
            protos[cid] = {"proto": json_format.MessageToDict(p),
                           "serialized": p.SerializeToString().hex(),
                           "ndarray": ([x.decode() for x in back.reshape(-1)]
                                       if back.dtype == object else
                                       [[x.real, x.imag] for x in back.reshape(-1)]
                                       if back.dtype.kind == "c" else back.tolist()),
                           "ndarray_dtype": str(back.dtype)}
        except Exception as e:     # noqa: BLE001
            protos[cid] = error(e)
    top["make_tensor_proto"] = protos
    # a TensorProto with one repeated value filled out (TF's own Const protos look so)
    from tensorflow.core.framework import tensor_pb2
    p = tensor_pb2.TensorProto(dtype=1, float_val=[2.5])
    for n in (2, 3):
        p.tensor_shape.dim.add().size = n
    top["make_ndarray_repeat"] = {"serialized": p.SerializeToString().hex(),
                                  "ndarray": tf.make_ndarray(p).tolist()}
    try:
        tf.make_ndarray([1, 2])
    except Exception as e:     # noqa: BLE001
        top["make_ndarray_not_proto"] = error(e)
    # is_symbolic_tensor
    g = tf.Graph()
    with g.as_default():
        sym = tf.constant(1.0)
    top["is_symbolic"] = {"graph": tf.is_symbolic_tensor(sym),
                          "eager": tf.is_symbolic_tensor(tf.constant(1.0)),
                          "variable": tf.is_symbolic_tensor(tf.Variable(1.0)),
                          "number": tf.is_symbolic_tensor(1.0)}

    # hessians (graph mode only in TF2)
    @tf.function
    def hess(x):
        y = tf.reduce_sum(x * x * x) + x[0] * x[1]
        return tf.hessians(y, x)

    top["hessians"] = value(hess(tf.constant([1.0, 2.0, 3.0])))

    @tf.function
    def hess2(x, w):
        y = tf.reduce_sum(tf.sin(x) * w * w) + tf.reduce_sum(x * x) * w[0, 0]
        return tf.hessians(y, [x, w])

    top["hessians_two"] = value(hess2(tf.constant([[0.5, 1.0], [1.5, 2.0]]),
                                      tf.constant([[1.0, -1.0], [2.0, 0.5]])))
    try:
        tf.hessians(tf.constant(1.0), tf.constant(1.0))
    except Exception as e:     # noqa: BLE001
        top["hessians_eager"] = error(e)

    # grad_pass_through: the forward value of f, the gradient of the identity
    x = tf.Variable([1.0, 2.5, -3.7])
    with tf.GradientTape() as tape:
        y = tf.grad_pass_through(tf.round)(x) * tf.constant([1.0, 2.0, 3.0])
    top["grad_pass_through"] = {"y": value(y), "grad": value(tape.gradient(y, x))}
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = tf.grad_pass_through(v.assign)(tf.constant(5.0)) * 2.0
    top["grad_pass_through_assign"] = {"z": value(z), "v": float(v.numpy())}

    # tf.compat.v1.nn.conv2d_backprop_filter / _input
    img, filt = arg(IMG), arg(FILT)
    top["v1_conv2d_backprop_filter"] = value(tf.compat.v1.nn.conv2d_backprop_filter(
        img, [2, 2, 2, 3], arg(GRAD_SAME), [1, 2, 2, 1], "SAME"))
    top["v1_conv2d_backprop_input"] = value(tf.compat.v1.nn.conv2d_backprop_input(
        [1, 4, 4, 2], filt, arg(GRAD_VALID), [1, 1, 1, 1], "VALID"))
    top["v1_conv2d_backprop_input_filters"] = value(tf.compat.v1.nn.conv2d_backprop_input(
        [1, 4, 4, 2], filters=filt, out_backprop=arg(GRAD_VALID), strides=[1, 1, 1, 1],
        padding="VALID"))
    return top


# (id, function, args): tf.space_to_batch & co, tf.bitcast, tf.guarantee_const
SPACE_BATCH = [
    ("s2b_pad", "space_to_batch_nd", [np.arange(1, 25, dtype=np.float32).reshape(2, 3, 4, 1),
                                      [1, 2], [[0, 1], [0, 0]]]),
    ("s2b_2x2", "space_to_batch", [np.arange(1, 33, dtype=np.float32).reshape(2, 4, 4, 1),
                                   [2, 2], [[0, 0], [1, 1]]]),
    ("s2b_1d_rest", "space_to_batch_nd", [np.arange(24, dtype=np.int32).reshape(1, 6, 2, 2),
                                          [3], [[1, 2]]]),
    ("s2b_int64_args", "space_to_batch_nd", [np.arange(8, dtype=np.float64).reshape(1, 4, 2),
                                             np.array([2], np.int64),
                                             np.array([[0, 0]], np.int64)]),
    ("s2b_not_divisible", "space_to_batch_nd", [np.ones((2, 3, 4, 1), np.float32), [2, 2],
                                                [[0, 0], [0, 0]]]),
    ("s2b_bad_block", "space_to_batch_nd", [np.ones((2, 3, 4, 1), np.float32), [-1, 2],
                                            [[0, 1], [0, 0]]]),
    ("s2b_bad_pad", "space_to_batch_nd", [np.ones((2, 3, 4, 1), np.float32), [2, 2],
                                          [[-1, 1], [0, 0]]]),
    ("b2s_crop", "batch_to_space", [np.arange(1, 33, dtype=np.float32).reshape(8, 2, 2, 1),
                                    [2, 2], [[0, 1], [1, 0]]]),
    ("b2s_nd_1d", "batch_to_space_nd", [np.arange(36, dtype=np.int32).reshape(3, 6, 2),
                                        [3], [[2, 1]]]),
    ("b2s_batch", "batch_to_space", [np.ones((3, 2, 2, 1), np.float32), [2, 2],
                                     [[0, 0], [0, 0]]]),
    ("b2s_crop_big", "batch_to_space", [np.ones((4, 2, 2, 1), np.float32), [2, 2],
                                        [[0, 5], [0, 0]]]),
    ("b2s_neg_crop", "batch_to_space", [np.ones((4, 2, 2, 1), np.float32), [2, 2],
                                        [[-1, 0], [0, 0]]]),
    ("bitcast_f32_i32", "bitcast", [np.array([1.0, 2.0], np.float32), "int32"]),
    ("bitcast_f32_i8", "bitcast", [np.array([[1.0, -2.5]], np.float32), "int8"]),
    ("bitcast_i16_i32", "bitcast", [np.array([[1, 2], [3, 4]], np.int16), "int32"]),
    ("bitcast_u8_f64", "bitcast", [np.arange(16, dtype=np.uint8).reshape(2, 8), "float64"]),
    ("bitcast_c64_f32", "bitcast", [np.array([1 + 2j, -3j], np.complex64), "float32"]),
    ("bitcast_same_size", "bitcast", [np.array([-1, 2], np.int32), "uint32"]),
    ("bitcast_bad_shape", "bitcast", [np.array([1, 2, 3], np.int16), "int32"]),
    ("bitcast_scalar", "bitcast", [np.array(1, np.int16), "int32"]),
    ("bitcast_to_bool", "bitcast", [np.array([1.0], np.float32), "bool"]),
    ("guarantee_const", "guarantee_const", [np.array([1.5, 2.5], np.float32)]),
]

# static shapes and shape errors while building a graph
SPACE_BATCH_GRAPH = [
    ("s2b", "space_to_batch_nd", [(2, 4, 4, 1), [2, 2], [[0, 0], [0, 0]]]),
    ("s2b_unknown", "space_to_batch_nd", [(None, 4, None, 1), [2, 2], [[0, 0], [0, 0]]]),
    ("s2b_not_divisible", "space_to_batch_nd", [(2, 3, 4, 1), [2, 2], [[0, 0], [0, 0]]]),
    ("b2s", "batch_to_space", [(8, 2, 3, 1), [2, 2], [[0, 1], [1, 0]]]),
    ("b2s_not_divisible", "batch_to_space", [(3, 2, 2, 1), [2, 2], [[0, 0], [0, 0]]]),
    ("bitcast_narrow", "bitcast", [(None, 3), "float32", "uint8"]),
    ("bitcast_wide", "bitcast", [(5, 4), "int16", "int64"]),
    ("bitcast_bad_shape", "bitcast", [(3,), "int16", "int32"]),
]


def _sb_call(fn, args):
    if fn == "bitcast":
        return tf.bitcast(tf.constant(args[0]), tf.as_dtype(args[1]))
    if fn == "guarantee_const":
        return tf.guarantee_const(tf.constant(args[0]))
    f = getattr(tf.compat.v1, fn) if fn.endswith("_nd") else getattr(tf, fn)
    return f(tf.constant(args[0]), args[1], args[2])


def space_batch():
    out = {"eager": {}, "graph": {}, "grads": {}, "required": {}}
    for cid, fn, args in SPACE_BATCH:
        try:
            out["eager"][cid] = value(_sb_call(fn, args))
        except Exception as e:     # noqa: BLE001
            out["eager"][cid] = error(e)
    for cid, fn, args in SPACE_BATCH_GRAPH:
        g = tf.Graph()
        with g.as_default():
            try:
                if fn == "bitcast":
                    x = tf.compat.v1.placeholder(args[1], args[0])
                    r = tf.bitcast(x, tf.as_dtype(args[2]))
                else:
                    x = tf.compat.v1.placeholder(tf.float32, args[0])
                    r = getattr(tf, fn)(x, args[1], args[2])
                out["graph"][cid] = {"shape": r.shape.as_list() if r.shape.rank is not None
                                     else None, "type": r.op.type, "name": r.op.name}
            except Exception as e:     # noqa: BLE001
                out["graph"][cid] = error(e)
    # gradients: d sum(w * f(x)) / dx, w fixed
    for cid, fn, x, a, b in [
            ("s2b", "space_to_batch", np.linspace(-1, 1, 24).reshape(2, 3, 4, 1), [1, 2],
             [[0, 1], [2, 0]]),
            ("b2s", "batch_to_space", np.linspace(-1, 1, 32).reshape(8, 2, 2, 1), [2, 2],
             [[0, 1], [1, 0]])]:
        xv = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = getattr(tf, fn)(xv, a, b)
            w = tf.reshape(tf.range(tf.size(y), dtype=tf.float64), tf.shape(y))
            loss = tf.reduce_sum(w * y)
        out["grads"][cid] = {"x": x.tolist(), "block": a, "pads": b,
                             "grad": value(tape.gradient(loss, xv))}
    # TF1's spellings: square blocks of block_size, SpaceToBatchND/BatchToSpaceND with an
    # int64 block_shape
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(np.arange(32, dtype=np.float32).reshape(2, 4, 4, 1))
        s = tf.compat.v1.space_to_batch(x, [[0, 0], [1, 1]], 2)
        b = tf.compat.v1.batch_to_space(s, [[0, 0], [1, 1]], block_size=2)
        n = tf.compat.v1.nn.space_to_batch(x, [[0, 0], [0, 0]], block_shape=2)
        with tf.compat.v1.Session() as sess:
            sv, bv, nv = sess.run([s, b, n])
        out["v1"] = {"ops": [[t.op.type, t.op.name, [i.dtype.name for i in t.op.inputs]]
                             for t in (s, b, n)],
                     "space_to_batch": sv.tolist(), "batch_to_space": bv.tolist(),
                     "nn_space_to_batch": nv.tolist()}
        try:
            tf.compat.v1.space_to_batch(x, [[0, 0], [0, 0]], 2, block_shape=2)
        except Exception as e:     # noqa: BLE001
            out["v1"]["both"] = error(e)
    for cid, shape, block, base in [("plain", [5, 7], [2, 3], None),
                                    ("base", [5, 7], [2, 3], [[1, 0], [0, 2]]),
                                    ("exact", [4, 6], [2, 3], None)]:
        p, c = tf.required_space_to_batch_paddings(shape, block, base_paddings=base)
        out["required"][cid] = {"args": [shape, block, base], "paddings": value(p),
                                "crops": value(c)}
    return out


# (id, function, values, value_range, keyword arguments)
HISTOGRAM = [
    ("floats", "histogram_fixed_width", [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99, 0.999999],
     [0.0, 5.0], {"nbins": 5}),
    ("float64_edges", "histogram_fixed_width", np.linspace(-0.3, 1.3, 33).tolist(),
     [0.0, 1.0], {"nbins": 10}),
    ("ints_int64", "histogram_fixed_width", {"t": [1, 2, 9, 3, -4, 10], "dtype": "int32"},
     [0, 10], {"nbins": 3, "dtype": "int64"}),
    ("default_nbins", "histogram_fixed_width", np.linspace(0, 1, 7).tolist(), [0.0, 1.0], {}),
    ("matrix", "histogram_fixed_width", [[0.1, 0.2], [0.7, 0.9]], [0.0, 1.0], {"nbins": 2}),
    ("nan", "histogram_fixed_width", [1.0, float("nan")], [0.0, 5.0], {"nbins": 5}),
    ("zero_bins", "histogram_fixed_width", [1.0], [0.0, 5.0], {"nbins": 0}),
    ("bad_range", "histogram_fixed_width", [1.0], [5.0, 0.0], {"nbins": 3}),
    ("float_dtype", "histogram_fixed_width", [1.0], [0.0, 5.0], {"nbins": 3,
                                                                "dtype": "float32"}),
    ("bins", "histogram_fixed_width_bins", [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99],
     [0.0, 5.0], {"nbins": 5}),
    ("bins_matrix", "histogram_fixed_width_bins", [[0.1, 0.5], [0.7, 1.9]], [0.0, 1.0],
     {"nbins": 4}),
    ("bins_int64_dtype", "histogram_fixed_width_bins", [0.1, 0.5], [0.0, 1.0],
     {"nbins": 4, "dtype": "int64"}),
]


def histogram():
    out = {"eager": {}, "graph": {}}
    for cid, fn, vals, rng, kw in HISTOGRAM:
        kw = {k: (tf.as_dtype(v) if k == "dtype" else v) for k, v in kw.items()}
        values = arg(vals) if isinstance(vals, dict) else tf.constant(vals)
        try:
            out["eager"][cid] = value(getattr(tf, fn)(values, rng, **kw))
        except Exception as e:     # noqa: BLE001
            out["eager"][cid] = error(e)
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        r = tf.histogram_fixed_width(x, [0.0, 1.0], nbins=4)
        out["graph"]["static"] = {"shape": r.shape.as_list(), "name": r.op.name,
                                  "type": r.op.type}
        n = tf.compat.v1.placeholder(tf.int32, [])
        out["graph"]["fed_nbins"] = {"shape": tf.histogram_fixed_width(x, [0.0, 1.0],
                                                                       nbins=n).shape.as_list()}
        b = tf.histogram_fixed_width_bins(tf.compat.v1.placeholder(tf.float32, [3, None]),
                                          [0.0, 1.0], nbins=4)
        out["graph"]["bins"] = {"shape": b.shape.as_list(), "dtype": b.dtype.name}
    return out


if __name__ == "__main__":
    main()
