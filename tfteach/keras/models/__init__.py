"""`keras.models`."""
# ruff: noqa: F401
from .functional import Input, InputLayer, KerasTensor
from .model import Model, Sequential
