"""Gradients of the resource_variable family (ops/resource_variable_ops.py)."""
from ..framework import registry
from . import resource_variable_ops  # noqa: F401


@registry.RegisterGradient("ReadVariableOp")
def _read_variable_grad(op, grad):
    return [grad]
