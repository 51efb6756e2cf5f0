"""EagerTensor: a Tensor that holds its value.

It subclasses the graph `Tensor` so that `isinstance(t, tf.Tensor)`, the operators and every
op constructor accept it; what differs is that it has a value (a NumPy array, or a NumPy
scalar for rank 0, exactly what the kernel returned) and no graph, op or name. Its reprs
follow TF 2.21:

    str  -> tf.Tensor([1 2 3], shape=(3,), dtype=int32)
    repr -> <tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>
"""
import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.tensor_shape import TensorShape

__all__ = ["EagerTensor", "GpuEagerTensor", "Reference"]

_CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
_new_shape = object.__new__


def _shape_of(value):
    s = _new_shape(TensorShape)
    s._dims = value.shape
    return s


class EagerTensor(_ops.Tensor):
    """A tensor with a value, produced by an op that ran at once."""

    __slots__ = ("_value", "_device")
    _is_eager = True

    def __init__(self, value, dtype, device=None):
        # The graph Tensor's slots (_op, _consumers, ...) stay unset: an eager tensor
        # belongs to no graph.
        self._value = value
        self._dtype = dtype
        self._device = device

    # --- what an eager tensor has ---------------------------------------------------------
    def numpy(self):
        v = self._value
        if type(v) is np.ndarray and not v.ndim:
            return v[()]     # TF gives NumPy scalars (np.int32, bytes) for rank 0
        return v

    def _numpy(self):
        return self._value

    @property
    def shape(self):
        return _shape_of(self._value)

    def get_shape(self):
        return _shape_of(self._value)

    def set_shape(self, shape):
        if not _shape_of(self._value).is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied "
                             f"shape {TensorShape(shape)}.")

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def device(self):
        if self._device is None:
            return _CPU0
        return self._device

    @property
    def backing_device(self):
        return self.device

    # --- what it does not have ------------------------------------------------------------
    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def value_index(self):
        raise AttributeError("Tensor.value_index is undefined when eager execution is "
                             "enabled.")

    def consumers(self):
        raise NotImplementedError("Tensor.consumers is undefined when eager execution is "
                                  "enabled.")

    def eval(self, feed_dict=None, session=None):
        raise NotImplementedError("eval is not supported when eager execution is enabled, "
                                  "is .numpy() what you're looking for?")

    # --- Python protocols -----------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self._value)
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        if not self._dtype.is_integer:
            raise TypeError(f"only integer scalar arrays can be converted to a scalar index")
        return int(self._value)

    def __complex__(self):
        return complex(self._value)

    def __bool__(self):
        return bool(self._value)

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._value.shape[0]))

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self):
        return Reference(self)

    def experimental_ref(self):
        return Reference(self)

    def __eq__(self, other):
        from . import execute
        return execute.equality(self, other, "Equal")

    def __ne__(self, other):
        from . import execute
        return execute.equality(self, other, "NotEqual")

    def __getitem__(self, key):
        fn = _ops._OVERLOADS.get("__getitem__")
        if fn is None:
            from ..ops import array_ops  # noqa: F401 - registers indexing (StridedSlice)
            fn = _ops._OVERLOADS["__getitem__"]
        return fn(self, key)

    def __format__(self, format_spec):
        return self._value.__format__(format_spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        from ..ops import constant_op
        return constant_op.constant, (self._value, self._dtype)

    # --- reprs --------------------------------------------------------------------------
    def __str__(self):
        return (f"tf.Tensor({_numpy_text(self)}, shape={_shape_of(self._value)}, "
                f"dtype={self._dtype.name})")

    def __repr__(self):
        return (f"<tf.Tensor: shape={_shape_of(self._value)}, dtype={self._dtype.name}, "
                f"numpy={_numpy_text(self, is_repr=True)}>")

    def _shape_str_for_repr(self):
        return str(self.shape)


def _numpy_text(t, is_repr=False):
    v = t._value
    if t._dtype in (_dt.resource, _dt.variant):
        # a TensorList prints as TF prints its variant's payload
        payload = v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v
        text = "<TensorList>" if type(payload).__name__ == "TensorList" else "<unprintable>"
    elif is_repr:
        if v.ndim == 0:
            item = v.item() if hasattr(v, "item") else v
            text = repr(item)
        else:
            text = repr(np.asarray(v))
    elif v.ndim == 0 and t._dtype is _dt.string:
        item = v.item() if hasattr(v, "item") else v
        text = repr(bytes(item) if isinstance(item, (bytes, np.bytes_)) else item)
    else:
        text = str(v) if v.ndim == 0 else str(np.asarray(v))
    if "\n" in text:
        text = "\n" + text
    return text


class Reference:
    """`tensor.ref()` / `variable.ref()`: a hashable handle comparing by identity."""
    __slots__ = ("_wrapped",)

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def deref(self):
        return self._wrapped

    def __hash__(self):
        return id(self._wrapped)

    def __eq__(self, other):
        return isinstance(other, Reference) and self._wrapped is other._wrapped

    def __repr__(self):
        return f"<Reference wrapping {self._wrapped!r}>"


# --- operators: eager fast path ---------------------------------------------------------
# `a + b` on eager tensors runs AddV2 at once, without the name scope and graph-style
# conversion the symbolic operators need. As in TF, the other operand is converted to this
# tensor's dtype (TypeError "Cannot convert 2.5 to EagerTensor of dtype int32"), and a tensor
# of another dtype is an InvalidArgumentError from the op.

def _eager_binary(dunder, op_type, reverse=False):
    from ..framework import registry
    fallback_name = dunder

    def operator(self, other):
        if type(other) is not EagerTensor:
            if not _execute.context.executing_eagerly() or _ops.is_symbolic(other) or \
                    getattr(other, "_is_graph_variable", False):
                return _ops._OVERLOADS[fallback_name](self, other)
            if hasattr(other, "_read_eager"):
                other = other._read_eager()
            else:
                try:
                    other = _execute.convert_to_eager(other, self._dtype)
                except (TypeError, ValueError):
                    if hasattr(other, "__array_priority__") and not isinstance(
                            other, (np.ndarray, np.generic)):
                        return NotImplemented
                    if dunder == "__add__":
                        # TF 2.21's `x + y` converts y with x's dtype only as a hint: a
                        # value of another kind reaches AddV2, which refuses it
                        # (InvalidArgumentError); `*`, `-`, `y + x` raise TypeError here.
                        try:
                            converted = _execute.convert_to_eager(other)
                        except (TypeError, ValueError):
                            converted = None
                        if converted is not None:
                            return _execute.execute(registry.get(op_type), [self, converted],
                                                    {}, None)[0]
                    raise TypeError(f"Cannot convert {other!r} to EagerTensor of dtype "
                                    f"{_execute._tf_type_name(self._dtype)}") from None
        elif not _execute.context.executing_eagerly():
            return _ops._OVERLOADS[fallback_name](self, other)
        # strings concatenate with TF's older Add (AddV2 has no string kernel)
        opdef = registry.get("Add" if op_type == "AddV2" and self._dtype is _dt.string
                             else op_type)
        args = [other, self] if reverse else [self, other]
        return _execute.execute(opdef, args, {}, None)[0]
    operator.__name__ = dunder
    return operator


def _install_operators():
    for name, op_type in (("add", "AddV2"), ("sub", "Sub"), ("mul", "Mul"),
                          ("floordiv", "FloorDiv"), ("mod", "FloorMod"), ("pow", "Pow")):
        setattr(EagerTensor, f"__{name}__", _eager_binary(f"__{name}__", op_type))
        setattr(EagerTensor, f"__r{name}__", _eager_binary(f"__r{name}__", op_type, True))
    for dunder, op_type in (("__lt__", "Less"), ("__le__", "LessEqual"),
                            ("__gt__", "Greater"), ("__ge__", "GreaterEqual")):
        setattr(EagerTensor, dunder, _eager_binary(dunder, op_type))


from . import execute as _execute  # noqa: E402 - sets op_def_library.EAGER_EXECUTE

_ops.EAGER_TENSOR = EagerTensor      # lower layers (ops/constant_op.py) make eager tensors

_install_operators()


_HOST_VALUE = EagerTensor._value      # the slot, under GpuEagerTensor's property
_GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"


class GpuEagerTensor(EagerTensor):
    """An eager tensor on a GPU: its value is a device array (`_dev`). The host copy
    (`_value`, `.numpy()`, NumPy protocols, any CPU kernel) is made on first use and kept,
    so a value crosses to the host only when something on the host reads it. A constant
    made while a GPU is the default starts from its host value and is copied to the device
    on its first use there (`device_array`)."""

    __slots__ = ("_dev",)

    def __init__(self, dev, dtype, device=None, host=None):
        self._dev = dev
        self._dtype = dtype
        self._device = device or _GPU0
        if host is not None:
            _HOST_VALUE.__set__(self, host)

    @property
    def _value(self):
        try:
            return _HOST_VALUE.__get__(self)
        except AttributeError:
            from ..runtime import placement
            h = placement.to_host(self._dev)
            if h.ndim == 0 and h.dtype != object:
                h = h[()]       # rank 0 is a NumPy scalar, as on the CPU
            _HOST_VALUE.__set__(self, h)
            return h

    def device_array(self):
        if self._dev is None:
            from ..runtime import placement
            self._dev = placement.to_device(_HOST_VALUE.__get__(self))
        return self._dev

    @property
    def shape(self):
        return _shape_of(self._dev if self._dev is not None else self._value)

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return len(self.shape)
