# %% [markdown] id=title
# # 06 · Gradients are graph operations
#
# **Goal:** see how automatic differentiation works in a graph framework. `tf.gradients(ys, xs)`
# walks the graph backwards from `ys` to `xs` and **adds operations** that compute the
# derivatives, applying the chain rule op by op. The result is a tensor like any other: it is
# computed when a session runs it, at the current values.
#
# **You will meet:** `tf.gradients` with one or several `xs` and `ys`, the `gradients/` name
# scope, why integer tensors have no gradient.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf

config = tf.ConfigProto()
config.gpu_options.allow_growth = True

# %% id=reset
tf.reset_default_graph()
g = tf.get_default_graph()

# %% [markdown] id=why-intro
# ## 1. Why derivatives?
#
# Training a model means making a *loss* (a number measuring how wrong the model is) smaller.
# The partial derivative of the loss with respect to a parameter says how the loss changes when
# that parameter moves a little. Nudging every parameter against its derivative, again and
# again, walks the loss downhill: **gradient descent** (lesson 07).
#
# A graph makes this automatic: every operation type knows the derivative of its output with
# respect to its inputs, so the library can chain them together, backwards, from the loss to the
# parameters.

# %% [markdown] id=small-graph-intro
# ## 2. A small graph
#
# `eqn = a + 2 * b`. The `2` becomes a constant that lives under the multiplication's name:
# `mul/x`.

# %% id=small-graph
a = tf.constant(5, name='a')
b = tf.constant(7, name='b')
eqn = a + 2 * b
g.get_operations()

# %% [markdown] id=int-intro
# Ask for `d eqn / d b`. The seed tutorial (TF 1.x) got `[2]` here; current TensorFlow returns
# `[None]`, because `a` and `b` are **integers** and derivatives are only defined for floating
# point (and complex) tensors. Fetching `None` is an error.

# %% id=int-gradient
grad = tf.gradients(eqn, b)
print(grad)
sess = tf.Session(config=config)
try:
    sess.run(grad)
except TypeError as err:
    print("TypeError:", str(err).splitlines()[0])
sess.close()

# %% [markdown] id=float-intro
# ## 3. The same with floats
#
# Start again with float constants and look at what `tf.gradients` adds to the graph.

# %% id=float-graph
tf.reset_default_graph()
g = tf.get_default_graph()
a = tf.constant(5., name='a')
b = tf.constant(7., name='b')
eqn = a + 2 * b

# %% id=gradients-graph
grad = tf.gradients(eqn, b)
g.get_operations()

# %% [markdown] id=gradients-graph-explained
# Several operations appeared under the name scope `gradients/`:
#
# * `gradients/Shape`, `gradients/grad_ys_0/Const` and `gradients/grad_ys_0` (a `Fill`) make the
#   starting gradient `d eqn / d eqn = 1`, shaped like `eqn`;
# * the addition adds no operation here: its local derivative is 1 and both inputs have the
#   same shape as the sum, so the gradient passes straight through to both of them (TF 1.x
#   added `add_grad/...` operations anyway, which is why the original notebook lists more
#   nodes). With *broadcasting* that changes: see the next cell;
# * `gradients/mul_grad/Mul` and `Mul_1` multiply the incoming gradient by the *other* factor,
#   one for each input of `mul`: the gradient reaching `b` is `1 · 2`.
#
# The drawing shows the forward graph and the gradient graph apart.

# %% id=gradients-draw
%graph

# %% id=grad-tensor
grad

# %% [markdown] id=broadcast-grad-intro
# When an addition broadcasts, say a `[2, 3]` matrix plus a `[3]` vector, the vector was
# used twice (once per row), so its gradient is the *sum* of the incoming gradient over the
# broadcast rows, reshaped back to `[3]`. `add_grad` then needs operations of its own: the two
# shapes, a `Sum` and a `Reshape`. (In a fresh graph, so the drawing above is unchanged.)

# %% id=broadcast-grad
with tf.Graph().as_default() as g_broadcast:
    m = tf.placeholder(tf.float32, [2, 3], name="m")
    v = tf.placeholder(tf.float32, [3], name="v")
    total = m + v
    n_forward = len(g_broadcast.get_operations())
    tf.gradients(total, [m, v])
    for op in g_broadcast.get_operations()[n_forward:]:
        print(op.type.ljust(6), op.name)

# %% [markdown] id=grad-run-intro
# ## 4. Running gradients
#
# A gradient tensor is computed *at a point*: at the current values of `a` and `b`. (Here the
# derivative happens to be the same everywhere.)

# %% id=grad-run
sess = tf.Session(config=config)
sess.run(grad)

# %% [markdown] id=both-intro
# With a list of `xs` you get the list of partial derivatives, the **gradient**.

# %% id=gradient-wrt-both
gradient_wrt_both = tf.gradients(eqn, [a, b])
sess.run(gradient_wrt_both)

# %% id=eqn2
eqn2 = a * b + b

# %% id=gradient-eqn2
gradient_of_eqn2 = tf.gradients(eqn2, [a, b])
sess.run(gradient_of_eqn2)

# %% [markdown] id=point-note
# `d(ab + b)/da = b = 7` and `d(ab + b)/db = a + 1 = 6`: the formula is symbolic (a graph), the
# answer is numeric (at `a = 5, b = 7`).
#
# ## 5. Several ys at once
#
# With a list of `ys`, `tf.gradients` returns the derivatives of their **sum**. That differs from
# `tf.gradients(eqn + eqn2, ...)` only in where the adding happens: there the forward graph adds
# the two values, here the gradient graph adds the two gradients.

# %% id=two-ys
gradient_with_two_ys = tf.gradients([eqn, eqn2], [a, b])
sess.run(gradient_with_two_ys)

# %% id=close
sess.close()

# %% [markdown] id=chain-rule
# ## 6. The chain rule, op by op
#
# For `L = f(g(h(x)))`, `dL/dx = f'(g(h(x))) · g'(h(x)) · h'(x)`. The gradient graph computes
# exactly this product, right to left: each `*_grad` block multiplies the gradient coming from
# above by its own local derivative. Check it on `y = (3x + 1)^2` at `x = 2`:
# `dy/dx = 2(3x + 1) · 3 = 42`.

# %% id=chain-rule-code
x = tf.constant(2.0, name="x")
y = tf.square(3.0 * x + 1.0, name="y")
dy_dx = tf.gradients(y, x)[0]
with tf.Session() as sess:
    print(sess.run(dy_dx))

# %% [markdown] id=values-grads-intro
# The same computation drawn the way micrograd draws it: each box carries the op's **value** and
# the **gradient** of `y` with respect to that value. Read the gradients from right to left:
# `y` has gradient 1; `add` gets `2 · 7 = 14` (the local derivative of the square); `mul` passes
# 14 on unchanged (an addition); `x` gets `14 · 3 = 42`, the constant 3 gets `14 · 2 = 28`.
# `viz.draw(..., notes={op: text})` writes any text into an op's box.

# %% id=values-grads-draw
from tfteach import viz

with tf.Graph().as_default():
    x = tf.constant(2.0, name="x")
    y = tf.square(3.0 * x + 1.0, name="y")
    forward = tf.get_default_graph().get_operations()
    outputs = [op.outputs[0] for op in forward]
    grads = tf.gradients(y, outputs)      # d y / d (each op's output)
    with tf.Session() as sess:
        values, grad_values = sess.run([outputs, grads])
notes = {op: "value %g · grad %g" % (v, g) for op, v, g in zip(forward, values, grad_values)}
viz.draw(y, notes=notes)

# %% [markdown] id=matmul-source-intro
# ## 7. What runs when `MatMul` runs
#
# A node of the graph is only an op type, inputs and attributes. Two registries give it meaning:
# the **kernel** registered for the op type and a device computes its value when a session runs
# it, and the **gradient function** registered for the op type is what `tf.gradients` calls to
# add the gradient ops. The graph explorer shows both for the op you pick (the rows *kernel CPU*
# and *gradient*; click through the ops when the kernel is live), and `explorer.source(...)`
# opens the code itself. In TensorFlow the kernel is C++ (`MatMulOp`) and the gradient is
# Python (`_MatMulGrad`); here both are short Python functions you can read.

# %% id=matmul-explorer
from tfteach.magics import GraphExplorer

matmul_graph = tf.Graph()
with matmul_graph.as_default():
    A = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="A")
    B = tf.constant([[5.0], [6.0]], name="B")
    C = tf.matmul(A, B, name="C")
explorer = GraphExplorer(C)
explorer

# %% id=matmul-kernel
explorer.source("CPU")

# %% [markdown] id=matmul-grad-intro
# The gradient function does no arithmetic: it *builds* two more `MatMul` ops. For `C = A·B` and
# the incoming gradient `G` (∂y/∂C), it returns `G·Bᵀ` for `A` and `Aᵀ·G` for `B`, using the
# `transpose_a`/`transpose_b` attributes instead of separate transpose ops:

# %% id=matmul-grad
explorer.source("gradient")

# %% id=matmul-grad-ops
with matmul_graph.as_default():
    dA, dB = tf.gradients(C, [A, B])
    for t in (dA, dB):
        print(t.op.name, t.op.type, "transpose_a=%s transpose_b=%s"
              % (t.op.get_attr("transpose_a"), t.op.get_attr("transpose_b")))
    with tf.Session() as sess:
        print(sess.run([dA, dB]))

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** For `p = tf.constant(3.0)` and `q = tf.constant(4.0)`, build
# `r = p * p * q` and build the gradient of `r` with respect to `[p, q]`. Store the list of
# gradient *tensors* that `tf.gradients` returns in `answer_1` (the check runs them).

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(grads):
    expect(isinstance(grads, (list, tuple)) and len(grads) == 2,
           "answer_1 should be what tf.gradients(r, [p, q]) returns: one tensor per x")
    expect(all(isinstance(g, tf.Tensor) for g in grads),
           "keep the gradient tensors (from tf.gradients), not numbers you computed")
    with tf.Session(graph=grads[0].graph) as sess:
        values = sess.run(list(grads))
    expect(abs(values[0] - 24.0) < 1e-5 and abs(values[1] - 9.0) < 1e-5,
           "the gradients have the wrong values: is r = p * p * q with p = 3 and q = 4?")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** How many new operations with names starting `gradients_1/` does a second call
# of `tf.gradients` in the same graph add for `y = tf.square(x)`? Put your guess in `answer_2`
# (the check counts them).

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(n):
    expect(is_number(n), "answer_2 should be a number (a count)")
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(1.0)
        y = tf.square(x)
        tf.gradients(y, x)
        before = len(graph.get_operations())
        tf.gradients(y, x)
        added = [op.name for op in graph.get_operations()[before:]]
    expect(n == len(added), "count again: the seed gradient, then Square's gradient (2 * x times "
                            "the incoming gradient)")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
p = tf.constant(3.0)
q = tf.constant(4.0)
r = p * p * q
answer_1 = tf.gradients(r, [p, q])
with tf.Session() as sess:
    print([float(v) for v in sess.run(answer_1)])
print(check(1, check_1, answer_1))

graph = tf.Graph()
with graph.as_default():
    x = tf.constant(1.0)
    y = tf.square(x)
    tf.gradients(y, x)
    before = len(graph.get_operations())
    tf.gradients(y, x)
    answer_2 = len(graph.get_operations()) - before
print(check(2, check_2, answer_2))
