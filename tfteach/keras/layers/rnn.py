"""Recurrent cells and layers: SimpleRNNCell, LSTMCell, SimpleRNN, LSTM, RNN.

Cells follow Keras 3: `cell(inputs, states) -> (output, new_states)`, states a list;
`get_initial_state(batch_size)` gives zeros. LSTM gates are ordered i, f, c, o in the fused
kernel, the forget-gate bias starts at 1 (`unit_forget_bias`), and a cell owns a seed
generator (its non-trainable state shows in `variables`). Layers step the cell over the
time axis in Python: eagerly that runs each step, inside `tf.function` it unrolls the trace.
"""
import numpy as np

from ...framework import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops.linalg_ops import matmul as _matmul
from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from .base import Layer

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "SimpleRNN", "LSTM", "GRU"]


def _batch_size(batch_size):
    if hasattr(batch_size, "numpy"):
        return int(np.asarray(batch_size.numpy()))
    return batch_size


class _Cell(Layer):
    def _common(self, units, activation, use_bias, kernel_initializer,
                recurrent_initializer, bias_initializer, dropout, recurrent_dropout):
        if units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = int(units)
        self.activation = _act.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        if dropout or recurrent_dropout:
            # an argument that changes training must not be accepted and ignored
            raise NotImplementedError("tfteach's recurrent cells do not implement `dropout`/"
                                      "`recurrent_dropout` yet; put a Dropout layer before "
                                      "or after the RNN instead")
        self.dropout = 0.0
        self.recurrent_dropout = 0.0
        self._seed_state = self._add_seed_state()

    def _regs(self, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
              **constraints):
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.recurrent_regularizer = _reg.get(recurrent_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        for k, v in constraints.items():
            if v is not None:
                raise NotImplementedError(f"tfteach's recurrent layers do not apply weight "
                                          f"constraints ({k}={v!r})")

    def get_initial_state(self, batch_size=None):
        n = _batch_size(batch_size)
        return [_a.zeros([n, self.units], dtype=self._dtype_name)
                for _ in range(self._n_states)]

    def _state_list(self, states):
        if isinstance(states, (list, tuple)):
            return list(states)
        return [states]


class SimpleRNNCell(_Cell):
    _n_states = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._common(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                     bias_initializer, dropout, recurrent_dropout)
        self._regs(kernel_regularizer, recurrent_regularizer, bias_regularizer,
                   kernel_constraint=kernel_constraint,
                   recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        d = int(input_shape[-1])
        self.kernel = self.add_weight(shape=(d, self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=getattr(self, "kernel_regularizer", None))
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=getattr(self, "recurrent_regularizer",
                                                                    None))
        self.bias = self.add_weight(shape=(self.units,), name="bias",
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None
        self.built = True

    def call(self, inputs, states, training=False):
        prev = self._state_list(states)[0]
        h = _matmul(inputs, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        out = h + _matmul(prev, self.recurrent_kernel)
        out = self.activation(out)
        return out, [out] if isinstance(states, (list, tuple)) else out


class LSTMCell(_Cell):
    _n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self._common(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                     bias_initializer, dropout, recurrent_dropout)
        self._regs(kernel_regularizer, recurrent_regularizer, bias_regularizer,
                   kernel_constraint=kernel_constraint,
                   recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        self.recurrent_activation = _act.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        d = int(input_shape[-1])
        u = self.units
        self.kernel = self.add_weight(shape=(d, 4 * u), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=getattr(self, "kernel_regularizer", None))
        self.recurrent_kernel = self.add_weight(shape=(u, 4 * u), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=getattr(self, "recurrent_regularizer",
                                                                    None))
        if self.use_bias:
            if self.unit_forget_bias:
                base = self.bias_initializer

                class _ForgetBias(_init.Initializer):
                    def numpy(self, shape, dtype=None):
                        b = np.asarray(base.numpy((u,), dtype))
                        return np.concatenate([b, np.ones(u, b.dtype),
                                               np.asarray(base.numpy((2 * u,), dtype))])
                init = _ForgetBias()
            else:
                init = self.bias_initializer
            self.bias = self.add_weight(shape=(4 * u,), name="bias", initializer=init,
                                        regularizer=self.bias_regularizer)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = self._state_list(states)[:2]
        z = _matmul(inputs, self.kernel) + _matmul(h_tm1, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z0, z1, z2, z3 = _a.split(z, 4, axis=1)
        i = self.recurrent_activation(z0)
        f = self.recurrent_activation(z1)
        c = f * c_tm1 + i * self.activation(z2)
        o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]


class GRUCell(_Cell):
    """Keras 3's GRU (reset_after=True): gates z, r, h in the fused kernel."""
    _n_states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._common(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                     bias_initializer, dropout, recurrent_dropout)
        self.recurrent_activation = _act.get(recurrent_activation)
        if not reset_after:
            raise NotImplementedError("tfteach's GRUCell implements reset_after=True")
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        d, u = int(input_shape[-1]), self.units
        self.kernel = self.add_weight(shape=(d, 3 * u), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=getattr(self, "kernel_regularizer", None))
        self.recurrent_kernel = self.add_weight(shape=(u, 3 * u), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=getattr(self, "recurrent_regularizer",
                                                                    None))
        self.bias = self.add_weight(shape=(2, 3 * u), name="bias",
                                    initializer=self.bias_initializer) if self.use_bias else None
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1 = self._state_list(states)[0]
        mx = _matmul(inputs, self.kernel)
        mh = _matmul(h_tm1, self.recurrent_kernel)
        if self.bias is not None:
            b_in, b_rec = _a.unstack(self.bias)
            mx = mx + b_in
            mh = mh + b_rec
        xz, xr, xh = _a.split(mx, 3, axis=1)
        hz, hr, hh = _a.split(mh, 3, axis=1)
        z = self.recurrent_activation(xz + hz)
        r = self.recurrent_activation(xr + hr)
        hh = self.activation(xh + r * hh)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h] if isinstance(states, (list, tuple)) else h


class RNN(Layer):
    """Steps `cell` over axis 1 of `[batch, time, features]` inputs."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        if stateful:
            raise NotImplementedError("tfteach's RNN layers are not stateful")

    def build(self, input_shape):
        from .checks import check_ndim
        check_ndim(self, input_shape, ndim=3)
        from .. import backend
        with backend.name_scope(self.cell.name):
            self.cell.build((input_shape[0], input_shape[2]))
        self.cell.built = True
        self.built = True

    def call(self, inputs, initial_state=None, training=False, mask=None):
        if inputs.dtype.base_dtype != _dt.float32 and inputs.dtype.is_floating is False:
            inputs = _m.cast(inputs, _dt.float32)
        steps = inputs.shape.as_list()[1]
        if steps is None:
            steps = int(np.asarray(_a.shape(inputs)[1].numpy()))
        if initial_state is None:
            batch = inputs.shape.as_list()[0]
            if batch is None:
                batch = _a.shape(inputs)[0]
            states = [_a.zeros(_a.stack([batch, self.cell.units]) if not isinstance(batch, int)
                               else [batch, self.cell.units], dtype=inputs.dtype.base_dtype)
                      for _ in range(self.cell._n_states)]
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        out = None
        if mask is not None:
            mask = _m.cast(mask, _dt.bool_)
        for t in order:
            new_out, new_states = self.cell(inputs[:, t, :], states, training=training)
            if not isinstance(new_states, (list, tuple)):
                new_states = [new_states]
            if mask is not None:
                # a masked step leaves the states as they were and repeats the last output
                # (zeros before the first unmasked step): Keras's zero_output_for_mask=False
                keep = _a.expand_dims(mask[:, t], -1)
                prev = _a.zeros_like(new_out) if out is None else out
                new_out = _a.where_v2(keep, new_out, prev)
                new_states = [_a.where_v2(keep, n, o) for n, o in zip(new_states, states)]
            out, states = new_out, list(new_states)
            if self.return_sequences:
                outputs.append(out)
        result = _a.stack(outputs, axis=1) if self.return_sequences else out
        if self.return_state:
            return [result] + list(states)
        return result

    def compute_mask(self, inputs, mask=None):
        """A sequence output keeps the input's mask; a last-step output has none."""
        if mask is None or not self.return_sequences:
            return None
        return mask

    def _attach_mask(self, inputs, out, mask):
        if isinstance(out, (list, tuple)):     # return_state: the mask goes on the output
            super()._attach_mask(inputs, out[0], mask)
        else:
            super()._attach_mask(inputs, out, mask)

    @property
    def units(self):
        return self.cell.units

    def get_initial_state(self, batch_size):
        return self.cell.get_initial_state(batch_size=batch_size)


def _ctor_args(args):
    args = dict(args)
    args.pop("self", None)
    args.pop("__class__", None)
    args.update(args.pop("kwargs", {}))
    return args


class SimpleRNN(RNN):
    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        ctor = _ctor_args(locals())
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer, dropout=dropout,
                             recurrent_dropout=recurrent_dropout, seed=seed,
                             name="simple_rnn_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self._ctor = ctor


class LSTM(RNN):
    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        ctor = _ctor_args(locals())
        cell = LSTMCell(units, activation=activation,
                        kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint,
                        recurrent_activation=recurrent_activation, use_bias=use_bias,
                        kernel_initializer=kernel_initializer,
                        recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                        dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                        name="lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self._ctor = ctor


class GRU(RNN):
    """Keras 3's GRU: reset_after=True, bias of shape (2, 3 * units)."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 **kwargs):
        ctor = _ctor_args(locals())
        if dropout or recurrent_dropout:
            raise NotImplementedError("tfteach's GRU does not implement `dropout`/"
                                      "`recurrent_dropout`")
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, reset_after=reset_after, seed=seed,
                       name="gru_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        self._ctor = ctor

    def get_config(self):
        c = super().get_config()
        cell = self.cell
        c.update(units=cell.units, activation=_act.serialize(cell.activation),
                 recurrent_activation=_act.serialize(cell.recurrent_activation),
                 use_bias=cell.use_bias, return_sequences=self.return_sequences,
                 return_state=self.return_state, go_backwards=self.go_backwards,
                 reset_after=True)
        return c
