# %% [markdown] id=title
# # 18 · Modules and Keras models
#
# **Goal:** organise parameters. A model is made of layers; a layer owns variables and knows how
# to compute its output. `tf.Module` is the minimal container that finds the variables inside
# it; `tf.keras.Model` and `tf.keras.layers` add ready-made layers, lazy building, training
# loops. And `tf.train.Checkpoint` saves a model's variables by *object*, not by name.
#
# **You will meet:** `tf.Module`, `name`, `trainable_variables`, nested modules,
# `tf.keras.Model` with `__init__` and `call`, `tf.keras.layers.Dense`, counting parameters,
# `tf.train.Checkpoint`, `tf.train.latest_checkpoint`.

# %% id=import
%load_ext tfteach
# Loading necessary libraries
import os
import tempfile
import tfteach as tf
import numpy as np

tf.random.set_seed(0)   # the same initial weights on every run

# %% [markdown] id=layer-intro
# ## 1. A layer as a `tf.Module`
#
# Subclass `tf.Module`, create variables in `__init__`, compute in `__call__`. The module finds
# its variables by looking at its attributes; `trainable=False` keeps one out of
# `trainable_variables`.

# %% id=module-layer
class SampleLayer(tf.Module):
    """A layer: a class derived from tf.Module."""

    def __init__(self, name=None):
        super().__init__(name=name)

        # Define a trainable variable
        self.x = tf.Variable([[1.0, 3.0]], name="x_trainable")

        # Define a non-trainable variable
        self.y = tf.Variable(2.0, trainable=False, name="y_non_trainable")

    def __call__(self, input):
        return self.x * input + self.y


# Initialize the layer
# Here, __call__ function will not be called
simple_layer = SampleLayer(name="my_layer")

# Call the layer and extract some information
output = simple_layer(tf.constant(1.0))
print("Output:", output)
print("Layer name:", simple_layer.name)
print("Trainable variables:", simple_layer.trainable_variables)

# %% [markdown] id=model-intro
# ## 2. A model made of modules
#
# Modules nest: a model holding two layers collects the variables of both. (Both layers name
# their variable `x_trainable`: eager variable names are labels, not unique keys.)

# %% id=module-model
class Model(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)

        self.layer_1 = SampleLayer('layer_1')
        self.layer_2 = SampleLayer('layer_2')

    def __call__(self, x):
        x = self.layer_1(x)
        output = self.layer_2(x)
        return output


# Initialize the model
custom_model = Model(name="model_name")

# Call the model
# Call the layer and extract some information
output = custom_model(tf.constant(1.0))
print("Output:", output)
print("Model name:", custom_model.name)
print("Trainable variables:", custom_model.trainable_variables)

# %% [markdown] id=keras-intro
# ## 3. Keras models
#
# `tf.keras.Model` works the same way (create layers in `__init__`, use them in `call`; PyTorch
# users will recognise `__init__` + `forward`), and
# `tf.keras.layers` supplies the layers. A `Dense(units)` layer computes
# `activation(inputs @ kernel + bias)`; it creates `kernel` and `bias` on its first call, when it
# sees the size of its input.
#
# Read `call` below carefully: there is a slip in it (it comes from the original notes). The
# parameter count will give it away.

# %% id=keras-model
class CustomModel(tf.keras.Model):

    def __init__(self):
        super(CustomModel, self).__init__()
        self.layer_1 = tf.keras.layers.Dense(16, activation=tf.nn.relu)
        self.layer_2 = tf.keras.layers.Dense(32, activation=None)

    def call(self, inputs):
        x = self.layer_1(inputs)
        out = self.layer_2(inputs)
        return out


# Create model
custom_model = CustomModel()

# Call the model
# Call the layer and extract some information
output = custom_model(tf.constant([[1.0, 2.0, 3.0]]))
print("Output shape:", output.shape)
print("Output:", output.numpy().round(2))
print("Model name:", custom_model.name)

# Count total trainable variables
total_trainable_var = np.sum([tf.size(var).numpy()
                              for var in custom_model.trainable_variables])
print("Number of trainable variables:", total_trainable_var)

# %% [markdown] id=keras-bug
# 192 = (3·16 + 16) + (3·32 + 32): `layer_2` was built for an input of size **3**, because `call`
# passes `inputs` to it instead of `x`. `layer_1`'s work is thrown away. With `self.layer_2(x)`
# the count would be (3·16 + 16) + (16·32 + 32) = 608.

# %% id=keras-variables
for v in custom_model.trainable_variables:
    print(v.path, v.shape)

# %% [markdown] id=keras-draw-intro
# The drawing of the traced model makes the slip visible: the first layer's `Relu` leads
# nowhere, and the second `MatMul` reads the input directly.

# %% id=keras-draw
%graph tf.function(custom_model).get_concrete_function(tf.constant([[1.0, 2.0, 3.0]]))

# %% [markdown] id=checkpoint-intro
# ## 4. Saving and restoring a model with `tf.train.Checkpoint`
#
# A checkpoint records the variables reachable from the objects you give it (`myModel=model`),
# by their place in the object tree. Restoring into a *new* model of the same class puts the
# values back. Call the new model once first, so that its layers have created their variables.

# %% id=checkpoint-save
os.chdir(tempfile.mkdtemp())   # work in a scratch folder: the checkpoint goes to ./save

class MyModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense1 = tf.keras.layers.Dense(4, activation=tf.nn.relu)
        self.dense2 = tf.keras.layers.Dense(2)

    def call(self, inputs):
        return self.dense2(self.dense1(inputs))

x = tf.constant([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])

# train.py: train the model, then save it
model = MyModel()
model(x)
# ... training would go here ...
# Checkpoint names the object to save: the model (an optimizer could be added too)
checkpoint = tf.train.Checkpoint(myModel=model)
# after training (or every so often during it), write the variables to files
path = checkpoint.save('./save/model.ckpt')
print(path, sorted(os.listdir('./save')))

# %% id=checkpoint-restore
# test.py: use the model
model_restored = MyModel()
model_restored(x)          # build the variables first
# Checkpoint names the object to restore into
checkpoint = tf.train.Checkpoint(myModel=model_restored)
# restore the variables from the newest checkpoint in the folder
checkpoint.restore(tf.train.latest_checkpoint('./save'))
# use the model: it computes exactly what the saved one did
same = np.allclose(model(x).numpy(), model_restored(x).numpy())
print(same)
assert same, "the restored model should reproduce the saved one"

# %% [markdown] id=checkpoint-optimizer
# To resume *training*, save the optimizer too (`optimizer=opt`): its step count, its
# learning rate and its slots (Adam keeps two per weight: `_variables/2` onwards) go in the
# same file, under the names TensorFlow 2.21 with Keras 3 gives them, so TensorFlow can go on
# training from a tfteach checkpoint and the reverse. Each variable is saved once, under the
# first path that reaches it: the weights are also the optimizer's `_trainable_variables`, but
# `myModel/...` comes first here.

# %% id=checkpoint-optimizer-keys
opt = tf.keras.optimizers.Adam(0.01)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
grads = tape.gradient(loss, model.trainable_variables)
opt.apply_gradients(zip(grads, model.trainable_variables))
path = tf.train.Checkpoint(myModel=model, optimizer=opt).save('./save_opt/ckpt')
for name, shape in tf.train.list_variables(path):
    print(name, shape)

# %% [markdown] id=exercises
# ## Exercises
#
# **Exercise 1.** Fix `CustomModel` (call `layer_2` on `x`) as `FixedModel`, call it on
# `tf.constant([[1.0, 2.0, 3.0]])` and store its number of trainable parameters in `answer_1`.

# %% id=ex1
answer_1 = ...

# %% id=ex1-check
from tfteach.exercises import check, expect, is_number

def check_1(n):
    expect(is_number(n), "answer_1 should be a number (a parameter count)")
    expect(n == 3 * 16 + 16 + 16 * 32 + 32, "count each layer's kernel and bias: inputs × units "
                                            "+ units")

print(check(1, check_1, answer_1))

# %% [markdown] id=ex2-intro
# **Exercise 2.** Write a `tf.Module` called `Scale` with one trainable variable `factor`
# (initial value 2.0) whose `__call__` multiplies its input by `factor`. Store an instance in
# `answer_2`.

# %% id=ex2
answer_2 = ...

# %% id=ex2-check
def check_2(module):
    expect(isinstance(module, tf.Module), "answer_2 should be an instance of your tf.Module")
    expect(len(module.trainable_variables) == 1, "give the module exactly one trainable variable")
    expect(float(module.trainable_variables[0].numpy()) == 2.0, "start the factor at 2.0")
    expect(float(module(tf.constant(3.0))) == 6.0, "__call__ should multiply its input by factor")

print(check(2, check_2, answer_2))

# %% [markdown] id=solutions
# ### Solutions (try first!)

# %% id=solutions-code
class FixedModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.layer_1 = tf.keras.layers.Dense(16, activation=tf.nn.relu)
        self.layer_2 = tf.keras.layers.Dense(32, activation=None)

    def call(self, inputs):
        x = self.layer_1(inputs)
        return self.layer_2(x)

fixed = FixedModel()
fixed(tf.constant([[1.0, 2.0, 3.0]]))
answer_1 = int(np.sum([tf.size(v).numpy() for v in fixed.trainable_variables]))
print(check(1, check_1, answer_1))

class Scale(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.factor = tf.Variable(2.0, name="factor")

    def __call__(self, x):
        return self.factor * x

answer_2 = Scale()
print(check(2, check_2, answer_2))
