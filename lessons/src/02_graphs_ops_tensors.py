# %% [markdown] id=title
# # 02 · Graphs, operations and tensors
#
# **Goal:** know the three objects of a TF1 program. A `Graph` holds `Operation`s (the nodes);
# each operation produces `Tensor`s (the edges), which are *references* to values that do not
# exist yet.
#
# **You will meet:** the default graph, `tf.constant`, `tf.add`, operation and tensor names,
# dtypes and shapes, the operators `+ - * / // % ** < & | ^ ~`, and graphs you create yourself.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf

# %% [markdown] id=default-graph-intro
# ## 1. There is always a default graph
#
# Importing the library quietly created an empty graph, the *default graph*. Most functions you
# call add nodes to it without saying so. This hidden global state is convenient, and also the
# source of many surprises: keep it in mind.

# %% id=default-graph
g = tf.get_default_graph()
g.get_operations()

# %% [markdown] id=constant-intro
# ## 2. A first operation
#
# `tf.constant` adds an operation of type `Const` with no inputs and one output. The value is
# stored on the operation as an attribute; nothing is computed.

# %% id=constant
tf.constant(3.14)
g.get_operations()

# %% id=const-inputs-outputs
const_operation = g.get_operations()[0]
len(const_operation.inputs), len(const_operation.outputs)

# %% [markdown] id=tensor-intro
# The output is a `Tensor`. Its name is `op_name:output_index`; its shape `()` means a scalar.
# The tensor does **not** hold 3.14: it only names the value the `Const` operation will produce
# when the graph runs.

# %% id=tensor
const_tensor = const_operation.outputs[0]
const_tensor

# %% id=second-constant
another_const_tensor = tf.constant(1.414)
another_const_tensor

# %% id=two-ops
g.get_operations()

# %% [markdown] id=names-intro
# The second constant was called `Const_1`: names in a graph are unique, and the library appends
# `_1`, `_2`, ... when a name is taken. You can choose names with `name=`.
#
# ## 3. Operations with inputs
#
# `tf.add` takes two tensors, adds an operation whose inputs are those tensors, and returns the
# new operation's output tensor.

# %% id=add
sum_tensor = tf.add(const_tensor, another_const_tensor)
sum_tensor

# %% id=three-ops
g.get_operations()

# %% id=add-inputs-outputs
add_op = g.get_operations()[2]
len(add_op.inputs), len(add_op.outputs)

# %% [markdown] id=addv2-note
# The op type is `AddV2`: that is what TensorFlow 2.21 creates for `tf.add` and `+` (the 2017
# tutorials printed `Add`, an older kernel). Let us look at the picture of what we built.

# %% id=draw-default
%graph

# %% [markdown] id=thinking-intro
# ## 4. Thinking in tensors
#
# The same pattern, with names chosen by us. The old tutorials call `tf.mul`; that spelling was
# removed long ago and `tf.multiply` is the one that exists in TF 1.15 and 2.x.

# %% id=thinking-in-tensors
%%graph
a = tf.constant(5, name="input_a")
b = tf.constant(3, name="input_b")
c = tf.multiply(a, b, name="mul_c")
d = tf.add(a, b, name="add_d")
e = tf.add(c, d, name="add_e")

# %% id=tf-mul-gone
print("tf.mul exists:", hasattr(tf, "mul"), "   tf.multiply exists:", hasattr(tf, "multiply"))

# %% [markdown] id=vector-intro
# Edges can carry vectors, matrices, any n-dimensional array. Here one input vector feeds two
# reductions: `reduce_prod` multiplies its elements together, `reduce_sum` adds them.

# %% id=thinking-in-tensors-vector
%%graph
a = tf.constant([5, 3], name="input_a")
b = tf.reduce_prod(a, name="prod_b")
c = tf.reduce_sum(a, name="sum_c")
d = tf.add(b, c, name="add_d")

# %% [markdown] id=python-values-intro
# ## 5. Python values become tensors
#
# Anything that looks like an n-dimensional array converts to a tensor: a number is a 0-D tensor
# (scalar), a list a 1-D tensor (vector), a list of lists a 2-D tensor (matrix), and so on. The
# dtype is inferred: Python ints become `int32`, floats `float32`, bytes `string`, bools `bool`.

# %% id=python-values
t_0 = 50                      # 0-D tensor: a scalar
t_1 = [b"apple", b"peach", b"grape"]  # 1-D: a vector
t_2 = [[True, False, False],
       [False, False, True],
       [False, True, False]]      # 2-D: a matrix
t_3 = [[[0, 0], [0, 1], [0, 2]],
       [[1, 0], [1, 1], [1, 2]],
       [[2, 0], [2, 1], [2, 2]]]  # 3-D
tensors = [tf.constant(t) for t in (t_0, t_1, t_2, t_3)]
for t in tensors:
    print(t.name, t.dtype, t.shape)

# %% [markdown] id=dtypes-intro
# ## 6. Data types
#
# Every tensor has exactly one dtype. The common ones:
#
# | dtype | meaning |
# |---|---|
# | `tf.float16`, `tf.float32`, `tf.float64` | 16/32/64-bit floating point |
# | `tf.int8`, `tf.int16`, `tf.int32`, `tf.int64` | signed integers |
# | `tf.uint8` | 8-bit unsigned integer (pixels!) |
# | `tf.string` | byte strings (bytes, not Unicode text) |
# | `tf.bool` | True/False |
# | `tf.complex64`, `tf.complex128` | complex numbers with 32/64-bit float parts |
# | `tf.qint8`, `tf.qint32`, `tf.quint8` | quantized integers, used by quantized ops |

# %% id=dtypes
for dt in [tf.float32, tf.float64, tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8,
           tf.string, tf.bool, tf.complex64, tf.qint8, tf.qint32, tf.quint8]:
    print("%-10s size=%s  is_floating=%s" % (dt.name, dt.size, dt.is_floating))

# %% [markdown] id=numpy-intro
# NumPy arrays convert with their own dtype, and what a session returns is NumPy again, so NumPy
# works before and after a graph runs. (Old code writes `np.bool`; NumPy 2 only has `np.bool_`.)

# %% id=numpy-dtypes
import numpy as np

t_0 = np.array(50, dtype=np.int32)
t_1 = np.array([b"apple", b"peach", b"grape"])   # let NumPy pick the bytes dtype
t_2 = np.array([[True, False, False],
                [False, False, True],
                [False, True, False]],
               dtype=np.bool_)
t_3 = np.array([[[0, 0], [0, 1], [0, 2]],
                [[1, 0], [1, 1], [1, 2]],
                [[2, 0], [2, 1], [2, 2]]],
               dtype=np.int64)
for t in (t_0, t_1, t_2, t_3):
    print(tf.constant(t).dtype)

# %% [markdown] id=shapes-intro
# ## 7. Shapes, including unknown ones
#
# A shape lists the size of each dimension. `None` means "not known while building the graph":
# a placeholder for a batch of rows, say, can have shape `(None, 3)` (lesson 04).

# %% id=shapes
s_0_list = []          # scalar
s_0_tuple = ()         # scalar
s_1 = [3]              # vector of length 3
s_2 = (3, 2)           # 3-by-2 matrix
s_1_flex = [None]      # vector of any length
s_2_flex = (None, 3)   # any number of rows, 3 columns
s_3_flex = [2, None, None]
s_any = None           # any rank at all
for s in (s_0_list, s_0_tuple, s_1, s_2, s_1_flex, s_2_flex, s_3_flex, s_any):
    print(repr(s).ljust(16), tf.TensorShape(s))

# %% [markdown] id=operations-intro
# ## 8. Operations on NumPy inputs, and the operator table
#
# Functions such as `tf.add` accept NumPy arrays too: each array becomes a `Const` node first.

# %% id=operations
a = np.array([2, 3], dtype=np.int32)
b = np.array([4, 5], dtype=np.int32)
c = tf.add(a, b)
c

# %% [markdown] id=operator-table-intro
# Python's operators on tensors add operations too. Comparisons give `bool` tensors; `& | ^ ~`
# need `bool` inputs. Note that `/` on integers is *true* division and returns floats, while
# `//` floors. (`tf.neg`, `tf.sub`, `tf.mul`, `tf.mod` of the old tables are now called
# `tf.negative`, `tf.subtract`, `tf.multiply`, `tf.math.floormod`.)

# %% id=operator-table
x = tf.constant([-3, 2, 7], name="x")
y = tf.constant([2, 2, 3], name="y")
p = tf.constant([True, True, False], name="p")
q = tf.constant([True, False, False], name="q")
exprs = {"-x": -x, "abs(x)": abs(x), "~p": ~p,
         "x + y": x + y, "x - y": x - y, "x * y": x * y, "x / y": x / y,
         "x // y": x // y, "x % y": x % y, "x ** y": x ** y,
         "x < y": x < y, "x <= y": x <= y, "x > y": x > y, "x >= y": x >= y,
         "p & q": p & q, "p | q": p | q, "p ^ q": p ^ q}
with tf.Session() as sess:
    values = sess.run(exprs)
for expr, t in exprs.items():
    print("%-7s %-13s %-8s %s" % (expr, t.op.type, t.dtype.name, values[expr]))

# %% [markdown] id=graphs-intro
# ## 9. More than one graph
#
# Every operation belongs to exactly one graph. `tf.Graph()` makes a new, empty graph;
# `with graph.as_default():` makes it the default for the code inside the block.

# %% id=graphs
tf.reset_default_graph()

x1 = tf.Variable(1)
print("x1.graph is tf.get_default_graph():", x1.graph is tf.get_default_graph())

graph = tf.Graph()
with graph.as_default():
    x2 = tf.Variable(2)
    print("x2.graph is tf.get_default_graph():", x2.graph is tf.get_default_graph())

print("x2.graph is tf.get_default_graph():", x2.graph is tf.get_default_graph())
print("x2.graph is graph:", x2.graph is graph)

# %% [markdown] id=best-practice-intro
# **Good habits.** Either create every graph yourself, or take a handle on the default graph and
# use it explicitly. Mixing the two styles (some ops silently in the default graph, some in your
# own) is the way to lose track of where an op went.

# %% id=best-practice-new-graphs
g1 = tf.Graph()
g2 = tf.Graph()

with g1.as_default():
    one = tf.constant(1, name="one")     # define g1 operations here

with g2.as_default():
    two = tf.constant(2, name="two")     # define g2 operations here

print(len(g1.get_operations()), len(g2.get_operations()))

# %% id=best-practice-default-handle
g1 = tf.get_default_graph()
g2 = tf.Graph()

with g1.as_default():
    one = tf.constant(1, name="one")

with g2.as_default():
    two = tf.constant(2, name="two")

print(one.graph is g1, two.graph is g2)

# %% id=best-practice-mixed
# Not recommended: the first constant lands in the implicit default graph.
g2 = tf.Graph()

three = tf.constant(3, name="three")

with g2.as_default():
    four = tf.constant(4, name="four")

print(three.graph is tf.get_default_graph(), four.graph is g2)

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** In a new graph `my_graph`, build the vector `[1., 2., 3.]` (name it `v`) and the
# operation `total = tf.reduce_sum(v * v, name="total")`. Store the graph in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(graph):
    expect(isinstance(graph, tf.Graph), "answer_1 should be a tf.Graph (the graph object itself)")
    expect(graph is not tf.get_default_graph(), "build it in a new graph, not the default one")
    names = [op.name for op in graph.get_operations()]
    expect("total" in names, "name the sum `total`: tf.reduce_sum(v * v, name=\"total\")")
    expect("v" in names, "name the vector `v`")
    total = graph.get_tensor_by_name("total:0")
    expect(total.op.type == "Sum", "`total` should come from tf.reduce_sum")
    with tf.Session(graph=graph) as sess:
        expect(abs(sess.run(total) - 14.0) < 1e-6, "the value is off: is v the vector [1., 2., 3.]?")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** What dtype does `tf.constant([1, 2]) / tf.constant([2, 4])` have? Put the dtype
# object (for example `tf.int32`) in `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(dtype):
    expect(isinstance(dtype, tf.DType), "answer_2 should be a dtype object such as tf.int32, not a "
                                        "string or a number")
    expect(dtype == (tf.constant([1, 2]) / tf.constant([2, 4])).dtype,
           "not quite: / is true division, even for integers")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
my_graph = tf.Graph()
with my_graph.as_default():
    v = tf.constant([1., 2., 3.], name="v")
    total = tf.reduce_sum(v * v, name="total")
answer_1 = my_graph
print(check(1, check_1, answer_1))
answer_2 = tf.float64
print(check(2, check_2, answer_2))
