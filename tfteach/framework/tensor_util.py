"""Python/NumPy values -> NumPy arrays with TF's dtype rules, and static constant values.

TF infers float32 for Python floats and int32 for Python ints (int64 when too large), keeps
a NumPy array's own dtype, stores strings as bytes, and refuses lossy conversions such as
1.5 -> int32.
"""
import numbers

import numpy as np

from . import dtypes as _dt

__all__ = ["make_ndarray_like_tf", "constant_value", "infer_dtype"]


def _flatten(value, out):
    if isinstance(value, (list, tuple)):
        for v in value:
            _flatten(v, out)
    else:
        out.append(value)


def infer_dtype(value):
    """The DType TF picks for a Python/NumPy value given no dtype."""
    if isinstance(value, np.ndarray):
        return _dt.as_dtype(value.dtype)
    if isinstance(value, np.generic):
        return _dt.as_dtype(value.dtype)
    if isinstance(value, (list, tuple)):
        items = []
        _flatten(value, items)
        if not items:
            return _dt.float32
        kinds = set()
        for it in items:
            kinds.add(_kind_of(it))
        if "s" in kinds:
            if kinds != {"s"}:
                raise TypeError(f"Can't convert Python list with mixed strings and numbers to "
                                f"a Tensor: {value!r}")
            return _dt.string
        if "c" in kinds:
            return _dt.complex128
        if "f" in kinds:
            np_items = [it for it in items if isinstance(it, np.generic)]
            if np_items and all(isinstance(it, np.floating) for it in items):
                return _dt.as_dtype(np.result_type(*np_items))
            return _dt.float32
        if "i" in kinds:
            ints = [int(it) for it in items]
            np_items = [it for it in items if isinstance(it, np.integer)]
            if np_items and len(np_items) == len(items):
                return _dt.as_dtype(np.result_type(*np_items))
            if all(-2**31 <= v < 2**31 for v in ints):
                return _dt.int32
            return _dt.int64
        if kinds == {"b"}:
            return _dt.bool_
        return _dt.float32
    k = _kind_of(value)
    if k == "b":
        return _dt.bool_
    if k == "i":
        return _dt.int32 if -2**31 <= int(value) < 2**31 else _dt.int64
    if k == "f":
        return _dt.float32
    if k == "c":
        return _dt.complex128
    if k == "s":
        return _dt.string
    raise TypeError(f"Failed to convert elements of {value!r} to Tensor. Consider casting "
                    f"elements to a supported type.")


def _kind_of(v):
    if isinstance(v, (bool, np.bool_)):
        return "b"
    if isinstance(v, (numbers.Integral, np.integer)):
        return "i"
    if isinstance(v, (numbers.Real, np.floating)):
        return "f"
    if isinstance(v, (numbers.Complex, np.complexfloating)):
        return "c"
    if isinstance(v, (str, bytes, np.str_, np.bytes_)):
        return "s"
    if v is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    raise TypeError(f"Failed to convert elements of {v!r} to Tensor. Consider casting "
                    f"elements to a supported type.")


def make_ndarray_like_tf(value, dtype=None):
    """Converts `value` to a NumPy array of the DType TF would give it. Returns (array, DType)."""
    if dtype is not None:
        dtype = _dt.as_dtype(dtype).base_dtype
    if dtype is None:
        dtype = infer_dtype(value)
    else:
        _check_compatible(value, dtype)
    if dtype is _dt.string:
        arr = _to_bytes_array(value)
        return arr, dtype
    npdt = dtype.np_dtype
    try:
        arr = np.asarray(value, dtype=npdt)
    except (ValueError, TypeError, OverflowError) as e:
        if isinstance(e, ValueError) and "inhomogeneous" in str(e):
            # rows of different lengths: TF's words (and tf.ragged.constant is the fix)
            raise ValueError("Can't convert non-rectangular Python sequence to "
                             "Tensor.") from None
        raise TypeError(f"Failed to convert elements of {value!r} to Tensor. {e}") from None
    if dtype.is_integer and not isinstance(value, np.ndarray):
        # Python ints that overflow the target type are an error in TF.
        raw = np.asarray(value)
        if raw.dtype.kind in "iu" and raw.size and (
                raw.max() > np.iinfo(npdt).max or raw.min() < np.iinfo(npdt).min):
            raise ValueError(f"Can't convert Python int to {dtype.name}: value out of range")
    return arr, dtype


def _check_compatible(value, dtype):
    """TF refuses to convert non-integral Python floats to ints, numbers to strings, etc."""
    if isinstance(value, np.ndarray):
        if dtype is _dt.string and value.dtype.kind not in "SUO":
            raise TypeError(f"Expected string, but got {value!r} of type 'ndarray'.")
        return
    items = []
    _flatten(value, items)
    for it in items:
        k = _kind_of(it)
        if dtype is _dt.string:
            if k != "s":
                raise TypeError(f"Expected string, but got {it!r} of type "
                                f"'{type(it).__name__}'.")
        elif k == "s":
            raise TypeError(f"Expected {dtype.name}, but got {it!r} of type "
                            f"'{type(it).__name__}'.")
        elif dtype.is_integer or dtype.is_quantized:
            if k in ("f", "c"):
                raise TypeError(f"Expected {dtype.name}, but got {it!r} of type "
                                f"'{type(it).__name__}'.")
        elif dtype.is_bool:
            if k != "b":
                raise TypeError(f"Expected bool, but got {it!r} of type "
                                f"'{type(it).__name__}'.")
        elif dtype.is_floating and k == "c":
            raise TypeError(f"Expected {dtype.name}, but got {it!r} of type "
                            f"'{type(it).__name__}'.")


def _to_bytes_array(value):
    def enc(v):
        if isinstance(v, (list, tuple)):
            return [enc(x) for x in v]
        if isinstance(v, np.ndarray):
            return [enc(x) for x in v.tolist()]
        if isinstance(v, str):
            return v.encode("utf-8")
        return bytes(v)
    arr = np.empty(np.shape(value) if not isinstance(value, (str, bytes)) else (), dtype=object)
    flat = enc(value)
    if arr.ndim == 0:
        arr[()] = flat
    else:
        arr[...] = np.array(flat, dtype=object).reshape(arr.shape) if arr.size else arr
    return arr


def constant_value(tensor):
    """The value of `tensor` if it can be known while building the graph, else None."""
    from .ops import Tensor
    if not isinstance(tensor, Tensor):
        return None
    if getattr(tensor, "_is_eager", False):
        return tensor.numpy()
    op = tensor.op
    if op.type == "Const":
        return op.get_attr("value")
    if op.type == "Shape" or op.type == "Size" or op.type == "Rank":
        shape = op.inputs[0].shape
        if op.type == "Rank":
            return None if shape.rank is None else np.array(shape.rank, dtype=np.int32)
        if not shape.is_fully_defined():
            return None
        dt = op.get_attr("out_type").np_dtype
        if op.type == "Size":
            return np.array(shape.num_elements(), dtype=dt)
        return np.array(shape.as_list(), dtype=dt)
    if op.type == "Pack":
        vals = [constant_value(t) for t in op.inputs]
        if any(v is None for v in vals):
            return None
        return np.stack(vals, axis=op.get_attr("axis"))
    if op.type in ("Identity", "StopGradient"):
        return constant_value(op.inputs[0])
    if op.type == "Cast":
        v = constant_value(op.inputs[0])
        return None if v is None else v.astype(op.get_attr("DstT").np_dtype)
    if op.type == "StridedSlice":
        return _strided_slice_1d(op)
    return None


def _strided_slice_1d(op):
    """`shape(x)[i]` / `shape(x)[a:b]` on a known 1-D vector (tf.sort's k, tf.repeat's
    dims): TF's shape inference evaluates such slices, so the result's shape is static."""
    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals) or np.ndim(vals[0]) != 1 or \
            any(np.size(v) != 1 for v in vals[1:]):
        return None
    if op.get_attr("ellipsis_mask") or op.get_attr("new_axis_mask"):
        return None
    x = vals[0]
    b, e, s = (int(np.reshape(v, -1)[0]) for v in vals[1:])
    if op.get_attr("shrink_axis_mask") & 1:
        if not -len(x) <= b < len(x):
            return None
        return np.asarray(x[b])
    b = None if op.get_attr("begin_mask") & 1 else b
    e = None if op.get_attr("end_mask") & 1 else e
    return np.asarray(x[b:e:s])


def constant_value_as_shape(tensor):
    """A TensorShape from a shape-vector tensor, with unknown dims where values are unknown."""
    from .tensor_shape import TensorShape, unknown_shape
    v = constant_value(tensor)
    if v is not None:
        return TensorShape([None if d == -1 else int(d) for d in np.reshape(v, -1)])
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack":
        dims = []
        for t in op.inputs:
            c = constant_value(t)
            dims.append(None if c is None or int(c) == -1 else int(c))
        return TensorShape(dims)
    shape = tensor.shape
    if shape.rank == 1 and shape.as_tuple()[0] is not None:
        return unknown_shape(shape.as_tuple()[0])
    return unknown_shape()
