"""`tf.einsum`: one Einsum op per one- or two-operand equation (TF 2.21's op and attr).

The Python side checks the equation's form with TF's ValueError texts and writes an implicit
equation ("ij,jk") in its explicit form ("ij,jk->ik"), as TF does before it creates the op;
the shape rule checks ranks and dimensions with the kernel's texts.
"""
import re

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework import registry
from ..framework.op_def_library import apply_op
from . import linalg_ops  # noqa: F401  (Einsum)

__all__ = ["einsum"]

_FORMAT = re.compile(r"^([a-zA-Z]|\.\.\.|,)*(->([a-zA-Z]|\.\.\.)*)?$")
_EINSUM_TYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "complex64",
                 "complex128")


def _explicit(equation, n_inputs):
    from ..kernels.shapes import einsum_labels as _labels, parse_equation
    equation = equation.replace(" ", "")
    if not _FORMAT.match(equation):
        raise ValueError(f"Subscripts have incorrect format: {equation}")
    ins = equation.split("->")[0].split(",")
    if len(ins) != n_inputs:
        raise ValueError(f'Got {n_inputs} inputs for equation "{equation}", expecting '
                         f'{len(ins)}')
    if "->" not in equation:
        counts = {}
        for s in ins:
            for lab in _labels(s):
                if lab != "...":
                    counts[lab] = counts.get(lab, 0) + 1
        ell = "..." if any("..." in s for s in ins) else ""
        equation += "->" + ell + "".join(sorted(k for k, c in counts.items() if c == 1))
    in_labels, out = parse_equation(equation)
    seen = set(lab for labs in in_labels for lab in labs)
    for lab in out:
        if lab != "..." and lab not in seen:
            raise ValueError(f"Output subscripts contain the label {lab} not present in the "
                             f"input subscripts.")
    if len(set(out)) != len(out):
        raise ValueError(f"Output subscripts contain a label appearing more than once: "
                         f"{equation}")
    return equation




@registry.api("Einsum")
def einsum(equation, *inputs, **kwargs):
    """Sums of products over the labels of `equation` ("ij,jk->ik" is a matmul). One Einsum
    op for one or two operands; more operands are contracted left to right, one Einsum per
    pair (TF orders the pairs with opt_einsum: the values agree up to rounding)."""
    name = kwargs.pop("name", None)
    optimize = kwargs.pop("optimize", "greedy")
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for this function: "
                        f"{', '.join(sorted(kwargs))}. Expected: name, optimize")
    if optimize not in ("greedy", "optimal", "branch-2", "branch-all", "auto"):
        raise ValueError(f"optimize must be one of greedy, optimal, branch-2, branch-all, "
                         f"auto; got {optimize!r}")
    equation = _explicit(equation, len(inputs))
    from . import shape_rules
    for x in inputs:
        shape_rules.check_dtype("Einsum", "inputs", x, _EINSUM_TYPES)
    with _ops.name_scope(name, "einsum", list(inputs)):
        if len(inputs) <= 2:
            return apply_op("Einsum", [list(inputs)], {"equation": equation},
                            name="Einsum")[0]
        from ..kernels.shapes import parse_equation
        in_labels, out = parse_equation(equation)
        acc, acc_labels = inputs[0], in_labels[0]
        for k in range(1, len(inputs)):
            rest = set(out).union(*[set(labs) for labs in in_labels[k + 1:]])
            both = acc_labels + [lab for lab in in_labels[k] if lab not in acc_labels]
            keep = [lab for lab in both if lab in rest] if k < len(inputs) - 1 else out
            eq = f"{''.join(acc_labels)},{''.join(in_labels[k])}->{''.join(keep)}"
            acc = apply_op("Einsum", [[acc, inputs[k]]], {"equation": eq}, name="Einsum")[0]
            acc_labels = keep
        return acc


# --- tf.math compositions: TF builds these from other ops in Python, and so does tfteach -----

def _t(x, name=None, dtype=None):
    return _ops.convert_to_tensor(x, name=name, dtype=dtype)


def lbeta(x, name=None):
    """log(|Beta(x)|) over the last axis: sum(lgamma(x)) - lgamma(sum(x)) (an empty last
    axis gives -inf: 0 - lgamma(0), as TF)."""
    from . import math_ops
    with _ops.name_scope(name, "lbeta", [x]):
        x = _t(x, name="x")
        log_prod_gamma_x = math_ops.reduce_sum(math_ops.lgamma(x), axis=[-1])
        sum_x = math_ops.reduce_sum(x, axis=[-1])
        return log_prod_gamma_x - math_ops.lgamma(sum_x)


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule (n - 1 multiply-adds)."""
    from . import array_ops
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    with _ops.name_scope(name, "polyval", [x] + coeffs):
        x = _t(x, name="x")
        if not coeffs:
            return array_ops.zeros_like(x, name=name)
        coeffs = [_t(c, name=f"coeffs_{i}") for i, c in enumerate(coeffs)]
        p = coeffs[0]
        for c in coeffs[1:]:
            p = c + p * x
        return p


def reciprocal_no_nan(x, name=None):
    """1 / x, 0 where x is 0: DivNoNan(1, x)."""
    from . import math_ops
    with _ops.name_scope(name, "reciprocal_no_nan", [x]) as scope:
        x = _t(x, name="x")
        from . import shape_rules
        shape_rules.check_dtype("DivNoNan", "y", x, ("float16", "float32", "bfloat16",
                                                     "float64", "complex64", "complex128"))
        one = _t(1, dtype=x.dtype.base_dtype)
        return math_ops.div_no_nan(one, x, name=scope)


def _is_monotone(x, strict, name, default_name):
    from . import array_ops, math_ops
    with _ops.name_scope(name, default_name, [x]):
        x = _t(x, name="x")
        if not (x.dtype.is_floating or x.dtype.is_integer or x.dtype.is_complex):
            shown = x
            if not _ops.is_symbolic(x):     # TF prints the eager tensor as str() shows it
                shown = (f"tf.Tensor({x.numpy()}, shape={tuple(x.shape.as_list())}, "
                         f"dtype={x.dtype.name})")
            raise TypeError(f"Expected x to be numeric, instead found: {shown}")
        flat = array_ops.reshape(x, [-1])
        diff = flat[1:] - flat[:-1]
        zero = _t(0, dtype=diff.dtype.base_dtype)
        cmp = math_ops.greater if strict else math_ops.greater_equal
        return math_ops.reduce_all(cmp(diff, zero))


def is_non_decreasing(x, name=None):
    """Whether x[i] <= x[i+1] for the flattened x (True when it has fewer than 2 elements)."""
    return _is_monotone(x, False, name, "is_non_decreasing")


def is_strictly_increasing(x, name=None):
    """Whether x[i] < x[i+1] for the flattened x (True when it has fewer than 2 elements)."""
    return _is_monotone(x, True, name, "is_strictly_increasing")


def zero_fraction(value, name=None):
    """The fraction of zeros in value, as float32 (counted in int64, as TF)."""
    from . import array_ops, math_ops
    with _ops.name_scope(name, "zero_fraction", [value]):
        value = _t(value, name="value")
        size = math_ops.cast(array_ops.size(value, out_type=_dt.int64), _dt.float32)
        nonzero = math_ops.cast(math_ops.count_nonzero(value, dtype=_dt.int64), _dt.float32)
        return 1.0 - nonzero / size


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """The element-wise sum of same-shaped, same-dtype tensors (AddN, as TF 2.21 builds it)."""
    from . import math_ops
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape")
    inputs = [_t(x) for x in inputs]
    if not all(x.dtype == inputs[0].dtype for x in inputs):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape")
    if tensor_dtype is not None and _dt.as_dtype(tensor_dtype) != inputs[0].dtype:
        raise TypeError(f"tensor_dtype is {tensor_dtype}, but input is of type "
                        f"{inputs[0].dtype}")
    if shape is not None:
        from ..framework.tensor_shape import TensorShape
        want = TensorShape(shape)
        for x in inputs:
            if not x.shape.is_compatible_with(want):
                raise ValueError(f"Input tensor shape {x.shape} is not compatible with {want}")
    return math_ops.add_n(inputs, name=name)


def _segment_sizes(data, segment_ids, num_segments):
    """Each segment's row count (at least 1), shaped to broadcast against the segment sums:
    [num_segments, 1, ..., 1]."""
    from . import array_ops, math_ops
    ones = array_ops.ones(array_ops.shape(segment_ids), dtype=data.dtype)
    n = array_ops.unsorted_segment_sum(ones, segment_ids, num_segments)
    extra = array_ops.rank(data) - array_ops.rank(segment_ids)
    shape = array_ops.concat([num_segments[None],
                              array_ops.ones([extra], _dt.int32)], 0)
    n = array_ops.reshape(n, shape)
    return math_ops.maximum(n, _t(1, dtype=data.dtype))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Per-segment sums divided by sqrt(segment size) (size at least 1: empty segments
    are 0)."""
    from . import array_ops, math_ops
    with _ops.name_scope(name, "UnsortedSegmentSqrtN"):
        data = _t(data, name="data")
        segment_ids = _t(segment_ids, name="segment_ids")
        num_segments = _t(num_segments, name="num_segments")
        n = _segment_sizes(data, segment_ids, num_segments)
        total = array_ops.unsorted_segment_sum(data, segment_ids, num_segments)
        return math_ops.truediv(total, math_ops.sqrt(n))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=_dt.int32,
                     name=None):
    """counts[i, j]: how many (or what weight of) examples have label i and prediction j.
    num_classes defaults to max(labels, predictions) + 1; negative or too-large classes fail
    as TF's assertions do (InvalidArgumentError)."""
    from . import array_ops, check_ops, math_ops
    from ..framework.ops import control_dependencies
    with _ops.name_scope(name, "confusion_matrix", [labels, predictions, num_classes,
                                                    weights]):
        labels = math_ops.cast(_t(labels, name="labels"), _dt.int64)
        predictions = math_ops.cast(_t(predictions, name="predictions"), _dt.int64)
        labels, predictions = _squeeze_pair(labels, predictions)
        checks = [check_ops.assert_non_negative(labels, message="`labels` contains negative "
                                                "values"),
                  check_ops.assert_non_negative(predictions, message="`predictions` contains "
                                                "negative values")]
        if num_classes is None:
            num_classes = math_ops.maximum(math_ops.reduce_max(predictions),
                                           math_ops.reduce_max(labels)) + 1
        else:
            num_classes = math_ops.cast(_t(num_classes), _dt.int64)
            checks += [check_ops.assert_less(labels, num_classes,
                                             message="`labels` out of bound"),
                       check_ops.assert_less(predictions, num_classes,
                                             message="`predictions` out of bound")]
        with control_dependencies(checks):
            labels = array_ops.identity(labels)
        dtype = _dt.as_dtype(dtype)
        if weights is not None:
            values = math_ops.cast(_t(weights, name="weights"), dtype)
            values = array_ops.reshape(values, [-1])
        else:
            values = array_ops.ones_like(predictions, dtype=dtype)
        indices = array_ops.stack([labels, predictions], axis=1)
        shape = array_ops.stack([num_classes, num_classes])
        return array_ops.scatter_nd(indices, values, shape)


def _squeeze_pair(labels, predictions):
    """TF's remove_squeezable_dimensions: drop a trailing 1 where the ranks differ by one."""
    from . import array_ops
    lr, pr = labels.shape.rank, predictions.shape.rank
    if lr is not None and pr is not None:
        if pr - lr == 1 and predictions.shape[-1] == 1:
            predictions = array_ops.squeeze(predictions, [-1])
        elif lr - pr == 1 and labels.shape[-1] == 1:
            labels = array_ops.squeeze(labels, [-1])
    return labels, predictions


def erfcinv(x, name=None):
    """The inverse of erfc: -ndtri(x / 2) / sqrt(2)."""
    from . import math_ops
    with _ops.name_scope(name, "erfcinv", [x]):
        x = _t(x, name="start")
        return -math_ops.ndtri(0.5 * x) * np.sqrt(0.5)


# --- tf.linalg.expm (here, above linalg_ops: its while loop needs control_flow_v1) -------

# Pade approximants of exp: the numerator coefficients b_0..b_q (the denominator's are the
# same with alternating signs), and the largest 1-norm each is accurate for (Higham 2005).
_PADE = {3: (120., 60., 12., 1.), 5: (30240., 15120., 3360., 420., 30., 1.),
         7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
         9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160.,
             110880., 3960., 90., 1.),
         13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
              129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
              40840800., 960960., 16380., 182., 1.)}
_THETA = {"float64": ((3, 1.495585217958292e-002), (5, 2.539398330063230e-001),
                      (7, 9.504178996162932e-001), (9, 2.097847961257068e+000),
                      (13, 5.371920351148152e+000)),
          "float32": ((3, 4.258730016922831e-001), (5, 1.880152677804762e+000),
                      (7, 3.925724783138660e+000))}


def expm(input, name=None):  # noqa: A002 - TF's name
    """exp of square matrices by scaling and squaring with a Pade approximant (Higham 2005):
    the matrix halved s times so that its 1-norm is within the reach of the degree-13
    (float64) or degree-7 (float32) approximant, the result squared s times (a while loop,
    as s depends on the values)."""
    from . import array_ops, control_flow_v1, math_ops
    from .linalg_ops import matmul, matrix_diag, matrix_solve
    with _ops.name_scope(name, "matrix_exponential", [input]):
        matrix = _ops.convert_to_tensor(input, name="input")
        if matrix.shape.rank is not None and matrix.shape.rank < 2:
            raise ValueError(f"tf.linalg.expm requires a matrix of rank >= 2, got "
                             f"{matrix.shape}")
        dt = matrix.dtype.base_dtype
        real = dt.real_dtype if dt.is_complex else dt
        top, top_theta = _THETA["float64" if real == _dt.float64 else "float32"][-1]
        ident = matrix_diag(array_ops.ones(array_ops.shape(matrix)[:-1], dtype=dt))
        l1 = math_ops.reduce_max(math_ops.reduce_sum(math_ops.abs(matrix), axis=-2),
                                 axis=-1)
        l1 = math_ops.cast(l1, real)
        # halvings so that the largest 1-norm of the batch is within the top approximant
        squarings = math_ops.maximum(
            math_ops.floor(math_ops.log(l1 / top_theta) / np.log(2.0)) + 1.0,
            _ops.convert_to_tensor(0.0, dtype=real))
        squarings = math_ops.reduce_max(squarings)
        scaled = matrix / math_ops.cast(math_ops.pow(
            _ops.convert_to_tensor(2.0, dtype=real), squarings), dt)

        def pade(m, q):
            b = _PADE[q]
            m2 = matmul(m, m)
            powers = [ident, m2]
            while 2 * len(powers) <= (6 if q == 13 else q):
                powers.append(matmul(powers[-1], m2))
            if q == 13:             # Higham's grouping: 6 products instead of 12
                m4, m6 = powers[2], powers[3]
                u = matmul(m, matmul(m6, b[13] * m6 + b[11] * m4 + b[9] * m2) +
                           b[7] * m6 + b[5] * m4 + b[3] * m2 + b[1] * ident)
                v = matmul(m6, b[12] * m6 + b[10] * m4 + b[8] * m2) + \
                    b[6] * m6 + b[4] * m4 + b[2] * m2 + b[0] * ident
            else:
                u = matmul(m, math_ops.add_n([b[2 * k + 1] * powers[k]
                                              for k in range(len(powers))]))
                v = math_ops.add_n([b[2 * k] * powers[k] for k in range(len(powers))])
            return matrix_solve(-u + v, u + v)

        result = pade(scaled, top)
        i0 = _ops.convert_to_tensor(0.0, dtype=real)
        _, result = control_flow_v1.while_loop(
            lambda i, r: i < squarings, lambda i, r: (i + 1.0, matmul(r, r)), [i0, result])
        return result
