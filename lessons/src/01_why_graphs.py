# %% [markdown] id=title
# # 01 · Why graphs? Python, NumPy and a dataflow graph
#
# **Goal:** see the two problems a dataflow framework solves (interpreter overhead between
# operations, and the lack of any record from which to take derivatives) and build your first
# graph.
#
# **You will meet:** Python lists vs NumPy arrays, composing array operations, a computation
# written down first and executed later.

# %% [markdown] id=python-intro
# ## 1. Plain Python: flexible, and slow for numbers
#
# A Python list holds references to full Python objects. Each number carries its own type
# information, and each `+` in a loop asks the interpreter, again, "what are these two things and
# how do I add them?". Let us time a sum over a million numbers.

# %% id=python-sum
# NBVAL_IGNORE_OUTPUT
import time

numbers = [float(i) for i in range(1_000_000)]
start = time.perf_counter()
total = 0.0
for value in numbers:
    total += value
python_seconds = time.perf_counter() - start
print("pure Python loop: %.1f ms" % (python_seconds * 1e3))

# %% [markdown] id=numpy-intro
# ## 2. NumPy: one type, packed together, loops in C
#
# A NumPy array stores numbers of **one** dtype side by side in memory. Because every element has
# the same size, finding element 1000 is arithmetic, not a lookup, and the loop over the
# elements runs in compiled code. The type check happens once for the whole array.

# %% id=numpy-sum
# NBVAL_IGNORE_OUTPUT
import numpy as np

array = np.arange(1_000_000, dtype=np.float64)
start = time.perf_counter()
total_np = array.sum()
numpy_seconds = time.perf_counter() - start
print("numpy sum: %.2f ms  (about %.0fx faster)" % (numpy_seconds * 1e3,
                                                   python_seconds / numpy_seconds))

# %% id=same-answer
assert total == total_np
print("both give", total_np)

# %% [markdown] id=numpy-limits
# ## 3. Where NumPy stops helping
#
# Each NumPy call is fast, but a *formula* made of many calls goes back to the interpreter between
# every step, and each step allocates a fresh temporary array. Printing or logging values in
# between costs even more, because values are converted to Python objects.
#
# The second limit matters for machine learning. Training a model means taking derivatives of a
# loss with respect to many parameters. NumPy computes `y = x * x + 3 * x` and hands back the
# numbers, but it keeps **no record** of how `y` was obtained, so nothing can later walk back
# through the steps to work out `dy/dx`. Before automatic differentiation, people derived those
# formulas on paper and coded them by hand.

# %% id=numpy-no-trace
x = np.array([1.0, 2.0, 3.0])
y = x * x + 3 * x          # three separate C loops, two temporary arrays
print(y, type(y))          # just numbers: the recipe is gone

# %% [markdown] id=graph-intro
# ## 4. The dataflow graph
#
# TensorFlow's answer: first **describe** the whole computation as a graph, then hand the graph
# to an execution engine that runs it in one go and returns only the values you ask for.
#
# * the **nodes** are operations (add, multiply, read a variable, ...);
# * the **edges** carry tensors (n-dimensional arrays: a scalar, a vector, a matrix, a "cube" of
#   numbers, ...) out of the operation that produces them and into those that consume them.
#
# Constructing a graph resembles writing an equation on paper: no arithmetic happens yet. Because the
# graph *is* a complete record of how each value is computed, the library can add the operations
# that compute derivatives automatically (lesson 06), decide which parts need to run at all
# (lesson 10), and place parts on different devices (lesson 21).
#
# The classic picture: two inputs `a` and `b`, then `c = a · b`, `d = a + b`, and `e = c + d`.

# %% id=load-ext
%load_ext tfteach

# %% id=first-graph
import tfteach.v1 as tf

a = tf.constant(5, name="input_a")
b = tf.constant(3, name="input_b")
c = tf.multiply(a, b, name="mul_c")
d = tf.add(a, b, name="add_d")
e = tf.add(c, d, name="add_e")
print(e)   # a description of a value, not the value

# %% [markdown] id=draw-intro
# `print(e)` shows a *Tensor*: the name of the operation that will produce it, its dtype and its
# shape. To see the whole recipe, draw the graph. The `%graph` line magic draws the default graph.

# %% id=draw-first
%graph

# %% [markdown] id=run-intro
# Nothing has been computed so far. A **Session** runs the graph and returns the value we fetch
# as a NumPy value. (Lesson 03 is all about sessions.)

# %% id=first-run
with tf.Session() as sess:
    print(sess.run(e))

# %% [markdown] id=tradeoffs
# ## 5. What TensorFlow trades
#
# Frameworks made different choices here. Theano also built symbolic graphs but spent a long time
# compiling them; Torch (in Lua, and later PyTorch) executed operations immediately. TensorFlow 1
# kept the graph and executed it lazily. TensorFlow 2 runs operations **eagerly** by default,
# like NumPy, and builds graphs when you ask for them with `tf.function` (lessons 15-17).
#
# What the graph buys is specific. Automatic gradients and GPUs do *not* need one: eager code
# records operations on a tape and differentiates them (`tf.GradientTape`, lesson 16; PyTorch
# works the same way), and eager operations run on a GPU one at a time. A graph adds what needs
# the whole program in hand before it runs: optimising it as a whole (pruning, fusing,
# constant folding), saving it and running it without the Python that built it (serving,
# phones), and splitting it across devices and machines (lesson 21).
#
# TensorFlow describes itself as a library "for numerical computation using data flow graphs":
# machine learning is one use among many. The next cell uses a graph for plain arithmetic,
# f(1, 2) = 1 + 2.
#
# Why people chose TensorFlow in its TF1 days, and what they used it for:
#
# * **research and prototyping** of new architectures, with one consistent API across model
#   types and easy hand-over to and from NumPy;
# * **taking a model to production**: the same graph trained on a workstation could be served
#   (TensorFlow Serving) or shipped to phones and embedded boards;
# * **scale**: graphs can be split across CPUs, GPUs and many machines (lesson 21);
# * **tools and layers on top**: TensorBoard to look inside training (lesson 12), and
#   higher-level APIs (Keras, TF-Slim, TF.Learn) for common models in a few lines (lesson 18);
# * a large community and a company using it daily, which kept it maintained and fast.

# %% id=f-of-1-2
f = tf.add(1, 2, name="f")
with tf.Session() as sess:
    print("f(1, 2) =", sess.run(f))

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Build a graph for `g = (a + b) * (a - b)` using the constants `a` and `b` from
# above (use `tf.add`, `tf.subtract`, `tf.multiply` or the Python operators). Store the result
# tensor in `answer_1`.

# %% id=ex1
answer_1 = ...   # replace ... with your tensor

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(t):
    expect(isinstance(t, tf.Tensor), "answer_1 should be a Tensor built with tf ops, not a number")
    expect(t.graph is a.graph, "build it from the constants a and b above, in the default graph")
    types = set()
    stack = [t.op]
    while stack:
        op = stack.pop()
        types.add(op.type)
        stack.extend(i.op for i in op.inputs)
    expect(t.op.type == "Mul", "the last operation should multiply (a + b) by (a - b)")
    expect({"Add", "AddV2"} & types and "Sub" in types,
           "the product's inputs should come from an addition and a subtraction of a and b")
    with tf.Session() as sess:
        expect(sess.run(t) == (5 + 3) * (5 - 3), "the value is off: check which constants you used")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Without running anything, how many operations does `f = tf.add(1, 2, name="f")`
# add to a graph? Write the number in `answer_2`, then run the check (it builds `f` in a fresh
# graph and counts with `graph.get_operations()`).

# %% id=ex2
answer_2 = ...   # replace ... with a number

# %% id=ex2-check
def check_2(n):
    expect(is_number(n), "answer_2 should be a number (a count)")
    fresh = tf.Graph()
    with fresh.as_default():
        tf.add(1, 2, name="f")
    expect(n == len(fresh.get_operations()),
           "count again: tf.add turns each Python number into a constant op of its own")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = (a + b) * (a - b)
print(check(1, check_1, answer_1))
answer_2 = 3   # two constants for 1 and 2, and the Add
print(check(2, check_2, answer_2))
