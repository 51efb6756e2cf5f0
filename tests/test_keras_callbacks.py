"""Keras callbacks and regularizers in fit. Every expected value below was measured with
Keras 3.15 (TF 2.21) running the same code (callbacks driven epoch by epoch with fixed logs,
or a deterministic full-batch SGD fit)."""
import glob
import os
import struct

import numpy as np
import pytest

import tfteach as tf

pytestmark = pytest.mark.mode("v2")

keras = tf.keras
C = keras.callbacks

SEQ = [1.0, 0.8, 0.79995, 0.9, 0.7, 0.71, 0.72, 0.69, 0.75, 0.8, 0.9, 1.0]
ACC = [0.1, 0.5, 0.5, 0.4, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7]


def _model():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(keras.optimizers.SGD(0.5), "mse", metrics=["mae", "accuracy"])
    return m


def _drive(cb):
    """Epochs with fixed logs; the kernel is set to the epoch number so restored weights
    show which epoch they came from."""
    m = _model()
    cb.set_model(m)
    m.stop_training = False
    cb.on_train_begin()
    lrs = []
    for e, (v, a) in enumerate(zip(SEQ, ACC)):
        m.set_weights([np.full((2, 1), e, "float32"), np.zeros(1, "float32")])
        logs = {"loss": v, "val_loss": v, "val_accuracy": a, "val_mae": v}
        cb.on_epoch_begin(e)
        cb.on_epoch_end(e, logs)
        lrs.append(round(float(m.optimizer.learning_rate.numpy()), 8))
        if m.stop_training:
            break
    cb.on_train_end()
    return len(lrs), lrs, float(m.get_weights()[0][0, 0])


@pytest.mark.parametrize("kwargs,epochs,weight", [
    (dict(patience=2), 7, 6.0),
    (dict(patience=2, min_delta=0.05), 4, 3.0),
    (dict(patience=3, restore_best_weights=True), 11, 7.0),
    (dict(patience=2, baseline=0.75), 4, 3.0),
    (dict(patience=1, start_from_epoch=4, restore_best_weights=True), 6, 4.0),
    (dict(monitor="val_accuracy", patience=2, mode="max"), 4, 3.0),
    (dict(monitor="val_mae", patience=1, mode="min"), 4, 3.0),
])
def test_early_stopping_matches_keras(kwargs, epochs, weight):
    n, _, w = _drive(C.EarlyStopping(**kwargs))
    assert (n, w) == (epochs, weight)


def test_monitor_auto_mode_errors_as_keras():
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        _drive(C.EarlyStopping(monitor="val_accuracy", patience=2))


def test_reduce_lr_on_plateau_matches_keras():
    assert _drive(C.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=1, min_lr=0.1))[1] == \
        [0.5, 0.5, 0.25, 0.125, 0.125, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    assert _drive(C.ReduceLROnPlateau(factor=0.2, patience=2, min_delta=0.05))[1] == \
        [0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.02, 0.02, 0.004, 0.004, 0.0008, 0.0008]
    with pytest.raises(ValueError, match="factor >= 1.0"):
        C.ReduceLROnPlateau(factor=1.5)


X = np.array([[0., 1.], [1., 0.], [1., 1.], [0., 0.]], "float32")
Y = np.array([[1.], [2.], [3.], [0.5]], "float32")


def _fit_model():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    m.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    return m


def test_checkpoint_scheduler_csv_in_fit(tmp_path):
    d = str(tmp_path)
    m = _fit_model()
    h = m.fit(X, Y, batch_size=4, epochs=6, shuffle=False, verbose=0,
              validation_data=(X[:2], Y[:2]), callbacks=[
                  C.ModelCheckpoint(os.path.join(d, "m-{epoch:02d}-{val_loss:.3f}.keras"),
                                    save_best_only=True),
                  C.ModelCheckpoint(os.path.join(d, "w.weights.h5"), save_weights_only=True,
                                    monitor="val_mae", mode="min", save_best_only=True),
                  C.LearningRateScheduler(lambda e, lr: lr * 0.5 if e >= 2 else lr),
                  C.CSVLogger(os.path.join(d, "log.csv"))])
    keras_hist = {
        "loss": [3.5625, 1.80937, 0.98438, 0.77002, 0.68982, 0.65485],
        "mae": [1.625, 1.075, 0.72125, 0.62947, 0.60976, 0.60269],
        "val_loss": [1.12812, 0.53569, 0.39554, 0.34574, 0.32461, 0.31486],
        "val_mae": [0.95, 0.57625, 0.44941, 0.43447, 0.43175, 0.4304],
        "learning_rate": [0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625]}
    assert set(h.history) == set(keras_hist)
    for k, v in keras_hist.items():
        np.testing.assert_allclose(h.history[k], v, atol=2e-5)
    assert sorted(os.listdir(d)) == [
        "log.csv", "m-01-1.128.keras", "m-02-0.536.keras", "m-03-0.396.keras",
        "m-04-0.346.keras", "m-05-0.325.keras", "m-06-0.315.keras", "w.weights.h5"]
    lines = open(os.path.join(d, "log.csv")).read().splitlines()
    assert lines[0] == "epoch,learning_rate,loss,mae,val_loss,val_mae" and len(lines) == 7
    w = _fit_model()
    w.load_weights(os.path.join(d, "w.weights.h5"))
    np.testing.assert_allclose(w.get_weights()[0].ravel(), [0.55149, 0.4123], atol=2e-5)


def test_checkpoint_filename_errors():
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        C.ModelCheckpoint("x.h5", save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        C.ModelCheckpoint("x.ckpt")
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        C.ModelCheckpoint("{nope}.keras")._get_file_path(0, None, {"loss": 1.0})


def test_terminate_on_nan_and_lambda():
    y = Y.copy()
    y[0] = np.nan
    seen = []
    m = _fit_model()
    h = m.fit(X, y, batch_size=2, epochs=3, shuffle=False, verbose=0,
              callbacks=[C.TerminateOnNaN(),
                         C.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
    assert len(h.history["loss"]) == 1 and seen == [0]
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        _fit_model().fit(X, y, batch_size=2, epochs=1, shuffle=False, verbose=0,
                         callbacks=[C.TerminateOnNaN(raise_error=True)])


def _events(logdir):
    (name,) = [n for n in os.listdir(logdir) if n.startswith("events.out.tfevents.")]
    data = open(os.path.join(logdir, name), "rb").read()
    from tensorboardX.proto import event_pb2
    out, i = [], 0
    while i < len(data):
        n = struct.unpack("<Q", data[i:i + 8])[0]
        ev = event_pb2.Event()
        ev.ParseFromString(data[i + 12:i + 12 + n])
        out.extend((v.tag, ev.step) for v in ev.summary.value)
        i += 12 + n + 4
    return sorted(out)


def test_tensorboard_writes_keras_tags(tmp_path):
    pytest.importorskip("tensorboardX")
    m = _fit_model()
    m.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0,
          validation_data=(X[:2], Y[:2]), callbacks=[C.TensorBoard(str(tmp_path))])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    # Tags and steps as Keras 3.15's TensorBoard callback writes them.
    assert _events(str(tmp_path / "train")) == sorted(
        (f"epoch_{k}", e) for k in ("learning_rate", "loss", "mae") for e in (0, 1))
    assert _events(str(tmp_path / "validation")) == sorted(
        [(f"epoch_{k}", e) for k in ("loss", "mae") for e in (0, 1)]
        + [(f"evaluation_{k}_vs_iterations", s) for k in ("loss", "mae") for s in (2, 4)])
    with pytest.raises(NotImplementedError, match="histogram_freq"):
        C.TensorBoard(str(tmp_path), histogram_freq=1)


# --- regularizers ----------------------------------------------------------------------------

W = [[[-0.5280049443244934, 0.794081449508667], [0.9604876041412354, -0.34344756603240967],
      [-1.026512622833252, -0.8537018299102783]], [1.0, 1.0],
     [[0.25812482833862305], [-0.2762618064880371]], [0.0]]


def test_regularizers_losses_and_one_sgd_step_match_keras():
    R = keras.regularizers
    m = keras.Sequential([
        keras.Input((3,)),
        keras.layers.Dense(2, kernel_regularizer=R.l2(0.1), bias_regularizer=R.l1(0.2),
                           activity_regularizer=R.l1(0.05)),
        keras.layers.Dense(1, kernel_regularizer=R.L1L2(0.01, 0.02))])
    m.set_weights([np.array(w, np.float32) for w in W])
    x = np.arange(12, dtype="float32").reshape(4, 3) / 10
    y = np.ones((4, 1), "float32")
    np.testing.assert_allclose([float(v) for v in m.losses],
                               [0.3732382357120514, 0.4000000059604645, 0.00820284616202116],
                               rtol=1e-6)
    m(x)       # the activity penalty (divided by the batch size) comes first
    np.testing.assert_allclose([float(v) for v in m.losses],
                               [0.06184835359454155, 0.3732382357120514, 0.4000000059604645,
                                0.00820284616202116], rtol=1e-6)
    m.compile(keras.optimizers.SGD(0.1), "mse")
    assert m.evaluate(x, y, verbose=0) == pytest.approx(1.8607064485549927, rel=1e-6)
    h = m.fit(x, y, batch_size=4, verbose=0, shuffle=False)
    assert h.history["loss"][0] == pytest.approx(1.8607064485549927, rel=1e-6)
    keras_after = [[[-0.496020644903183, 0.7506121397018433],
                    [0.9674088358879089, -0.37023887038230896],
                    [-0.975144624710083, -0.8763606548309326]],
                   [1.0270675420761108, 0.9192739725112915],
                   [[0.3812866806983948], [-0.15077869594097137]], [0.20171454548835754]]
    for a, b in zip(m.get_weights(), keras_after):
        np.testing.assert_allclose(a, np.array(b, np.float32), atol=1e-6)
    assert m.train_on_batch(x, y) == pytest.approx(1.1831767559051514, rel=1e-5)


def test_regularizer_api():
    R = keras.regularizers
    assert R.l1().get_config() == {"l1": 0.009999999776482582}
    assert R.l2().get_config() == {"l2": 0.01}
    assert R.l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert R.get("l2").get_config() == {"l2": 0.01}
    assert R.get({"class_name": "L1", "config": {"l1": 0.5}}).get_config() == {"l1": 0.5}
    assert float(R.l2(0.1)(tf.ones((2, 2)))) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="expected a non-negative float"):
        R.L2(-1)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: foo"):
        R.get("foo")
    with pytest.raises(NotImplementedError, match="constraint"):
        keras.layers.Dense(2, kernel_constraint=lambda w: w)
    lstm = keras.layers.LSTM(2, recurrent_regularizer="l2")
    lstm(np.ones((1, 3, 2), np.float32))
    assert len(lstm.losses) == 1


def test_checkpoint_save_freq_counts_batches_across_epochs(tmp_path):
    # Measured in Keras 3.15: 4 batches an epoch, save_freq=3 -> batches 3, 6, 9, 12.
    d = str(tmp_path)
    _fit_model().fit(X, Y, batch_size=1, epochs=3, shuffle=False, verbose=0,
                     validation_data=(X[:2], Y[:2]),
                     callbacks=[C.ModelCheckpoint(os.path.join(d, "b-{epoch}-{batch}.keras"),
                                                  save_freq=3)])
    assert sorted(os.listdir(d)) == ["b-1-3.keras", "b-2-2.keras", "b-3-1.keras",
                                     "b-3-4.keras"]


def test_lambda_callback_gets_logs_dicts_and_nan_stops_mid_epoch():
    seen = []
    _fit_model().fit(X, Y, batch_size=2, epochs=1, shuffle=False, verbose=0, callbacks=[
        C.LambdaCallback(on_train_begin=lambda logs: seen.append(("tb", logs)),
                         on_train_end=lambda logs: seen.append(("te", sorted(logs))))])
    assert seen == [("tb", {}), ("te", ["loss", "mae"])]
    y = Y.copy()
    y[0] = np.nan
    batches = []
    _fit_model().fit(X, y, batch_size=2, epochs=1, shuffle=False, verbose=0, callbacks=[
        C.TerminateOnNaN(),
        C.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))])
    assert batches == [0]     # Keras leaves the epoch at once
