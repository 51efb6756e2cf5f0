"""`keras.layers`."""
# ruff: noqa: F401
from .activation import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .attention import (AdditiveAttention, Attention, EinsumDense, GroupedQueryAttention,
                        MultiHeadAttention)
from .base import InputSpec, Layer
from .convolutional import (Conv1D, Conv1DTranspose, Conv2DTranspose, Conv3D, Conv3DTranspose,
                            Convolution1D, Convolution1DTranspose, Convolution2DTranspose,
                            Convolution3D, Convolution3DTranspose,
                            DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                            SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .core import (Activation, AveragePooling2D, AvgPool2D, Conv2D, Dense, Dropout,
                   Embedding, Flatten, Identity, Masking, MaxPool2D, MaxPooling2D, Reshape,
                   ReversibleEmbedding)
from .image_augmentation import (RandomBrightness, RandomContrast, RandomRotation,
                                 RandomTranslation, RandomZoom)
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
                      add, average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import (BatchNormalization, GroupNormalization, LayerNormalization,
                            RMSNormalization, UnitNormalization)
from .pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                      AdaptiveAveragePooling3D, AdaptiveMaxPooling1D, AdaptiveMaxPooling2D,
                      AdaptiveMaxPooling3D, AveragePooling1D, AveragePooling3D, AvgPool1D, AvgPool3D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
                      GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D,
                      GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool3D,
                      MaxPooling1D, MaxPooling3D)
from .preprocessing import (AutoContrast, CategoryEncoding, CenterCrop, Discretization,
                            Normalization, Pipeline, RandomFlip, Resizing)
from .hashing import HashedCrossing, Hashing
from .index_lookup import IntegerLookup, StringLookup
from .regularization import ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, Lambda, Permute, RepeatVector,
                        Rescaling, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
                        UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                        ZeroPadding2D, ZeroPadding3D)
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell
from .text_vectorization import TextVectorization
from .wrappers import Bidirectional, TimeDistributed, Wrapper
from ..models.functional import Input, InputLayer

Convolution2D = Conv2D
GroupQueryAttention = GroupedQueryAttention     # TF 2.21's tf.keras name for it


def serialize(layer):
    """The layer as Keras 3 writes it: {"module", "class_name", "config", "registered_name"}
    (and "build_config" once built)."""
    from .base import SERIALIZATION
    return SERIALIZATION["serialize"](layer)


def deserialize(config, custom_objects=None):
    """A layer made from `serialize`'s dict (or one Keras wrote)."""
    from .base import SERIALIZATION
    layer = SERIALIZATION["deserialize"](config, custom_objects)
    shape = (config.get("build_config") or {}).get("input_shape")
    if shape is not None:       # Keras builds a layer serialized after building
        layer.build(tuple(shape))
    return layer

import sys as _sys  # noqa: E402

from ...framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.keras.layers")
