"""How tf.print and tf.strings.format show a tensor (TF's C++ tensor printer), shared by the
logging family's Print/PrintV2 kernels and the string family's StringFormat."""
__toolkit__ = True   # shared machinery: registers no kernels

import numpy as np

from ...framework import dtypes as _dt


def _scalar_text(v, dtype):
    if dtype.is_bool:
        return "1" if v else "0"
    if dtype is _dt.string:
        b = v if isinstance(v, bytes) else str(v).encode()
        return '"' + b.decode("utf-8", "backslashreplace") + '"'
    if dtype.is_floating:
        f = float(v)
        if dtype is _dt.float64:
            s = "%.15g" % f
            return s if float(s) == f else "%.17g" % f
        s = "%g" % f
        return s if np.float32(float(s)) == np.float32(f) else "%.9g" % f
    if dtype.is_complex:
        return f"({v.real},{v.imag})"
    return str(int(v))


def format_tensor(value, dtype, summarize=3):
    """A tensor's value as TF's C++ printer writes it: at most `summarize` items from each
    end of every dimension, floats in their shortest round-trip form, bools as 1/0,
    strings quoted."""
    a = np.asarray(value, dtype=object if dtype is _dt.string else None)
    if a.ndim == 0:
        return _scalar_text(a[()], dtype)
    limit = None if summarize is None or summarize < 0 else summarize

    def rec(x, depth):
        n = x.shape[0]
        cut = limit is not None and n > 2 * limit
        idx = list(range(limit)) + [None] + list(range(n - limit, n)) if cut else range(n)
        if x.ndim == 1:
            parts = ["..." if i is None else _scalar_text(x[i], dtype) for i in idx]
            return "[" + " ".join(parts) + "]"
        sep = "\n" * (x.ndim - 1) + " " * (depth + 1)
        parts = ["..." if i is None else rec(x[i], depth + 1) for i in idx]
        return "[" + sep.join(parts) + "]"
    return rec(a, 0)
