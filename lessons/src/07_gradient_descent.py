# %% [markdown] id=title
# # 07 · Gradient descent, by hand and with optimizers
#
# **Goal:** minimise `x²` three ways: with a derivative we wrote ourselves, with `tf.gradients`,
# and with an optimizer that builds the whole update for us. All three produce the same numbers,
# and the graph shows what the optimizer added.
#
# **You will meet:** `tf.assign` as a training step, step sizes, `GradientDescentOptimizer`,
# `AdamOptimizer` and its slot variables, `global_variables_initializer`.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf

config = tf.ConfigProto()
config.gpu_options.allow_growth = True

# %% id=reset
tf.reset_default_graph()
g = tf.get_default_graph()

# %% [markdown] id=setup-intro
# ## 1. The problem
#
# Find the `x` that makes `loss = x²` smallest, starting from `x = 5`. (The answer is 0, which
# lets us check every method.)

# %% id=variable-loss
x = tf.Variable(5.0)
loss = x * x
g.get_operations()

# %% [markdown] id=by-hand-intro
# ## 2. By hand
#
# The derivative of `x²` is `2x`; we write it as graph operations ourselves.

# %% id=manual-derivative
dloss_dx = 2. * x

# %% [markdown] id=step-intro
# The derivative points uphill, so we move `x` a little the **other** way. "A little" matters: at
# `x = 5` the slope is 10, and a full step of 10 would jump to `x = -5`, right over the valley. A
# **step size** (learning rate) of 0.1 keeps each move modest.
#
# `tf.assign(x, value)` builds an operation that writes `value` into `x` and outputs the new
# value: one training step.

# %% id=assign-step
step_size = 0.1
new_x_value = x - dloss_dx * step_size
assign_new_x = tf.assign(x, new_x_value)

# %% [markdown] id=loop-intro
# Everything must happen in **one** session: the session is where `x`'s value lives between
# steps. We initialise `x`, then run the step 100 times.
#
# One subtlety: the dict below fetches `x` and `loss` in the same `run` as the assignment. The
# graph does not say whether they are read before or after the write (no edge orders them), so
# TensorFlow leaves it unspecified. Only `'derivative'`, the assign's output, is guaranteed to be
# the new value. In the printout, `x` already shows the value after the step (the fetched
# variable shares the variable's memory, as in TensorFlow) while `loss` was computed before it.

# %% id=manual-loop
with tf.Session(config=config) as sess:
    # Initialize x:
    sess.run(x.initializer)
    # We will fetch the following tensors each iteration
    to_fetch = {'x': x, 'loss': loss, 'derivative': assign_new_x}
    for i in range(100):
        fetched = sess.run(to_fetch)
        # every tenth step, print our progress
        if i % 10 == 0 or i+1==100:
            print("Iter {}: {}".format(i, fetched))

# %% [markdown] id=tf-gradients-intro
# ## 3. With `tf.gradients`
#
# Same loop, but the library derives `2x` for us. `tf.gradients` returns a **list** (one entry
# per `x`), hence the `[0]`.

# %% id=tf-gradients-graph
tf.reset_default_graph()
g = tf.get_default_graph()
x = tf.Variable(5.0)
loss = x * x
# tf.gradients returns a list of partial derivatives, one per x; take the only one.
dloss_dx = tf.gradients(loss, x)[0]
new_x_value = x - dloss_dx * step_size
assign_new_x = tf.assign(x, new_x_value)

# %% id=tf-gradients-loop
with tf.Session(config=config) as sess:
    # Initialize x:
    sess.run(x.initializer)
    # We will fetch the following tensors each iteration
    to_fetch = {'x': x, 'loss': loss, 'derivative': assign_new_x}
    for i in range(100):
        fetched = sess.run(to_fetch)
        # every tenth step, print our progress
        if i % 10 == 0 or i+1==100:
            print("Iter {}: {}".format(i, fetched))

# %% [markdown] id=optimizer-intro
# ## 4. With an optimizer
#
# An optimizer object holds the settings of an update rule (the learning rate, ...).
# `minimize(loss)` adds to the graph both the gradient operations and the update operations, for
# every trainable variable (or just those in `var_list=`), and returns **one operation** that
# performs a step. Running an operation returns `None`.

# %% id=gd-optimizer
tf.reset_default_graph()
g = tf.get_default_graph()
x = tf.Variable(5.0)
loss = x * x
# Create the optimizer
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.1)
# Add optimize nodes to the graph
minimize_loss = optimizer.minimize(loss)

# %% id=gd-loop
with tf.Session(config=config) as sess:
    # Initialize x:
    sess.run(x.initializer)
    # We will fetch the following tensors each iteration
    to_fetch = {'x': x, 'loss': loss, 'train_op': minimize_loss}
    for i in range(100):
        fetched = sess.run(to_fetch)
        # every tenth step, print our progress
        if i % 10 == 0 or i+1==100:
            print("Iter {}: {}".format(i, fetched))

# %% [markdown] id=optimizer-draw-intro
# The gradient-descent update is a single `ApplyGradientDescent` operation per variable, grouped
# under a `NoOp` named `GradientDescent`:

# %% id=gd-draw
%graph minimize_loss

# %% [markdown] id=adam-intro
# ## 5. Adam, and what it keeps
#
# Other optimizers use more than the current gradient. *Momentum* keeps a running direction and
# keeps moving along it, which damps zig-zagging; *AdaGrad* scales each parameter's step by the
# history of its gradients; *RMSProp* and *AdaDelta* use a decaying average of that history so
# steps do not shrink forever; *Adam* combines a momentum-like average of the gradients with an
# RMSProp-like average of their squares. Each keeps its memory in extra variables ("slots").
# Look at what `AdamOptimizer.minimize` adds to the same graph:

# %% id=adam-ops
adam_optimizer = tf.train.AdamOptimizer(learning_rate=0.1)
minimize_loss = adam_optimizer.minimize(loss)
g.get_operations()

# %% [markdown] id=adam-explained
# Besides a second gradient graph (`gradients_1/...`) there are new variables: `beta1_power` and
# `beta2_power` (the bias corrections) and, for our `x`, the slots `Variable/Adam` and
# `Variable/Adam_1` (the two running averages). Initialising only `x` is no longer enough:
# `tf.global_variables_initializer()` builds one operation that initialises every variable
# created so far, so create it **after** the optimizer.

# %% id=init-all
initialize_all = tf.global_variables_initializer()

# %% id=adam-loop
with tf.Session(config=config) as sess:
    # Initialize ALL variables
    sess.run(initialize_all)
    # We will fetch the following tensors each iteration
    to_fetch = {'x': x, 'loss': loss, 'train_op': minimize_loss}
    for i in range(100):
        fetched = sess.run(to_fetch)
        # every tenth step, print our progress
        if i % 10 == 0 or i+1==100:
            print("Iter {}: {}".format(i, fetched))

# %% [markdown] id=adam-note
# Adam moves by roughly the learning rate per step whatever the gradient's size, so it
# approaches 0 differently from plain gradient descent (and may overshoot and come back).

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Minimise `(w - 3)²` starting from `w = 0` with `GradientDescentOptimizer`
# (learning rate 0.2) for 50 steps. Store the pair `(w, train)` (the variable and the op that
# `minimize` returns) in `answer_1`: the check re-initialises `w` and runs your `train` itself.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(pair):
    expect(isinstance(pair, tuple) and len(pair) == 2, "answer_1 should be the pair (w, train)")
    w, train = pair
    expect(isinstance(w, tf.Variable), "w should be a tf.Variable")
    expect(isinstance(train, tf.Operation), "train should be the op that minimize(...) returns")
    with tf.Session(graph=w.graph) as sess:
        sess.run(tf.variables_initializer([w]))
        expect(abs(sess.run(w)) < 1e-9, "start w at 0")
        for _ in range(50):
            sess.run(train)
        expect(abs(sess.run(w) - 3.0) < 1e-3,
               "after 50 steps w is not near the minimum: is the loss (w - 3)² and the rate 0.2?")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** With learning rate 1.0 on `loss = x * x` from `x = 5`, what does plain gradient
# descent do? Put the value of `x` after 3 steps in `answer_2`. (Work it out with `x ← x - 2x`.)

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(value):
    expect(is_number(value), "answer_2 should be a number")
    graph = tf.Graph()
    with graph.as_default():
        x = tf.Variable(5.0)
        step = tf.train.GradientDescentOptimizer(1.0).minimize(x * x)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(step)
            actual = sess.run(x)
    expect(value == actual, "apply x <- x - 2x three times, starting from 5")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
graph = tf.Graph()
with graph.as_default():
    w = tf.Variable(0.0)
    train = tf.train.GradientDescentOptimizer(0.2).minimize(tf.square(w - 3.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(50):
            sess.run(train)
        print("w after 50 steps: %.4f" % sess.run(w))
answer_1 = (w, train)
print(check(1, check_1, answer_1))
answer_2 = -5.0
print(check(2, check_2, answer_2))
