# %% [markdown] id=title
# # 22 · Control flow inside a graph: `tf.cond` and `tf.while_loop`
#
# **Goal:** make a graph choose and repeat. A Python `if` or `for` runs once, while the graph is
# being *built*; to decide or loop each time the graph *runs*, the decision has to be an
# operation in the graph. TensorFlow 1 builds these operations out of a handful of dataflow
# primitives, and differentiates through them like through any other op.
#
# **You will meet:** `tf.cond` and its `Switch`/`Merge` ops, *dead* values, side effects in a
# branch, `tf.while_loop` and its frame (`Enter`, `Merge`, `Switch`, `NextIteration`,
# `Exit`), gradients through both, and the same ideas in TF2's `tf.function`.

# %% id=import
%load_ext tfteach
import numpy as np
import tfteach.v1 as tf
from tfteach.magics import SessionStepper

# %% [markdown] id=python-if-intro
# ## 1. A Python `if` decides once
#
# Below, `x` is a placeholder: its value is only known when the graph runs. Python's `if`
# needs a `bool` *now*, while we are still building the graph, so it cannot look at `x`:

# %% id=python-if
tf.reset_default_graph()
x = tf.placeholder(tf.float32, shape=[], name="x")
try:
    if x > 0:
        y = x
except TypeError as err:
    print("TypeError:", err)
tf.reset_default_graph()

# %% [markdown] id=cond-intro
# ## 2. `tf.cond`: a branch chosen at run time
#
# `tf.cond(pred, true_fn, false_fn)` calls **both** Python functions once, building both
# branches into the graph, and adds the machinery that picks one of them each time the graph
# runs. Here is an absolute value written with it:

# %% id=cond-graph
%%graph --default
x = tf.placeholder(tf.float32, shape=[], name="x")
y = tf.cond(x > 0, lambda: x * 1.0, lambda: -x, name="abs")

# %% [markdown] id=cond-ops-intro
# Read the drawing from the bottom:
#
# * `abs/Switch` takes the predicate twice and sends it out of **one** of its two outputs
#   (`output_true` or `output_false`). The other output is **dead**: it carries no value.
# * Every tensor a branch uses from outside (here `x`) passes through its own `Switch`, so it
#   reaches only the branch that is taken.
# * An op with a dead input does not run, and its outputs are dead too. Deadness flows down the
#   untaken branch until it reaches `abs/Merge`, which forwards whichever input is alive.

# %% id=cond-ops
for op in tf.get_default_graph().get_operations():
    print(f"{op.name:22s} {op.type}")

# %% id=cond-run
sess = tf.Session()
print(sess.run(y, feed_dict={x: 3.0}), sess.run(y, feed_dict={x: -2.5}))

# %% [markdown] id=cond-steps-intro
# The stepper shows which ops actually ran. With a positive `x`, the false branch's `Switch`
# runs (it is what routes `x` away from that branch), but `abs/Neg` itself never does; with a
# negative `x` it is the other way round:

# %% id=cond-steps
for value in [3.0, -2.5]:
    run = SessionStepper(sess, y, feed_dict={x: value})
    print(value, [step.op.name for step in run.steps if step.op.name.startswith("abs/")])

# %% [markdown] id=side-effects-intro
# ## 3. Side effects happen only in the taken branch
#
# Because an op in the untaken branch never runs, a stateful op placed there (an `assign`)
# does not happen. This is how a TF1 graph does "update this variable only if ...":

# %% id=side-effects
tf.reset_default_graph()
flag = tf.placeholder(tf.bool, shape=[], name="flag")
counter = tf.Variable(0, name="counter")
step = tf.cond(flag, lambda: tf.assign_add(counter, 1), lambda: tf.identity(counter))
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for f in [True, False, True, True, False]:
        s.run(step, feed_dict={flag: f})
    print("counter =", s.run(counter))

# %% [markdown] id=cond-grad-intro
# ## 4. Gradients through a branch
#
# `tf.gradients` differentiates a `cond` branch by branch: the gradient flows back through the
# `Merge` into the branch that was taken (and zeros into the other), so the derivative of our
# absolute value is the sign of `x`:

# %% id=cond-grad
tf.reset_default_graph()
x = tf.placeholder(tf.float32, shape=[], name="x")
y = tf.cond(x > 0, lambda: x * x, lambda: -3.0 * x)
(dy_dx,) = tf.gradients(y, x)
with tf.Session() as s:
    for v in [2.0, -1.0]:
        print(f"x = {v:5.1f}   y = {s.run(y, {x: v}):5.1f}   dy/dx = {s.run(dy_dx, {x: v}):5.1f}")
tf.reset_default_graph()

# %% [markdown] id=while-intro
# ## 5. `tf.while_loop`: repeating at run time
#
# Lesson 10 said ordinary ops cannot form a cycle, so a Python loop is *unrolled* into a chain
# of ops. That fixes the number of repetitions when the graph is built. `tf.while_loop(cond, body,
# loop_vars)` instead repeats `body` as long as `cond` holds, with the count known only at run
# time. Here it computes `base ** n` by repeated multiplication, for an `n` that is fed:

# %% id=while-graph
%%graph --default
base = tf.placeholder(tf.float32, shape=[], name="base")
n = tf.placeholder(tf.int32, shape=[], name="n")
i, power = tf.while_loop(lambda i, p: i < n,
                         lambda i, p: (i + 1, p * base),
                         [tf.constant(0), tf.constant(1.0)])

# %% [markdown] id=while-ops-intro
# The loop is a *frame*:
#
# * `while/Enter` brings each loop variable into the frame; outside tensors used inside
#   (`base`, `n`) enter once, as constants of the frame.
# * `while/Merge` takes the entering value on the first iteration and the value coming back from
#   `while/NextIteration` afterwards: that back edge is the one cycle TensorFlow allows.
# * `while/LoopCond` holds the condition; `while/Switch` sends the values either into the body
#   (condition true) or out through `while/Exit` (condition false).

# %% id=while-run
with tf.Session() as s:
    for nv in [0, 3, 10]:
        print(f"2 ** {nv:2d} =", s.run(power, feed_dict={base: 2.0, n: nv}))

# %% [markdown] id=while-grad-intro
# ## 6. Gradients through a loop
#
# To differentiate a loop, `tf.gradients` builds a second loop that runs **backwards** the same
# number of times. The backward loop needs the values each forward iteration saw, so the
# forward loop now also pushes them on a stack (`StackPushV2`) and the backward loop pops them
# (`StackPopV2`). For `power = base ** n` the derivative is `n * base ** (n - 1)`:

# %% id=while-grad
(d_base,) = tf.gradients(power, base)
with tf.Session() as s:
    print(s.run([power, d_base], feed_dict={base: 2.0, n: 5}))
types = sorted({op.type for op in tf.get_default_graph().get_operations()
                if op.name.startswith("gradients")})
print([t for t in types if t.startswith("Stack")])

# %% [markdown] id=tf2-intro
# ## 7. The same in TF2
#
# In TF2, code runs eagerly and a Python `if` on a tensor simply works, because the tensor has a
# value. Inside a `tf.function` the trace needs the graph form again: `tf.cond` and
# `tf.while_loop` build the same dataflow as above when their condition is only known at run
# time, and `GradientTape` differentiates through them.

# %% id=tf2
tf.enable_v2_behavior()          # TF2 from here: eager execution
import tfteach as tf2


@tf2.function
def clipped_square(v):
    return tf2.cond(v > 2.0, lambda: 4.0 + 4.0 * (v - 2.0), lambda: v * v)


v = tf2.Variable(3.0)
with tf2.GradientTape() as tape:
    out = clipped_square(v)
print(float(out), float(tape.gradient(out, v)))
print(sorted({op.type for op in clipped_square.get_concrete_function(
    tf2.TensorSpec([], tf2.float32)).graph.get_operations()} & {"Switch", "Merge"}))
tf.disable_v2_behavior()         # the exercises are TF1 graphs again

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Build `relu_like = tf.cond(...)` on the placeholder `z` below, giving `z` when
# `z > 0` and `0.1 * z` otherwise (a "leaky" ReLU). Store the tensor in `answer_1`.

# %% id=ex1
tf.reset_default_graph()
z = tf.placeholder(tf.float32, shape=[], name="z")
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(t):
    expect(isinstance(t, tf.Tensor), "answer_1 should be the tensor tf.cond returns, not a number")
    expect(t.op.type == "Merge", "use tf.cond: its result comes out of a Merge op")
    with tf.Session() as s:
        expect(abs(s.run(t, {z: 5.0}) - 5.0) < 1e-6, "for z > 0 the result should be z itself")
        expect(abs(s.run(t, {z: -5.0}) + 0.5) < 1e-6, "for z <= 0 the result should be 0.1 * z")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** With `tf.while_loop`, compute the sum `1 + 2 + ... + m` for the placeholder
# `m`. Store the sum tensor (an int32 scalar) in `answer_2`.

# %% id=ex2
m = tf.placeholder(tf.int32, shape=[], name="m")
answer_2 = ...

# %% id=ex2-check
def check_2(t):
    expect(isinstance(t, tf.Tensor), "answer_2 should be the sum tensor, not a number")
    expect(any(op.type == "LoopCond" for op in t.graph.get_operations()), "use tf.while_loop")
    expect(t.dtype == tf.int32, "keep the sum an int32 scalar")
    with tf.Session() as s:
        for mv in [0, 1, 10, 100]:
            expect(s.run(t, {m: mv}) == mv * (mv + 1) // 2, f"wrong sum for m = {mv}: does the "
                                                             "loop stop after adding m?")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = tf.cond(z > 0, lambda: z * 1.0, lambda: 0.1 * z)
print(check(1, check_1, answer_1))
_, answer_2 = tf.while_loop(lambda k, total: k <= m, lambda k, total: (k + 1, total + k),
                            [tf.constant(1), tf.constant(0)])
print(check(2, check_2, answer_2))
