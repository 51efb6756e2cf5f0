"""Shape and index arithmetic that a family's shape rule (ops/) and its kernels both need.

The shape rule checks what it can while the graph is built; the kernel checks the same with
the values it gets, with the same texts. Kernels import only their toolkit, so the rules
live here and the ops import this module inside their shape rules (importing it at module
level would load the kernels package with `import tfteach`).
"""
import math
import re

import numpy as np

__all__ = ["conv_padding", "patch_index", "range_error", "range_size", "StridedSliceError",
           "strided_slice_plan", "einsum_labels", "parse_equation", "einsum_shape"]


# --- convolution and pooling windows (nn) ---------------------------------------------------

def conv_padding(in_size, k, stride, dilation, padding):
    """(out_size, pad_before) for one spatial dimension, with TF's SAME/VALID rules."""
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        return max((in_size - eff) // stride + 1, 0), 0
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff - in_size, 0)
    return out, total // 2


def patch_index(h, w, ks, st, rt, padding):
    """For each (out_row, out_col, ki, kj): the source pixel row * w + col, or -1 where the
    window hangs over the (zero) padding. Shared by
    ExtractImagePatches' CPU and GPU kernels and its gradient."""
    oh, pt = conv_padding(h, ks[1], st[1], rt[1], padding)
    ow, pl = conv_padding(w, ks[2], st[2], rt[2], padding)
    rows = (np.arange(oh)[:, None] * st[1] - pt + np.arange(ks[1])[None, :] * rt[1])
    cols = (np.arange(ow)[:, None] * st[2] - pl + np.arange(ks[2])[None, :] * rt[2])
    r = rows[:, None, :, None]
    c = cols[None, :, None, :]
    inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    return np.where(inside, r * w + c, -1).astype(np.int64)


# --- Range (math) ---------------------------------------------------------------------------

def range_error(start, limit, delta):
    if delta == 0:
        return "Requires delta != 0"
    if delta > 0 and start > limit:
        return f"Requires start <= limit when delta > 0: {start}/{limit}"
    if delta < 0 and start < limit:
        return f"Requires start >= limit when delta < 0: {start}/{limit}"
    return None


def range_size(start, limit, delta):
    if isinstance(start, int) and isinstance(limit, int) and isinstance(delta, int):
        return (abs(limit - start) + abs(delta) - 1) // \
            abs(delta)
    return int(math.ceil(abs((limit - start) / delta)))


# --- StridedSlice (array) -------------------------------------------------------------------

class StridedSliceError(Exception):
    pass


def strided_slice_plan(dims, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                       new_axis_mask, shrink_axis_mask, values_known=True):
    """TF's StridedSlice semantics as a NumPy basic index.

    `dims`: the input's dims (None for unknown). Returns (index tuple, output dims); the
    index holds ints (bounds-checked when the dim is known), slices and None (new axes),
    so `array[index]` computes the op with NumPy's clamping rules, which are TF's.
    Raises StridedSliceError with TF's message.
    """
    n = len(begin)
    rank = len(dims)
    real = [i for i in range(n)
            if not (ellipsis_mask >> i) & 1 and not (new_axis_mask >> i) & 1]
    index, out = [], []
    r = 0
    for i in range(n):
        bit = 1 << i
        if ellipsis_mask & bit:
            cover = rank - len(real)
            for _ in range(max(cover, 0)):
                index.append(slice(None))
                out.append(dims[r])
                r += 1
            continue
        if new_axis_mask & bit:
            index.append(None)
            out.append(1)
            continue
        if r >= rank:
            raise StridedSliceError(f"Index out of range using input dim {r}; input has only "
                                     f"{rank} dims")
        d = dims[r]
        if not values_known:        # only the masks are known: the rank still is
            if not shrink_axis_mask & bit:
                out.append(None)
            index.append(None)
            r += 1
            continue
        s = int(strides[i])
        if s == 0:
            raise StridedSliceError(f"strides[{i}] must be non-zero")
        if shrink_axis_mask & bit:
            b = int(begin[i])
            if d is not None:
                if b < -d or b >= d:
                    raise StridedSliceError(f"slice index {b} of dimension {r} out of bounds.")
                b %= d
            index.append(b)
        else:
            bb = None if begin_mask & bit else int(begin[i])
            ee = None if end_mask & bit else int(end[i])
            sl = slice(bb, ee, s)
            index.append(sl)
            out.append(None if d is None else len(range(*sl.indices(d))))
        r += 1
    while r < rank:
        index.append(slice(None))
        out.append(dims[r])
        r += 1
    return tuple(index), out


# --- Einsum (linalg) ------------------------------------------------------------------------

def einsum_labels(subs):
    """'...ij' -> ['...', 'i', 'j']."""
    return re.findall(r"\.\.\.|[a-zA-Z]", subs)


def parse_equation(equation):
    """(list of input label lists, output label list) of an explicit equation."""
    ins, out = equation.split("->")
    return [einsum_labels(s) for s in ins.split(",")], einsum_labels(out)


def einsum_shape(equation, shapes, error):
    """The output dims (None where unknown) of `equation` on input dims lists, or
    `error(msg)` raised with the kernel's texts."""
    in_labels, out = parse_equation(equation)
    sizes = {}
    ell_shapes = []
    for i, (labs, dims) in enumerate(zip(in_labels, shapes)):
        if dims is None:
            return None
        named = [lab for lab in labs if lab != "..."]
        full = dims
        if "..." in labs:
            if len(dims) < len(named):
                raise error(f"Expected input {i} to have rank at least {len(named)} but got: "
                            f"{len(dims)}")
            pos = labs.index("...")
            n_ell = len(dims) - len(named)
            ell_shapes.append(dims[pos:pos + n_ell])
            dims = dims[:pos] + dims[pos + n_ell:]
        elif len(dims) != len(named):
            raise error(f"Expected input {i} to have rank {len(named)} but got: {len(dims)}")
        for axis, (lab, d) in enumerate(zip(named, dims)):
            if d is None:
                continue
            if sizes.get(lab) is None:
                sizes[lab] = d
            elif sizes[lab] != d:
                shape = "[" + ",".join("?" if x is None else str(x) for x in full) + "]"
                raise error(f"Expected dimension {sizes[lab]} at axis {axis} of the input "
                            f"shaped {shape} but got dimension {d}")
    ell = _broadcast_dims(ell_shapes, error)
    result = []
    for lab in out:
        result.extend(ell if lab == "..." else [sizes.get(lab)])
    return result


def _broadcast_dims(shapes, error):
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for s in shapes:
        s = [1] * (n - len(s)) + list(s)
        for i, d in enumerate(s):
            if d is None:
                out[i] = None if out[i] in (1, None) else out[i]
            elif d != 1:
                if out[i] not in (1, None) and out[i] != d:
                    raise error("Incompatible broadcasting dimensions")
                out[i] = d
    return out
