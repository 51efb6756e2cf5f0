"""tf.histogram_fixed_width (HistogramFixedWidth) and tf.histogram_fixed_width_bins against
TF 2.21's recorded results (tests/data/tf_raw_ops.json "histogram", tools/record_raw_ops.py):
counts at the bin edges, outliers, dtypes, the runtime's errors and static shapes."""
import json
import os

import numpy as np
import pytest

import tfteach as tf
from tfteach import errors

pytestmark = pytest.mark.mode("v2")

with open(os.path.join(os.path.dirname(__file__), "data", "tf_raw_ops.json")) as _f:
    TF = json.load(_f)["histogram"]

# the cases as tools/record_raw_ops.py builds them
CASES = {
    "floats": ("histogram_fixed_width", [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99, 0.999999],
               [0.0, 5.0], {"nbins": 5}),
    "float64_edges": ("histogram_fixed_width", np.linspace(-0.3, 1.3, 33).tolist(),
                      [0.0, 1.0], {"nbins": 10}),
    "ints_int64": ("histogram_fixed_width", np.array([1, 2, 9, 3, -4, 10], np.int32),
                   [0, 10], {"nbins": 3, "dtype": "int64"}),
    "default_nbins": ("histogram_fixed_width", np.linspace(0, 1, 7).tolist(), [0.0, 1.0], {}),
    "matrix": ("histogram_fixed_width", [[0.1, 0.2], [0.7, 0.9]], [0.0, 1.0], {"nbins": 2}),
    "nan": ("histogram_fixed_width", [1.0, float("nan")], [0.0, 5.0], {"nbins": 5}),
    "zero_bins": ("histogram_fixed_width", [1.0], [0.0, 5.0], {"nbins": 0}),
    "bad_range": ("histogram_fixed_width", [1.0], [5.0, 0.0], {"nbins": 3}),
    "float_dtype": ("histogram_fixed_width", [1.0], [0.0, 5.0], {"nbins": 3,
                                                                "dtype": "float32"}),
    "bins": ("histogram_fixed_width_bins", [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99],
             [0.0, 5.0], {"nbins": 5}),
    "bins_matrix": ("histogram_fixed_width_bins", [[0.1, 0.5], [0.7, 1.9]], [0.0, 1.0],
                    {"nbins": 4}),
    "bins_int64_dtype": ("histogram_fixed_width_bins", [0.1, 0.5], [0.0, 1.0],
                         {"nbins": 4, "dtype": "int64"}),
}


def test_cases_match_the_record():
    assert set(CASES) == set(TF["eager"])


@pytest.mark.parametrize("cid", sorted(CASES))
def test_eager(cid):
    fn, vals, rng, kw = CASES[cid]
    kw = {k: (tf.as_dtype(v) if k == "dtype" else v) for k, v in kw.items()}
    want = TF["eager"][cid]
    call = lambda: getattr(tf, fn)(tf.constant(vals), rng, **kw)  # noqa: E731
    if "error" in want:
        text = want["message"].split("; Op<")[0]
        if text.startswith("{{function_node"):
            text = text.split("}} ", 1)[1]
        text = text.split(" [Op:")[0]
        with pytest.raises(errors.InvalidArgumentError) as info:
            call()
        assert text in str(info.value)
        return
    got = call()
    assert got.dtype.name == want["dtype"]
    assert got.numpy().tolist() == want["value"]


def test_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None])
        r = tf.histogram_fixed_width(x, [0.0, 1.0], nbins=4)
        assert {"shape": r.shape.as_list(), "name": r.op.name, "type": r.op.type} == \
            TF["graph"]["static"]
        n = tf.compat.v1.placeholder(tf.int32, [])
        assert tf.histogram_fixed_width(x, [0.0, 1.0], nbins=n).shape.as_list() == \
            TF["graph"]["fed_nbins"]["shape"]
        b = tf.histogram_fixed_width_bins(tf.compat.v1.placeholder(tf.float32, [3, None]),
                                          [0.0, 1.0], nbins=4)
        assert {"shape": b.shape.as_list(), "dtype": b.dtype.name} == TF["graph"]["bins"]
        with tf.compat.v1.Session() as sess:
            got = sess.run(r, {x: np.array(CASES["floats"][1], np.float32) / 5})
        assert got.tolist() == [3, 2, 0, 3]     # -0.2 0 0.2 | 0.3 0.4 | - | 0.998 1 3
