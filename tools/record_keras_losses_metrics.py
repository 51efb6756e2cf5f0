"""Records Keras 3 (TF 2.21) losses, metrics and optimizers for
tests/test_keras_losses_metrics_gaps.py.

Run with the oracle: /work/tfenv/bin/python tools/record_keras_losses_metrics.py

Each case is a Python expression evaluated with `keras` (tf.keras), `np` and the arrays in
DATA; the test evaluates the same text with tfteach's keras. A result is a value (array,
dtype, shape), a config dict, or an error (exception class and message).
"""
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                   "keras_losses_metrics_tf.json")

rng = np.random.RandomState(7)
_p = rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
DATA = {
    # regression-style targets and predictions
    "yt": rng.uniform(-2, 2, (4, 3)).astype(np.float32).round(3).tolist(),
    "yp": rng.uniform(-2, 2, (4, 3)).astype(np.float32).round(3).tolist(),
    "ytpos": rng.uniform(0, 3, (4, 3)).astype(np.float32).round(3).tolist(),
    "yppos": rng.uniform(0.1, 3, (4, 3)).astype(np.float32).round(3).tolist(),
    # one-hot labels and probabilities
    "onehot": np.eye(3, dtype=np.float32)[[0, 2, 1, 2]].tolist(),
    "sparse": [0, 2, 1, 2],
    "probs": (_p / _p.sum(-1, keepdims=True)).round(4).tolist(),
    "logits": rng.normal(0, 2, (4, 3)).astype(np.float32).round(3).tolist(),
    # binary labels and probabilities
    "bin": rng.randint(0, 2, (4, 3)).astype(np.float32).tolist(),
    "binp": rng.uniform(0.02, 0.98, (4, 3)).astype(np.float32).round(3).tolist(),
    "pm1": (rng.randint(0, 2, (4, 3)) * 2 - 1).astype(np.float32).tolist(),
    "sw": [1.0, 0.5, 2.0, 0.0],
    "sw2": rng.uniform(0, 2, (4, 3)).astype(np.float32).round(3).tolist(),
    # flat binary problem for the thresholded metrics
    "b1": [0, 1, 1, 0, 1, 0, 1, 1, 0, 0],
    "s1": [0.1, 0.8, 0.55, 0.3, 0.2, 0.65, 0.9, 0.45, 0.05, 0.51],
    "w1": [1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 0.0, 1.0, 1.0],
    # segmentation labels for the IoU metrics
    "seg_t": [0, 1, 2, 2, 1, 0, 1, 2],
    "seg_p": [0, 2, 2, 1, 1, 0, 0, 2],
}

LOSS_FNS = {
    # tf.keras.losses' public function names: (y_true, y_pred) pairs each is tried on
    "mse": [("yt", "yp")],
    "mae": [("yt", "yp")],
    "mape": [("yt", "yp"), ("ytpos", "yppos")],
    "msle": [("ytpos", "yppos"), ("yt", "yp")],
    "huber": [("yt", "yp")],
    "logcosh": [("yt", "yp")],
    "kld": [("onehot", "probs"), ("probs", "onehot")],
    "poisson": [("ytpos", "yppos")],
    "cosine_similarity": [("yt", "yp")],
    "hinge": [("bin", "yp"), ("pm1", "yp")],
    "squared_hinge": [("bin", "yp"), ("pm1", "yp")],
    "categorical_hinge": [("onehot", "yp")],
    "binary_focal_crossentropy": [("bin", "binp")],
    "categorical_focal_crossentropy": [("onehot", "probs")],
    "dice": [("bin", "binp")],
    "tversky": [("bin", "binp")],
    "binary_crossentropy": [("bin", "binp")],
    "categorical_crossentropy": [("onehot", "probs")],
}
LOSS_FN_KWARGS = {
    "huber": ["delta=0.5", "delta=2.0"],
    "cosine_similarity": ["axis=0"],
    "binary_focal_crossentropy": ["gamma=0.0", "apply_class_balancing=True, alpha=0.3",
                                  "from_logits=True", "label_smoothing=0.2", "axis=0"],
    "categorical_focal_crossentropy": ["alpha=0.5, gamma=1.0", "label_smoothing=0.1"],
    "dice": ["axis=-1", "axis=(0, 1)"],
    "tversky": ["alpha=0.3, beta=0.7", "axis=-1"],
}
LOSS_ALIASES = ["MSE", "MAE", "MAPE", "MSLE", "KLD", "kullback_leibler_divergence"]
LOSS_CLASSES = {
    "MeanAbsolutePercentageError": ("ytpos", "yppos", ""),
    "MeanSquaredLogarithmicError": ("ytpos", "yppos", ""),
    "Huber": ("yt", "yp", "delta=0.7"),
    "LogCosh": ("yt", "yp", ""),
    "KLDivergence": ("onehot", "probs", ""),
    "Poisson": ("ytpos", "yppos", ""),
    "CosineSimilarity": ("yt", "yp", ""),
    "Hinge": ("bin", "yp", ""),
    "SquaredHinge": ("bin", "yp", ""),
    "CategoricalHinge": ("onehot", "yp", ""),
    "BinaryFocalCrossentropy": ("bin", "logits", "from_logits=True, gamma=1.5"),
    "CategoricalFocalCrossentropy": ("onehot", "logits", "from_logits=True"),
    "Dice": ("bin", "binp", "axis=-1"),
    "Tversky": ("bin", "binp", "alpha=0.2, beta=0.8, axis=-1"),
    "MeanSquaredError": ("yt", "yp", ""),
    "MeanAbsoluteError": ("yt", "yp", ""),
    "BinaryCrossentropy": ("bin", "binp", "label_smoothing=0.1"),
    "CategoricalCrossentropy": ("onehot", "probs", ""),
    "SparseCategoricalCrossentropy": ("sparse", "probs", ""),
}


def loss_cases():
    cases = []
    for fn, pairs in LOSS_FNS.items():
        for t, p in pairs:
            cases.append(f"keras.losses.{fn}(np.array({t}), np.array({p}))")
        for kw in LOSS_FN_KWARGS.get(fn, ()):
            t, p = pairs[0]
            cases.append(f"keras.losses.{fn}(np.array({t}), np.array({p}), {kw})")
    for a in LOSS_ALIASES:
        cases.append(f"keras.losses.{a}(np.array(ytpos), np.array(yppos))")
    for cls, (t, p, kw) in LOSS_CLASSES.items():
        cases.append(f"keras.losses.{cls}({kw})(np.array({t}), np.array({p}))")
        cases.append(f"keras.losses.{cls}({kw}).get_config()")
        cases.append(f"keras.losses.{cls}().get_config()")
        for red in ("sum", "none", "mean", "mean_with_sample_weight", "sum_over_batch_size"):
            sep = ", " if kw else ""
            cases.append(f"keras.losses.{cls}({kw}{sep}reduction={red!r})"
                         f"(np.array({t}), np.array({p}), sample_weight=np.array(sw))")
        cases.append(f"keras.losses.{cls}({kw})(np.array({t}), np.array({p}), "
                     f"sample_weight=np.array(sw)[:, None])")
    # elementwise weights on a loss that keeps the last axis (axis=None reduces all)
    cases += [
        "keras.losses.Huber(reduction='none')(np.array(yt), np.array(yp))",
        "keras.losses.MeanSquaredError()(np.array(yt), np.array(yp), sample_weight=2.0)",
        "keras.losses.MeanSquaredError(reduction='sum')(np.array(yt)[:, :1], "
        "np.array(yp)[:, 0])",
        "keras.losses.MeanSquaredError()(np.array(yt)[0], np.array(yp)[0])",
        "keras.losses.Huber(name='h').name",
        "keras.losses.LogCosh().name",
        # get(): a class name gives an instance, a function name (or alias) the function
        "keras.losses.get('Huber').get_config()",
        "keras.losses.get('Poisson').name",
        "keras.losses.get('huber').__name__",
        "keras.losses.get('kld').__name__",
        "keras.losses.get('mse').__name__",
        "keras.losses.get('bce').__name__",
        "keras.losses.get('log_cosh').__name__",
        "keras.losses.get('logcosh')",
        "keras.losses.get('categorical_hinge').__name__",
        "keras.losses.get({'class_name': 'Tversky', 'config': {'alpha': 0.4}}).get_config()",
        "keras.losses.serialize(keras.losses.Huber())",
        "keras.losses.serialize(keras.losses.Tversky(alpha=0.1, beta=0.9))",
        "keras.losses.deserialize(keras.losses.serialize(keras.losses.Dice(axis=-1)))"
        ".get_config()",
        "keras.losses.Reduction.SUM_OVER_BATCH_SIZE",
        "keras.losses.Reduction.all()",
        # errors
        "keras.losses.Huber(reduction='avg')",
        "keras.losses.Poisson(reduction='auto')",
        "keras.losses.categorical_focal_crossentropy(np.array(onehot), np.array(probs), "
        "axis=True)",
        "keras.losses.get('no_such_loss')",
    ]
    return cases


def run(cases, env):
    out = []
    for expr in cases:
        out.append({"expr": expr, **evaluate(expr, env)})
    return out


def evaluate(expr, env):
    try:
        v = eval(expr, env)
    except Exception as e:   # noqa: BLE001 - the error is what is recorded
        return {"error": type(e).__name__, "message": str(e)}
    return encode(v)


def encode(v):
    if isinstance(v, dict):
        return {"config": jsonable(v)}
    if isinstance(v, (str, tuple, list, bool)) or v is None:
        return {"plain": jsonable(v)}
    a = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
    return {"value": a.astype(np.float64).tolist(), "dtype": str(a.dtype),
            "shape": list(a.shape)}


def jsonable(v):
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return repr(v)


def main():
    import tensorflow as tf
    env = {"keras": tf.keras, "np": np, **DATA}
    record = {"tensorflow": tf.__version__, "keras": tf.keras.__version__, "data": DATA,
              "losses": run(loss_cases(), env)}
    with open(OUT, "w") as f:
        json.dump(record, f, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
