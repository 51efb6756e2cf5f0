"""Static shape rules where dimensions are unknown, against TensorFlow 2.21: each case in
tests/data/tf_shape_rules.json is a line of TF1 code and the shape (or the error class) TF
gave it while building the graph (recorded by tools/record_tf_shape_rules.py)."""
import json
import os

import pytest

pytestmark = pytest.mark.mode("v1")

with open(os.path.join(os.path.dirname(__file__), "data", "tf_shape_rules.json")) as f:
    RECORD = json.load(f)
CASES = {c["id"]: c for c in RECORD["cases"]}


def _shape(t):
    s = t.shape
    return None if s.ndims is None else [None if d is None else int(d) for d in s.as_list()]


@pytest.mark.parametrize("cid", sorted(CASES))
def test_static_shape_matches_tf(tf1, cid):
    case = CASES[cid]

    def ph(shape):
        return tf1.placeholder(tf1.float32, shape)
    if "error" in case:
        with pytest.raises(Exception) as info:
            eval(case["code"], {"tf": tf1, "ph": ph})
        assert type(info.value).__name__ == case["error"], case["code"]
        assert case["message"] in str(info.value), case["code"]
    else:
        assert _shape(eval(case["code"], {"tf": tf1, "ph": ph})) == case["shape"], case["code"]


@pytest.mark.parametrize("case", RECORD["tensor_shape_api"], ids=lambda c: c["code"])
def test_tensor_shape_api_matches_tf(tf1, case):
    if "error" in case:
        with pytest.raises(Exception) as info:
            eval(case["code"], {"tf": tf1})
        assert type(info.value).__name__ == case["error"]
    else:
        assert repr(eval(case["code"], {"tf": tf1})) == case["repr"]


def test_the_record_covers_unknown_dims_for_the_common_ops():
    assert RECORD["tensorflow"].startswith("2.21")
    codes = " ".join(c["code"] for c in RECORD["cases"])
    for op in ("tf.add", "tf.matmul", "tf.reshape", "tf.concat", "tf.nn.conv2d",
               "tf.reduce_sum", "tf.gather", "tf.stack"):
        assert op in codes
