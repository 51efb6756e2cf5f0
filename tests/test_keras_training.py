"""Real training: a fast smoke run in the default suite; the issue's accuracy targets on the
shipped MNIST sample are `slow` (run them with `-m slow`)."""
import os
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


def _train_mnist():
    sys.path.insert(0, BENCH)
    try:
        import train_mnist
    finally:
        sys.path.remove(BENCH)
    return train_mnist


def test_smoke_mlp_on_digits_in_tf_function(tf2):
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.data / 16).astype(np.float32)
    y = d.target.astype(np.int32)
    tm = _train_mnist()
    model_cls = tm.models(tf2)["mlp"]
    res = tm.train(tf2, model_cls, (x[:1400], y[:1400], x[1400:], y[1400:]), num_batches=150,
                   batch_size=50, lr=1e-2, eager=False, seed=0)
    assert res["test_accuracy"] > 0.85
    assert res["last50_loss"] < res["first_loss"] / 3


def test_smoke_cnn_steps_eager(tf2):
    tm = _train_mnist()
    rs = np.random.RandomState(0)
    x = rs.rand(40, 784).astype(np.float32)
    y = rs.randint(0, 10, 40).astype(np.int32)
    res = tm.train(tf2, tm.models(tf2)["cnn"], (x, y, x, y), num_batches=3, batch_size=20,
                   lr=1e-3, eager=True, seed=0)
    assert np.isfinite(res["last50_loss"])


@pytest.mark.slow
@pytest.mark.parametrize("name,target", [("mlp", 0.90), ("cnn", 0.96)])
def test_seed_models_reach_accuracy_on_mnist_subset(tf2, name, target):
    tm = _train_mnist()
    data = tm.load_data(full=False)
    res = tm.train(tf2, tm.models(tf2)[name], data, num_batches=1000, batch_size=50, lr=1e-3,
                   eager=False, seed=0)
    assert res["test_accuracy"] >= target, res
