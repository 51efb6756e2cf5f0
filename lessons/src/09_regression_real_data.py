# %% [markdown] id=title
# # 09 · Regression on real data: the normal equation vs gradient descent
#
# **Goal:** fit a linear model to a real data set five ways and compare: the closed-form *normal
# equation*, batch gradient descent with a hand-derived gradient, the same with `tf.gradients`,
# with an optimizer (plain and with momentum), and mini-batches fed through placeholders.
#
# **You will meet:** `tf.matmul`, `tf.transpose`, `tf.matrix_inverse`, float64 graphs,
# `tf.random_uniform` with a seed, `MomentumOptimizer`, mini-batch feeding.
#
# *Data:* the classic version of this lesson uses the California housing data, which must be
# downloaded. We use scikit-learn's **diabetes** data set instead (442 patients, 10 measurements,
# a disease-progression score to predict): it ships with scikit-learn, and the code is the same.

# %% id=import
%load_ext tfteach
import tfteach.v1 as tf
import numpy as np
from sklearn.datasets import load_diabetes

housing = load_diabetes()   # stands in for fetch_california_housing()
m, n = housing.data.shape
print("data shape:", m, n)

# %% [markdown] id=normal-intro
# ## 1. The normal equation
#
# For a linear model `y ≈ X θ` (with a column of ones in `X` for the intercept), the θ that
# minimises the squared error solves `θ = (Xᵀ X)⁻¹ Xᵀ y`. We write that formula as a graph, in
# float64, and compare with NumPy and scikit-learn. (On a machine with a GPU the graph version
# could run there without changing the code: lesson 21.)

# %% id=normal-equation
housing_data_plus_bias = np.c_[np.ones((m, 1)), housing.data]

tf.reset_default_graph()
X = tf.constant(housing_data_plus_bias, dtype=tf.float64, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float64, name="y")
XT = tf.transpose(X)
theta = tf.matmul(tf.matmul(tf.matrix_inverse(tf.matmul(XT, X)), XT), y)
with tf.Session() as sess:
    result = theta.eval()

print("tf:result:", result.ravel().round(2))

# pure numpy version
X = housing_data_plus_bias
y = housing.target.reshape(-1, 1)
theta_numpy = np.linalg.inv(X.T.dot(X)).dot(X.T).dot(y)

print("numpy:result:", theta_numpy.ravel().round(2))

# scikit-learn version
from sklearn.linear_model import LinearRegression
lin_reg = LinearRegression()
lin_reg.fit(housing.data, housing.target.reshape(-1, 1))

print("scikit:result:", np.r_[lin_reg.intercept_.reshape(-1, 1), lin_reg.coef_.T].ravel().round(2))
assert np.allclose(result, theta_numpy) and np.allclose(result.ravel()[1:], lin_reg.coef_.ravel())

# %% [markdown] id=scale-intro
# ## 2. Gradient descent by hand
#
# Inverting `Xᵀ X` gets expensive with many features; gradient descent scales better. It needs
# features on similar scales, so we standardise them first (and add the bias column again).

# %% id=scale
from sklearn.preprocessing import StandardScaler
scaler = StandardScaler()
scaled_housing_data = scaler.fit_transform(housing.data)
scaled_housing_data_plus_bias = np.c_[np.ones((m, 1)), scaled_housing_data]

print(scaled_housing_data_plus_bias.mean(axis=0).round(3))
print(scaled_housing_data_plus_bias.mean(axis=1)[:5].round(3))
print(scaled_housing_data_plus_bias.mean().round(3))
print(scaled_housing_data_plus_bias.shape)
print("housing shape:", m, n)

# %% [markdown] id=manual-gd-intro
# The mean squared error `MSE(θ) = 1/m · Σ (x θ - y)²` has gradient `2/m · Xᵀ (X θ - y)`. We
# write that formula ourselves and update θ with `tf.assign`. Constants hold data that never
# changes; the variable θ starts at random values in [-1, 1] (seeded, so runs repeat).
# The MSE is printed as a whole number and θ with one decimal: float32 results differ in their
# last bits from one processor to another, and more digits would print those bits.

# %% id=manual-gd
tf.reset_default_graph()
n_epochs = 1000
learning_rate = 0.01

# constants: values that never change
X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
# a variable: changed in place by training
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
# the gradient of the MSE, derived by hand
gradients = 2/m * tf.matmul(tf.transpose(X), error)
training_op = tf.assign(theta, theta - learning_rate * gradients)

init = tf.global_variables_initializer()
print("theta:", theta)
with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        if epoch % 100 == 0:
            print("Epoch", epoch, "MSE =", round(float(mse.eval())))
        sess.run(training_op)

    best_theta = theta.eval()

print("Best theta:")
print(best_theta.ravel().round(1))

# %% [markdown] id=autodiff-intro
# ## 3. Let `tf.gradients` derive it
#
# Only one line changes. For a formula this simple the hand derivation was easy; for a deep
# network it is not, and `tf.gradients` gives the same graph-building service.

# %% id=autodiff
tf.reset_default_graph()
X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
# automatic differentiation builds the gradient
gradients = tf.gradients(mse, [theta])[0]
training_op = tf.assign(theta, theta - learning_rate * gradients)

init = tf.global_variables_initializer()
print("theta:", theta)
with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        if epoch % 100 == 0:
            print("Epoch", epoch, "MSE =", round(float(mse.eval())))
        sess.run(training_op)

    best_theta = theta.eval()

print("Best theta:")
print(best_theta.ravel().round(1))

# %% [markdown] id=optimizer-intro
# ## 4. Let an optimizer build the update
#
# `GradientDescentOptimizer` uses one constant learning rate for every variable at every step.

# %% id=gd-optimizer
tf.reset_default_graph()
X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(mse)

init = tf.global_variables_initializer()
print("theta:", theta)
with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        if epoch % 100 == 0:
            print("Epoch", epoch, "MSE =", round(float(mse.eval())))
        sess.run(training_op)

    best_theta = theta.eval()

print("Best theta:")
print(best_theta.ravel().round(1))

# %% [markdown] id=momentum-intro
# **Momentum** adds a fraction of the previous step to the current one: steps grow along
# directions where the gradient keeps pointing the same way and cancel out where it flips sign.
# The fraction (`momentum`) is usually between 0 and 1.

# %% id=momentum
tf.reset_default_graph()
X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
optimizer = tf.train.MomentumOptimizer(learning_rate=learning_rate, momentum=0.25)
training_op = optimizer.minimize(mse)

init = tf.global_variables_initializer()
print("theta:", theta)
with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        if epoch % 100 == 0:
            print("Epoch", epoch, "MSE =", round(float(mse.eval())))
        sess.run(training_op)

    best_theta = theta.eval()

print("Best theta:")
print(best_theta.ravel().round(1))

# %% [markdown] id=adaptive-intro
# ### Adaptive learning rates: Adagrad, RMSProp, Adadelta
#
# These three give every parameter its own step size, from the history of its squared
# gradients:
#
# * **Adagrad** divides each step by the square root of the *sum* of all past squared gradients:
#   big early steps, ever smaller later ones (good for sparse features, can stall on long runs);
# * **RMSProp** uses a *decaying average* of the squared gradients instead (`decay=0.9`), so the
#   step size adapts to recent gradients and does not shrink forever;
# * **Adadelta** also decays the squared gradients, and replaces the learning rate by a
#   decaying average of its own past *updates*; that average starts at zero (plus a tiny
#   `epsilon`), so it starts very slowly and speeds up as it goes.
#
# The same regression, the same start (θ = 0), 200 full-batch steps each, the MSE printed to the
# nearest 100. An adaptive method steps roughly `learning_rate` per coordinate at first, and the
# intercept has to travel about 150 here, so they get larger rates than plain gradient descent.

# %% id=adaptive
def mse_during_training(make_optimizer, steps=200, report=(0, 50, 100, 200)):
    graph = tf.Graph()
    with graph.as_default():
        X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
        y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
        theta = tf.Variable(tf.zeros([n + 1, 1]), name="theta")
        mse = tf.reduce_mean(tf.square(tf.matmul(X, theta) - y), name="mse")
        training_op = make_optimizer().minimize(mse)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            seen = []
            for step in range(steps + 1):
                if step in report:
                    seen.append(int(round(float(sess.run(mse)), -2)))
                if step < steps:
                    sess.run(training_op)
    return seen

optimizers = {
    "GradientDescent(0.1)": lambda: tf.train.GradientDescentOptimizer(learning_rate=0.1),
    "Adagrad(10)": lambda: tf.train.AdagradOptimizer(learning_rate=10.0),
    "RMSProp(1)": lambda: tf.train.RMSPropOptimizer(learning_rate=1.0),
    "Adadelta(10)": lambda: tf.train.AdadeltaOptimizer(learning_rate=10.0),
}
print("MSE after step:      0     50    100    200")
for name, make in optimizers.items():
    print("%-20s" % name, "".join("%7d" % v for v in mse_during_training(make)))

# %% [markdown] id=adaptive-explained
# On this small, well-scaled problem plain gradient descent is already near the optimum after
# 50 steps; Adagrad gets there by step 200 with shrinking steps; RMSProp's steps stay about
# `learning_rate` in size until the gradients shrink, so it walks there steadily; Adadelta has
# barely moved, its step size still growing from `epsilon`. Adaptive methods shine where
# gradients differ a lot between parameters (unscaled features, sparse inputs, deep networks),
# not here: try them on the *unscaled* `housing_data_plus_bias` to see the difference. Adam
# (lesson 7) combines RMSProp's average with momentum.

# %% [markdown] id=minibatch-intro
# ## 5. Mini-batches through placeholders
#
# With a large data set, each step uses a random batch of rows. The data now arrives through
# placeholders of shape `(None, n + 1)` and `(None, 1)`: any number of rows. `fetch_batch` seeds
# NumPy's generator from the epoch and batch number, so every run draws the same batches.

# %% id=minibatch
import numpy.random as rnd

def fetch_batch(epoch, batch_index, batch_size):
    rnd.seed(epoch * n_batches + batch_index)
    indices = rnd.randint(m, size=batch_size)
    X_batch = scaled_housing_data_plus_bias[indices]
    y_batch = housing.target.reshape(-1, 1)[indices]
    return X_batch, y_batch

tf.reset_default_graph()

n_epochs = 1000
learning_rate = 0.01

X = tf.placeholder(tf.float32, shape=(None, n + 1), name="X")
y = tf.placeholder(tf.float32, shape=(None, 1), name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
y_pred = tf.matmul(X, theta, name="predictions")
error = y_pred - y
mse = tf.reduce_mean(tf.square(error), name="mse")
gradients = 2/m * tf.matmul(tf.transpose(X), error)
training_op = tf.assign(theta, theta - learning_rate * gradients)

init = tf.global_variables_initializer()
n_epochs = 10
batch_size = 100
n_batches = int(np.ceil(m / batch_size))

with tf.Session() as sess:
    sess.run(init)

    for epoch in range(n_epochs):
        for batch_index in range(n_batches):
            X_batch, y_batch = fetch_batch(epoch, batch_index, batch_size)
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
    best_theta = theta.eval()

print("Best theta:")
print(best_theta.ravel().round(1))

# %% [markdown] id=eval-outside-intro
# The original slide called `theta.eval()` *after* the `with` block. Outside the block there is
# no default session any more, so `eval` cannot know where θ's value lives:

# %% id=eval-outside
try:
    theta.eval()
except ValueError as err:
    print("ValueError:", str(err).splitlines()[0])

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Re-run the plain `GradientDescentOptimizer` version with learning rate 0.1
# instead of 0.01, for 100 epochs, and store the final `theta` (the NumPy array `theta.eval()`
# gives, shape `(n + 1, 1)`) in `answer_1`. The check computes its MSE on the scaled data: is
# it close to the normal equation's MSE?

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

best_mse = float(np.mean((housing_data_plus_bias @ theta_numpy - housing.target.reshape(-1, 1)) ** 2))

def check_1(theta_found):
    expect(isinstance(theta_found, np.ndarray), "answer_1 should be the NumPy array theta.eval() "
                                                "returns, not a number")
    expect(theta_found.shape == (n + 1, 1), "theta should have shape (n + 1, 1), one weight per "
                                            "column of the data with the bias column")
    value = float(np.mean((scaled_housing_data_plus_bias @ theta_found
                           - housing.target.reshape(-1, 1)) ** 2))
    expect(value < best_mse * 1.01, "MSE %.1f: not yet near the normal equation's optimum; use "
                                    "learning rate 0.1 and 100 epochs" % value)
    return "(optimum %.1f)" % best_mse

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** How many batches does one epoch of the mini-batch loop feed? Put the number in
# `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(k):
    expect(is_number(k), "answer_2 should be a number (a count)")
    expect(k == int(np.ceil(m / 100)), "442 rows in batches of 100: the last batch is smaller")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
tf.reset_default_graph()
X = tf.constant(scaled_housing_data_plus_bias, dtype=tf.float32, name="X")
y = tf.constant(housing.target.reshape(-1, 1), dtype=tf.float32, name="y")
theta = tf.Variable(tf.random_uniform([n + 1, 1], -1.0, 1.0, seed=42), name="theta")
mse = tf.reduce_mean(tf.square(tf.matmul(X, theta) - y), name="mse")
training_op = tf.train.GradientDescentOptimizer(learning_rate=0.1).minimize(mse)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(100):
        sess.run(training_op)
    answer_1 = theta.eval()
print(check(1, check_1, answer_1))
answer_2 = 5
print(check(2, check_2, answer_2))
