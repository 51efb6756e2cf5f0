"""CPU kernels of the TF1 summary ops: each returns a serialized `Summary` protobuf.

The histogram uses TF's default buckets (edges growing by 10% from 1e-12 to 1e20, mirrored
for negative values, plus 0) and TF's encoding, where each run of empty buckets collapses
into one entry, so TensorBoard draws what it draws for TensorFlow's own summaries.
"""
import numpy as np

from ... import errors
from ...framework.registry import register_kernel
from ..summary_pb import modules as _pb


def _bytes_scalar(b):
    out = np.empty((), dtype=object)
    out[()] = b
    return out


def _as_str(x):
    return x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)


def _limits():
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    pos.append(np.finfo(np.float64).max)
    neg = [-x for x in reversed(pos)]
    return np.array(neg + [0.0] + pos, dtype=np.float64)


_LIMITS = None


def _histogram_proto(pb, values, tag):
    global _LIMITS
    if _LIMITS is None:
        _LIMITS = _limits()
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(v)):
        bad = "Nan" if np.any(np.isnan(v)) else "Infinity"
        raise errors.InvalidArgumentError(None, None, f"{bad} in summary histogram for: {tag}")
    h = pb.HistogramProto()
    if v.size:
        h.min, h.max = float(v.min()), float(v.max())
    else:
        h.min, h.max = float(np.finfo(np.float64).max), float(-np.finfo(np.float64).max)
    h.num = float(v.size)
    h.sum = float(v.sum())
    h.sum_squares = float(np.dot(v, v))
    counts = np.bincount(np.searchsorted(_LIMITS, v, side="right"),
                         minlength=len(_LIMITS))[:len(_LIMITS)]
    i, n = 0, len(_LIMITS)
    while i < n:
        end, count = _LIMITS[i], counts[i]
        i += 1
        if count <= 0:
            while i < n and counts[i] <= 0:
                end, count = _LIMITS[i], counts[i]
                i += 1
        h.bucket_limit.append(float(end))
        h.bucket.append(float(count))
    return h


@register_kernel("ScalarSummary")
def scalar_summary(tags, values):
    pb = _pb().summary
    tags, values = np.asarray(tags), np.asarray(values)
    if tags.shape != values.shape:
        raise errors.InvalidArgumentError(
            None, None, f"tags and values are not the same shape: "
                        f"[{','.join(map(str, tags.shape))}] != "
                        f"[{','.join(map(str, values.shape))}] (tag "
                        f"'{_as_str(tags.reshape(-1)[0]) if tags.size else ''}')")
    s = pb.Summary()
    for t, v in zip(tags.reshape(-1), values.reshape(-1)):
        s.value.add(tag=_as_str(t), simple_value=float(v))
    return _bytes_scalar(s.SerializeToString())


@register_kernel("HistogramSummary")
def histogram_summary(tag, values):
    pb = _pb().summary
    tag = _as_str(np.asarray(tag)[()])
    s = pb.Summary()
    s.value.add(tag=tag, histo=_histogram_proto(pb, values, tag))
    return _bytes_scalar(s.SerializeToString())


@register_kernel("TensorSummaryV2")
def tensor_summary_v2(tag, tensor, serialized_summary_metadata):
    pbs = _pb()
    tag = _as_str(np.asarray(tag)[()])
    meta = pbs.summary.SummaryMetadata()
    meta.ParseFromString(bytes(np.asarray(serialized_summary_metadata)[()]))
    arr = np.asarray(tensor)
    tp = pbs.tensor.TensorProto()
    tp.tensor_shape.SetInParent()
    for d in arr.shape:
        tp.tensor_shape.dim.add().size = d
    if arr.dtype == object or arr.dtype.kind in "SU":
        tp.dtype = pbs.types.DT_STRING
        tp.string_val.extend(x if isinstance(x, bytes) else str(x).encode()
                             for x in arr.reshape(-1))
    elif arr.dtype.kind == "f":
        tp.dtype = pbs.types.DT_DOUBLE if arr.dtype == np.float64 else pbs.types.DT_FLOAT
        (tp.double_val if arr.dtype == np.float64 else tp.float_val).extend(
            arr.reshape(-1).tolist())
    elif arr.dtype.kind in "iu":
        tp.dtype = pbs.types.DT_INT64 if arr.dtype == np.int64 else pbs.types.DT_INT32
        (tp.int64_val if arr.dtype == np.int64 else tp.int_val).extend(
            int(x) for x in arr.reshape(-1))
    elif arr.dtype == np.bool_:
        tp.dtype = pbs.types.DT_BOOL
        tp.bool_val.extend(bool(x) for x in arr.reshape(-1))
    s = pbs.summary.Summary()
    s.value.add(tag=tag, tensor=tp, metadata=meta)
    return _bytes_scalar(s.SerializeToString())


@register_kernel("MergeSummary")
def merge_summary(*inputs):
    pb = _pb().summary
    out = pb.Summary()
    seen = set()
    for raw in inputs:
        s = pb.Summary()
        try:
            s.ParseFromString(bytes(np.asarray(raw)[()]))
        except Exception:  # noqa: BLE001 - protobuf's DecodeError
            raise errors.InvalidArgumentError(None, None, "Could not parse one of the summary "
                                                          "inputs") from None
        for v in s.value:
            if v.tag in seen:
                raise errors.InvalidArgumentError(
                    None, None, f"Duplicate tag {v.tag} found in summary inputs ")
            seen.add(v.tag)
            out.value.add().CopyFrom(v)
    return _bytes_scalar(out.SerializeToString())
