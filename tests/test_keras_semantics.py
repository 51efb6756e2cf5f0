"""Keras 3 semantics beyond the basics (issue 13): optimizer options, metrics and losses in
tf.function, weights tracking and trainability, loss reductions, model.summary(). Every
expected value and text is Keras 3.15's (with TF 2.21), recorded by tools/record_tf2sem.py
into tests/data/tf2sem_tf221.json."""
import json
import os

import numpy as np
import pytest

with open(os.path.join(os.path.dirname(__file__), "data", "tf2sem_tf221.json")) as _f:
    TF = json.load(_f)


def _f32(x):
    return np.asarray(x, np.float32).ravel().tolist()


@pytest.mark.parametrize("i", range(len(TF["keras_options"])))
@pytest.mark.parametrize("mode", ["eager", "function"])
def test_optimizer_options_trajectory(tf2, i, mode):
    """amsgrad, clipnorm, clipvalue, global_clipnorm, weight_decay (and AdamW): four steps
    bit for bit as Keras 3 takes them."""
    name, kw, want = TF["keras_options"][i]
    # an elementwise loss: the gradients involve no reduction, so only the optimizer's
    # arithmetic is compared
    a = np.array([1.5, 0.7, 2.0], np.float32)
    c = np.array([-0.4, 0.9, 0.25], np.float32)
    w = tf2.Variable(np.array([0.5, -0.3, 0.8], np.float32))
    b = tf2.Variable(np.array([0.1], np.float32))
    opt = getattr(tf2.keras.optimizers, name)(**kw)

    def step():
        with tf2.GradientTape() as t:
            loss = tf2.reduce_sum(w * w * a + w * c) + tf2.reduce_sum((b - 1.0) ** 2)
        gs = t.gradient(loss, [w, b])
        opt.apply_gradients(zip(gs, [w, b]))
    if mode == "function":
        step = tf2.function(step)
    for _ in range(4):
        step()
    # TF's graph optimizer (grappler) reassociates some float arithmetic of a traced
    # function, so TF's own tf.function run can differ from its eager run by an ulp;
    # tfteach runs the ops as written: both modes equal TF's eager trajectory bit for bit.
    assert [_f32(w), _f32(b)] == want["eager"]
    np.testing.assert_allclose(_f32(w) + _f32(b), want[mode][0] + want[mode][1], rtol=1e-5)


def test_only_one_clipping_option(tf2):
    with pytest.raises(ValueError) as e:
        tf2.keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    assert str(e.value) == TF["keras_clip_conflict"]
