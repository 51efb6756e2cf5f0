"""`keras.layers`."""
# ruff: noqa: F401
from .activation import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .attention import EinsumDense, MultiHeadAttention
from .base import InputSpec, Layer
from .convolutional import (Conv1D, Conv1DTranspose, Conv2DTranspose, Conv3D, Convolution1D,
                            Convolution1DTranspose, Convolution2DTranspose, Convolution3D,
                            DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                            SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .core import (Activation, AveragePooling2D, AvgPool2D, Conv2D, Dense, Dropout,
                   Embedding, Flatten, Identity, Masking, MaxPool2D, MaxPooling2D, Reshape)
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
                      add, average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import (BatchNormalization, GroupNormalization, LayerNormalization,
                            UnitNormalization)
from .pooling import (AveragePooling1D, AveragePooling3D, AvgPool1D, AvgPool3D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
                      GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D,
                      GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool3D,
                      MaxPooling1D, MaxPooling3D)
from .preprocessing import CategoryEncoding, CenterCrop, Normalization, RandomFlip, Resizing
from .regularization import ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, Lambda, Permute, RepeatVector,
                        Rescaling, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
                        UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                        ZeroPadding2D, ZeroPadding3D)
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell
from .wrappers import Bidirectional, TimeDistributed
from ..models.functional import Input, InputLayer

Convolution2D = Conv2D

import sys as _sys  # noqa: E402

from ...framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.layers")
