"""How accurate tfteach's float32 Exp, Log, Tanh, Sigmoid and Softplus kernels are, and how far from
TensorFlow 2.21's outputs, beside the scalar libm rules the ops used before
(kernels/cpu/vecmath.py). Run from the repository root:

    python tools/unary_math_accuracy.py [--stride 64]

1. ulp error against a float64 reference (NumPy's float64 function of the widened input),
   as |y - ref| / (the float32 ulp at ref), over every `stride`-th float32 bit pattern of
   the range where the function is not saturated and over TF's recorded grid
   (tests/data/unary_math_tf221.npz; tools/record_unary_math_tf.py). Results that TF
   flushes to zero (the reference is below the smallest normal float32) are left out and
   counted on their own; `libm` is the old scalar rule, which keeps subnormals.
2. Distance to TF's recorded outputs, in ulps (the number of float32 values between them),
   for the new kernel and for the old libm rule: max, and how many inputs differ at all.
"""
import argparse
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

OPS = ("Exp", "Log", "Tanh", "Sigmoid", "Softplus")
TINY = np.finfo(np.float32).tiny


def reference(op, x):
    d = x.astype(np.float64)
    with np.errstate(all="ignore"):
        return {"Exp": np.exp, "Log": np.log, "Tanh": np.tanh,
                "Sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
                "Softplus": lambda v: np.logaddexp(0.0, v)}[op](d)


def ulp_error(y, ref):
    """|y - ref| in float32 ulps at ref; inf where one is inf/NaN and the other not."""
    with np.errstate(all="ignore"):
        r32 = np.abs(ref).astype(np.float32)
        ulp = np.spacing(np.minimum(r32, np.float32(3.4028235e38))).astype(np.float64)
        err = np.abs(y.astype(np.float64) - ref) / ulp
    same_special = (np.isnan(y) & np.isnan(ref)) | (np.isinf(y) & (y.astype(np.float64) == ref))
    # a reference beyond float32's range: the correctly rounded value is inf
    over = np.isfinite(ref) & (np.abs(ref) >= 3.4028235677973366e38)
    same_special |= over & np.isinf(y) & (np.sign(y) == np.sign(ref))
    err = np.where(same_special, 0.0, err)
    return np.where(np.isnan(err) | (over & ~same_special), np.inf, err)


def ulp_distance(a, b):
    """Number of float32 values from a to b (0 when both are NaN)."""
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(2 ** 31) - ia, ia)
    ib = np.where(ib < 0, -(2 ** 31) - ib, ib)
    return np.where(np.isnan(a) & np.isnan(b), 0, np.abs(ia - ib))


def kernels(op):
    import numba

    import tfteach.ops.nn_ops  # noqa: F401 - declares Softplus
    from tfteach.framework import registry
    k = registry.all_ops()[op].kernel_for("CPU")
    new = k.ufunc(np.dtype(np.float32))
    old = numba.vectorize(["float32(float32)"], nopython=True)(k.pyfunc)
    return new, old


def sweep(op, stride):
    """Every stride-th float32 bit pattern of the function's interesting range, both signs."""
    hi = {"Exp": 89.0, "Log": 3.4e38, "Tanh": 9.1, "Sigmoid": 104.0, "Softplus": 1e9}[op]
    top = int(np.float32(hi).view(np.int32))
    pos = np.arange(0, top, stride, dtype=np.int64).astype(np.int32).view(np.float32)
    return pos if op == "Log" else np.concatenate([pos, -pos])


def subnormal_range(x, ref):
    """Inputs that TF's flush-to-zero / denormals-are-zero modes decide: a subnormal input,
    or a reference value in the subnormal range."""
    sub = (x != 0) & (np.abs(x) < TINY)
    return sub | (np.isfinite(ref) & (np.abs(ref) < TINY) & (ref != 0))


def report(op, x, y, ref, label):
    flushed = subnormal_range(x, ref)
    err = ulp_error(y, ref)[~flushed]
    hist = np.histogram(np.minimum(err, 9), bins=[0, 0.5, 0.501, 0.6, 1.0, 1.5, 2.0, 10])[0]
    print(f"  {label:>5}: max {err.max():.4f} ulp  mean {err.mean():.4f}  "
          f"[0,.5) [.5,.501) [.501,.6) [.6,1) [1,1.5) [1.5,2) >=2: {' '.join(map(str, hist))}"
          f"  (subnormal-range inputs left out: {int(flushed.sum())})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stride", type=int, default=64)
    a = ap.parse_args()
    rec = np.load(os.path.join(ROOT, "tests", "data", "unary_math_tf221.npz"))
    grid = rec["float32/x"]
    for op in OPS:
        new, old = kernels(op)
        print(f"{op} (float32)")
        with np.errstate(all="ignore"):
            for label, x in (("sweep", sweep(op, a.stride)), ("grid", grid)):
                ref = reference(op, x)
                print(f" {label}: {x.size} inputs")
                report(op, x, new(x), ref, "new")
                report(op, x, old(x), ref, "libm")
            tf = rec[f"float32/{op}"]
            ref = reference(op, grid)
            normal = ~subnormal_range(grid, ref)
            for label, y in (("new", new(grid)), ("libm", old(grid))):
                d = ulp_distance(y, tf)
                dn = d[normal]
                print(f"  vs TF, {label:>4}: all inputs max {int(d.max())} ulp, differ at "
                      f"{int((d > 0).sum())} of {grid.size}; outside the subnormal range max "
                      f"{int(dn.max())}, differ at {int((dn > 0).sum())}, by >1 ulp "
                      f"{int((dn > 1).sum())}")
            print(f"  TF itself vs float64 reference: max "
                  f"{ulp_error(tf, ref)[normal].max():.3f} ulp")

if __name__ == "__main__":
    main()
