"""Keras layers' output shapes on non-square inputs (height != width, unequal kernels, strides
and paddings): `compute_output_shape` and the shape of a real call, against Keras 3 under
TF 2.21 (tests/data/keras_output_shapes.json, recorded by tools/record_keras_output_shapes.py).
A square input would hide a swapped height and width."""
import json
import os

import numpy as np
import pytest

import tfteach as tf

pytestmark = pytest.mark.mode("v2")

keras = tf.keras
with open(os.path.join(os.path.dirname(__file__), "data", "keras_output_shapes.json")) as f:
    RECORD = json.load(f)
CASES = {c["id"]: c for c in RECORD["cases"]}


def _dims(shape):
    return [None if d is None else int(d) for d in shape]


@pytest.mark.parametrize("cid", sorted(CASES))
def test_compute_output_shape_matches_keras(cid):
    case = CASES[cid]
    layer = eval(case["layer"], {"keras": keras})
    assert _dims(layer.compute_output_shape(tuple(case["input_shape"]))) == \
        case["compute_output_shape"], case["layer"]


@pytest.mark.parametrize("cid", sorted(CASES))
def test_call_output_shape_matches_keras(cid):
    case = CASES[cid]
    layer = eval(case["layer"], {"keras": keras})
    dtype = np.int32 if "Embedding" in case["layer"] else np.float32
    y = layer(np.zeros(case["called_on"], dtype=dtype))
    assert _dims(y.shape) == case["output_shape"], case["layer"]
    # after the build, the static rule still holds
    assert _dims(layer.compute_output_shape(tuple(case["input_shape"]))) == \
        case["compute_output_shape"]


def test_the_record_is_non_square():
    spatial = [c for c in RECORD["cases"] if len(c["input_shape"]) == 4]
    assert len(spatial) >= 12
    assert all(c["input_shape"][1] != c["input_shape"][2] for c in spatial)
