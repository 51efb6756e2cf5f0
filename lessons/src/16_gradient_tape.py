# %% [markdown] id=title
# # 16 · Automatic differentiation with `GradientTape`
#
# **Goal:** take derivatives in eager code. Without a graph to walk back through, TensorFlow 2
# *records* the operations you run inside a `tf.GradientTape` block, then plays the recording
# backwards to compute gradients: the chain rule again, applied to a tape instead of a graph.
#
# **You will meet:** `tf.GradientTape`, `tape.gradient`, what gets watched (variables yes,
# constants only with `watch`), persistent tapes, a linear regression written eagerly and by
# hand with NumPy.

# %% id=import
%matplotlib inline
import matplotlib.pyplot as plt
%load_ext tfteach
# Loading necessary libraries
import tfteach as tf
import numpy as np

# %% [markdown] id=chain-rule
# ## 1. The chain rule
#
# When a loss is computed by nesting functions, say `L(x) = f(g(h(x)))`, its derivative is the
# product of the local derivatives, one per nesting level:
#
# $$\frac{dL}{dx} = \frac{df}{dg}\,\frac{dg}{dh}\,\frac{dh}{dx}$$
#
# A neural network is such a chain (with many variables per link), so the same rule gives the
# gradient that stochastic gradient descent needs. The tape stores each link as it runs.
#
# ## 2. What the tape watches
#
# Three versions of `f = x²` at `x = 2`. First with a constant: the tape does not track
# constants, so the gradient is `None`.

# %% id=tape-constant
x = tf.constant([2.0])

with tf.GradientTape(persistent=False, watch_accessed_variables=True) as grad:
  f = x ** 2

# Print gradient output
print('The gradient df/dx where f=(x^2):\n', grad.gradient(f, x))

# %% [markdown] id=tape-variable-intro
# A `tf.Variable` is watched automatically (`watch_accessed_variables=True` is the default):

# %% id=tape-variable
x = tf.constant([2.0])
x = tf.Variable(x)

with tf.GradientTape(persistent=False, watch_accessed_variables=True) as grad:
  f = x ** 2

# Print gradient output
print('The gradient df/dx where f=(x^2):\n', grad.gradient(f, x))

# %% [markdown] id=tape-watch-intro
# Or ask the tape to watch a constant explicitly with `watch`:

# %% id=tape-watch
x = tf.constant([2.0])

with tf.GradientTape(persistent=False, watch_accessed_variables=True) as grad:
  grad.watch(x)
  f = x ** 2

# Print gradient output
print('The gradient df/dx where f=(x^2):\n', grad.gradient(f, x))

# %% [markdown] id=watch-rules
# Rules worth remembering: trainable variables are watched for you; constants need `watch`;
# integer tensors never get gradients (`None`); a variable created with `trainable=False` is not
# watched unless you `watch` it.
#
# ## 3. Persistent tapes
#
# A tape is released after its first `gradient` call, to free the recording. For several
# gradients from one recording, make it `persistent=True` (and drop it when done).

# %% id=tape-persistent
x = tf.constant([2.0])
x = tf.Variable(x)

# For practice, turn persistent to False to see what happens.
with tf.GradientTape(persistent=True, watch_accessed_variables=True) as grad:
  f = x ** 2
  h = x ** 3

# Print gradient output
print('The gradient df/dx where f=(x^2):\n', grad.gradient(f, x))
print('The gradient dh/dx where h=(x^3):\n', grad.gradient(h, x))

# %% id=tape-not-persistent
with tf.GradientTape() as grad:
  f = x ** 2
  h = x ** 3
print(grad.gradient(f, x))
try:
    grad.gradient(h, x)
except RuntimeError as err:
    print("RuntimeError:", err)

# %% [markdown] id=regression-intro
# ## 4. Linear regression, by hand and with a tape
#
# House prices in five years, both scaled to [0, 1]. We fit `y ≈ a·X + b` by gradient descent on
# `L = ½ Σ (a·X + b − y)²`. By hand, the gradients are `dL/da = Σ (ŷ − y)·X` and
# `dL/db = Σ (ŷ − y)`.

# %% id=regression-data
X_raw = np.array([2013, 2014, 2015, 2016, 2017])
y_raw = np.array([12000, 14000, 15000, 16500, 17500])
X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())
print(X, y)

# %% id=regression-numpy
# 1. Calculate the gradient manually
a, b = 0, 0
num_epoch = 10000
lr = 1e-3
numpy_fits = []
for e in range(num_epoch):
    y_pred = a * X + b
    da, db = (y_pred - y).dot(X), (y_pred - y).sum()
    a -= (lr * da)
    b -= (lr * db)
    if (e+1) % 2000 == 0:
        print(round(a, 4), round(b, 4))
        numpy_fits.append((a, b))

# %% [markdown] id=regression-tape-intro
# Now the tape computes the gradients, and an optimizer applies them. TF2 has no
# `tf.train.GradientDescentOptimizer`; the TF1 class is still reachable as
# `tf.compat.v1.train.GradientDescentOptimizer` and works with eager gradients.
# (`tf.Variable(initial_value=0, dtype=tf.float32, shape=[])`: the value 0 becomes a float32
# scalar.)

# %% id=regression-tape
# 2. Calculate the gradient with a GradientTape
a = tf.Variable(initial_value=0, dtype=tf.float32, shape=[])
b = tf.Variable(initial_value=0, dtype=tf.float32, shape=[])
variables = [a, b]
num_epoch = 10000
optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=1e-3)
tape_fits = []
for e in range(num_epoch):
    with tf.GradientTape() as tape:
        y_pred = a * X + b
        loss = .5 * tf.reduce_sum(tf.square(y_pred - y))
    # the tape computes the gradients of the loss with respect to the variables
    grads = tape.gradient(loss, variables)
    # the optimizer updates the variables from the gradients
    optimizer.apply_gradients(grads_and_vars=zip(grads, variables))
    if (e+1) % 2000 == 0:
        print(a.numpy().round(4), b.numpy().round(4))
        tape_fits.append((a.numpy(), b.numpy()))
print(a)

# %% [markdown] id=regression-plot-intro
# Top row: NumPy by hand; bottom row: the tape and optimizer. Columns: after 2k, 4k, ... 10k
# steps. Same numbers, same pictures.

# %% id=regression-plot
fig, axes = plt.subplots(2, 5, figsize=(14, 5), sharey=True)
for row, fits in enumerate([numpy_fits, tape_fits]):
    for col, (fa, fb) in enumerate(fits):
        axes[row, col].scatter(X, y)
        axes[row, col].plot(X, fa * X + fb)
        axes[row, col].set_title("%dk steps" % (2 * (col + 1)))
plt.show()

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** With a tape, compute the gradient of `z = sin(x) · x` at `x = 1.0` (a
# `tf.Variable`). Store the number (a Python float) in `answer_1`. (By hand:
# `cos(x)·x + sin(x)`.)

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(value):
    expect(is_number(value), "answer_1 should be a Python float")
    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        z = tf.sin(x) * x
    expect(abs(value - float(t.gradient(z, x))) < 1e-5,
           "the product rule gives two terms: cos(x)·x + sin(x), at x = 1")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** `v = tf.Variable(3.0, trainable=False)`. Without calling `watch`, what does
# `tape.gradient(v * v, v)` return? Put the result in `answer_2` (`None` is a valid answer).

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(guess):
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as t:
        out = v * v
    actual = t.gradient(out, v)
    expect(guess is actual or (actual is not None and guess == float(actual)),
           "a tape watches trainable variables by itself; is v trainable?")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
x = tf.Variable(1.0)
with tf.GradientTape() as t:
    z = tf.sin(x) * x
answer_1 = float(t.gradient(z, x))
print(check(1, check_1, answer_1))
answer_2 = None
print(check(2, check_2, answer_2))
