# %% [markdown] id=title
# # 17 · Graphs from `tf.function`, and their speed
#
# **Goal:** get graphs back in TF2 without sessions. `tf.function` *traces* a Python function:
# it runs it once with symbolic inputs, records the operations into a graph, and from then on
# runs that graph with the same executor the TF1 lessons used. You keep eager-style code and
# gain what graphs give: less Python overhead per operation, and a program you can inspect.
#
# **You will meet:** `@tf.function`, tracing and retracing, input signatures, the traced graph
# drawn, eager vs graph timings of small and large Keras models.

# %% id=import
%load_ext tfteach
# Loading necessary libraries
import tfteach as tf
import numpy as np
import timeit

RUN_SLOW = False   # True: time 1000 calls per model, as the original notes did (minutes)

# %% [markdown] id=eager-vs-graph
# ## 1. Eager, then graph
#
# Eager execution made TensorFlow easy to debug: every line runs as you type it. Graphs still
# have merits: the whole computation is known in advance, so it can be optimised, saved and run
# without the Python code that built it. `tf.function` gives you both.

# %% id=tf-function
@tf.function
def multiply_fn(a, b):
  return tf.matmul(a, b)

# Create some tensors
a = tf.constant([[0.5, 0.5]])
b = tf.constant([[10.0], [1.0]])

# Check function
print('Multiple a of shape {} with b of shape {}'.format(a.shape, b.shape))
print(multiply_fn(a, b).numpy())

# %% [markdown] id=traced-intro
# The function now has a graph for inputs of this shape and dtype: its *concrete function* for
# these arguments. Draw it:

# %% id=traced-draw
%graph multiply_fn.get_concrete_function(a, b)

# %% [markdown] id=tracing-intro
# ## 2. Tracing happens once per input signature
#
# Python code inside the function runs **only while tracing**. A `print` shows when that
# happens; `tf.print` would run every time, as part of the graph.

# %% id=tracing
@tf.function
def scaled_sum(x, k):
    print("tracing with", x.shape, x.dtype, "k =", k)
    return tf.reduce_sum(x) * k

scaled_sum(tf.constant([1.0, 2.0]), 2)     # traces
scaled_sum(tf.constant([3.0, 4.0]), 2)     # same signature: reuses the graph
scaled_sum(tf.constant([1.0, 2.0, 3.0]), 2)  # new shape: traces again
scaled_sum(tf.constant([1.0, 2.0]), 3)     # new Python value: traces again
print(scaled_sum(tf.constant([1.0, 2.0]), 2).numpy())

# %% [markdown] id=signature-intro
# Passing Python numbers makes a trace per value. An `input_signature` with `None` dimensions
# fixes one general graph; inputs that do not fit are rejected.

# %% id=signature
@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
def total(x):
    print("tracing total")
    return tf.reduce_sum(x)

print(total(tf.constant([1.0, 2.0])).numpy(), total(tf.constant([1.0, 2.0, 3.0])).numpy())
try:
    total(tf.constant([[1.0]]))
except (TypeError, ValueError) as err:
    print(type(err).__name__ + ":", str(err).splitlines()[0])

# %% [markdown] id=models-intro
# ## 3. Speed: many small operations vs a few big ones
#
# Two Keras models (lesson 18 explains the classes): a *shallow* one with layers of 10, 20 and
# 30 units, and a *deep* one with 1000, 2000 and 3000 units. We call each eagerly and through
# `tf.function` on the same input and time it.

# %% id=models
class ModelShallow(tf.keras.Model):

  def __init__(self):
    super(ModelShallow, self).__init__()
    self.dense1 = tf.keras.layers.Dense(10, activation=tf.nn.relu)
    self.dense2 = tf.keras.layers.Dense(20, activation=tf.nn.relu)
    self.dense3 = tf.keras.layers.Dense(30, activation=tf.nn.softmax)
    self.dropout = tf.keras.layers.Dropout(0.5)

  def call(self, inputs, training=False):
    x = self.dense1(inputs)
    if training:
      x = self.dropout(x, training=training)
    x = self.dense2(x)
    out = self.dense3(x)
    return out

class ModelDeep(tf.keras.Model):

  def __init__(self):
    super(ModelDeep, self).__init__()
    self.dense1 = tf.keras.layers.Dense(1000, activation=tf.nn.relu)
    self.dense2 = tf.keras.layers.Dense(2000, activation=tf.nn.relu)
    self.dense3 = tf.keras.layers.Dense(3000, activation=tf.nn.softmax)
    self.dropout = tf.keras.layers.Dropout(0.5)

  def call(self, inputs, training=False):
    x = self.dense1(inputs)
    if training:
      x = self.dropout(x, training=training)
    x = self.dense2(x)
    out = self.dense3(x)
    return out

# Create the model with eager execution by default
model_shallow_with_eager = ModelShallow()

# Take model to graph.
# NOTE: Instead of using decorators, we can directly operate `tf.function` on the model.
model_shallow_on_graph = tf.function(ModelShallow())

# Model deep
model_deep_with_eager = ModelDeep()
model_deep_on_graph = tf.function(ModelDeep())

# sample input
sample_input = tf.random.uniform([60, 28, 28])

# %% id=timing
calls = 1000 if RUN_SLOW else 20
deep_calls = 10 if RUN_SLOW else 1

# Warm up: the first call traces the tf.function and compiles kernels; that happens once
for warm_up in (model_shallow_with_eager, model_shallow_on_graph,
                model_deep_with_eager, model_deep_on_graph):
    warm_up(sample_input)

# Best of several runs: the run least disturbed by whatever else the machine was doing
shallow_eager = min(timeit.timeit(lambda: model_shallow_with_eager(sample_input), number=calls)
                    for _ in range(5))
shallow_graph = min(timeit.timeit(lambda: model_shallow_on_graph(sample_input), number=calls)
                    for _ in range(5))
deep_eager = min(timeit.timeit(lambda: model_deep_with_eager(sample_input), number=deep_calls)
                 for _ in range(3))
deep_graph = min(timeit.timeit(lambda: model_deep_on_graph(sample_input), number=deep_calls)
                 for _ in range(3))

# Raw times depend on the machine; what they show does not:
print("shallow model: graph takes less than half the eager time:",
      shallow_graph < 0.5 * shallow_eager)
print("deep model:    graph takes less than half the eager time:",
      deep_graph < 0.5 * deep_eager)

# %% [markdown] id=timing-explained
# Timing rules used above: call once before timing (the first call of a `tf.function` traces it,
# and the first call of any kernel may compile it), then time several runs and keep the best.
# Print `shallow_eager`, `shallow_graph`, `deep_eager` and `deep_graph` to see your machine's
# seconds.
#
# For the shallow model, each operation is tiny and the Python overhead of dispatching it
# eagerly dominates: running one prepared graph saves most of it (typically 2-4× faster). For
# the deep model nearly all the time is spent inside three large matrix multiplications, which
# cost the same either way: the graph barely helps. Rule of thumb: `tf.function` pays off for
# many small operations.
#
# The outputs agree, of course: same weights, same operations.

# %% id=agree
out_eager = model_shallow_with_eager(sample_input)
out_graph = tf.function(model_shallow_with_eager)(sample_input)
print(out_eager.shape, np.allclose(out_eager.numpy(), out_graph.numpy(), atol=1e-6))

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Write a `tf.function` `poly(x)` returning `3x² + 2x + 1` and count how many
# times it traces when called with `tf.constant(1.0)`, `tf.constant(2.0)` and `tf.constant([1.0,
# 2.0])`. Store the count in `answer_1` (make the function increment a Python counter).

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(count):
    expect(is_number(count), "answer_1 should be a number (a count of traces)")
    expect(count == 2, "same shape and dtype share a trace; a new shape traces again")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Does `tf.function(f)` compute the same as `f`? Wrap `ModelShallow`'s instance
# `model_shallow_with_eager` and compare outputs on `tf.ones([2, 28, 28])`. Put `True` or
# `False` (from `np.allclose`) in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(same):
    expect(isinstance(same, (bool, np.bool_)), "answer_2 should be True or False")
    expect(bool(same) == bool(np.allclose(
        model_shallow_with_eager(tf.ones([2, 28, 28])).numpy(),
        tf.function(model_shallow_with_eager)(tf.ones([2, 28, 28])).numpy(), atol=1e-6)),
        "compare the two outputs with np.allclose")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
traces = []

@tf.function
def poly(x):
    traces.append(1)
    return 3 * x * x + 2 * x + 1

poly(tf.constant(1.0)); poly(tf.constant(2.0)); poly(tf.constant([1.0, 2.0]))
answer_1 = len(traces)
print(check(1, check_1, answer_1))
ones = tf.ones([2, 28, 28])
answer_2 = bool(np.allclose(model_shallow_with_eager(ones).numpy(),
                            tf.function(model_shallow_with_eager)(ones).numpy(), atol=1e-6))
print(check(2, check_2, answer_2))
