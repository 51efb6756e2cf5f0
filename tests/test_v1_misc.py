"""More TF1 names against TF 2.21 (tools/record_v1_misc.py -> tests/data/v1_misc_tf.json):
`make_template` (variables made once and shared, scope and tensor names, TF's errors),
`colocate_with` (the `_class` colocation attr and the devices it gives), `setdiff1d`,
`string_split` (SparseTensor and RaggedTensor results), `sparse_to_dense` (values, index
validation errors, gradients) and `tf.compat.v1.device` in the TF 2 namespace."""
import json
import os
import re

import numpy as np
import pytest

from tfteach import errors

pytestmark = pytest.mark.mode("both")

with open(os.path.join(os.path.dirname(__file__), "data", "v1_misc_tf.json")) as _f:
    TF = json.load(_f)

_ORIGIN = "\n\noriginally defined at:\n"


def _core(message):
    m = re.search(r"Node: '[^']*'\n(.*?)\n\nOriginal stack trace", message, re.S)
    return m.group(1) if m else message


def _plain(x):
    if isinstance(x, (np.ndarray, np.generic)):
        x = np.asarray(x)
        if x.dtype == object:
            return {"array": [v.decode() if isinstance(v, bytes) else v for v in x.tolist()],
                    "dtype": "object"}
        return {"array": x.tolist(), "dtype": str(x.dtype)}
    if isinstance(x, (list, tuple)):
        return [_plain(y) for y in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, bytes):
        return x.decode()
    return x


def _check(key, case, out, raised):
    assert _plain(out) == case["out"], key
    if case["error"] is None:
        assert raised is None, f"{key}: {raised!r}"
        return
    cls, message = case["error"]
    assert type(raised).__name__ == cls, f"{key}: {raised!r}"
    got = raised.message if isinstance(raised, errors.OpError) else str(raised)
    want = _core(message)
    if _ORIGIN in want:         # the stack where the template was made: this test's, not TF's
        assert _ORIGIN in got, key
        want, got = want.split(_ORIGIN)[0], got.split(_ORIGIN)[0]
    assert got == want, key


@pytest.mark.parametrize("key", sorted(TF["v1"]))
def test_v1_graphs(key, tf1):
    case = TF["v1"][key]
    out, raised = {}, None
    with tf1.Graph().as_default(), tf1.Session() as sess:
        try:
            exec(case["code"], {"tf": tf1, "sess": sess, "np": np, "out": out})
        except Exception as e:  # noqa: BLE001 - compared with what TF raised
            raised = e
    _check(key, case, out, raised)


@pytest.mark.parametrize("key", sorted(TF["v2"]))
def test_tf2_namespace(key, tf2):
    case = TF["v2"][key]
    out, raised = {}, None
    try:
        exec(case["code"], {"tf": tf2, "np": np, "out": out})
    except Exception as e:  # noqa: BLE001
        raised = e
    _check(key, case, out, raised)


def test_make_template_is_graph_only(tf2):
    """TF's eager templates keep their own variable store; tfteach's refuse, naming the
    way out, rather than making new variables on every call."""
    with pytest.raises(NotImplementedError, match="shares variables in graphs only"):
        tf2.compat.v1.make_template("t", lambda: None)
