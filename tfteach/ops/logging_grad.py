"""Gradients of the logging family (ops/logging_ops.py)."""
from ..framework import registry
from . import logging_ops


@registry.RegisterGradient("Print")
def _print_grad(op, *grads):
    return [grads[0]] + [None] * (len(op.inputs) - 1)


@registry.RegisterGradient("CheckNumerics")
def _check_numerics_grad(op, grad):
    """TF2's gradient: the incoming gradient, itself checked. The message quotes the forward
    op's message as TF writes it (the repr of its bytes)."""
    if grad is None:
        return None
    message = op.get_attr("message")
    if isinstance(message, str):
        message = message.encode("utf-8")
    return logging_ops.check_numerics(
        grad, "Not a number (NaN) or infinity (Inf) values detected in gradient. %s" % message)


@registry.RegisterGradient("CheckNumericsV2")
def _check_numerics_v2_grad(op, grad):
    if grad is None:
        return None
    message = op.get_attr("message")
    if isinstance(message, str):
        message = message.encode("utf-8")
    return logging_ops.check_numerics_v2(
        grad, "Not a number (NaN) or infinity (Inf) values detected in gradient. %s" % message)
