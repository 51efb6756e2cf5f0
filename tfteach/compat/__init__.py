"""`tf.compat`: `tf.compat.v1` is the TF1 namespace (the same module as `tfteach.v1`)."""
import importlib


def __getattr__(name):
    if name == "v1":
        return importlib.import_module("tfteach.compat.v1")
    if name == "v2":
        return importlib.import_module("tfteach")
    raise AttributeError(f"module 'tfteach.compat' has no attribute '{name}'")


def as_bytes(bytes_or_text, encoding="utf-8"):
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    return bytes(bytes_or_text)


def as_text(bytes_or_text, encoding="utf-8"):
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    return str(bytes_or_text)


as_str = as_text
