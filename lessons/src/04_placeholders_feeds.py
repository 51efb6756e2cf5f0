# %% [markdown] id=title
# # 04 · Placeholders and feeds
#
# **Goal:** build a graph once and run it on different inputs. A *placeholder* is an operation
# whose value you supply at `run` time through `feed_dict`.
#
# **You will meet:** `tf.placeholder` with and without a shape, `feed_dict`, operator overloading
# on tensors, `tf.reset_default_graph`, feeding any tensor, `tf.placeholder_with_default`.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf
import numpy as np

config = tf.ConfigProto()
config.gpu_options.allow_growth = True
g = tf.get_default_graph()

# %% [markdown] id=placeholder-intro
# ## 1. A placeholder
#
# Like a constant, a placeholder has no inputs and one output. Unlike a constant, its value is
# not part of the graph: you name its dtype (and optionally its shape) now and give the value
# later. With no shape given, the static shape is *unknown*.

# %% id=placeholder
a = tf.placeholder(tf.float32)
a

# %% id=placeholder-add
b = tf.placeholder(tf.float32)
flexible_sum_tensor = tf.add(a, b)

# %% id=placeholder-ops
g.get_operations()

# %% [markdown] id=feed-intro
# ## 2. Feeding values
#
# `feed_dict` maps placeholder **tensors** (the objects, not their names) to values: numbers,
# lists or NumPy arrays. The same graph now adds scalars, vectors or matrices.

# %% id=feed-scalar
sess = tf.Session(config=config)
sess.run(flexible_sum_tensor, feed_dict={a: 1., b: 2.})

# %% id=feed-vector
sess.run(flexible_sum_tensor, feed_dict={a: [1.], b: [2.]})

# %% id=feed-matrix
sess.run(flexible_sum_tensor, feed_dict={a: [[1., 2.], [3., 4.]], b: [[5., 6.], [7., 8.]]})

# %% id=feed-close
sess.close()

# %% [markdown] id=notes
# Things to notice:
#
# * one tensor, fetched three times, with three different feeds;
# * the placeholder had no fixed shape, so any shape was accepted (pass `shape=` to restrict it);
# * `add` works element-wise and broadcasts, like NumPy;
# * arrays come back as NumPy arrays.
#
# ## 3. Operators build graphs
#
# `+`, `*` and friends are overloaded on tensors: evaluating `a * a` *adds a `Mul` operation* to
# the default graph and gives back its output. Formulas therefore read naturally.

# %% id=operators
distance_from_origin = tf.sqrt((a * a) + (b * b))
g.get_operations()

# %% [markdown] id=operators-names
# (Names are unique regardless of upper/lower case, so the `+` op became `add_2`: `Add` and
# `Add_1` already existed. Old TensorFlow printed `add`.)

# %% id=operators-tensor
distance_from_origin

# %% id=operators-run
sess = tf.Session(config=config)
sess.run(distance_from_origin, feed_dict={a: 3., b: 4.})

# %% id=operators-close
sess.close()

# %% [markdown] id=with-intro
# The same, with `with` closing the session for us:

# %% id=with-session
with tf.Session(config=config) as sess:
    print(sess.run(distance_from_origin, feed_dict={a: 9., b: 12.}))

# %% [markdown] id=missing-feed-intro
# ## 4. Feeds are required, and forgotten after each run
#
# Running a graph that needs a placeholder without feeding it is an error that names the
# placeholder. Feeds do not persist: each `run` needs its own.

# %% id=missing-feed
with tf.Session(config=config) as sess:
    print(sess.run(distance_from_origin, feed_dict={a: 3., b: 4.}))
    try:
        sess.run(distance_from_origin, feed_dict={a: 3.})
    except tf.errors.InvalidArgumentError as err:
        print(type(err).__name__ + ":", err.message.splitlines()[0])

# %% [markdown] id=reset-intro
# ## 5. Starting over
#
# `tf.reset_default_graph()` does not empty the old graph: it makes a **new** default graph. Our
# `g` still points at the old one, with all its operations.

# %% id=reset
tf.reset_default_graph()
len(g.get_operations())

# %% id=reset-new
g = tf.get_default_graph()
g.get_operations()

# %% [markdown] id=shape-intro
# ## 6. Placeholders with a shape
#
# Giving a shape documents the input and lets the graph check shapes while it is built.
# Here an `int32` vector of length 2 feeds a product, a sum and an addition.

# %% id=placeholder-shape
a = tf.placeholder(tf.int32, shape=[2], name="my_input")
b = tf.reduce_prod(a, name="prod_b")
c = tf.reduce_sum(a, name="sum_c")
d = tf.add(b, c, name="add_d")

sess = tf.Session()
input_dict = {a: np.array([5, 3], dtype=np.int32)}
print(sess.run(d, feed_dict=input_dict))

# %% id=placeholder-shape-error
try:
    sess.run(d, feed_dict={a: [1, 2, 3]})
except ValueError as err:
    print("ValueError:", err)
sess.close()

# %% [markdown] id=feed-any-intro
# ## 7. Any tensor can be fed
#
# `feed_dict` is not limited to placeholders: feeding an intermediate tensor replaces its value,
# and the operations that would have computed it do not run. Handy for testing one part of a big
# graph with made-up values.

# %% id=feed-any
a = tf.add(2, 5)
b = tf.multiply(a, 3)
sess = tf.Session()
replace_dict = {a: 15}
print(sess.run(b, feed_dict=replace_dict))  # 45, not 21
print(sess.run(b))                          # 21 again: feeds do not persist
sess.close()

# %% [markdown] id=default-intro
# `tf.placeholder_with_default(value, shape)` is a placeholder that falls back to a value when
# nothing is fed.

# %% id=with-default
scale = tf.placeholder_with_default(1.0, shape=[], name="scale")
scaled = scale * 10.0
with tf.Session() as sess:
    print(sess.run(scaled), sess.run(scaled, feed_dict={scale: 0.5}))

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Make a `float32` placeholder `xs` of shape `[None]` (a vector of any length)
# and a tensor `mean_sq` holding the mean of its squares (`tf.reduce_mean`). Put the pair
# `(xs, mean_sq)` in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(pair):
    expect(isinstance(pair, tuple) and len(pair) == 2, "answer_1 should be the pair (xs, mean_sq)")
    xs, mean_sq = pair
    expect(isinstance(xs, tf.Tensor) and xs.op.type == "Placeholder", "xs should be a placeholder")
    expect(xs.dtype == tf.float32, "make xs a float32 placeholder")
    expect(xs.shape.as_list() == [None], "give xs the shape [None]: a vector of any length")
    expect(isinstance(mean_sq, tf.Tensor), "mean_sq should be a tensor computed from xs")
    with tf.Session(graph=xs.graph) as sess:
        expect(abs(sess.run(mean_sq, {xs: [1., 2., 3.]}) - 14 / 3) < 1e-6
               and sess.run(mean_sq, {xs: [2.]}) == 4.0,
               "mean_sq should be the mean of the squares of xs (tf.reduce_mean of xs * xs)")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Using `b = a * 3` from section 7, find the value to feed **into `a`** so that
# `b` evaluates to 99. Put it in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(value):
    expect(is_number(value), "answer_2 should be a number to feed into a")
    with tf.Session() as sess:
        expect(sess.run(b, feed_dict={a: value}) == 99, "feed your value into a and look at b = a * 3")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
xs = tf.placeholder(tf.float32, shape=[None], name="xs")
mean_sq = tf.reduce_mean(tf.square(xs))
answer_1 = (xs, mean_sq)
print(check(1, check_1, answer_1))
answer_2 = 33
print(check(2, check_2, answer_2))
