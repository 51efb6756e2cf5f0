"""Session: runs parts of a graph and holds the state (variable values) of those runs.

`run(fetches, feed_dict)` flattens any nesting of lists, tuples, namedtuples and dicts of
fetchable things (Tensors, Operations, Variables, or their names), validates every feed,
gets the cached plan for this (fetches, feeds) signature, runs it, and rebuilds the same
structure with the values (NumPy arrays; NumPy scalars for scalars; None for Operations).
"""
import collections
import contextlib
import time

import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..runtime import executor
from .config import ConfigProto, RunMetadata, RunOptions

__all__ = ["Session", "InteractiveSession", "get_default_session"]

_session_stack = []


def get_default_session():
    return _session_stack[-1] if _session_stack else None


class _Fetch:
    """Maps a (nested) fetch structure to a flat list of graph elements and back."""

    def __init__(self, graph, fetches):
        self.graph = graph
        self.elements = []
        self.rebuild = self._map(fetches)

    def _map(self, f):
        if f is None:
            raise TypeError(f"Argument `fetch` = None has invalid type \"NoneType\". Cannot "
                            f"be None")
        if isinstance(f, (list, tuple)) and not hasattr(f, "_as_graph_element"):
            subs = [self._map(x) for x in f]
            if isinstance(f, tuple) and hasattr(f, "_fields"):   # namedtuple
                cls = type(f)
                return lambda vals: cls(*[s(vals) for s in subs])
            cls = type(f)
            if cls in (list, tuple):
                return lambda vals: cls(s(vals) for s in subs)
            return lambda vals: cls([s(vals) for s in subs])
        if isinstance(f, collections.abc.Mapping):
            keys = list(f.keys())
            subs = [self._map(f[k]) for k in keys]
            cls = type(f)
            if cls is dict:
                return lambda vals: {k: s(vals) for k, s in zip(keys, subs)}
            return lambda vals: cls((k, s(vals)) for k, s in zip(keys, subs))
        el = self._element(f)
        i = len(self.elements)
        self.elements.append(el)
        if isinstance(el, _ops.Operation):
            return lambda vals: None
        return lambda vals: vals[i]

    def _element(self, f):
        try:
            return self.graph.as_graph_element(f, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError(f"Argument `fetch` = {f!r} has invalid type "
                            f"\"{type(f).__name__}\", must be a string or Tensor. ({e})") \
                from None
        except ValueError as e:
            raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({e})") \
                from None
        except KeyError as e:
            raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. "
                             f"({e.args[0]})") from None


class BaseSession:
    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = _ops.get_default_graph()
        if not isinstance(graph, _ops.Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph)}")
        if config is not None and not isinstance(config, ConfigProto):
            raise TypeError(f"config must be a tf.ConfigProto, but got {type(config)}")
        self._graph = graph
        self._target = target
        self._config = config if config is not None else ConfigProto()
        self._closed = False
        self._state = executor.SessionState()
        self._plans = {}
        self._default_ctx = None
        from ..runtime import devices
        self._devices = devices.session_devices(self._config)

    # --- properties ---------------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self):
        return self._target

    def list_devices(self):
        from ..runtime import devices
        return devices.list_session_devices(self._devices)

    # --- default session -------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        _session_stack.append(self)
        try:
            with self._graph.as_default():
                yield self
        finally:
            _session_stack.remove(self)

    def __enter__(self):
        self._default_ctx = self.as_default()
        self._default_ctx.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._default_ctx is not None:
            self._default_ctx.__exit__(exc_type, exc, tb)
            self._default_ctx = None
        self.close()
        return False

    def close(self):
        if not self._closed:
            self._closed = True
            self._state = None
            self._plans.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # --- run ---------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if not self._graph._ops:
            raise RuntimeError("The Session graph is empty. Add operations to the graph "
                               "before calling run().")
        fetch = _Fetch(self._graph, fetches)
        feed_tensors, feed_values = self._prepare_feeds(feed_dict)
        tensors = [e for e in fetch.elements if isinstance(e, _ops.Tensor)]
        targets = [e for e in fetch.elements if isinstance(e, _ops.Operation)]
        key = (tuple(tensors), tuple(targets), tuple(feed_tensors))
        plan = self._plans.get(key)
        if plan is None:
            plan = executor.Plan(self._graph, tensors, targets, feed_tensors,
                                 devices=self._devices,
                                 log_device_placement=self._config.log_device_placement)
            self._plans[key] = plan
        ctx = executor.RunContext(self._state, options)
        traced = (options is not None and run_metadata is not None
                  and getattr(options, "trace_level", 0) >= RunOptions.SOFTWARE_TRACE)
        if traced:
            values = plan.run_traced(feed_values, ctx, run_metadata)
        else:
            values = plan.run(feed_values, ctx)
        out = []
        vi = 0
        for e in fetch.elements:
            if isinstance(e, _ops.Tensor):
                out.append(_to_fetch_result(values[vi]))
                vi += 1
            else:
                out.append(None)
        return fetch.rebuild(out)

    def _prepare_feeds(self, feed_dict):
        """Converts and checks every feed before anything runs."""
        if not feed_dict:
            return [], []
        tensors, values = [], []
        for key, value in feed_dict.items():
            try:
                t = self._graph.as_graph_element(key, allow_tensor=True,
                                                 allow_operation=False)
            except (TypeError, ValueError, KeyError) as e:
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
            if isinstance(value, _ops.Tensor):
                raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable "
                                "feed values include Python scalars, strings, lists, numpy "
                                "ndarrays, or TensorHandles. For reference, the tensor object "
                                f"was {value} which was passed to the argument `feed_dict` "
                                f"with key {key}.")
            dtype = t.dtype.base_dtype
            if dtype is _dt.string:
                from ..framework import tensor_util
                arr, _ = tensor_util.make_ndarray_like_tf(value, _dt.string)
            else:
                if hasattr(value, "numpy") and callable(value.numpy):
                    value = value.numpy()
                try:
                    arr = np.asarray(value, dtype=dtype.np_dtype)
                except (TypeError, ValueError) as e:
                    raise TypeError(f"Cannot convert the feed value {value!r} for Tensor "
                                    f"'{t.name}' to dtype {dtype.name}: {e}") from None
                if isinstance(value, (int, float)) and not isinstance(value, bool) \
                        and arr.item() != value and dtype.is_integer:
                    raise TypeError(f"Type of feed value {value!r} with type "
                                    f"{type(value)} is not compatible with Tensor type "
                                    f"{dtype}. Try explicitly setting the type of the feed "
                                    f"tensor to a larger type (e.g. int64).")
            if not t.shape.is_compatible_with(arr.shape):
                raise ValueError(f"Cannot feed value of shape {arr.shape!r} for Tensor "
                                 f"{t.name!r}, which has shape {str(t.shape)!r}")
            if not self._graph.is_feedable(t):
                raise ValueError(f"Tensor {t.name} may not be fed.")
            tensors.append(t)
            values.append(arr)
        return tensors, values

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        feed_list = list(feed_list or [])

        def call(*args, **kwargs):
            if len(args) != len(feed_list):
                raise TypeError(f"Callable expects {len(feed_list)} feed values, got "
                                f"{len(args)}")
            return self.run(fetches, dict(zip(feed_list, args)), **kwargs)
        return call


class Session(BaseSession):
    """`tf.Session(target='', graph=None, config=None)`."""


class InteractiveSession(BaseSession):
    """A Session that installs itself as the default session when created."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._ctx = self.as_default()
        self._ctx.__enter__()

    def close(self):
        if getattr(self, "_ctx", None) is not None:
            ctx, self._ctx = self._ctx, None
            try:
                ctx.__exit__(None, None, None)
            except (ValueError, RuntimeError):
                pass
        super().close()


def _to_fetch_result(v):
    """A fetched value as TF returns it: a fresh ndarray, or a NumPy scalar for rank 0."""
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v[()]
        return v.copy()
    if isinstance(v, np.generic):
        return v
    return v


def _eval_using_default_session(tensors, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
        if session.graph is not graph:
            raise ValueError("Cannot use the default session to evaluate tensor: the tensor's "
                             "graph is different from the session's graph. Pass an explicit "
                             "session to `eval(session=sess)`.")
    elif session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                         "is different from the session's graph.")
    return session.run(tensors, feed_dict)


def _run_using_default_session(operation, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot execute operation using `run()`: No default session is "
                             "registered. Use `with sess.as_default():` or pass an explicit "
                             "session to `run(session=sess)`")
        if session.graph is not graph:
            raise ValueError("Cannot use the default session to execute operation: the "
                             "operation's graph is different from the session's graph. Pass "
                             "an explicit session to run(session=sess).")
    elif session.graph is not graph:
        raise ValueError("Cannot use the given session to execute operation: the operation's "
                         "graph is different from the session's graph.")
    session.run(operation, feed_dict)
