"""tf.keras losses, metrics and optimizers beyond the basics, against Keras 3 under TF 2.21
(tests/data/keras_losses_metrics_tf.json, recorded by tools/record_keras_losses_metrics.py).

Each recorded case is a Python expression; it is evaluated here with tfteach's keras on the
same data and compared: values to float32 tolerance (with dtype and shape), configs exactly,
errors by class and message (a `{...}` set Keras prints in hash order is left out)."""
import json
import os
import re

import numpy as np
import pytest

import tfteach as tf

pytestmark = pytest.mark.mode("v2")

with open(os.path.join(os.path.dirname(__file__), "data", "keras_losses_metrics_tf.json")) as f:
    RECORD = json.load(f)


def _env():
    tf.keras.backend.clear_session()    # metric names count from 0 again, as recorded
    return {"keras": tf.keras, "np": np, "tf": tf, **RECORD["data"]}


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def _same(got, want, expr):
    """Equal, floats to float32 tolerance (evaluate()'s logs are floats)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (expr, got, want)
        for k in want:
            _same(got[k], want[k], expr)
    elif isinstance(want, float) and not isinstance(got, bool):
        assert got == pytest.approx(want, rel=2e-5, abs=2e-6), (expr, got, want)
    else:
        assert got == want, (expr, got, want)


def check(case, env=None):
    expr = case["expr"]
    env = env if env is not None else _env()
    if "error" in case:
        with pytest.raises(Exception) as info:
            eval(expr, env)
        assert type(info.value).__name__ == case["error"], (expr, info.value)
        for part in re.split(r"\{[^}]*\}", case["message"]):
            assert part in str(info.value), (expr, str(info.value), case["message"])
        return
    got = eval(expr, env)
    if "config" in case:
        _same(_jsonable(got), case["config"], expr)
    elif "plain" in case:
        assert _jsonable(got) == case["plain"], expr
    else:
        a = np.asarray(got.numpy() if hasattr(got, "numpy") else got)
        assert list(a.shape) == case["shape"], (expr, a.shape)
        assert str(a.dtype) == case["dtype"], (expr, a.dtype)
        np.testing.assert_allclose(a.astype(np.float64), np.asarray(case["value"]),
                                   rtol=2e-5, atol=2e-6, err_msg=expr)


@pytest.mark.parametrize("i", range(len(RECORD["losses"])))
def test_loss_matches_keras(i):
    check(RECORD["losses"][i])


@pytest.mark.parametrize("i", range(len(RECORD["metrics"])))
def test_metric_matches_keras(i):
    check(RECORD["metrics"][i])


@pytest.mark.parametrize("i", range(len(RECORD["optimizers"])))
def test_optimizer_matches_keras(i):
    check(RECORD["optimizers"][i])
