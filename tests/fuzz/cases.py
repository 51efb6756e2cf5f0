"""Seeded fuzz cases over the op surface, shared by the recorder (run under TensorFlow 2.21:
tools/record_fuzz_tf.py) and tests/test_fuzz.py (run under tfteach). Nothing here imports
either library: a case is an op name plus NumPy/Python arguments, and OPS maps each name to a
call on whichever `tf` module is passed in."""
import numpy as np

FLOATS = ("float32", "float64")
NUMERIC = FLOATS + ("int32", "int64")


def _unary(name):
    return lambda tf, x: getattr(tf.math, name)(x)


def _binary(name):
    return lambda tf, x, y: getattr(tf.math, name)(x, y)


OPS = {
    # element-wise (name -> (call, arity, dtypes))
    **{n: (_unary(n), 1, FLOATS) for n in (
        "abs", "negative", "exp", "log", "sqrt", "rsqrt", "round", "floor", "ceil", "sigmoid",
        "tanh", "softplus", "square", "reciprocal", "sign", "log1p", "expm1", "sin", "cos",
        "is_nan", "is_inf", "is_finite", "erf")},
    "relu": (lambda tf, x: tf.nn.relu(x), 1, FLOATS),
    "relu6": (lambda tf, x: tf.nn.relu6(x), 1, FLOATS),
    "elu": (lambda tf, x: tf.nn.elu(x), 1, FLOATS),
    **{n: (_binary(n), 2, NUMERIC) for n in (
        "add", "subtract", "multiply", "maximum", "minimum", "equal", "less", "greater_equal",
        "squared_difference")},
    **{n: (_binary(n), 2, FLOATS) for n in ("truediv", "floordiv", "floormod", "pow",
                                             "divide_no_nan", "xdivy", "atan2")},
    # reductions: (x, axis)
    **{n: (lambda tf, x, axis, n=n: getattr(tf.math, n)(x, axis=axis), "reduce", NUMERIC)
       for n in ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod")},
    "argmax": (lambda tf, x, axis: tf.math.argmax(x, axis=axis), "reduce1", NUMERIC),
    "cumsum": (lambda tf, x, axis: tf.math.cumsum(x, axis=axis), "reduce1", NUMERIC),
    "softmax": (lambda tf, x, axis: tf.nn.softmax(x, axis=axis), "reduce1", FLOATS),
    "log_softmax": (lambda tf, x, axis: tf.nn.log_softmax(x, axis=axis), "reduce1", FLOATS),
    "reverse": (lambda tf, x, axis: tf.reverse(x, [axis]), "reduce1", NUMERIC),
    "expand_dims": (lambda tf, x, axis: tf.expand_dims(x, axis), "expand", NUMERIC),
    "squeeze": (lambda tf, x, axis: tf.squeeze(x, [axis]), "reduce1", NUMERIC),
    # shape juggling
    "reshape": (lambda tf, x, shape: tf.reshape(x, shape), "reshape", NUMERIC),
    "transpose": (lambda tf, x, perm: tf.transpose(x, perm), "perm", NUMERIC),
    "tile": (lambda tf, x, m: tf.tile(x, m), "multiples", NUMERIC),
    "concat": (lambda tf, x, y, axis: tf.concat([x, y], axis), "pair_axis", NUMERIC),
    "stack": (lambda tf, x, y, axis: tf.stack([x, y], axis), "pair_axis", NUMERIC),
    "split": (lambda tf, x, n, axis: tf.split(x, n, axis=axis), "split", NUMERIC),
    "gather": (lambda tf, x, idx, axis: tf.gather(x, idx, axis=axis), "gather", NUMERIC),
    "one_hot": (lambda tf, idx, depth: tf.one_hot(idx, depth), "one_hot", ("int32", "int64")),
    "cast": (lambda tf, x, dt: tf.cast(x, dt), "cast", NUMERIC),
    "pad": (lambda tf, x, p: tf.pad(x, p), "pad", NUMERIC),
    "slice": (lambda tf, x, b, s: tf.slice(x, b, s), "slice", NUMERIC),
    # nn and linalg
    "bias_add": (lambda tf, x, b: tf.nn.bias_add(x, b), "bias", FLOATS),
    "l2_loss": (lambda tf, x: tf.nn.l2_loss(x), 1, FLOATS),
    "matmul": (lambda tf, x, y: tf.linalg.matmul(x, y), "matmul", FLOATS),
    "max_pool2d": (lambda tf, x, k, s, p: tf.nn.max_pool2d(x, k, s, p), "pool", FLOATS),
    "avg_pool2d": (lambda tf, x, k, s, p: tf.nn.avg_pool2d(x, k, s, p), "pool", FLOATS),
    "sparse_xent": (lambda tf, lab, lg: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=lab, logits=lg), "xent", FLOATS),
}


def _shape(rng, rank=None, zero=True):
    rank = int(rng.integers(0, 6)) if rank is None else rank
    return [int(rng.choice([0, 1, 2, 3, 4])) if zero and rng.random() < 0.08
            else int(rng.integers(1, 5)) for _ in range(rank)]


def _array(rng, shape, dtype):
    if dtype.startswith("float"):
        a = rng.normal(0, 3, size=shape).astype(dtype)
        if a.size and rng.random() < 0.3:       # special values
            flat = a.reshape(-1)
            for v in (np.nan, np.inf, -np.inf, 0.0, -0.0):
                if rng.random() < 0.4:
                    flat[int(rng.integers(0, flat.size))] = v
        return a
    return rng.integers(-5, 6, size=shape).astype(dtype)


def _axis(rng, rank, bad=0.1):
    if rng.random() < bad:
        return int(rng.choice([rank, -rank - 1, rank + 3]))
    return int(rng.integers(-rank, rank)) if rank else 0


def make_case(rng, name):
    call, kind, dtypes = OPS[name]
    dt = str(rng.choice(dtypes))
    if kind == 1:
        return [_array(rng, _shape(rng), dt)]
    if kind == 2:
        s = _shape(rng)
        r = rng.random()
        s2 = list(s) if r < 0.5 else (s[-1:] if r < 0.8 else _shape(rng))   # broadcasting
        return [_array(rng, s, dt), _array(rng, s2, dt)]
    if kind in ("reduce", "reduce1", "expand"):
        s = _shape(rng, int(rng.integers(1 if kind != "reduce" else 0, 5)))
        axis = _axis(rng, len(s) + (kind == "expand"))
        if kind == "reduce" and rng.random() < 0.2:
            axis = None
        return [_array(rng, s, dt), axis]
    if kind == "reshape":
        s = _shape(rng, int(rng.integers(0, 4)))
        n = int(np.prod(s))
        choice = rng.random()
        new = [n] if choice < 0.4 else ([-1] if choice < 0.6 else
                                        [-1, max(n, 1)] if choice < 0.8 else [n + 1])
        return [_array(rng, s, dt), new]
    if kind == "perm":
        s = _shape(rng)
        perm = [int(p) for p in rng.permutation(len(s))]
        if rng.random() < 0.15:
            perm = perm + [len(perm)] if rng.random() < 0.5 else perm[:-1]
        return [_array(rng, s, dt), perm]
    if kind == "multiples":
        s = _shape(rng, int(rng.integers(0, 4)))
        m = [int(rng.integers(0, 3)) for _ in s]
        if rng.random() < 0.1:
            m = m + [2]
        return [_array(rng, s, dt), m]
    if kind == "pair_axis":
        s = _shape(rng, int(rng.integers(1, 4)))
        s2 = list(s) if rng.random() < 0.8 else _shape(rng, len(s))
        return [_array(rng, s, dt), _array(rng, s2, dt), _axis(rng, len(s) + (name == "stack"))]
    if kind == "split":
        s = _shape(rng, int(rng.integers(1, 4)))
        return [_array(rng, s, dt), int(rng.choice([1, 2, 3])), _axis(rng, len(s))]
    if kind == "gather":
        s = _shape(rng, int(rng.integers(1, 4)), zero=False)
        axis = _axis(rng, len(s), bad=0.05)
        n = s[axis] if -len(s) <= axis < len(s) else 1
        idx = rng.integers(0, n + (2 if rng.random() < 0.2 else 0), size=_shape(rng, 1))
        return [_array(rng, s, dt), idx.astype("int32"), axis]
    if kind == "one_hot":
        idx = rng.integers(-2, 6, size=_shape(rng, int(rng.integers(0, 3)))).astype(dt)
        return [idx, int(rng.integers(0, 5))]
    if kind == "cast":
        return [_array(rng, _shape(rng), dt), str(rng.choice(NUMERIC + ("bool",)))]
    if kind == "pad":
        s = _shape(rng, int(rng.integers(0, 4)))
        p = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in s]
        if rng.random() < 0.1 and p:
            p[0][0] = -1
        return [_array(rng, s, dt), p]
    if kind == "slice":
        s = _shape(rng, int(rng.integers(1, 4)))
        b = [int(rng.integers(0, d + 1)) for d in s]
        size = [int(rng.integers(-1, d - bb + 1 + (rng.random() < 0.1))) for d, bb in zip(s, b)]
        return [_array(rng, s, dt), b, size]
    if kind == "bias":
        s = _shape(rng, int(rng.integers(1, 5)))
        c = s[-1] if s and rng.random() < 0.85 else 3
        return [_array(rng, s, dt), _array(rng, [c], dt)]
    if kind == "matmul":
        a, b, c = (int(rng.integers(0, 4)) for _ in range(3))
        k2 = b if rng.random() < 0.85 else b + 1
        return [_array(rng, [a, b], dt), _array(rng, [k2, c], dt)]
    if kind == "pool":
        s = [int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 6)),
             int(rng.integers(1, 3))]
        return [_array(rng, s, dt), int(rng.integers(1, 4)), int(rng.integers(1, 3)),
                str(rng.choice(["VALID", "SAME"]))]
    if kind == "xent":
        n, c = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        lab = rng.integers(0, c + (1 if rng.random() < 0.2 else 0), size=[n]).astype("int32")
        return [lab, _array(rng, [n, c], dt)]
    raise AssertionError(kind)


def cases(seed, n):
    rng = np.random.default_rng(seed)
    names = sorted(OPS)
    out = []
    for i in range(n):
        name = names[i % len(names)] if i < len(names) else str(rng.choice(names))
        out.append((f"{seed}-{i}-{name}", name, make_case(rng, name)))
    return out


def outcome(tf, name, args):
    """('ok', [arrays]) or ('error', class name, first line)."""
    call = OPS[name][0]
    try:
        r = call(tf, *args)
    except Exception as e:  # noqa: BLE001 - the class is the outcome
        return ("error", type(e).__name__, str(e).splitlines()[0][:200] if str(e) else "")
    rs = r if isinstance(r, (list, tuple)) else [r]
    return ("ok", [np.asarray(x.numpy() if hasattr(x, "numpy") else x) for x in rs])
