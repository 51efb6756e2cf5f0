# %% [markdown] id=title
# # tfteach lessons: TensorFlow's programming model, one idea at a time
#
# These notebooks teach how TensorFlow works inside: graphs of operations, sessions that run
# them, variables that keep state, gradients that are themselves graph operations, and then
# the TF2 way of working (eager tensors, `GradientTape`, `tf.function`, Keras models).
#
# Everything runs on **tfteach**, a small re-implementation of TensorFlow's programming model.
# The code you type is the code of the classic TensorFlow tutorials; only the import line
# changes:
#
# | TensorFlow | tfteach |
# |---|---|
# | `import tensorflow.compat.v1 as tf` (TF1 style) | `import tfteach.v1 as tf` |
# | `import tensorflow as tf` (TF2 style) | `import tfteach as tf` |
#
# Each lesson takes a class 20 to 40 minutes, runs top to bottom in well under a minute, and
# ends with short exercises whose check cells tell you whether your answer is right.

# %% [markdown] id=table
# ## The lessons, in order
#
# {{LESSON_TABLE}}

# %% [markdown] id=how
# ## How to work with these notebooks
#
# * Run cells with **Shift+Enter**, top to bottom. If something looks odd, use
#   *Kernel → Restart Kernel and Run All Cells*: TF1 code keeps hidden global state (the default
#   graph), and a fresh start clears it.
# * Change things! Your copy of each notebook is yours: `tfteach lessons` never overwrites a
#   notebook you have edited (`tfteach lessons --update` refreshes them and keeps your version
#   as a `.bak` file).
# * Every lesson loads the tfteach notebook extension with `%load_ext tfteach`. It adds
#   `%%graph`, which runs a cell in a fresh graph and draws that graph, and widgets that let you
#   click through a graph or step through a `Session.run`.
# * Exercises come with a check cell: run it after your answer; it says whether the answer is
#   right and, when it is not, where to look. The copies `tfteach lessons` makes leave the
#   worked solutions out; the teacher build (`tfteach lessons --teacher`) and the repository's
#   notebooks keep them at the end of each lesson. `tfteach lessons --reset 05` puts lesson 05
#   back as shipped (your copy is kept as a `.bak` file).

# %% id=check-install
import tfteach
import tfteach.v1 as tf
print("tfteach", tfteach.__version__, "is ready")
