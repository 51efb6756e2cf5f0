"""`tf.einsum`: one Einsum op per one- or two-operand equation (TF 2.21's op and attr).

The Python side checks the equation's form with TF's ValueError texts and writes an implicit
equation ("ij,jk") in its explicit form ("ij,jk->ik"), as TF does before it creates the op;
the shape rule checks ranks and dimensions with the kernel's texts.
"""
import re

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
