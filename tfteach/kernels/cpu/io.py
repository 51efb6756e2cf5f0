"""CPU kernels of the file ops (`ops/io_ops.py`): whole files in and out as bytes."""
import os

import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from ...ops import io_ops  # noqa: F401 - the op declarations come first


def _path(filename, op_type):
    f = np.asarray(filename, dtype=object)
    if f.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Input filename tensor must be scalar, but had shape: "
                        f"[{','.join(str(d) for d in f.shape)}]")
    v = f[()]
    return v.decode() if isinstance(v, bytes) else str(v)


@register_kernel("ReadFile")
def read_file(filename):
    path = _path(filename, "ReadFile")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    except PermissionError:
        raise errors.PermissionDeniedError(None, None, f"{path}; Permission denied") from None
    return np.array(data, dtype=object)


@register_kernel("WriteFile")
def write_file(filename, contents):
    path = _path(filename, "WriteFile")
    c = np.asarray(contents, dtype=object)
    if c.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Contents tensor must be scalar, but had shape: "
                        f"[{','.join(str(d) for d in c.shape)}]")
    data = c[()]
    data = data if isinstance(data, bytes) else str(data).encode()
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)     # TF creates the missing directories
    with open(path, "wb") as fh:
        fh.write(data)
