"""Keras 3's Adam inside tf.function: the graph keeps Keras' ops, the plan runs each variable's
update as one kernel (runtime/epilogue.find_update_groups). The kernel must give the ops'
results bit for bit: the oracle here is NumPy float32, one correctly rounded operation at a
time in Keras' order (what TF's element-wise kernels compute), at sizes on both sides of the
kernel's parallel threshold. tests/test_keras_semantics.py pins the same path to TF's
recorded trajectories."""
import numpy as np
import pytest

pytestmark = pytest.mark.mode("v2")

F = np.float32


def _keras_adam_numpy(w, grads, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
    """Keras 3's Adam in float32, op by op."""
    w = w.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step, g in enumerate(grads, 1):
        b1p = F(b1) ** F(step)
        b2p = F(b2) ** F(step)
        alpha = F(lr) * np.sqrt(F(1) - b2p) / (F(1) - b1p)
        m = m + (g - m) * F(1 - b1)
        v = v + (np.square(g) - v) * F(1 - b2)
        w = w - (m * alpha) / (np.sqrt(v) + F(eps))
    return w, m, v


def _groups(fn, *args):
    plan = fn.get_concrete_function(*args)._plan[0]
    return [g for g in plan.epilogues if getattr(g, "needs_ctx", False)]


@pytest.mark.parametrize("n", [7, 1_500_000])   # one thread / the parallel loop
def test_traced_keras_adam_is_one_kernel_per_variable_bit_exact(tf2, n):
    rng = np.random.default_rng(n)
    w0 = rng.standard_normal(n).astype(F)
    b0 = rng.standard_normal(3).astype(F)
    gs = [rng.standard_normal(n).astype(F) for _ in range(3)]
    gb = [rng.standard_normal(3).astype(F) * F(1e-3) for _ in range(3)]
    w, b = tf2.Variable(w0), tf2.Variable(b0)
    opt = tf2.keras.optimizers.Adam(0.01)

    @tf2.function
    def step(g1, g2):
        opt.apply_gradients([(g1, w), (g2, b)])

    for i in range(3):
        step(tf2.constant(gs[i]), tf2.constant(gb[i]))
    groups = step.get_concrete_function(tf2.constant(gs[0]), tf2.constant(gb[0]))._plan[0].epilogues
    fused = [g for g in groups if getattr(g, "needs_ctx", False)]
    assert len(fused) == 2 and {g.root.type for g in fused} == {"AssignSubVariableOp"}
    want_w, want_m, want_v = _keras_adam_numpy(w0, gs)
    np.testing.assert_array_equal(w.numpy(), want_w)
    np.testing.assert_array_equal(opt.variables[2].numpy(), want_m)   # after iteration, learning_rate
    np.testing.assert_array_equal(opt.variables[3].numpy(), want_v)
    np.testing.assert_array_equal(b.numpy(), _keras_adam_numpy(b0, gb)[0])


def test_graph_keeps_keras_ops(tf2):
    """What the graph shows (and what is saved) is Keras' op sequence, not the fusion."""
    w = tf2.Variable(np.ones(4, F))
    opt = tf2.keras.optimizers.Adam(0.01)

    @tf2.function
    def step():
        opt.apply_gradients([(tf2.constant(np.full(4, 0.5, F)), w)])
    step()
    types = [o.type for o in step.get_concrete_function().graph.get_operations()]
    assert types.count("AssignAddVariableOp") == 3 and types.count("AssignSubVariableOp") == 1
    assert "ResourceApplyAdam" not in types
    assert len(_groups(step)) == 1


def test_intermediate_seen_outside_is_not_fused(tf2):
    """A function returning the momentum read inside the update keeps the plain ops: the
    fused kernel would not produce that intermediate value."""
    w = tf2.Variable(np.ones(4, F))
    opt = tf2.keras.optimizers.Adam(0.01)
    g0 = np.array([0.5, -1.0, 2.0, 0.25], F)

    @tf2.function
    def step():
        opt.apply_gradients([(tf2.constant(g0), w)])
        # the update's last RealDiv (m * alpha / (sqrt(v) + eps)) as the function's output
        ops = tf2.compat.v1.get_default_graph().get_operations()
        return [o for o in ops if o.type == "RealDiv"][-1].outputs[0]
    out = step()
    assert _groups(step) == []
    want_w, want_m, want_v = _keras_adam_numpy(np.ones(4, F), [g0])
    np.testing.assert_array_equal(w.numpy(), want_w)
    alpha = F(0.01) * np.sqrt(F(1) - F(0.999)) / (F(1) - F(0.9))
    np.testing.assert_array_equal(out.numpy(), (want_m * alpha) / (np.sqrt(want_v) + F(1e-7)))


def test_float64_variable_fused_and_exact(tf2):
    w0 = np.linspace(-1, 1, 9)
    g0 = np.cos(w0 * 3)
    w = tf2.Variable(w0)
    opt = tf2.keras.optimizers.Adam(0.05)

    @tf2.function
    def step(g):
        opt.apply_gradients([(g, w)])
    step(tf2.constant(g0))
    step(tf2.constant(g0 * 2))
    m = np.zeros(9)
    v = np.zeros(9)
    want = w0.copy()
    lr = float(np.float32(0.05))     # the learning_rate variable is float32, cast up
    for s, g in enumerate([g0, g0 * 2], 1):
        alpha = lr * np.sqrt(1 - 0.999 ** s) / (1 - 0.9 ** s)
        m = m + (g - m) * (1 - 0.9)
        v = v + (g * g - v) * (1 - 0.999)
        want = want - (m * alpha) / (np.sqrt(v) + 1e-7)
    assert len(_groups(step, tf2.constant(g0))) == 1
    np.testing.assert_array_equal(w.numpy(), want)


def test_training_step_that_reads_the_variable_first_is_fused(tf2):
    """The usual train step reads each variable in the forward pass, so the function's
    automatic control dependencies make its update wait for that read; the read runs
    earlier in the plan anyway, so the update is still one kernel, with Keras's values.
    loss = sum(w * x) has gradient x: the trajectory is the NumPy Adam of constant x."""
    x = np.array([0.5, -1.0, 2.0, 0.25], F)
    w0 = np.array([1.0, 2.0, -3.0, 0.5], F)
    w = tf2.Variable(w0)
    opt = tf2.keras.optimizers.Adam(0.01)
    xt = tf2.constant(x)

    @tf2.function
    def step():
        with tf2.GradientTape() as tape:
            loss = tf2.reduce_sum(w * xt)
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
        return loss

    for _ in range(3):
        step()
    graph = step.get_concrete_function().graph
    assert "NoOp" in [o.type for o in graph.get_operations()]   # TF's automatic control deps
    assert len(_groups(step)) == 1
    np.testing.assert_array_equal(w.numpy(), _keras_adam_numpy(w0, [x, x, x])[0])
