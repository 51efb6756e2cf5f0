"""`keras.initializers` (Keras 3 defaults): values are drawn with NumPy on the host, so
building a layer never adds ops to a graph being traced."""
import math

import numpy as np

from . import backend

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal",
           "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "Identity",
           "get", "serialize"]


def _np_dtype(dtype):
    from ..framework import dtypes
    return dtypes.as_dtype(dtype or "float32").np_dtype


class Initializer:
    def __call__(self, shape, dtype=None):
        from ..ops import constant_op
        return constant_op.constant(self.numpy(shape, dtype))

    def numpy(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    def numpy(self, shape, dtype=None):
        return np.zeros(tuple(shape), _np_dtype(dtype))


class Ones(Initializer):
    def numpy(self, shape, dtype=None):
        return np.ones(tuple(shape), _np_dtype(dtype))


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def numpy(self, shape, dtype=None):
        return np.broadcast_to(np.asarray(self.value), tuple(shape)).astype(_np_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def numpy(self, shape, dtype=None):
        r = backend.rng(self.seed)
        return r.uniform(self.minval, self.maxval, tuple(shape)).astype(_np_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def numpy(self, shape, dtype=None):
        r = backend.rng(self.seed)
        return r.normal(self.mean, self.stddev, tuple(shape)).astype(_np_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _truncated(r, shape, mean, stddev):
    out = r.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = r.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2
    return mean + stddev * out


class TruncatedNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def numpy(self, shape, dtype=None):
        return _truncated(backend.rng(self.seed), tuple(shape), self.mean,
                          self.stddev).astype(_np_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _fans(shape):
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(Initializer):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid value for argument `mode`. Expected one of {{'fan_in', "
                             f"'fan_out', 'fan_avg'}}. Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid value for argument `distribution`. Received: "
                             f"distribution={distribution}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def numpy(self, shape, dtype=None):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out,
             "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        r = backend.rng(self.seed)
        shape = tuple(shape)
        if self.distribution == "truncated_normal":
            out = _truncated(r, shape, 0.0, math.sqrt(scale) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            out = r.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            out = r.uniform(-limit, limit, shape)
        return out.astype(_np_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class Orthogonal(Initializer):
    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def numpy(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = backend.rng(self.seed).normal(0.0, 1.0, flat)
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(_np_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def numpy(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        return (self.gain * np.eye(*shape)).astype(_np_dtype(dtype))


_ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "uniform": RandomUniform,
            "random_uniform": RandomUniform, "normal": RandomNormal,
            "random_normal": RandomNormal, "truncated_normal": TruncatedNormal,
            "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
            "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
            "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
            "orthogonal": Orthogonal, "identity": Identity}
for _cls in list(_ALIASES.values()):
    _ALIASES[_cls.__name__] = _cls

zeros, ones, constant = Zeros, Ones, Constant
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, \
    HeNormal, HeUniform
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
orthogonal = Orthogonal


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return _Callable(identifier)
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


class _Callable(Initializer):
    def __init__(self, fn):
        self.fn = fn

    def numpy(self, shape, dtype=None):
        v = self.fn(tuple(shape), dtype=dtype)
        return np.asarray(v.numpy() if hasattr(v, "numpy") else v)


def serialize(initializer):
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
