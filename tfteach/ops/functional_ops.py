"""tf.map_fn, tf.scan, tf.foldl, tf.foldr (TF2 and compat.v1 names, one function each).

Eagerly each is a Python loop over the leading dimension of `elems`, so every op `fn` runs
is recorded by a GradientTape. In a graph (TF1, or a tf.function) each is built as TF 1.x
builds it: the elements unstacked into TensorArrays, a `tf.while_loop` over the index
that reads one element per iteration and writes `fn`'s result into result TensorArrays,
then the results stacked. (TF2's tf.function records TensorList ops and a While op;
tfteach builds the lowered TF1 form, as for every while loop in a tf.function.) A
gradient through the graph form is a gradient through a while loop.
"""
from .. import errors
from ..framework import nest
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.tensor_shape import TensorShape

__all__ = ["map_fn", "scan", "foldl", "foldr"]


def _check_fn(fn):
    if not callable(fn):
        # TF reads fn.__name__ first (for the name scope), so this is its error
        raise AttributeError(f"'{type(fn).__name__}' object has no attribute '__name__'")


def _flat_elems(elems):
    flat = nest.flatten(elems)
    if not flat:
        raise ValueError(f"elems must be a Tensor or (possibly nested) sequence of Tensors. "
                         f"Got {elems}, which does not contain any Tensors.")
    return [_ops.convert_to_tensor(e, name="elem") for e in flat]


def _eager(flat):
    return _ops.executing_eagerly() and not any(_ops.is_symbolic(t) for t in flat)


def _leading(flat, scalar_msg):
    for t in flat:
        if t.shape.rank == 0:
            raise ValueError(scalar_msg)
    n = None
    for t in flat:
        d = t.shape.as_tuple()[0] if t.shape.rank else None
        if d is not None:
            if n is not None and d != n:
                raise ValueError(f"Dimensions {n} and {d} are not compatible")
            n = d
    return n


def _dtype_check(value, dtype):
    if value.dtype.base_dtype != _dt.as_dtype(dtype).base_dtype:
        raise errors.InvalidArgumentError(
            None, None, f"TensorArray dtype is {_dt.as_dtype(dtype).base_dtype.name} but Op "
                        f"is trying to write dtype {value.dtype.base_dtype.name} ")


def _stop(structure, back_prop):
    if back_prop:
        return structure
    from . import array_ops
    return nest.map_structure(array_ops.stop_gradient, structure)


def _signature_dtypes(sig, elems):
    """fn_output_signature (or dtype) as a structure of DTypes; None: elems' dtypes."""
    if sig is None:
        return nest.map_structure(lambda t: _ops.convert_to_tensor(t).dtype.base_dtype, elems)
    return nest.map_structure(
        lambda s: _dt.as_dtype(getattr(s, "dtype", s)).base_dtype, sig)


# --- map_fn ----------------------------------------------------------------------------------

# AutoGraph (tfteach/eager/autograph, a layer above) installs its converter here when it loads;
# until then no code is being converted and map_fn's function runs as written.
AUTOGRAPH_CONVERT = None


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """`fn` applied to each slice of `elems` along its first axis; the results stacked."""
    _check_fn(fn)
    if AUTOGRAPH_CONVERT is not None:   # as TF's map_fn, inside converted code
        fn = AUTOGRAPH_CONVERT(fn)
    if fn_output_signature is None:
        fn_output_signature = dtype
    flat = _flat_elems(elems)
    n_static = _leading(flat, "Elements in elems must be 1+ dimensional Tensors, not "
                              "scalars")
    out_dtypes = _signature_dtypes(fn_output_signature, elems)
    flat_dtypes = nest.flatten(out_dtypes)
    if _eager(flat):
        from . import array_ops
        n = int(flat[0].shape.as_tuple()[0])
        rows = [[] for _ in flat_dtypes]
        for i in range(n):
            out = fn(nest.pack_sequence_as(elems, [t[i] for t in flat]))
            nest.assert_same_structure(out_dtypes, out)
            for k, (v, dt) in enumerate(zip(nest.flatten(out), flat_dtypes)):
                if not isinstance(v, _ops.Tensor):
                    v = _ops.convert_to_tensor(v, dtype=dt)
                _dtype_check(v, dt)
                rows[k].append(v)
        stacked = []
        for r, dt in zip(rows, flat_dtypes):
            if r:
                stacked.append(array_ops.stack(r))
            else:
                stacked.append(array_ops.zeros([0], dtype=dt))
        return _stop(nest.pack_sequence_as(out_dtypes, stacked), back_prop)
    from . import array_ops, control_flow_v1
    from .constant_op import constant
    from .tensor_array_ops import TensorArray
    with _ops.name_scope(name, "map", flat):
        n = n_static if n_static is not None else array_ops.shape(flat[0])[0]
        elems_ta = [TensorArray(dtype=t.dtype.base_dtype, size=n, dynamic_size=False,
                                infer_shape=True).unstack(t) for t in flat]
        i = constant(0)
        accs_ta = [TensorArray(dtype=dt, size=n, dynamic_size=False, infer_shape=infer_shape)
                   for dt in flat_dtypes]

        def compute(i, tas):
            packed = nest.pack_sequence_as(elems, [ta.read(i) for ta in elems_ta])
            out = fn(packed)
            nest.assert_same_structure(out_dtypes, out)
            flat_out = [_ops.convert_to_tensor(v) for v in nest.flatten(out)]
            tas = [ta.write(i, v) for ta, v in zip(tas, flat_out)]
            return i + 1, tas

        _, r_a = control_flow_v1.while_loop(
            lambda i, _: i < n, compute, (i, accs_ta),
            parallel_iterations=parallel_iterations or 10, back_prop=back_prop,
            swap_memory=swap_memory, maximum_iterations=n)
        results = [r.stack() for r in r_a]
        for r, ta in zip(results, r_a):
            es = ta.element_shape
            if es.rank is not None:
                r.set_shape(TensorShape([n_static]).concatenate(es))
        return nest.pack_sequence_as(out_dtypes, results)


# --- scan ------------------------------------------------------------------------------------

def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """The running results of `a = fn(a, x)` over the slices `x` of `elems`, stacked."""
    _check_fn(fn)
    flat = _flat_elems(elems)
    n_static = _leading(flat, "Elements in elems must be 1+ dimensional Tensors, not "
                              "scalars")

    def pack_elem(values):
        return nest.pack_sequence_as(elems, values)

    if _eager(flat):
        from . import array_ops
        n = int(flat[0].shape.as_tuple()[0])
        order = list(range(n))[::-1] if reverse else list(range(n))
        if initializer is None:
            if n == 0:
                raise errors.OutOfRangeError(None, None, "Tried to read from index 0 but "
                                                         "array size is: 0 ")
            a = pack_elem([t[order[0]] for t in flat])
            outs = [a]
            order = order[1:]
        else:
            a = initializer
            outs = []
        for i in order:
            a = fn(a, pack_elem([t[i] for t in flat]))
            outs.append(a)
        if reverse:
            outs = outs[::-1]
        if not outs:
            return _stop(nest.map_structure(
                lambda t: array_ops.zeros([0] + _ops.convert_to_tensor(t).shape.as_list(),
                                          dtype=_ops.convert_to_tensor(t).dtype),
                initializer), back_prop)
        flat_outs = [nest.flatten(o) for o in outs]
        stacked = [array_ops.stack([_ops.convert_to_tensor(o[k]) for o in flat_outs])
                   for k in range(len(flat_outs[0]))]
        return _stop(nest.pack_sequence_as(outs[0], stacked), back_prop)
    from . import array_ops, control_flow_v1
    from .constant_op import constant
    from .tensor_array_ops import TensorArray
    with _ops.name_scope(name, "scan", flat):
        n = n_static if n_static is not None else array_ops.shape(flat[0])[0]
        elems_ta = [TensorArray(dtype=t.dtype.base_dtype, size=n, dynamic_size=False,
                                element_shape=t.shape[1:], infer_shape=True).unstack(t)
                    for t in flat]
        if initializer is None:
            a_flat = [ta.read(n - 1 if reverse else 0) for ta in elems_ta]
            a_struct = elems
            i = constant(1)
        else:
            a_struct = initializer
            a_flat = [_ops.convert_to_tensor(v) for v in nest.flatten(initializer)]
            i = constant(0)
        accs_ta = [TensorArray(dtype=a.dtype.base_dtype, size=n, element_shape=a.shape,
                               dynamic_size=False, infer_shape=infer_shape) for a in a_flat]
        if initializer is None:
            accs_ta = [ta.write(n - 1 if reverse else 0, a) for ta, a in zip(accs_ta, a_flat)]

        def compute(i, a_flat, tas):
            packed_elems = pack_elem([ta.read(n - i - 1 if reverse else i)
                                      for ta in elems_ta])
            packed_a = nest.pack_sequence_as(a_struct, a_flat)
            a_out = fn(packed_a, packed_elems)
            nest.assert_same_structure(a_struct, a_out)
            flat_a_out = [_ops.convert_to_tensor(v) for v in nest.flatten(a_out)]
            tas = [ta.write(n - i - 1 if reverse else i, v) for ta, v in zip(tas, flat_a_out)]
            return i + 1, flat_a_out, tas

        _, _, r_a = control_flow_v1.while_loop(
            lambda i, _1, _2: i < n, compute, (i, a_flat, accs_ta),
            parallel_iterations=parallel_iterations, back_prop=back_prop,
            swap_memory=swap_memory, maximum_iterations=n)
        results = [r.stack() for r in r_a]
        for r, ta in zip(results, r_a):
            es = ta.element_shape
            if es.rank is not None:
                r.set_shape(TensorShape([n_static]).concatenate(es))
        return nest.pack_sequence_as(a_struct, results)


# --- foldl / foldr ---------------------------------------------------------------------------

def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
          from_right):
    _check_fn(fn)
    flat = _flat_elems(elems)
    _leading(flat, "Elements in elems must be 1+ dimensional Tensors, not scalars")

    def pack_elem(values):
        return nest.pack_sequence_as(elems, values)

    if _eager(flat):
        n = int(flat[0].shape.as_tuple()[0])
        order = list(range(n))[::-1] if from_right else list(range(n))
        if initializer is None:
            if n == 0:
                raise errors.OutOfRangeError(None, None, "Tried to read from index 0 but "
                                                         "array size is: 0 ")
            a = pack_elem([t[order[0]] for t in flat])
            order = order[1:]
        else:
            a = initializer
        for i in order:
            a = fn(a, pack_elem([t[i] for t in flat]))
        return _stop(a, back_prop)
    from . import array_ops, control_flow_v1
    from .constant_op import constant
    from .tensor_array_ops import TensorArray
    with _ops.name_scope(name, "foldr" if from_right else "foldl", flat):
        n = flat[0].shape.as_tuple()[0] if flat[0].shape.rank else None
        if n is None:
            n = array_ops.shape(flat[0])[0]
        elems_ta = [TensorArray(dtype=t.dtype.base_dtype, size=n, dynamic_size=False,
                                infer_shape=True).unstack(t) for t in flat]
        if initializer is None:
            a = pack_elem([ta.read(n - 1 if from_right else 0) for ta in elems_ta])
            i = (n - 1) if from_right else constant(1)
        else:
            a = initializer
            i = n if from_right else constant(0)
        if from_right:
            i = _ops.convert_to_tensor(i)

        def compute(i, a):
            if from_right:
                i = i - 1
            a = fn(a, pack_elem([ta.read(i) for ta in elems_ta]))
            return [i if from_right else i + 1, a]

        if from_right:
            cond = lambda i, a: i > 0  # noqa: E731
        else:
            cond = lambda i, a: i < n  # noqa: E731
        _, r_a = control_flow_v1.while_loop(
            cond, compute, [i, a], parallel_iterations=parallel_iterations,
            back_prop=back_prop, swap_memory=swap_memory, maximum_iterations=n)
        return r_a


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """`fn(...fn(fn(initializer, elems[0]), elems[1])..., elems[n-1])`."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """`fn(...fn(fn(initializer, elems[n-1]), elems[n-2])..., elems[0])`."""
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name,
                 True)
