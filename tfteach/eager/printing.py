"""tf.print: prints eagerly at once, and from inside a graph each time the graph runs.

Inside a tf.function trace, Python's `print` runs once (while tracing) but `tf.print` adds
ops: one `StringFormat` per tensor (its value as TF prints it) and a stateful `PrintV2`
that writes the line, so the line appears at every call.

Values are formatted as TF's C++ printer does: at most `summarize` (3) items from each end of
every dimension, floats in their shortest round-trip form, booleans as 1/0, strings quoted.
"""
import sys

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry

__all__ = ["tf_print", "format_tensor"]

registry.register_op("PrintV2", inputs=(("*inputs", _dt.string),), outputs=(),
                     shape=lambda op: [], stateful=True,
                     doc="Writes a line (tf.print) every time it runs.")
registry.NotDifferentiable("PrintV2")


def format_tensor(value, dtype, summarize=3):
    """A tensor's value as TF prints it (the StringFormat kernel's formatter)."""
    from ..kernels.cpu.string import format_tensor as _format
    return _format(value, dtype, summarize)


def _format_python(x, summarize):
    """Non-tensor arguments print as Python prints them, with tensors inside formatted."""
    if isinstance(x, _ops.Tensor) or hasattr(x, "_read_eager"):
        t = x._read_eager() if hasattr(x, "_read_eager") else x
        return format_tensor(t.numpy(), t.dtype, summarize)
    if isinstance(x, list):
        return "[" + ", ".join(_format_python(v, summarize) for v in x) + "]"
    if isinstance(x, tuple):
        inner = ", ".join(_format_python(v, summarize) for v in x)
        return "(" + inner + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_format_python(v, summarize)}"
                               for k, v in x.items()) + "}"
    return str(x)


def _stream(output_stream):
    if output_stream in (None, sys.stderr, "stderr") or output_stream is _STDERR:
        return sys.stderr
    if output_stream in (sys.stdout, "stdout"):
        return sys.stdout
    if hasattr(output_stream, "write"):
        return output_stream
    if isinstance(output_stream, str) and output_stream.startswith("file://"):
        return output_stream[len("file://"):]
    raise ValueError(f"Unsupported output stream, logging level, or file.{output_stream}. "
                     f"Supported streams are sys.stdout, sys.stderr, tf.logging.info, "
                     f"tf.logging.warning, tf.logging.error. File needs to be in the form "
                     f"'file://path/to/file'.")


_STDERR = object()


def _write(text, stream):
    if isinstance(stream, str):
        with open(stream, "a", encoding="utf-8") as f:
            f.write(text)
    else:
        stream.write(text)
        if hasattr(stream, "flush"):
            stream.flush()


def tf_print(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """`tf.print(*inputs)`: eagerly prints now; in a graph, returns the PrintV2 op."""
    stream = _stream(output_stream)
    eager = _ops.executing_eagerly() and not any(_ops.is_symbolic(x) for x in
                                                 _flat(inputs))
    if eager:
        _write(sep.join(_format_python(x, summarize) for x in inputs) + end, stream)
        return None
    # Graph: the tensors' text comes from StringFormat ops; Python parts are fixed text.
    from ..framework.op_def_library import apply_op
    pieces = []
    tensors = []
    for x in inputs:
        if isinstance(x, _ops.Tensor) or hasattr(x, "_read_eager") or \
                getattr(x, "_is_resource_variable", False):
            t = _ops.convert_to_tensor(x)
            from ..ops import string_ops  # noqa: F401 - declares StringFormat
            tensors.append(apply_op("StringFormat", [[t]], {"template": "{}",
                                                            "placeholder": "{}",
                                                            "summarize": summarize},
                                    name="StringFormat")[0])
            pieces.append(None)
        elif isinstance(x, (list, tuple, dict)) and any(
                isinstance(v, _ops.Tensor) for v in _flat(x)):
            raise TypeError("tf.print in a graph takes tensors and Python values; nested "
                            "structures holding tensors are printed eagerly only in tfteach.")
        else:
            pieces.append(_format_python(x, summarize))
    return apply_op("PrintV2", [tensors], {"pieces": tuple(pieces), "sep": sep, "end": end,
                                           "output_stream": stream}, name=name or "PrintV2")


def _flat(x):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _flat(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _flat(v)
    else:
        yield x


def _print_kernel(*texts, pieces, sep, end, output_stream):
    it = iter(texts)
    parts = []
    for p in pieces:
        if p is None:
            t = next(it)
            t = t[()] if isinstance(t, np.ndarray) else t
            parts.append(t.decode() if isinstance(t, bytes) else str(t))
        else:
            parts.append(p)
    _write(sep.join(parts) + end, output_stream)


registry.register_kernel("PrintV2", "CPU")(_print_kernel)
