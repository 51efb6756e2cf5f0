"""Building numba kernels lazily, with numba's on-disk cache.

`elementwise(pyfunc, types)` makes a NumPy ufunc (numba `@vectorize`) from a scalar Python
function, compiled for each dtype only the first time that dtype is used; the compiled
machine code is cached on disk (`cache=True`), so a new process loads it in milliseconds.
Kernels are module-level functions with canonical dtypes, which numba's cache requires.
"""
__toolkit__ = True   # shared machinery for the family modules: registers no kernels
import functools
import threading

import numpy as np

from ... import errors

# TF dtypes -> numba signature type names
NB = {np.dtype(np.float16): "float16", np.dtype(np.float32): "float32",
      np.dtype(np.float64): "float64", np.dtype(np.int8): "int8", np.dtype(np.int16): "int16",
      np.dtype(np.int32): "int32", np.dtype(np.int64): "int64", np.dtype(np.uint8): "uint8",
      np.dtype(np.uint16): "uint16", np.dtype(np.uint32): "uint32",
      np.dtype(np.uint64): "uint64", np.dtype(np.bool_): "boolean",
      np.dtype(np.complex64): "complex64", np.dtype(np.complex128): "complex128"}

FLOATS = ("float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
SIGNED = ("int8", "int16", "int32", "int64")
NUMERIC = FLOATS + INTS


def cache_by(dispatcher, *params):
    """Keys a closure kernel's on-disk cache entries by `params`, what the closure was made
    from, instead of numba's pickle of its cells. A cell holding another numba function
    pickles with a per-process id, so such a kernel never found its cached code and was
    compiled afresh in every process (measured: 3.3 s for the Winograd kernels' first call,
    3 s for the direct convolution's). Like numba's own key, this one holds the function's
    bytecode, and the cache is dropped when its source file changes."""
    import hashlib
    cache = getattr(dispatcher, "_cache", None)
    if cache is None or not hasattr(cache, "_index_key"):
        return dispatcher
    code = hashlib.sha256(dispatcher.py_func.__code__.co_code).hexdigest()
    token = hashlib.sha256(repr(params).encode()).hexdigest()
    cache._index_key = lambda sig, codegen: (sig, codegen.magic_tuple(), (code, token))
    return dispatcher


def _tf_enum(numba_name):
    """numba type name -> TF's DataType enum name (DT_FLOAT for float32, ...)."""
    return "DT_" + {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF",
                    "boolean": "BOOL"}.get(numba_name, numba_name.upper())


class Elementwise:
    """A ufunc per dtype, each built with numba.vectorize on first use.

    `out` maps an input type name to the output type name (e.g. comparisons -> boolean).
    Calling with a dtype that is not in `types` is TF's "no kernel registered" error.
    `rules` maps a type name to a CPU scalar rule that replaces `pyfunc` for that dtype (the
    vectorisable float32 exp of vecmath.py, say); `pyfunc` stays the op's generic rule, the
    one the GPU twin compiles.
    """

    def __init__(self, op_type, pyfunc, types, nargs, out=None, rules=None):
        self.op_type = op_type
        self.pyfunc = pyfunc
        self.types = set(types)
        self.nargs = nargs
        self.out = out or (lambda t: t)
        self.rules = dict(rules or {})
        self._ufuncs = {}

    def rule(self, type_name):
        """The scalar function the CPU compiles for `type_name` (the fusion pass too, so a
        fused op computes what the op's own kernel computes)."""
        return self.rules.get(type_name, self.pyfunc)

    def ufunc(self, np_dtype):
        u = self._ufuncs.get(np_dtype)
        if u is None:
            name = NB.get(np_dtype)
            if name == "float16" and "float32" in self.types and name not in self.types:
                u = self._ufuncs[np_dtype] = self._half(self.ufunc(np.dtype(np.float32)))
                return u
            if name not in self.types:
                raise errors.NotFoundError(
                    None, None, f"Could not find device for node: {{{{node {self.op_type}}}}} = "
                                f"{self.op_type}[T={_tf_enum(str(np_dtype))}]\nAll kernels "
                                f"registered for op {self.op_type}:\n  "
                                + "\n  ".join(f"device='CPU'; T in [{_tf_enum(t)}]"
                                              for t in sorted(self.types)))
            import numba
            sig = f"{self.out(name)}({', '.join([name] * self.nargs)})"
            u = numba.vectorize([sig], cache=True, nopython=True)(self.rule(name))
            self._ufuncs[np_dtype] = u
        return u

    def _half(self, u32):
        """float16: numba has no half arithmetic, so compute in float32 and round back
        (TF's CPU kernels also widen half to float internally)."""
        same = self.out("float32") == "float32"
        f32 = np.float32

        def half(*args):
            r = u32(*[np.asarray(a, dtype=f32) for a in args])
            return r.astype(np.float16) if same else r
        half.__name__ = f"{self.op_type}_half"
        return half

    def for_op(self, op):
        """The plan binds the ufunc for the op's static dtype: no per-call dispatch."""
        dt = op.inputs[0].dtype.base_dtype if op.inputs else op.get_attr("T")
        return self.ufunc(dt.np_dtype)

    def __call__(self, *args):
        return self.ufunc(np.asarray(args[0]).dtype)(*args)


# numba's default threading layer aborts the process when parallel kernels are launched from
# two threads at once; every `parallel=True` kernel runs under this lock, taken without
# blocking (a thread that finds it busy runs the serial version of the kernel).

PARALLEL_LOCK = threading.Lock()


# A variable update reads the value, computes and swaps in the result: two threads doing that
# at once would lose one update (TF's Session gives exactly N*K after N threads each add K
# times). Every kernel that updates a variable runs under this lock; it is held only for the
# update itself, never while a kernel waits on another lock that an updater could hold.
VARIABLE_LOCK = threading.Lock()


def atomic(kernel):
    """Runs a variable-updating kernel under VARIABLE_LOCK (its signature is kept, so the
    registry still reads its attrs off it)."""
    @functools.wraps(kernel)
    def locked(*args, **kwargs):
        with VARIABLE_LOCK:
            return kernel(*args, **kwargs)
    return locked
