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
    # optimizer trajectories: a matrix and a vector variable, three gradients each
    "ow2": rng.normal(0, 1, (3, 2)).round(3).tolist(),
    "og2": rng.normal(0, 0.5, (3, 3, 2)).round(3).tolist(),
    "ow1": rng.normal(0, 1, (4,)).round(3).tolist(),
    "og1": rng.normal(0, 0.5, (3, 4)).round(3).tolist(),
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
        # generalized cross-entropy (integer labels)
        "keras.losses.categorical_generalized_cross_entropy(np.array(sparse), "
        "np.array(probs), q=0.5)",
        "keras.losses.categorical_generalized_cross_entropy(np.array(sparse)[:, None], "
        "np.array(probs), q=0.2)",
        "keras.losses.CategoricalGeneralizedCrossEntropy()(np.array(sparse), np.array(probs))",
        "keras.losses.CategoricalGeneralizedCrossEntropy(q=0.7, reduction='sum')("
        "np.array(sparse), np.array(probs), sample_weight=np.array(sw))",
        "keras.losses.CategoricalGeneralizedCrossEntropy(q=0.3).get_config()",
        "keras.losses.CategoricalGeneralizedCrossEntropy(q=1.0)",
    ]
    return cases


def _upd(metric, *calls):
    """An expression creating `metric`, updating it with each call's arguments and
    returning its result."""
    body = ", ".join(f"m.update_state({c})" for c in calls)
    return f"[(m := keras.metrics.{metric}), {body}, m.result()][-1]"


MEAN_WRAPPERS = {
    # metric: (y_true, y_pred)
    "MeanSquaredError()": ("yt", "yp"),
    "MeanAbsoluteError()": ("yt", "yp"),
    "MeanAbsolutePercentageError()": ("ytpos", "yppos"),
    "MeanSquaredLogarithmicError()": ("ytpos", "yppos"),
    "RootMeanSquaredError()": ("yt", "yp"),
    "LogCoshError()": ("yt", "yp"),
    "CosineSimilarity()": ("yt", "yp"),
    "KLDivergence()": ("onehot", "probs"),
    "Poisson()": ("ytpos", "yppos"),
    "Hinge()": ("bin", "yp"),
    "SquaredHinge()": ("pm1", "yp"),
    "CategoricalHinge()": ("onehot", "yp"),
    "BinaryCrossentropy()": ("bin", "binp"),
    "BinaryCrossentropy(from_logits=True, label_smoothing=0.1)": ("bin", "logits"),
    "CategoricalCrossentropy()": ("onehot", "probs"),
    "CategoricalCrossentropy(from_logits=True)": ("onehot", "logits"),
    "SparseCategoricalCrossentropy()": ("sparse", "probs"),
    "Accuracy()": ("bin", "bin"),
    "BinaryAccuracy()": ("bin", "binp"),
    "BinaryAccuracy(threshold=0.7)": ("bin", "binp"),
    "CategoricalAccuracy()": ("onehot", "probs"),
    "SparseCategoricalAccuracy()": ("sparse", "probs"),
    "TopKCategoricalAccuracy(k=2)": ("onehot", "logits32"),
    "TopKCategoricalAccuracy(k=1)": ("onehot", "probs32"),
    "SparseTopKCategoricalAccuracy(k=2)": ("sparse", "logits32"),
    "SparseTopKCategoricalAccuracy(k=1)": ("sparse", "probs32"),
    "PearsonCorrelation()": ("yt", "yp"),
    "ConcordanceCorrelation()": ("yt", "yp"),
    "R2Score()": ("yt", "yp"),
    "R2Score(class_aggregation=None)": ("yt", "yp"),
    "R2Score(class_aggregation='variance_weighted_average')": ("yt", "yp"),
    "R2Score(num_regressors=1)": ("yt", "yp"),
    "F1Score()": ("onehot", "probs"),
    "F1Score(average='macro')": ("onehot", "probs"),
    "F1Score(average='micro', threshold=0.3)": ("onehot", "probs"),
    "F1Score(average='weighted')": ("onehot", "probs"),
    "FBetaScore(beta=2.0, threshold=0.5)": ("bin", "binp"),
    "MeanMetricWrapper(keras.losses.huber, delta=0.5)": ("yt", "yp"),
    "MeanMetricWrapper(keras.metrics.binary_accuracy, name='acc2', threshold=0.3)":
        ("bin", "binp"),
}
THRESHOLDED = [
    "TruePositives()", "FalsePositives()", "TrueNegatives()", "FalseNegatives()",
    "TruePositives(thresholds=[0.3, 0.5, 0.7])", "FalseNegatives(thresholds=[0.0, 0.5, 1.0])",
    "TrueNegatives(thresholds=0.6)", "FalsePositives(thresholds=[0.2, 0.9])",
    "Precision()", "Recall()", "Precision(thresholds=[0.3, 0.6])",
    "Recall(thresholds=[0.0, 0.5, 1.0])",
    "AUC()", "AUC(curve='PR')", "AUC(num_thresholds=7)",
    "AUC(summation_method='minoring')", "AUC(summation_method='majoring', curve='PR')",
    "AUC(curve='PRGAIN')", "AUC(thresholds=[0.25, 0.5, 0.75])",
    "AUC(num_thresholds=50, curve='PR')",
    "PrecisionAtRecall(0.5)", "PrecisionAtRecall(0.8, num_thresholds=20)",
    "RecallAtPrecision(0.6)", "RecallAtPrecision(0.9)",
    "SensitivityAtSpecificity(0.5)", "SensitivityAtSpecificity(0.8, num_thresholds=1)",
    "SpecificityAtSensitivity(0.5)", "SpecificityAtSensitivity(0.75)",
]


def metric_cases():
    cases = []
    for metric, (t, p) in MEAN_WRAPPERS.items():
        if p.endswith("32"):
            P = f"np.array({p[:-2]}, np.float32)"
        else:
            P = f"np.array({p})"
        cases.append(_upd(metric, f"np.array({t}), {P}"))
        cases.append(_upd(metric, f"np.array({t})[:2], {P}[:2]",
                          f"np.array({t})[2:], {P}[2:]"))
        if not metric.startswith(("R2Score", "F1Score", "FBetaScore")):
            cases.append(_upd(metric, f"np.array({t}), {P}, sample_weight=np.array(sw)"))
        cases.append(f"keras.metrics.{metric}.get_config()" if "MeanMetricWrapper" not in
                     metric else f"keras.metrics.{metric}.name")
    cases += [
        _upd("R2Score()", "np.array(yt), np.array(yp), sample_weight=np.array(sw)"),
        _upd("F1Score(average='macro')", "np.array(onehot), np.array(probs), "
             "sample_weight=np.array(sw)"),
        _upd("Mean()", "np.array(yt)", "np.array(yp), sample_weight=np.array(sw)"),
        _upd("Mean()", "np.array(yt), sample_weight=np.array(sw2)"),
        _upd("Sum()", "np.array(yt)", "np.array(yp), sample_weight=np.array(sw)"),
        _upd("Sum()", "np.array(yt), sample_weight=np.array(sw2)"),
        "[(m := keras.metrics.Mean()), m.update_state(np.array(yt)), m.reset_state(), "
        "m.result()][-1]",
        "[v.name for v in keras.metrics.Mean().variables]",
        "[v.name for v in keras.metrics.AUC().variables]",
        "[v.name for v in keras.metrics.R2Score().variables]",
        "keras.metrics.Mean().get_config()",
        "keras.metrics.Sum().get_config()",
        "keras.metrics.AUC().name",
        "[keras.metrics.AUC().name, keras.metrics.AUC().name, keras.metrics.Precision().name]",
        "keras.metrics.AUC(curve='pr', thresholds=[0.3, 0.6]).get_config()",
        "keras.metrics.Precision(thresholds=[0.3], top_k=2, class_id=1).get_config()",
        "keras.metrics.TruePositives(thresholds=0.3).get_config()",
        "keras.metrics.SensitivityAtSpecificity(0.4).get_config()",
        "keras.metrics.RecallAtPrecision(0.4, num_thresholds=10, class_id=2).get_config()",
        "keras.metrics.MeanIoU(3).get_config()",
        "keras.metrics.IoU(3, [0, 2]).get_config()",
        "keras.metrics.BinaryIoU().get_config()",
        "keras.metrics.OneHotMeanIoU(3).get_config()",
        "keras.metrics.OneHotIoU(3, [1]).get_config()",
        "keras.metrics.F1Score().get_config()",
        "keras.metrics.FBetaScore(beta=0.5).get_config()",
        "keras.metrics.R2Score().get_config()",
        # top_k and class_id on multi-class scores
        _upd("Precision(top_k=1)", "np.array(onehot), np.array(probs)"),
        _upd("Recall(top_k=2)", "np.array(onehot), np.array(probs)"),
        _upd("Precision(class_id=2)", "np.array(onehot), np.array(probs)"),
        _upd("Recall(class_id=1, thresholds=[0.2, 0.4])", "np.array(onehot), np.array(probs)"),
        _upd("AUC(multi_label=True)", "np.array(bin), np.array(binp)"),
        _upd("AUC(multi_label=True, label_weights=[1.0, 2.0, 0.5])",
             "np.array(bin), np.array(binp)"),
        _upd("AUC(label_weights=[1.0, 2.0, 0.5])", "np.array(bin), np.array(binp)"),
        _upd("AUC(from_logits=True)", "np.array(bin), np.array(logits)"),
        _upd("AUC()", "np.array(bin), np.array(binp), sample_weight=np.array(sw)"),
        # IoU
        _upd("MeanIoU(3)", "np.array(seg_t), np.array(seg_p)"),
        _upd("MeanIoU(3)", "np.array(seg_t), np.array(seg_p), sample_weight=np.array(w1)[:8]"),
        _upd("MeanIoU(3, ignore_class=0)", "np.array(seg_t), np.array(seg_p)"),
        _upd("MeanIoU(4)", "np.array(seg_t), np.array(seg_p)"),
        _upd("IoU(3, [1])", "np.array(seg_t), np.array(seg_p)"),
        _upd("IoU(3, [0, 2])", "np.array(seg_t), np.array(seg_p)"),
        _upd("BinaryIoU()", "np.array(b1), np.array(s1)"),
        _upd("BinaryIoU(target_class_ids=[1], threshold=0.6)", "np.array(b1), np.array(s1)"),
        _upd("OneHotMeanIoU(3)", "np.array(onehot), np.array(probs)"),
        _upd("OneHotIoU(3, [2])", "np.array(onehot), np.array(probs)"),
        "[(m := keras.metrics.MeanIoU(3)), m.update_state(np.array(seg_t), np.array(seg_p)), "
        "m.total_cm.numpy()][-1]",
        "[(m := keras.metrics.MeanIoU(3)), m.update_state(np.array(seg_t), np.array(seg_p)), "
        "m.reset_state(), m.result()][-1]",
        # errors
        "keras.metrics.Precision(thresholds=[0.5, 1.5])",
        "keras.metrics.AUC(curve='XY')",
        "keras.metrics.AUC(summation_method='trapezoid')",
        "keras.metrics.AUC(num_thresholds=1)",
        "keras.metrics.AUC(num_labels=3)",
        "keras.metrics.PrecisionAtRecall(1.5)",
        "keras.metrics.SensitivityAtSpecificity(0.5, num_thresholds=0)",
        "keras.metrics.IoU(3, [0, 3])",
        "keras.metrics.F1Score(average='median')",
        "keras.metrics.FBetaScore(beta=2)",
        "keras.metrics.FBetaScore(beta=-1.0)",
        "keras.metrics.F1Score(threshold=1.5)",
        "keras.metrics.R2Score(class_aggregation='median')",
        "keras.metrics.R2Score(num_regressors=-1)",
        _upd("R2Score()", "np.array(sparse), np.array(sparse)"),
        _upd("F1Score()", "np.array(sparse), np.array(sparse)"),
        _upd("Precision(class_id=1)", "np.array(b1), np.array(s1)"),
        "keras.metrics.get('no_such_metric')",
        # get(): class names give instances, function names the functions
        "keras.metrics.get('AUC').get_config()",
        "keras.metrics.get('mse').get_config()",
        "keras.metrics.get('top_k_categorical_accuracy').get_config()",
        "keras.metrics.get('log_cosh_error').name",
        "keras.metrics.get('binary_io_u').get_config()",
        "keras.metrics.get('logcosh')",
        "keras.metrics.serialize(keras.metrics.Precision(thresholds=0.4))",
        "keras.metrics.deserialize(keras.metrics.serialize(keras.metrics.MeanIoU(3)))"
        ".get_config()",
    ]
    # function forms
    for fn, t, p in [
                     ("pearson_correlation", "yt", "yp"),
                     ("concordance_correlation", "yt", "yp"),
                     ("binary_accuracy", "bin", "binp"),
                     ("categorical_accuracy", "onehot", "probs"),
                     ("sparse_categorical_accuracy", "sparse", "probs"),
                     ("kld", "onehot", "probs"), ("logcosh", "yt", "yp"),
                     ("poisson", "ytpos", "yppos"), ("huber", "yt", "yp")]:
        cases.append(f"keras.metrics.{fn}(np.array({t}), np.array({p}))")
    cases += [
        "keras.metrics.top_k_categorical_accuracy(np.array(onehot), "
        "np.array(logits, np.float32))",
        "keras.metrics.top_k_categorical_accuracy(np.array(onehot), "
        "np.array(logits, np.float32), k=1)",
        "keras.metrics.sparse_top_k_categorical_accuracy(np.array(sparse), "
        "np.array(logits, np.float32), k=2)",
        "keras.metrics.sparse_top_k_categorical_accuracy(np.array(sparse), "
        "np.array([[0, 2, 1], [2, 1, 0], [1, 0, 2], [0, 1, 2]]), k=2, from_sorted_ids=True)",
        "keras.metrics.pearson_correlation(np.array(yt), np.array(yp), axis=0)",
        "keras.metrics.concordance_correlation(np.array(yt), np.array(yp), axis=0)",
    ]
    # compile(metrics=[...]) + evaluate/fit: deterministic weights (ones), so the values
    # are comparable; the history keys are Keras' names
    model = ("(mdl := keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, "
             "activation='sigmoid', kernel_initializer='ones')]))")
    metrics = ("['accuracy', keras.metrics.AUC(), keras.metrics.Precision(name='prec'), "
               "keras.metrics.Recall(), 'mae', keras.metrics.RootMeanSquaredError(), "
               "keras.metrics.TruePositives(), keras.metrics.BinaryIoU()]")
    cases += [
        f"[{model}, mdl.compile('sgd', 'binary_crossentropy', metrics={metrics}), "
        "mdl.evaluate(np.array(binp) - 0.5, np.array(bin)[:, :1], verbose=0, "
        "return_dict=True)][-1]",
        f"[{model}, mdl.compile('sgd', 'binary_crossentropy', metrics={metrics}), "
        "sorted(mdl.fit(np.array(binp) - 0.5, np.array(bin)[:, :1], epochs=1, verbose=0, "
        "validation_data=(np.array(binp), np.array(bin)[:, :1])).history)][-1]",
        f"[{model}, mdl.compile('adam', keras.losses.Huber(), metrics=['mse', 'mape', "
        "keras.metrics.R2Score(), keras.metrics.LogCoshError(), keras.metrics.MeanMetricWrapper("
        "keras.losses.poisson, name='pois')]), mdl.evaluate(np.array(binp), "
        "np.array(ytpos)[:, :1], verbose=0, return_dict=True)][-1]",
        f"[{model}, mdl.compile('sgd', keras.losses.Huber(), metrics=['mse', "
        "keras.metrics.R2Score()]), sorted(mdl.fit(np.array(binp), np.array(ytpos)[:, :1], "
        "epochs=1, verbose=0).history)][-1]",
        f"[{model}, mdl.compile('sgd', 'poisson', metrics=['log_cosh_error', 'msle', 'poisson', 'kl_divergence']), "
        "mdl.evaluate(np.array(binp), np.array(ytpos)[:, :1], verbose=0, "
        "return_dict=True)][-1]",
        # a metric updated inside tf.function
        "[(m := keras.metrics.AUC()), (f := tf.function(lambda a, b: m.update_state(a, b))), "
        "f(tf.constant(b1), tf.constant(s1)), m.result()][-1]",
        "[(m := keras.metrics.MeanIoU(3)), (f := tf.function(lambda a, b: "
        "m.update_state(a, b))), f(tf.constant(seg_t), tf.constant(seg_p)), m.result()][-1]",
    ]
    return cases


OPTIMIZERS = [
    "Adamax(0.1)", "Adamax(0.05, beta_1=0.8, epsilon=1e-3)", "Adamax(0.1, weight_decay=0.1)",
    "Nadam(0.1)", "Nadam(0.01, beta_2=0.9)", "Nadam(0.1, clipnorm=0.1)",
    "Adadelta(1.0)", "Adadelta(0.5, rho=0.9, epsilon=1e-4)",
    "Ftrl(0.1)",
    "Ftrl(0.1, learning_rate_power=-0.7, initial_accumulator_value=0.2, "
    "l1_regularization_strength=0.01, l2_regularization_strength=0.02, "
    "l2_shrinkage_regularization_strength=0.01, beta=0.1)",
    "Lion(0.01)", "Lion(0.01, beta_1=0.5, beta_2=0.8)", "Lion(0.05, global_clipnorm=0.1)",
    "Lamb(0.1)", "Lamb(0.01, beta_1=0.8, epsilon=1e-4)",
    "Adafactor(0.1)", "Adafactor(0.5, relative_step=False, clip_threshold=0.5)",
    "Adafactor(0.05, beta_2_decay=-0.5, epsilon_2=1e-2)",
    "Adamax(learning_rate=keras.optimizers.schedules.CosineDecay(0.1, 3))",
    "Lion(learning_rate=keras.optimizers.schedules.PiecewiseConstantDecay([1], [0.1, 0.01]))",
    "Adafactor(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.3, 1, 0.5))",
]
SCHEDULES = [
    "ExponentialDecay(0.1, 3, 0.5)",
    "PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1])",
    "PiecewiseConstantDecay([3], [0.2, 0.05])",
    "PolynomialDecay(0.1, 10)", "PolynomialDecay(0.1, 4, end_learning_rate=0.01, power=2.0)",
    "PolynomialDecay(0.1, 4, cycle=True)",
    "InverseTimeDecay(0.1, 5, 0.5)", "InverseTimeDecay(0.1, 3, 1.0, staircase=True)",
    "CosineDecay(0.1, 10)", "CosineDecay(0.1, 8, alpha=0.1)",
    "CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=4)",
    "CosineDecayRestarts(0.1, 4)", "CosineDecayRestarts(0.1, 3, t_mul=1.0, m_mul=0.5)",
    "CosineDecayRestarts(0.1, 2, t_mul=1.5, m_mul=0.8, alpha=0.05)",
]


def optimizer_cases():
    cases = []
    for o in OPTIMIZERS:
        for w, g in (("ow2", "og2"), ("ow1", "og1")):
            cases.append(f"[(v := tf.Variable(np.array({w}, np.float32))), "
                         f"(o := keras.optimizers.{o}), "
                         f"np.stack([(o.apply_gradients([(tf.constant(np.array(x, np.float32)), "
                         f"v)]), v.numpy())[1] for x in {g}])][-1]")
        cases.append(f"[(v := tf.Variable(np.array(ow2, np.float32))), "
                     f"(o := keras.optimizers.{o}), o.build([v]), "
                     f"(f := tf.function(lambda x: o.apply_gradients([(x, v)]))), "
                     f"np.stack([(f(tf.constant(np.array(x, np.float32))), v.numpy())[1] "
                     f"for x in og2])][-1]")
        if "schedules" not in o:
            cases.append(f"keras.optimizers.{o}.get_config()")
    for name in ("Adamax", "Nadam", "Adadelta", "Ftrl", "Lion", "Lamb", "Adafactor"):
        cases.append(f"keras.optimizers.{name}().get_config()")
        if name != "Lamb":     # Keras' get() and deserialize() do not know Lamb
            cases.append(f"keras.optimizers.get({name.lower()!r}).get_config()")
            cases.append(f"keras.optimizers.deserialize(keras.optimizers.serialize("
                         f"keras.optimizers.{name}(0.3))).get_config()")
        cases.append(f"[(v := tf.Variable(np.array(ow2, np.float32))), "
                     f"(o := keras.optimizers.{name}()), o.build([v]), "
                     f"[tuple(x.shape) for x in o.variables]][-1]")
    for sch in SCHEDULES:
        cases.append(f"[(s := keras.optimizers.schedules.{sch}), "
                     "np.array([s(i) for i in [0, 1, 2, 3, 4, 5, 7, 10, 13, 25]])][-1]")
        cases.append(f"keras.optimizers.schedules.{sch}.get_config()")
        cases.append(f"keras.optimizers.schedules.serialize(keras.optimizers.schedules.{sch})")
    cases += [
        "keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize("
        "keras.optimizers.schedules.CosineDecay(0.1, 10, alpha=0.2))).get_config()",
        "keras.optimizers.Nadam(learning_rate=keras.optimizers.schedules.PolynomialDecay("
        "0.1, 10)).get_config()",
        # a model trained with the new optimizers (deterministic weights)
    ]
    for o in ("Nadam(0.1)", "Adamax(0.1)", "Ftrl(0.5)", "Lion(0.01)", "Adadelta(1.0)",
              "Lamb(0.1)", "Adafactor(0.1)",
              "Adamax(keras.optimizers.schedules.CosineDecayRestarts(0.1, 2))"):
        cases.append("[(mdl := keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, "
                     "kernel_initializer='ones')])), "
                     f"mdl.compile(keras.optimizers.{o}, 'mse'), "
                     "mdl.fit(np.array(binp), np.array(yt)[:, :2], batch_size=2, epochs=2, "
                     "shuffle=False, verbose=0), "
                     "np.concatenate([w.ravel() for w in mdl.get_weights()])][-1]")
    lso = ("(o := keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.1), "
           "initial_scale=4.0, dynamic_growth_steps=2))")
    grads = "[[4.0, 8.0], [np.inf, 1.0], [2.0, 2.0], [4.0, 4.0], [np.nan, 0.0], [1.0, 3.0]]"
    state = ("np.concatenate([v.numpy(), [o.dynamic_scale.numpy(), o.step_counter.numpy(), "
             "o.iterations.numpy()]])")
    cases += [
        f"[(v := tf.Variable([1.0, 2.0])), {lso}, np.stack([(o.apply_gradients("
        f"[(tf.constant(g, tf.float32), v)]), {state})[1] for g in {grads}])][-1]",
        f"[(v := tf.Variable([1.0, 2.0])), {lso}, o.build([v]), "
        "(f := tf.function(lambda g: o.apply_gradients([(g, v)]))), "
        f"np.stack([(f(tf.constant(g, tf.float32)), {state})[1] for g in {grads}])][-1]",
        f"[{lso}, o.scale_loss(tf.constant(1.5))][-1]",
        f"[{lso}, o.get_config()][-1]",
        f"[{lso}, o.learning_rate.numpy()][-1]",
        f"[{lso}, keras.optimizers.deserialize(keras.optimizers.serialize(o)).get_config()][-1]",
        "keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)",
        "keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), clipnorm=1.0)",
        "keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), foo=1, bar=2)",
    ]
    cases += [
        "keras.optimizers.Lion(beta_1=0.0)",
        "keras.optimizers.Ftrl(initial_accumulator_value=-1.0)",
        "keras.optimizers.Ftrl(learning_rate_power=0.5)",
        "keras.optimizers.Ftrl(l1_regularization_strength=-1.0)",
        "keras.optimizers.Ftrl(l2_regularization_strength=-1.0)",
        "keras.optimizers.Ftrl(l2_shrinkage_regularization_strength=-1.0)",
        "keras.optimizers.Nadam(lr=0.1)",
        "keras.optimizers.Adamax(clipnorm=1.0, clipvalue=1.0)",
        "keras.optimizers.get('no_such_optimizer')",
        "keras.optimizers.get('lamb')",
        "keras.optimizers.schedules.PiecewiseConstantDecay([1, 2], [1.0])",
        "keras.optimizers.schedules.CosineDecay(0.1, 0)",
        "keras.optimizers.schedules.PolynomialDecay(0.1, -1)",
        "keras.optimizers.schedules.InverseTimeDecay(0.1, 0, 0.5)",
        "keras.optimizers.schedules.CosineDecayRestarts(0.1, 0)",
    ]
    return cases


def run(cases, env):
    out = []
    for expr in cases:
        env["keras"].backend.clear_session()    # metric names count from 0 again
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
    env = {"keras": tf.keras, "np": np, "tf": tf, **DATA}
    record = {"tensorflow": tf.__version__, "keras": tf.keras.__version__, "data": DATA,
              "losses": run(loss_cases(), env), "metrics": run(metric_cases(), env),
              "optimizers": run(optimizer_cases(), env)}
    with open(OUT, "w") as f:
        json.dump(record, f, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
