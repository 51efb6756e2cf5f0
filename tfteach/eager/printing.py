"""tf.print: prints eagerly at once, and from inside a graph each time the graph runs.

Inside a tf.function trace, Python's `print` runs once (while tracing) but `tf.print` adds
ops: one `StringFormat` per tensor (its value as TF prints it) and a stateful `PrintV2`
that writes the line, so the line appears at every call.

Values are formatted as TF's C++ printer does: at most `summarize` (3) items from each end of
every dimension, floats in their shortest round-trip form, booleans as 1/0, strings quoted.
"""
from ..framework import ops as _ops
from ..framework import registry
from ..kernels.cpu._text import format_tensor  # noqa: F401
from ..kernels.cpu.logging import _STDERR, _stream, _write  # noqa: F401
from ..ops import logging_ops  # noqa: F401  (PrintV2; StringFormat is in string_ops)

__all__ = ["tf_print", "format_tensor"]

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


@registry.api("PrintV2")
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


