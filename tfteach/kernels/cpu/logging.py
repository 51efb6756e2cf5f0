"""CPU kernels of the logging family (Assert, Print, PrintV2, Timestamp) and the
text format tf.print writes (eager/printing.py uses the same functions)."""
import sys
import time

import numpy as np

from ... import errors
from ...framework.registry import register_kernel


# --- what a failing Assert and tf.Print write (TF's C++ SummarizeValue) ------------------

def _scalar(v):
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "backslashreplace")
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)):
        return "%g" % v
    return str(v)


def summarize_value(value, summarize=3):
    """A value as TF's C++ SummarizeValue writes it: the first `summarize` elements in
    nested brackets for the inner dimensions, '...' when some are left out."""
    a = np.asarray(value, dtype=object if np.asarray(value).dtype.kind in "OSU" else None)
    if a.ndim == 0:
        return _scalar(a[()])
    flat = a.reshape(-1)
    n = flat.size if summarize is None or summarize < 0 else min(summarize, flat.size)
    strides = [int(np.prod(a.shape[j:])) for j in range(1, a.ndim)]
    out = []
    for i in range(n):
        opens = "".join("[" for s in strides if s and i % s == 0)
        if out and not out[-1].endswith("]") and not opens:
            out.append(" ")
        out.append(opens + _scalar(flat[i]))
        out.append("".join("]" for s in strides if s and (i + 1) % s == 0))
    text = "".join(out)
    return text + ("..." if n < flat.size else "")


def assertion_failed(data, summarize):
    """The error a failing Assert raises, its data written as TF writes them."""
    parts = ", ".join(f"[{summarize_value(d, summarize)}]" for d in data).replace("], [", "] [")
    return errors.InvalidArgumentError(None, None, f"assertion failed: {parts}")


def print_line(message, data, summarize):
    """The line tf.Print writes to stderr."""
    return message + "".join(f"[{summarize_value(d, summarize)}]" for d in data) + "\n"


@register_kernel("Assert")
def assert_(cond, *data, summarize):
    if bool(np.all(cond)):
        return ()
    raise assertion_failed(data, summarize)


_print_counts = {}      # runs of each Print op so far, for first_n


@register_kernel("Print")
def print_(x, *data, message, first_n, summarize, op):
    count = _print_counts.get(op, 0)
    if first_n < 0 or count < first_n:
        _print_counts[op] = count + 1
        sys.stderr.write(print_line(message, data, summarize))
    return x


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


@register_kernel("PrintV2")
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


@register_kernel("Timestamp")
def timestamp():
    return np.float64(time.time())


# --- CheckNumerics ---------------------------------------------------------------------------

def check_numerics_error(message, has_nan, has_inf):
    """TF's CheckNumerics failure: "<message> : Tensor had Inf and NaN values"."""
    what = "Inf and NaN" if has_nan and has_inf else "NaN" if has_nan else "Inf"
    return errors.InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")


@register_kernel("CheckNumerics")
def check_numerics(tensor, *, message):
    x = np.asarray(tensor)
    work = x.astype(np.float32) if x.dtype.kind == "V" or x.dtype.name == "bfloat16" else x
    finite = np.isfinite(work)
    if not finite.all():
        has_nan = bool(np.isnan(work).any())
        has_inf = bool(np.isinf(work).any())
        raise check_numerics_error(message, has_nan, has_inf)
    return tensor


def check_numerics_v2_error(message, neg_inf, pos_inf, nan):
    """TF's CheckNumericsV2 failure: "<message> : Tensor had -Inf, +Inf, and NaN values"."""
    kinds = [k for k, seen in (("-Inf", neg_inf), ("+Inf", pos_inf), ("NaN", nan)) if seen]
    what = kinds[0] if len(kinds) == 1 else " and ".join(kinds) if len(kinds) == 2 else \
        "-Inf, +Inf, and NaN"
    return errors.InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")


@register_kernel("CheckNumericsV2")
def check_numerics_v2(tensor, *, message):
    x = np.asarray(tensor)
    work = x.astype(np.float32) if x.dtype.kind == "V" or x.dtype.name == "bfloat16" else x
    if not np.isfinite(work).all():
        raise check_numerics_v2_error(message, bool(np.isneginf(work).any()),
                                      bool(np.isposinf(work).any()),
                                      bool(np.isnan(work).any()))
    return tensor
