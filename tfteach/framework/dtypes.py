"""Data types: TensorFlow's DType objects, mapped onto NumPy dtypes.

Every dtype in TF's table exists here with TF's name, enum number and flags. The quantized
types have no arithmetic kernels (as on TF's CPU for most ops); they are named types that
share their storage with the plain integer of the same width. Each dtype has a `_ref` twin,
the type of a v1 reference variable's output (`float32_ref`).
"""
import numpy as np

__all__ = ["DType", "as_dtype"]


class DType:
    __slots__ = ("_name", "_enum", "_np", "_is_ref", "_base")

    def __init__(self, name, enum, np_dtype, is_ref=False, base=None):
        self._name, self._enum, self._np, self._is_ref = name, enum, np_dtype, is_ref
        self._base = base if base is not None else self

    # --- identity ----------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def as_datatype_enum(self):
        return self._enum

    @property
    def as_numpy_dtype(self):
        return self._np.type if self._np is not None else object

    @property
    def np_dtype(self):
        return self._np

    @property
    def base_dtype(self):
        return self._base

    @property
    def real_dtype(self):
        return {complex64: float32, complex128: float64}.get(self._base, self._base)

    @property
    def _as_ref(self):
        return self if self._is_ref else _REF[self]

    @property
    def is_ref_dtype(self):
        return self._is_ref

    # --- flags (TF's definitions) ---------------------------------------------------------
    @property
    def is_floating(self):
        return self._base in _FLOATS

    @property
    def is_integer(self):
        return self._base in _INTS

    @property
    def is_unsigned(self):
        return self._base in (uint8, uint16, uint32, uint64, quint8, quint16)

    @property
    def is_complex(self):
        return self._base in (complex64, complex128)

    @property
    def is_quantized(self):
        return self._base in _QUANT

    @property
    def is_bool(self):
        return self._base is bool_

    @property
    def is_numeric(self):
        return self._base not in (string, bool_, variant, resource)

    @property
    def size(self):
        # TF 2.21 reports 0 for the dtypes without a fixed element size
        if self._base in (string, resource, variant):
            return 0
        return self._np.itemsize

    @property
    def min(self):
        b = self._base
        if b.is_floating:
            return float(np.finfo(b._np).min)
        if b.is_integer or b.is_quantized:
            return int(np.iinfo(b._np).min)
        if b.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        b = self._base
        if b.is_floating:
            return float(np.finfo(b._np).max)
        if b.is_integer or b.is_quantized:
            return int(np.iinfo(b._np).max)
        if b.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self}.")

    @property
    def limits(self):
        return self.min, self.max

    def is_compatible_with(self, other):
        other = as_dtype(other)
        return self._enum == other._enum or self._enum == other.base_dtype._enum

    # --- comparisons and printing ----------------------------------------------------------
    def __eq__(self, other):
        if other is None:
            return False
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


def _make(name, enum, npdt):
    return DType(name, enum, np.dtype(npdt) if npdt is not None else None)


float16 = half = _make("float16", 19, np.float16)
float32 = _make("float32", 1, np.float32)
float64 = double = _make("float64", 2, np.float64)
bfloat16 = _make("bfloat16", 14, np.float32)  # storage only; no bfloat16 kernels
int8 = _make("int8", 6, np.int8)
int16 = _make("int16", 5, np.int16)
int32 = _make("int32", 3, np.int32)
int64 = _make("int64", 9, np.int64)
uint8 = _make("uint8", 4, np.uint8)
uint16 = _make("uint16", 17, np.uint16)
uint32 = _make("uint32", 22, np.uint32)
uint64 = _make("uint64", 23, np.uint64)
bool_ = _make("bool", 10, np.bool_)
string = _make("string", 7, np.object_)
complex64 = _make("complex64", 8, np.complex64)
complex128 = _make("complex128", 18, np.complex128)
qint8 = _make("qint8", 11, np.int8)
quint8 = _make("quint8", 12, np.uint8)
qint16 = _make("qint16", 15, np.int16)
quint16 = _make("quint16", 16, np.uint16)
qint32 = _make("qint32", 13, np.int32)
resource = _make("resource", 20, np.object_)
variant = _make("variant", 21, np.object_)

_ALL = [float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, uint16, uint32,
        uint64, bool_, string, complex64, complex128, qint8, quint8, qint16, quint16, qint32,
        resource, variant]
_FLOATS = {float16, float32, float64, bfloat16}
_INTS = {int8, int16, int32, int64, uint8, uint16, uint32, uint64}
_QUANT = {qint8, quint8, qint16, quint16, qint32}

_REF = {}
for _d in _ALL:
    _REF[_d] = DType(_d.name + "_ref", _d._enum + 100, _d._np, is_ref=True, base=_d)

_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({r.name: r for r in _REF.values()})
_BY_NAME.update({"half": float16, "double": float64, "float": float32})
_BY_ENUM = {d._enum: d for d in _BY_NAME.values()}

# NumPy dtype -> DType. Quantized types share storage with ints, so only plain ints map back.
_BY_NP = {}
for _d in [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
           bool_, complex64, complex128]:
    _BY_NP[_d._np] = _d


def as_dtype(type_value):
    """Converts a DType, a NumPy dtype/type, a name or an enum number into a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            pass
    elif isinstance(type_value, int) and not isinstance(type_value, bool):
        try:
            return _BY_ENUM[type_value]
        except KeyError:
            pass
    else:
        if type_value is bool:
            return bool_
        if type_value is float:
            return float32
        if type_value is int:
            return int32
        if type_value in (bytes, str, np.bytes_, np.str_):
            return string
        try:
            npdt = np.dtype(type_value)
        except TypeError:
            npdt = None
        if npdt is not None:
            if npdt.kind in "SUO":
                return string
            if npdt in _BY_NP:
                return _BY_NP[npdt]
        if hasattr(type_value, "dtype") and isinstance(getattr(type_value, "dtype"), DType):
            return type_value.dtype
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow "
                    f"DType.")


def result_numpy_dtype(dtype):
    """The NumPy dtype kernels compute in for `dtype` (quantized -> its storage integer)."""
    return as_dtype(dtype).base_dtype.np_dtype
