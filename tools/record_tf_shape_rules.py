#!/usr/bin/env python3
"""Record TensorFlow 2.21's static shape rules where dimensions are unknown, for the common ops,
into tests/data/tf_shape_rules.json (read by tests/test_shape_rules.py).

Runs in a separate Python that has TensorFlow (the project never imports it); name it with
TFTEACH_TF_PYTHON, e.g.

    $TFTEACH_TF_PYTHON tools/record_tf_shape_rules.py            # rewrite the JSON
    $TFTEACH_TF_PYTHON tools/record_tf_shape_rules.py --check    # compare, exit 1 on a change

Each case is a line of TF1 code over `tf` (tensorflow.compat.v1 in graph mode) and
`ph(shape)` (a float32 placeholder; `None` = unknown rank). The JSON keeps the code beside
TF's answer (the static shape as a list with null for unknown dims, null for unknown rank, or
the class of the error raised while building), so the test runs the very same line.
"""
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_shape_rules.json")

U = "None"
CASES = [
    # element-wise broadcasting (AddV2 stands for every binary op with the broadcast rule)
    ("add_unknown_vs_known", "tf.add(ph([None]), ph([3]))"),
    ("add_known_vs_unknown", "tf.add(ph([3]), ph([None]))"),
    ("add_unknown_vs_one", "tf.add(ph([None]), ph([1]))"),
    ("add_one_vs_unknown", "tf.add(ph([1]), ph([None]))"),
    ("add_unknown_vs_unknown", "tf.add(ph([None]), ph([None]))"),
    ("add_rank_extension", "tf.add(ph([2, None]), ph([3]))"),
    ("add_matrix_vs_column", "tf.add(ph([None, 3]), ph([4, 1]))"),
    ("add_crossed_ones", "tf.add(ph([None, 1]), ph([1, None]))"),
    ("add_scalar_vs_unknown", "tf.add(ph([]), ph([None, 2]))"),
    ("add_unknown_rank", "tf.add(ph(None), ph([3]))"),
    ("add_incompatible", "tf.add(ph([2]), ph([3]))"),
    ("add_incompatible_with_unknown", "tf.add(ph([None, 2]), ph([4, 3]))"),
    ("add_incompatible_ranks", "tf.add(ph([3, 2]), ph([5]))"),
    ("add_incompatible_ranks_swapped", "tf.add(ph([4]), ph([3, 1, 2]))"),
    ("mul_broadcast", "tf.multiply(ph([5, None, 1]), ph([None, 4]))"),
    ("sub_broadcast", "tf.subtract(ph([None, 1, 3]), ph([2, 1]))"),
    ("maximum_broadcast", "tf.maximum(ph([None, 3]), ph([1]))"),
    ("pow_broadcast", "tf.pow(ph([None, 3]), ph([]))"),
    ("squared_difference", "tf.squared_difference(ph([4, None]), ph([None, 1]))"),
    ("where_v2", "tf.where_v2(tf.cast(ph([None, 1]), tf.bool), ph([3]), ph([1, 1]))"),
    ("add_n", "tf.add_n([ph([None, 3]), ph([2, None])])"),
    # matrices
    ("matmul_unknown_outer", "tf.matmul(ph([None, 3]), ph([3, None]))"),
    ("matmul_unknown_inner", "tf.matmul(ph([2, None]), ph([None, 4]))"),
    ("matmul_transposed", "tf.matmul(ph([3, None]), ph([5, 3]), transpose_a=True, "
                          "transpose_b=True)"),
    ("matmul_mismatch", "tf.matmul(ph([2, 3]), ph([4, 5]))"),
    ("batch_matmul", "tf.linalg.matmul(ph([None, 2, 3]), ph([1, 3, None]))"),
    # reshaping and layout
    ("reshape_infer_unknown", "tf.reshape(ph([None, 6]), [-1, 3])"),
    ("reshape_infer_known", "tf.reshape(ph([2, 6]), [-1, 3])"),
    ("reshape_unknown_rank", "tf.reshape(ph(None), [2, -1])"),
    ("reshape_bad_size", "tf.reshape(ph([2, 6]), [5, -1])"),
    ("transpose", "tf.transpose(ph([None, 3, 2]), [2, 0, 1])"),
    ("expand_dims", "tf.expand_dims(ph([None, 3]), -1)"),
    ("squeeze_known", "tf.squeeze(ph([None, 1, 3, 1]), [1])"),
    ("squeeze_all_unknown", "tf.squeeze(ph([None, 1, 3]))"),
    ("concat_axis0", "tf.concat([ph([None, 2]), ph([3, 2])], 0)"),
    ("concat_axis1", "tf.concat([ph([2, None]), ph([2, 3])], 1)"),
    ("concat_known", "tf.concat([ph([2, 4]), ph([None, 3])], 1)"),
    ("stack", "tf.stack([ph([None, 3]), ph([2, None])])"),
    ("stack_axis1", "tf.stack([ph([None, 3]), ph([2, None])], axis=1)"),
    ("unstack", "tf.unstack(ph([None, 2]), axis=1)[0]"),
    ("tile", "tf.tile(ph([None, 3]), [2, 2])"),
    ("pad", "tf.pad(ph([None, 3]), [[1, 1], [0, 2]])"),
    ("slice", "tf.slice(ph([None, 5]), [0, 1], [-1, 2])"),
    ("strided_slice_cols", "ph([None, 5])[:, 1:3]"),
    ("strided_slice_rows", "ph([None, 5])[1:]"),
    ("strided_slice_index", "ph([None, 5])[0]"),
    ("strided_slice_newaxis", "ph([4, None])[:, None, ::2]"),
    ("gather_axis0", "tf.gather(ph([None, 4]), tf.cast(ph([5]), tf.int32))"),
    ("gather_axis1", "tf.gather(ph([10, None]), tf.cast(ph([None, 2]), tf.int32), axis=1)"),
    ("one_hot", "tf.one_hot(tf.cast(ph([None]), tf.int32), 4)"),
    ("shape_of", "tf.shape(ph([None, 3]))"),
    ("fill_from_shape", "tf.fill(tf.shape(ph([None, 3])), 1.0)"),
    ("zeros_like", "tf.zeros_like(ph([None, 3]))"),
    ("broadcast_to", "tf.broadcast_to(ph([None, 1]), [4, 3])"),
    # reductions
    ("sum_axis1", "tf.reduce_sum(ph([None, 3]), 1)"),
    ("sum_keepdims", "tf.reduce_sum(ph([None, 3]), 0, keepdims=True)"),
    ("mean_all", "tf.reduce_mean(ph([None, 3]))"),
    ("max_unknown_rank", "tf.reduce_max(ph(None), 1)"),
    ("argmax", "tf.argmax(ph([None, 3]), 1)"),
    # a dtype outside the op's list: TypeError while building
    ("sum_of_bools", "tf.reduce_sum(tf.cast(ph([None]), tf.bool))"),
    ("argmax_of_bools", "tf.argmax(tf.cast(ph([2, None]), tf.bool), 1)"),
    ("cumsum_of_strings", "tf.cumsum(tf.constant(['a', 'b']))"),
    # nn
    ("conv2d_same", "tf.nn.conv2d(ph([None, None, None, 3]), ph([3, 3, 3, 8]), "
                    "[1, 2, 2, 1], 'SAME')"),
    ("conv2d_valid_mixed", "tf.nn.conv2d(ph([None, 28, None, 3]), ph([3, 5, 3, 8]), "
                           "[1, 1, 1, 1], 'VALID')"),
    ("conv2d_strided_valid", "tf.nn.conv2d(ph([None, 9, 7, 2]), ph([3, 2, 2, 4]), "
                             "[1, 2, 3, 1], 'VALID')"),
    ("max_pool", "tf.nn.max_pool(ph([None, 7, None, 2]), [1, 2, 3, 1], [1, 2, 3, 1], 'VALID')"),
    ("avg_pool_same", "tf.nn.avg_pool(ph([2, 7, 5, None]), [1, 3, 3, 1], [1, 2, 2, 1], 'SAME')"),
    ("bias_add", "tf.nn.bias_add(ph([None, None, 4]), ph([None]))"),
    ("softmax_xent", "tf.nn.softmax_cross_entropy_with_logits_v2(labels=ph([None, 5]), "
                     "logits=ph([3, None]))"),
    ("sparse_xent", "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast("
                    "ph([None]), tf.int32), logits=ph([None, 5]))"),
]

# TensorShape / Dimension arithmetic and queries (v1 behaviour: Dimension objects), recorded
# as repr() of the result, or the error class.
API_CASES = [
    "tf.Dimension(5) - 2", "tf.Dimension(None) - 2", "tf.Dimension(6) // 4",
    "tf.Dimension(3) * tf.Dimension(None)", "tf.Dimension(7) % 3", "tf.Dimension(2) + 3",
    "tf.Dimension(2).is_compatible_with(tf.Dimension(3))",
    "tf.Dimension(3).is_compatible_with(tf.Dimension(2))",
    "tf.Dimension(None).is_compatible_with(4)", "tf.Dimension(4).merge_with(None)",
    "tf.Dimension(4).merge_with(5)", "tf.Dimension(-1)", "tf.Dimension(2.5)",
    "tf.Dimension(3) == tf.Dimension(None)", "tf.Dimension(3) < 5",
    "tf.Dimension(None) < 5", "tf.Dimension(3) >= 3", "tf.Dimension(4) > tf.Dimension(None)",
    "tf.Dimension(3) <= 2", "tf.Dimension(4) >= 3", "tf.Dimension(2) >= 3",
    "tf.Dimension(4) > 3", "tf.Dimension(3) <= 4", "tf.Dimension(4) < 3",
    "tf.TensorShape([2, None, 4])", "tf.TensorShape([2, None, 4])[1:]",
    "tf.TensorShape([2, None, 4])[-1]", "tf.TensorShape([2, None, 4])[::2]",
    "tf.TensorShape(None)[1:]", "tf.TensorShape([2, None]).as_list()",
    "tf.TensorShape([2, None]).is_compatible_with([2, 5])",
    "tf.TensorShape([2, None]).is_compatible_with([3, 5])",
    "tf.TensorShape([2, None]).is_compatible_with([2, 5, 1])",
    "tf.TensorShape([2, None]).merge_with([None, 7])",
    "tf.TensorShape([2, None]).merge_with([3, 7])",
    "tf.TensorShape([2, None]).concatenate([1])", "tf.TensorShape(None).concatenate([1])",
    "tf.TensorShape([2, 3]).num_elements()", "tf.TensorShape([2, None]).num_elements()",
    "tf.TensorShape([2, None]).is_fully_defined()",
    "tf.TensorShape([2, None]).most_specific_compatible_shape([2, 3])",
    "tf.TensorShape([2, None]).most_specific_compatible_shape([3, 3])",
    "tf.TensorShape([2, None]).most_specific_compatible_shape([2, 3, 1])",
    "tf.TensorShape([2, None]).with_rank(2)", "tf.TensorShape([2, None]).with_rank(3)",
    "tf.TensorShape([2, None]).with_rank_at_least(3)",
    "tf.TensorShape([2, None]) == tf.TensorShape([2, None])",
    "tf.TensorShape([2, 3]) == tf.TensorShape([2, 3])",
    "tf.TensorShape([2, 3]) != tf.TensorShape([2, 4])",
    "tf.TensorShape([2, 3]) != tf.TensorShape([2, 3])",
    "tf.TensorShape([2, None]) != tf.TensorShape([2, None])",
    "tf.TensorShape([2, 3]) == tf.TensorShape([3, 2])", "tf.TensorShape(None) == None", "str(tf.TensorShape([2, None]))",
    "str(tf.TensorShape(None))", "str(tf.TensorShape([]))", "str(tf.TensorShape([None]))",
]

# Element-wise binary ops whose gradient graph, for two inputs of one fully known shape,
# still contains BroadcastGradientArgs in TF 2.21 (tests/test_gradients_registry.py).
GRAD_OPS = ["AddV2", "Sub", "Mul", "RealDiv", "Div", "DivNoNan", "MulNoNan", "Pow",
            "SquaredDifference", "Atan2", "Xlogy", "Xdivy", "Maximum", "Minimum", "FloorMod"]


def record():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as real_tf
    tf = real_tf.compat.v1
    tf.disable_v2_behavior()
    cases = []
    for cid, code in CASES:
        g = tf.Graph()
        with g.as_default():
            def ph(shape):
                return tf.placeholder(tf.float32, shape)
            try:
                out = eval(code, {"tf": tf, "ph": ph})
                s = out.shape
                res = None if s.ndims is None else [None if d is None else int(d)
                                                    for d in s.as_list()]
                cases.append({"id": cid, "code": code, "shape": res})
            except Exception as e:  # noqa: BLE001 - the error class is the recorded answer
                # the message up to TF's node description (" for '{{node ...")
                cases.append({"id": cid, "code": code, "error": type(e).__name__,
                              "message": str(e).split(" for '{{node")[0]})
    api = []
    for code in API_CASES:
        try:
            api.append({"code": code, "repr": repr(eval(code, {"tf": tf}))})
        except Exception as e:  # noqa: BLE001 - the error class is the recorded answer
            api.append({"code": code, "error": type(e).__name__})
    always = []
    for op in GRAD_OPS:
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float64, [2, 3])
            y = tf.placeholder(tf.float64, [2, 3])
            z = getattr(real_tf.raw_ops, op)(x=x, y=y)
            tf.gradients(tf.reduce_sum(z), [x, y])
            if any(o.type == "BroadcastGradientArgs" for o in g.get_operations()):
                always.append(op)
    return {"tensorflow": real_tf.__version__, "cases": cases, "tensor_shape_api": api,
            "equal_shape_gradients": {"ops": GRAD_OPS, "broadcast_gradient_args": always}}


def main():
    data = record()
    if "--check" in sys.argv:
        with open(OUT) as f:
            old = json.load(f)
        same = {k: v for k, v in old.items() if k != "tensorflow"} == \
            {k: v for k, v in data.items() if k != "tensorflow"}
        print("unchanged" if same else "CHANGED: rerun without --check and review the diff")
        return 0 if same else 1
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"{len(data['cases'])} cases written to {os.path.normpath(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
