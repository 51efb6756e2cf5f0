"""TF1's writes into variable rows against TF 2.21 (tools/record_v1_scatter.py ->
tests/data/v1_scatter_tf.json): `tf.compat.v1.scatter_*`, `scatter_nd_*`,
`batch_scatter_update` and the Variable methods of those names, on ref variables in v1
graphs (Scatter* ops) and on resource variables eagerly and in tf.function
(ResourceScatter* ops): op types and names, the `*_ref` result, values over repeated runs,
shape errors at graph build, TF's InvalidArgumentError for indices out of range, and which
ops pass no gradient and which have none.

One deliberate difference: where TF's CPU kernel has already written the rows before a bad
index when it fails, tfteach leaves the variable as it was (a failing run changes nothing,
../shared/DESIGN.md); those cases check the untouched value instead of TF's.
"""
import json
import os
import re

import numpy as np
import pytest

import tfteach
from tfteach import errors

pytestmark = pytest.mark.mode("both")

with open(os.path.join(os.path.dirname(__file__), "data", "v1_scatter_tf.json")) as _f:
    TF = json.load(_f)

ROWS = [[1., 2.], [3., 4.], [5., 6.]]


def _core(message):
    """The kernel's own message from TF's: no Session traceback, no function-node prefix."""
    m = re.search(r"Node: '[^']*'\n(.*?)\n\nOriginal stack trace", message, re.S)
    if m:
        message = m.group(1)
    return re.sub(r"^\{\{function_node [^}]*\}\} ", "", message)


def _plain(x):
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        return {"array": np.asarray(x).tolist(), "dtype": str(np.asarray(x).dtype)}
    if isinstance(x, (list, tuple)):
        return [_plain(y) for y in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _same(got, want, where):
    if isinstance(want, dict) and "array" in want:
        assert got["dtype"] == want["dtype"], where
        np.testing.assert_allclose(np.asarray(got["array"], dtype=float),
                                   np.asarray(want["array"], dtype=float), rtol=1e-6,
                                   err_msg=where)
    elif isinstance(want, dict):
        assert sorted(got) == sorted(want), where
        for k in want:
            _same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"{where}[{i}]")
    else:
        assert got == want, where


def _error_class(name):
    return getattr(errors, name, None) or {"ValueError": ValueError, "TypeError": TypeError,
                                           "LookupError": LookupError,
                                           "AttributeError": AttributeError}[name]


def _check(key, case, out, raised):
    want_out = dict(case["out"])
    if "var_after_error" in want_out:       # rolled back: see the module docstring
        initial = {"array": ROWS, "dtype": "float32"}
        _same(_plain(out.pop("var_after_error")), initial, key)
        want_out.pop("var_after_error")
    _same(_plain(out), want_out, key)
    if case["error"] is None:
        assert raised is None, f"{key}: {raised!r}"
        return
    cls, message = case["error"]
    assert isinstance(raised, _error_class(cls)), f"{key}: {raised!r}"
    want = _core(message)
    if cls == "AttributeError":      # TF's graph tensor class is SymbolicTensor
        want = want.replace("'SymbolicTensor'", "'Tensor'")
    got = raised.message if isinstance(raised, errors.OpError) else str(raised)
    assert got == want, key


@pytest.mark.parametrize("key", sorted(TF["v1"]))
def test_v1_graphs(key, tf1):
    case = TF["v1"][key]
    out, raised = {}, None
    with tf1.Graph().as_default(), tf1.Session() as sess:
        def V(value):
            v = tf1.Variable(value)
            sess.run(v.initializer)
            return v
        try:
            exec(case["code"], {"tf": tf1, "np": np, "sess": sess, "V": V, "out": out})
        except Exception as e:  # noqa: BLE001 - compared with what TF raised
            raised = e
    _check(key, case, out, raised)


@pytest.mark.parametrize("key", sorted(TF["v2"]))
def test_resource_variables(key, tf2):
    case = TF["v2"][key]
    out, raised = {}, None
    try:
        exec(case["code"], {"tf": tf2, "np": np, "out": out})
    except Exception as e:  # noqa: BLE001
        raised = e
    _check(key, case, out, raised)


def test_names_in_both_namespaces(tf1):
    v1 = tfteach.compat.v1
    for n in ("scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div",
              "scatter_min", "scatter_max", "scatter_nd_update", "scatter_nd_add",
              "scatter_nd_sub", "batch_scatter_update"):
        assert getattr(tf1, n) is getattr(v1, n)
    assert not hasattr(tfteach, "scatter_update")      # TF 2 has only compat.v1's


def test_failed_run_leaves_the_variable_and_later_runs_work(tf1):
    v = tf1.Variable([1., 2., 3.])
    i = tf1.placeholder(tf1.int32, [None])
    t = tf1.scatter_mul(v, i, 2.)
    with tf1.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"^indices\[1\] = 7 is not in \[0, 3\)"):
            sess.run(t, {i: [0, 7]})
        np.testing.assert_array_equal(sess.run(v), [1., 2., 3.])
        np.testing.assert_array_equal(sess.run(t, {i: [0, 0, 2]}), [4., 2., 6.])


def test_uninitialized_variable(tf1):
    v = tf1.Variable([1., 2.], name="w")
    t = tf1.scatter_max(v, [0], [5.])
    with tf1.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError,
                           match="^Attempting to use uninitialized value w"):
            sess.run(t)
