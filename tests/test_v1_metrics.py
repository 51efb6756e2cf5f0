"""TF1 streaming metrics (`tf.compat.v1.metrics`) against TF 2.21 (tools/record_v1_metrics.py
-> tests/data/v1_metrics_tf.json): for each metric, the names of its value and update
tensors, its local variables (names, shapes, dtypes) and the collections holding them, and
the update op's result and the value after each of several batches, then after the local
variables are initialised again; TF's errors for bad arguments, and the RuntimeError of
every metric under eager execution."""
import json
import os
import re

import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

with open(os.path.join(os.path.dirname(__file__), "data", "v1_metrics_tf.json")) as _f:
    TF = json.load(_f)


def _array(spec):
    return np.asarray(spec["array"], dtype=spec["dtype"])


def _close(got, want, where):
    got = np.asarray(got)
    assert str(got.dtype) == want["dtype"], where
    np.testing.assert_allclose(got.astype(np.float64), np.asarray(want["array"], np.float64),
                               rtol=2e-6, atol=1e-7, err_msg=where)


def _placeholders(tf, spec):
    return {n: tf.placeholder(getattr(tf, dt), shape, name=n) for n, (dt, shape) in
            spec.items()}


@pytest.mark.parametrize("key", sorted(TF["cases"]))
def test_metric(key, tf1):
    case = TF["cases"][key]
    env = {"tf": tf1, **_placeholders(tf1, case["placeholders"])}
    value, update = eval(case["call"], env)
    assert [value.name, update.name] == [case["value"], case["update"]]
    assert [value.op.type, update.op.type] == [case["value_op"], case["update_op"]]
    assert [[v.name, v.shape.as_list(), v.dtype.base_dtype.name]
            for v in tf1.local_variables()] == case["local_variables"]
    assert [v.name for v in tf1.get_collection(tf1.GraphKeys.METRIC_VARIABLES)] == \
        case["metric_variables"]
    assert [v.name for v in tf1.trainable_variables()] == case["trainable"]
    assert [v.name for v in tf1.global_variables()] == case["global"]
    assert {c: [t.name for t in tf1.get_collection(c)] for c in ("m", "u")} == \
        case["collections"]
    init = tf1.local_variables_initializer()
    with tf1.Session() as sess:
        sess.run(init)
        _close(sess.run(value), case["initial"], f"{key} initial")
        for i, (batch, (want_update, want_value)) in enumerate(zip(case["batches"],
                                                                   case["steps"])):
            feed = {env[n]: _array(v) for n, v in batch.items()}
            _close(sess.run(update, feed), want_update, f"{key} update {i}")
            _close(sess.run(value), want_value, f"{key} value {i}")
        sess.run(init)
        _close(sess.run(value), case["reset"], f"{key} reset")


@pytest.mark.parametrize("key", sorted(TF["errors"]))
def test_errors_while_building(key, tf1):
    case = TF["errors"][key]
    cls, message = case["error"]
    with pytest.raises({"ValueError": ValueError}[cls]) as e:
        eval(case["call"], {"tf": tf1})
    assert str(e.value) == message


def _first_line(message):
    m = re.search(r"Node: '[^']*'\n(.*?)\n", message)
    return m.group(1) if m else message.splitlines()[0]


@pytest.mark.parametrize("key", sorted(TF["run_errors"]))
def test_errors_while_running(key, tf1):
    case = TF["run_errors"][key]
    env = {"tf": tf1, **_placeholders(tf1, case["placeholders"])}
    _, update = eval(case["call"], env)
    with tf1.Session() as sess:
        sess.run(tf1.local_variables_initializer())
        with pytest.raises(getattr(errors, case["error"][0])) as e:
            sess.run(update, {env[n]: _array(v) for n, v in case["batch"].items()
                              if n in env})
    assert e.value.message.splitlines()[0] == _first_line(case["error"][1])


@pytest.mark.parametrize("name", sorted(TF["eager"]))
def test_eager_execution_is_refused(name, tf2):
    args = {"mean": "[1.]", "mean_tensor": "[1.]", "mean_iou": "[1], [1], 2",
            "mean_per_class_accuracy": "[1], [1], 2",
            "false_negatives_at_thresholds": "[1], [0.5], [0.5]",
            "sensitivity_at_specificity": "[1], [0.5], 0.5"}.get(name, "[1], [1]")
    cls, message = TF["eager"][name]
    with pytest.raises(RuntimeError) as e:
        eval(f"tf.compat.v1.metrics.{name}({args})", {"tf": tf2})
    assert str(e.value) == message


def test_pr_auc_with_the_trapezoidal_rule_warns(tf1, caplog):
    tf1.metrics.auc(tf1.constant([1, 0]), tf1.constant([0.4, 0.6]), curve="PR")
    assert "Trapezoidal rule is known to produce incorrect PR-AUCs" in caplog.text


def test_names_tfteach_does_not_have_say_so(tf1):
    with pytest.raises(AttributeError, match="does not implement"):
        tf1.metrics.precision_at_k
