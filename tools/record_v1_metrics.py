"""Records what TensorFlow 2.21's TF1 streaming metrics (`tf.compat.v1.metrics.*`) build and
compute, for tests/test_v1_metrics.py.

Each case is a call (text) over placeholders that the batches feed. The recorder builds it in
a fresh graph and keeps: the value and update tensors' names, the metric's local variables
(names, shapes, dtypes) and what the LOCAL_VARIABLES / METRIC_VARIABLES / given collections
hold, then initialises the local variables and runs the update op batch after batch,
recording the update op's result and the value after each; finally it re-initialises the
local variables and reads the value again. Error cases keep the exception's class and
message. The test runs the same text with tfteach.

Run with the TensorFlow oracle (never imported by tfteach):
    /work/tfenv/bin/python tools/record_v1_metrics.py   # writes tests/data/v1_metrics_tf.json
"""
import json
import re
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

RNG = np.random.RandomState(11)
F, I, B = "float32", "int64", "bool"


def probs(n):
    return np.round(RNG.uniform(0, 1, n), 3).astype(np.float32)


def ints(n, k):
    return RNG.randint(0, k, n).astype(np.int64)


def wts(*shape):
    return np.round(RNG.uniform(0, 2, shape), 2).astype(np.float32)


# batches for binary classification: labels 0/1, scores in [0, 1]
BIN = [{"labels": ints(n, 2), "predictions": probs(n), "weights": wts(n)} for n in (6, 5, 7)]
# the same with predictions thresholded at 0.5 (bool)
BOOL = [{"labels": b["labels"], "predictions": b["predictions"] > 0.5, "weights": b["weights"]}
        for b in BIN]
REG = [{"labels": np.round(RNG.normal(size=(n, 2)), 3).astype(np.float32),
        "predictions": np.round(RNG.normal(size=(n, 2)), 3).astype(np.float32),
        "weights": wts(n)} for n in (4, 3, 5)]
CLS = [{"labels": ints(n, 3), "predictions": ints(n, 3), "weights": wts(n)} for n in (8, 6, 7)]
VALS = [{"values": np.round(RNG.normal(size=(n, 3)), 3).astype(np.float32),
         "weights": wts(n, 3)} for n in (2, 4, 3)]

BIN_PH = {"labels": (I, [None]), "predictions": (F, [None]), "weights": (F, [None])}
BOOL_PH = {"labels": (I, [None]), "predictions": (B, [None]), "weights": (F, [None])}
REG_PH = {"labels": (F, [None, 2]), "predictions": (F, [None, 2]), "weights": (F, [None])}
CLS_PH = {"labels": (I, [None]), "predictions": (I, [None]), "weights": (F, [None])}
VALS_PH = {"values": (F, [None, 3]), "weights": (F, [None, 3])}
TENSOR_PH = {"values": (F, [2, 3]), "weights": (F, [2, 3])}
TENSOR = [{"values": b["values"][:2], "weights": b["weights"][:2]} for b in VALS[1:]] + \
    [{"values": VALS[1]["values"][2:4] * 2, "weights": VALS[1]["weights"][2:4]}]

# name: (call text, placeholders {name: (dtype, shape)}, batches)
CASES = {
    "mean": ("tf.metrics.mean(values)", VALS_PH, VALS),
    "mean_weighted": ("tf.metrics.mean(values, weights)", VALS_PH, VALS),
    "mean_named_collections": (
        "tf.metrics.mean(values, metrics_collections=['m'], updates_collections=['u'], "
        "name='my_mean')", VALS_PH, VALS),
    "mean_twice": ("(tf.metrics.mean(values), tf.metrics.mean(values))[1]", VALS_PH, VALS),
    "mean_tensor": ("tf.metrics.mean_tensor(values, weights)", TENSOR_PH, TENSOR),
    "accuracy": ("tf.metrics.accuracy(labels, predictions)", CLS_PH, CLS),
    "accuracy_weighted": ("tf.metrics.accuracy(labels, predictions, weights)", CLS_PH, CLS),
    "mean_absolute_error": ("tf.metrics.mean_absolute_error(labels, predictions)", REG_PH,
                            REG),
    "mean_absolute_error_weighted": (
        "tf.metrics.mean_absolute_error(labels, predictions, weights)", REG_PH, REG),
    "mean_squared_error": ("tf.metrics.mean_squared_error(labels, predictions, weights)",
                           REG_PH, REG),
    "root_mean_squared_error": (
        "tf.metrics.root_mean_squared_error(labels, predictions, weights)", REG_PH, REG),
    "root_mean_squared_error_plain": (
        "tf.metrics.root_mean_squared_error(labels, predictions)", REG_PH, REG),
    "mean_relative_error": (
        "tf.metrics.mean_relative_error(labels, predictions, normalizer=labels + 3.)",
        REG_PH, REG),
    "mean_cosine_distance": (
        "tf.metrics.mean_cosine_distance(tf.nn.l2_normalize(labels, 1), "
        "tf.nn.l2_normalize(predictions, 1), dim=1)", REG_PH, REG),
    "percentage_below": ("tf.metrics.percentage_below(values, 0.2, weights)", VALS_PH, VALS),
    "true_positives": ("tf.metrics.true_positives(labels, predictions)", BOOL_PH, BOOL),
    "true_positives_weighted": ("tf.metrics.true_positives(labels, predictions, weights)",
                                BOOL_PH, BOOL),
    "false_positives": ("tf.metrics.false_positives(labels, predictions, weights)", BOOL_PH,
                        BOOL),
    "true_negatives": ("tf.metrics.true_negatives(labels, predictions)", BOOL_PH, BOOL),
    "false_negatives": ("tf.metrics.false_negatives(labels, predictions, weights)", BOOL_PH,
                        BOOL),
    "precision": ("tf.metrics.precision(labels, predictions)", BOOL_PH, BOOL),
    "precision_weighted": ("tf.metrics.precision(labels, predictions, weights, "
                           "metrics_collections=['m'], updates_collections=['u'])",
                           BOOL_PH, BOOL),
    "recall": ("tf.metrics.recall(labels, predictions, weights)", BOOL_PH, BOOL),
    "recall_named": ("tf.metrics.recall(labels, predictions, name='rec')", BOOL_PH, BOOL),
    "true_positives_at_thresholds": (
        "tf.metrics.true_positives_at_thresholds(labels, predictions, [0.25, 0.5, 0.75])",
        BIN_PH, BIN),
    "false_positives_at_thresholds": (
        "tf.metrics.false_positives_at_thresholds(labels, predictions, [0.25, 0.5, 0.75], "
        "weights)", BIN_PH, BIN),
    "true_negatives_at_thresholds": (
        "tf.metrics.true_negatives_at_thresholds(labels, predictions, [0.1, 0.9])", BIN_PH,
        BIN),
    "false_negatives_at_thresholds": (
        "tf.metrics.false_negatives_at_thresholds(labels, predictions, [0.3, 0.6], weights, "
        "metrics_collections=['m'], updates_collections=['u'])", BIN_PH, BIN),
    "precision_at_thresholds": (
        "tf.metrics.precision_at_thresholds(labels, predictions, [0.25, 0.5, 0.75], weights)",
        BIN_PH, BIN),
    "recall_at_thresholds": (
        "tf.metrics.recall_at_thresholds(labels, predictions, [0.25, 0.5, 0.75])", BIN_PH,
        BIN),
    "auc": ("tf.metrics.auc(labels, predictions)", BIN_PH, BIN),
    "auc_weighted_thresholds": (
        "tf.metrics.auc(labels, predictions, weights, num_thresholds=11)", BIN_PH, BIN),
    "auc_explicit_thresholds": (
        "tf.metrics.auc(labels, predictions, thresholds=[0.7, 0.2, 0.5])", BIN_PH, BIN),
    "auc_pr_trapezoidal": ("tf.metrics.auc(labels, predictions, curve='PR')", BIN_PH, BIN),
    "auc_pr_careful": (
        "tf.metrics.auc(labels, predictions, curve='PR', "
        "summation_method='careful_interpolation', num_thresholds=20)", BIN_PH, BIN),
    "auc_minoring": ("tf.metrics.auc(labels, predictions, summation_method='minoring', "
                     "num_thresholds=25)", BIN_PH, BIN),
    "auc_majoring": ("tf.metrics.auc(labels, predictions, weights, curve='PR', "
                     "summation_method='majoring', num_thresholds=25)", BIN_PH, BIN),
    "sensitivity_at_specificity": (
        "tf.metrics.sensitivity_at_specificity(labels, predictions, 0.6, num_thresholds=30)",
        BIN_PH, BIN),
    "specificity_at_sensitivity": (
        "tf.metrics.specificity_at_sensitivity(labels, predictions, 0.7, weights, "
        "num_thresholds=30)", BIN_PH, BIN),
    "mean_iou": ("tf.metrics.mean_iou(labels, predictions, 3)", CLS_PH, CLS),
    "mean_iou_weighted": ("tf.metrics.mean_iou(labels, predictions, 4, weights)", CLS_PH,
                          CLS),
    "mean_per_class_accuracy": ("tf.metrics.mean_per_class_accuracy(labels, predictions, 3)",
                                CLS_PH, CLS),
    "mean_per_class_accuracy_weighted": (
        "tf.metrics.mean_per_class_accuracy(labels, predictions, 4, weights)", CLS_PH, CLS),
}

# Built without running: the error (class, message) TF raises
ERRORS = {
    "auc_bad_curve": "tf.metrics.auc(tf.constant([1]), tf.constant([0.5]), curve='XY')",
    "auc_bad_summation": ("tf.metrics.auc(tf.constant([1]), tf.constant([0.5]), "
                          "summation_method='mid')"),
    "sensitivity_out_of_range": ("tf.metrics.sensitivity_at_specificity(tf.constant([1]), "
                                 "tf.constant([0.5]), 1.5)"),
    "specificity_out_of_range": ("tf.metrics.specificity_at_sensitivity(tf.constant([1]), "
                                 "tf.constant([0.5]), -0.1)"),
    "thresholds_bad_shapes": ("tf.metrics.true_positives_at_thresholds(tf.constant([1, 0]), "
                              "tf.constant([0.5, 0.2, 0.1]), [0.5])"),
    "accuracy_bad_shapes": "tf.metrics.accuracy(tf.constant([1, 0]), tf.constant([1, 0, 1]))",
    "mean_weights_not_broadcastable": ("tf.metrics.mean(tf.zeros([2, 3]), "
                                       "tf.ones([2, 2]))"),
}
# Run with a batch whose scores leave [0, 1]: the assertion's error (first line)
RUN_ERRORS = {
    "auc_prediction_out_of_range": ("tf.metrics.auc(labels, predictions)", BIN_PH,
                                    {"labels": np.array([1, 0]),
                                     "predictions": np.array([0.5, 1.5], np.float32),
                                     "weights": np.ones(2, np.float32)}),
}
# In TF 2 (eager): the RuntimeError each raises
EAGER = ["mean", "accuracy", "auc", "precision", "recall", "mean_iou", "true_positives",
         "false_negatives_at_thresholds", "root_mean_squared_error", "mean_per_class_accuracy",
         "sensitivity_at_specificity", "mean_tensor"]


def _core(message):
    """TF's message without the Session's traceback (it names files on this machine): the
    kernel's own text and its `[[{{node X}}]]` line."""
    m = re.search(r"Node: '[^']*'\n(.*?)\n\nOriginal stack trace", message, re.S)
    return m.group(1) if m else message


def plain(x):
    x = np.asarray(x)
    return {"array": x.tolist(), "dtype": str(x.dtype)}


def _local_vars(tf):
    return [[v.name, v.shape.as_list(), v.dtype.base_dtype.name]
            for v in tf.local_variables()]


def run_case(tf, call, phs, batches):
    g = tf.Graph()
    with g.as_default():
        env = {"tf": tf}
        for n, (dt, shape) in phs.items():
            env[n] = tf.placeholder(getattr(tf, dt), shape, name=n)
        value, update = eval(call, env)
        out = {"value": value.name, "update": update.name,
               "value_op": value.op.type, "update_op": update.op.type,
               "local_variables": _local_vars(tf),
               "metric_variables": [v.name for v in tf.get_collection(
                   tf.GraphKeys.METRIC_VARIABLES)],
               "trainable": [v.name for v in tf.trainable_variables()],
               "global": [v.name for v in tf.global_variables()],
               "collections": {c: [t.name for t in tf.get_collection(c)] for c in ("m", "u")},
               "steps": []}
        init = tf.local_variables_initializer()
        with tf.Session() as sess:
            sess.run(init)
            out["initial"] = plain(sess.run(value))
            for b in batches:
                feed = {env[n]: b[n] for n in phs}
                u = sess.run(update, feed)
                out["steps"].append([plain(u), plain(sess.run(value))])
            sess.run(init)
            out["reset"] = plain(sess.run(value))
    return out


def main(path):
    import tensorflow as tf2
    import tensorflow.compat.v1 as tf
    eager = {}
    for name in EAGER:
        try:
            getattr(tf2.compat.v1.metrics, name)
            args = {"mean": "[1.]", "mean_tensor": "[1.]"}.get(
                name, "[1], [1]" if "iou" not in name and "class" not in name else "[1], [1], 2")
            if "thresholds" in name:
                args = "[1], [0.5], [0.5]"
            if name == "sensitivity_at_specificity":
                args = "[1], [0.5], 0.5"
            eval(f"tf2.compat.v1.metrics.{name}({args})", {"tf2": tf2})
            eager[name] = None
        except Exception as e:  # noqa: BLE001 - recording what TF raises
            eager[name] = [type(e).__name__, _core(str(e))]
    tf.disable_v2_behavior()
    cases = {}
    for name, (call, phs, batches) in CASES.items():
        cases[name] = {"call": call, "placeholders": phs,
                       "batches": [{k: plain(v) for k, v in b.items() if k in phs}
                                   for b in batches],
                       **run_case(tf, call, phs, batches)}
    errors = {}
    for name, call in ERRORS.items():
        with tf.Graph().as_default():
            try:
                eval(call, {"tf": tf})
                errors[name] = {"call": call, "error": None}
            except Exception as e:  # noqa: BLE001
                errors[name] = {"call": call, "error": [type(e).__name__, _core(str(e))]}
    run_errors = {}
    for name, (call, phs, batch) in RUN_ERRORS.items():
        with tf.Graph().as_default():
            env = {"tf": tf}
            for n, (dt, shape) in phs.items():
                env[n] = tf.placeholder(getattr(tf, dt), shape, name=n)
            _, update = eval(call, env)
            with tf.Session() as sess:
                sess.run(tf.local_variables_initializer())
                try:
                    sess.run(update, {env[n]: batch[n] for n in phs})
                    run_errors[name] = {"error": None}
                except Exception as e:  # noqa: BLE001
                    run_errors[name] = {"error": [type(e).__name__, _core(str(e))]}
        run_errors[name].update({"call": call, "placeholders": phs,
                                 "batch": {k: plain(v) for k, v in batch.items()}})
    data = {"tensorflow": tf.__version__, "cases": cases, "errors": errors,
            "run_errors": run_errors, "eager": eager}
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(__file__), "..", "tests", "data", "v1_metrics_tf.json"))
