"""`tf.keras`: Keras 3 (what `tf.keras` is in TF 2.21) on tfteach's eager tensors.

Layers build their weights on first call, models train with `compile`/`fit` on a traced
step; names, variable paths, optimizer defaults and update rules follow Keras 3.
"""
# ruff: noqa: F401
from . import activations, backend, callbacks, initializers, layers, losses, metrics
from . import optimizers, regularizers, saving, utils
from . import models
from .backend import Variable
from .layers import Input, InputLayer, Layer
from .models import Model, Sequential

__version__ = "3.15.1"


def __getattr__(name):
    if name == "datasets":
        raise AttributeError("tfteach.keras.datasets would download data at run time; use "
                             "tfteach.datasets (mnist_subset(), digits(), text()), which "
                             "ship offline")
    raise AttributeError(f"module 'tfteach.keras' has no attribute '{name}'")
