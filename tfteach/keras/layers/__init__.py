"""`keras.layers`."""
# ruff: noqa: F401
from .base import InputSpec, Layer
from .core import (Activation, AveragePooling2D, AvgPool2D, Conv2D, Dense, Dropout,
                   Embedding, Flatten, Identity, MaxPool2D, MaxPooling2D, Reshape)
from .rnn import GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell
from ..models.functional import Input, InputLayer


def ReLU(max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):  # noqa: N802
    from ..activations import relu
    return Activation(lambda x: relu(x, negative_slope, max_value, threshold), **kwargs)


def Softmax(axis=-1, **kwargs):  # noqa: N802
    from ..activations import softmax
    return Activation(lambda x: softmax(x, axis), **kwargs)
