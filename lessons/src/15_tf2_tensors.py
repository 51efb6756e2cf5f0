# %% [markdown] id=title
# # 15 · TF2: eager tensors, indexing and dtypes
#
# **Goal:** switch to TensorFlow 2's default way of working. With `import tfteach as tf`
# (TensorFlow 2 style) operations run **eagerly**: each call computes its result at once and
# returns a tensor that holds a value, like NumPy. No graph to build first, no session.
#
# **You will meet:** eager tensors and their printout, `tf.rank`, `shape`, `dtype`, `ndim`,
# `tf.size`, `.numpy()`, element-wise ops and `tf.matmul`, `tf.ones`, Python-style indexing and
# slicing, `tf.cast`.

# %% id=import
%load_ext tfteach
# Import necessary libraries
import tfteach as tf
import numpy as np

print("executing eagerly:", tf.executing_eagerly())

# %% [markdown] id=rank-intro
# ## 1. Tensors of rank 0, 1 and 2
#
# The **rank** of a tensor is its number of dimensions (a scalar has rank 0, a vector rank 1, a
# matrix rank 2). `tf.rank` returns it, as a tensor. Printing an eager tensor shows its value,
# shape and dtype.

# %% id=rank0
tensor = tf.constant(0)
print("Print constant tensor {} of rank {}".format(tensor, tf.rank(tensor)))
print("Show full tensor:", tensor)

# %% [markdown] id=numpy-intro
# `"{}".format(tensor)` formats the *value* (`0`), while `print(tensor)` shows the full
# `tf.Tensor(...)` description. `.numpy()` gives the value as a NumPy object.

# %% id=rank1
# NOTE: We use .numpy() to transform tf.tensor to numpy
tensor = tf.constant([1,2,3])
print("Tensor:", tensor)
print("Rank:", tf.rank(tensor).numpy())

# %% id=rank2
tensor = tf.constant([[1, 2, 3],
                      [4, 5, 6]])
print("Tensor:", tensor)
print("Rank:", tf.rank(tensor).numpy())

# %% [markdown] id=ops-intro
# ## 2. Operations run at once
#
# Element-wise addition and matrix multiplication return results immediately.

# %% id=operations
x = tf.constant([[1, 1],
                 [1, 1]])
y = tf.constant([[2, 4],
                 [6, 8]])

# Add two tensors
print(tf.add(x, y), "\n")

# Mat-Multiply two tensors
print(tf.matmul(x, y), "\n")

# %% [markdown] id=same-ops-note
# These are the same operations (`AddV2`, `MatMul`) with the same kernels as in the TF1
# lessons; only *when* they run has changed. Wrapping code in `%%graph` builds a graph again,
# to look at:

# %% id=same-ops-graph
%%graph
z = tf.matmul(x, y) + x

# %% [markdown] id=multidim-intro
# ## 3. Looking inside a multi-dimensional tensor
#
# `tf.ones(shape, dtype)` makes an all-ones tensor. Shape, dtype, sizes of single axes (negative
# indices count from the end), number of elements and number of dimensions:

# %% id=multidim
# We set the shape of the tensor and the desired data type.
tensor = tf.ones(shape = [2, 3, 6], dtype = tf.float32)
print('Tensor:', tensor)

# %% id=multidim-info
print("Tensor Rank: ", tf.rank(tensor).numpy())
print("Shape: ", tensor.shape)
print("Elements' type", tensor.dtype)
print("The size of the second axis:", tensor.shape[1])
print("The size of the last axis:", tensor.shape[-1])
print("Total number of elements: ", tf.size(tensor).numpy())
print("How many dimensions? ", tensor.ndim)

# %% [markdown] id=indexing-intro
# ## 4. Indexing and slicing
#
# Indexing follows Python and NumPy: `x[row, column]`, `:` for "everything", negative indices
# from the end, `start:` for "from start on".

# %% id=indexing
x = tf.constant([[1, 2, 3],
                 [4, 5, 6],
                 [7, 8, 9]])
# All elements
print(x[:].numpy())

# %% id=indexing-row
# All elements of the first row
print(x[0,:].numpy())

# %% id=indexing-element
# First row and last column
print(x[0,-1].numpy())

# %% [markdown] id=indexing-method-intro
# Forgetting the parentheses after `.numpy` prints the *method* itself rather than calling it:
# a common slip (the original notes made it too). Add `()` to get the values.

# %% id=indexing-slice
# From second row to last and from third column to last
print(x[1:,2:].numpy)
print(x[1:,2:].numpy())

# %% [markdown] id=cast-intro
# ## 5. Changing the dtype
#
# `tf.cast` converts a tensor to another dtype. Operations do not convert silently: adding an
# `int32` and a `float32` tensor is an error, so cast first.

# %% id=cast
original_tensor = tf.constant([1, 2, 3, 4], dtype=tf.int32)
print('Original tensor: ', original_tensor)
print("Tensor type before casting: ", original_tensor.dtype)

# Casting to change dtype
casted_tensor = tf.cast(original_tensor, dtype=tf.float32)
print('New tensor: ', casted_tensor)
print("Tensor type after casting: ", casted_tensor.dtype)

# %% id=mixed-dtypes
try:
    original_tensor + casted_tensor
except tf.errors.InvalidArgumentError as err:
    print("InvalidArgumentError:", err.message.splitlines()[0])

# %% [markdown] id=broadcast-intro
# ## 6. Broadcasting
#
# A `(1, 2)` tensor plus a `(2, 1)` tensor gives `(2, 2)`: each is stretched along its size-1
# axis, as in NumPy.

# %% id=eager-add
# A function running eagerly, with no graph involved.
def add_fn(a, b):
  return tf.add(a, b)

# Create some tensors
a = tf.constant([[0.5, 0.5]])
b = tf.constant([[10.0], [1.0]])

# Check function
print('Add a of shape {} with b of shape {}'.format(a.shape, b.shape))
print(add_fn(a, b).numpy())

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** From `m = tf.reshape(tf.range(12), [3, 4])`, take the last two columns of the
# first two rows (a `2 × 2` tensor). Store the NumPy array in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(arr):
    expect(isinstance(arr, np.ndarray), "answer_1 should be a NumPy array: call .numpy() on your slice")
    expect(arr.shape == (2, 2), "the slice should be 2 x 2, got shape %s" % (arr.shape,))
    m = tf.reshape(tf.range(12), [3, 4])
    expect(np.array_equal(arr, m[:2, 2:].numpy()), "take rows 0-1 and the last two columns")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Compute the mean of `tf.constant([1, 2])` as a **float** (1.5). `tf.reduce_mean`
# of an integer tensor stays an integer (try it!), so cast first. Store the float in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(value):
    expect(is_number(value) or isinstance(value, tf.Tensor),
           "answer_2 should be a number")
    expect(float(value) == 1.5, "did the integer mean truncate? Cast to float before reducing")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
m = tf.reshape(tf.range(12), [3, 4])
answer_1 = m[:2, -2:].numpy()
print(check(1, check_1, answer_1))
print("integer mean:", tf.reduce_mean(tf.constant([1, 2])).numpy())
answer_2 = float(tf.reduce_mean(tf.cast(tf.constant([1, 2]), tf.float32)).numpy())
print(check(2, check_2, answer_2))
