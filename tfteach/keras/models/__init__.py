"""`keras.models`."""
# ruff: noqa: F401
from .functional import Input, InputLayer, KerasTensor
from .model import Model, Sequential


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    from ..saving import save_model as _save
    return _save(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile,
                 safe_mode=safe_mode)
