"""Keras 3's input checks and the refusal of arguments tfteach does not implement."""

__all__ = ["check_ndim", "reject"]


def check_ndim(layer, shape, ndim=None, min_ndim=None):
    """Keras's InputSpec error for an input of the wrong rank."""
    shape = tuple(shape) if shape is not None else None
    rank = len(shape)
    if ndim is not None and rank != ndim:
        want = f"ndim={ndim}"
    elif min_ndim is not None and rank < min_ndim:
        want = f"min_ndim={min_ndim}"
    else:
        return
    raise ValueError(f"Input 0 with name 'None' of layer '{layer.name}' is incompatible with "
                     f"the layer: expected {want}, found ndim={rank}. Full shape received: "
                     f"{shape}")


def reject(layer_name, **args):
    """Raise for each argument given a value tfteach would otherwise ignore."""
    for key, value in args.items():
        if value is not None:
            raise NotImplementedError(f"tfteach's {layer_name} does not implement "
                                      f"`{key}` (received {key}={value!r})")
