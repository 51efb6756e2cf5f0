"""`keras.layers`."""
# ruff: noqa: F401
from .activation import LeakyReLU, ReLU, Softmax
from .base import InputSpec, Layer
from .convolutional import Conv1D, Conv2DTranspose, Convolution1D, Convolution2DTranspose
from .core import (Activation, AveragePooling2D, AvgPool2D, Conv2D, Dense, Dropout,
                   Embedding, Flatten, Identity, MaxPool2D, MaxPooling2D, Reshape)
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,
                      average, concatenate, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (GlobalAveragePooling2D, GlobalAvgPool2D, GlobalMaxPool2D,
                      GlobalMaxPooling2D)
from .reshaping import (Cropping2D, Lambda, Permute, RepeatVector, Rescaling,
                        SpatialDropout2D, UpSampling2D, ZeroPadding2D)
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell
from .wrappers import Bidirectional, TimeDistributed
from ..models.functional import Input, InputLayer

import sys as _sys  # noqa: E402

from ...framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.layers")
