"""Gradients of the image ops (ops/image_ops.py): each resize's gradient is its own op, as
in TF; the adjustment ops have none in TF 2.21 and so none here."""
from ..framework import dtypes as _dt
from . import array_ops
from . import image_ops  # noqa: F401 - the op declarations come first
from ..framework import registry
from .math_grad import _op1


def _attrs(op):
    return {"align_corners": op.get_attr("align_corners"),
            "half_pixel_centers": op.get_attr("half_pixel_centers")}


@registry.RegisterGradient("ResizeBilinear")
@registry.api("ResizeBilinearGrad")
def _resize_bilinear_grad(op, grad):
    return [_op1("ResizeBilinearGrad", [grad, op.inputs[0]], _attrs(op)), None]


@registry.RegisterGradient("ResizeNearestNeighbor")
@registry.api("ResizeNearestNeighborGrad")
def _resize_nearest_neighbor_grad(op, grad):
    image = op.inputs[0]
    dims = image.shape.as_list()[1:3] if image.shape.rank is not None else [None, None]
    if None in dims:
        size = array_ops.shape(image)[1:3]
    else:
        from .constant_op import constant
        size = constant(dims, dtype=_dt.int32)
    return [_op1("ResizeNearestNeighborGrad", [grad, size], _attrs(op)), None]
