"""Merge layers for the functional API: Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, Dot, and their function forms (`layers.add([a, b])`)."""
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
           "Dot", "dot"]


def _is_shape_list(input_shape):
    return isinstance(input_shape, list) and all(
        isinstance(s, (tuple, list)) or s is None for s in input_shape)


class _Merge(Layer):
    def _check_list(self, input_shape):
        if not _is_shape_list(input_shape):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"input_shape={input_shape} (not a list of shapes)")

    def build(self, input_shape):
        self._check_list(input_shape)
        self._output_shape(input_shape)
        self.built = True

    def _output_shape(self, input_shapes):
        # Elementwise merges broadcast the non-batch axes, as Keras's shape check does.
        out = list(input_shapes[0][1:])
        for s in input_shapes[1:]:
            s = list(s[1:])
            if len(s) != len(out):
                raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                 f"{tuple(out)} and {tuple(s)}")
            for i, (a, b) in enumerate(zip(out, s)):
                if a is None or b is None:
                    out[i] = a if b is None else b
                elif a != b and 1 not in (a, b):
                    raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                     f"{tuple(out)} and {tuple(s)}")
                else:
                    out[i] = max(a, b)
        return (input_shapes[0][0],) + tuple(out)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._check_list(tuple(inputs.shape.as_list()))
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return self._finish(out, len(inputs))

    def _finish(self, out, n):
        return out

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)


class Add(_Merge):
    def _merge(self, a, b):
        return _m.add(a, b)


class Subtract(_Merge):
    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def _merge(self, a, b):
        return _m.subtract(a, b)


class Multiply(_Merge):
    def _merge(self, a, b):
        return _m.multiply(a, b)


class Average(_Merge):
    def _merge(self, a, b):
        return _m.add(a, b)

    def _finish(self, out, n):
        return out / float(n)


class Maximum(_Merge):
    def _merge(self, a, b):
        return _m.maximum(a, b)


class Minimum(_Merge):
    def _merge(self, a, b):
        return _m.minimum(a, b)


class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        self._check_list(input_shape)
        if len(input_shape) < 1:
            raise ValueError("A `Concatenate` layer should be called on a list of at least "
                             f"1 input. Received: input_shape={input_shape}")
        self._output_shape(input_shape)
        self.built = True

    def _output_shape(self, input_shapes):
        rank = len(input_shapes[0])
        axis = self.axis % rank
        out = list(input_shapes[0])
        for s in input_shapes[1:]:
            if len(s) != rank or any(
                    i != axis and i != 0 and a is not None and b is not None and a != b
                    for i, (a, b) in enumerate(zip(out, s))):
                raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                                 "except for the concatenation axis. Received: "
                                 f"input_shape={input_shapes}")
            out[axis] = None if out[axis] is None or s[axis] is None else out[axis] + s[axis]
        return tuple(out)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._check_list(tuple(inputs.shape.as_list()))
        return _a.concat(list(inputs), axis=self.axis)

    def get_config(self):
        c = super().get_config()
        c["axis"] = self.axis
        return c


def _functional(cls):
    def fn(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"`{cls.__name__}()(inputs)` in one call."
    return fn


add = _functional(Add)
subtract = _functional(Subtract)
multiply = _functional(Multiply)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """`Concatenate(axis)(inputs)` in one call."""
    return Concatenate(axis=axis, **kwargs)(inputs)


class Dot(_Merge):
    """The dot product of two inputs along `axes`, example by example (Keras's batch_dot):
    the output keeps x's other axes, then y's (without its batch axis); two (batch, n)
    inputs give (batch, 1)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for argument `axes`: list elements should "
                                 f"be integers. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize

    def _pair_axes(self, r1, r2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % r1, self.axes % r2]
            return [self.axes] * 2
        return [a % r for a, r in zip(self.axes, (r1, r2))]

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or \
                not isinstance(input_shape[0], (tuple, list)):
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        s1, s2 = input_shape
        a1, a2 = self._pair_axes(len(s1), len(s2))
        if s1[a1] != s2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {s1[a1]} (at axis "
                             f"{a1}) != {s2[a2]} (at axis {a2}). Full input shapes: "
                             f"{tuple(s1)}, {tuple(s2)}")
        self.built = True

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        from ...ops.linalg_ops import matmul
        x, y = inputs
        r1, r2 = x.shape.rank, y.shape.rank
        a1, a2 = self._pair_axes(r1, r2)
        if self.normalize:
            x = x * _m.rsqrt(_m.maximum(_m.reduce_sum(_m.square(x), a1, keepdims=True),
                                        1e-12))
            y = y * _m.rsqrt(_m.maximum(_m.reduce_sum(_m.square(y), a2, keepdims=True),
                                        1e-12))
        # x -> (batch, rest of x, k), y -> (batch, k, rest of y); one batched MatMul
        xr = [i for i in range(1, r1) if i != a1]
        yr = [i for i in range(1, r2) if i != a2]
        xt = _a.transpose(x, [0] + xr + [a1])
        yt = _a.transpose(y, [0, a2] + yr)
        xs, ys = _a.shape(xt), _a.shape(yt)
        x3 = _a.reshape(xt, _a.concat([xs[:1], [-1], xs[-1:]], 0))
        y3 = _a.reshape(yt, _a.concat([ys[:2], [-1]], 0))
        out = matmul(x3, y3)
        rest = _a.concat([xs[:1], xs[1:-1], ys[2:]], 0)
        if len(xr) + len(yr) == 0:
            rest = _a.concat([xs[:1], [1]], 0)
        return _a.reshape(out, rest)

    def compute_output_shape(self, input_shape):
        s1, s2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._pair_axes(len(s1), len(s2))
        s1.pop(a1)
        s2.pop(a2)
        s2.pop(0)
        out = s1 + s2
        if len(out) == 1:
            out += [1]
        return tuple(out)

    def get_config(self):
        c = super().get_config()
        c.update(axes=self.axes, normalize=self.normalize)
        return c


def dot(inputs, axes=-1, **kwargs):
    """`Dot(axes)(inputs)` in one call."""
    return Dot(axes=axes, **kwargs)(inputs)
