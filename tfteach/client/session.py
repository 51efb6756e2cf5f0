"""Session: runs parts of a graph and holds the state (variable values) of those runs.

`run(fetches, feed_dict)` flattens any nesting of lists, tuples, namedtuples and dicts of
fetchable things (Tensors, Operations, Variables, or their names), validates every feed,
gets the cached plan for this (fetches, feeds) signature, runs it, and rebuilds the same
structure with the values (NumPy arrays; NumPy scalars for scalars; None for Operations).

The mapping of a fetch structure made of graph elements (one, or a flat list/tuple) is
remembered, with its plans per feed signature, so a training loop's `run` costs a dict
lookup, the feed conversions and the plan itself.

Stepping through a run: `trace_run(sess, fetches, feed_dict, callback)` runs the same ops
one by one and calls `callback(op, output_values, seconds)` after each (the Jupyter session
stepper uses it); `sess.run(..., options=RunOptions(trace_level=SOFTWARE_TRACE or higher),
run_metadata=md)` does the same and fills `md.step_stats` with one NodeExecStats per op.
"""
import collections.abc
import contextlib

import numpy as np

from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..runtime import executor
from .config import ConfigProto, RunMetadata, RunOptions

__all__ = ["Session", "InteractiveSession", "get_default_session", "trace_run"]

# the default-session stack lives in framework/ops.py, where Tensor.eval finds it
_session_stack = _ops._session_stack
get_default_session = _ops.get_default_session


def _fetch_key(fetches):
    """A hashable key for fetch structures whose mapping can be reused between runs: one
    graph element or name, or a flat list/tuple of them. None: map it afresh."""
    t = type(fetches)
    if t is _ops.Tensor or t is _ops.Operation or t is str:
        return fetches
    if getattr(fetches, "_is_graph_variable", False):
        return fetches
    if t is list or t is tuple:
        for x in fetches:
            tx = type(x)
            if not (tx is _ops.Tensor or tx is _ops.Operation or tx is str or
                    getattr(x, "_is_graph_variable", False)):
                return None
        return (t,) + tuple(fetches)
    return None


class _Fetch:
    """Maps a (nested) fetch structure to a flat list of graph elements and back.

    `elements` are the distinct graph elements in first-seen order; `rebuild(values)` takes
    the fetched values of the tensors (in the order of `tensors`) and returns the structure.
    Plans for this fetch structure are kept here, per feed signature."""

    __slots__ = ("graph", "elements", "tensors", "targets", "rebuild", "plans", "_index")

    def __init__(self, graph, fetches):
        self.graph = graph
        self.elements = []
        self._index = {}
        self.tensors = []
        self.targets = []
        self.plans = {}
        rebuild = self._map(fetches)
        if type(fetches) is _ops.Tensor or getattr(fetches, "_is_graph_variable", False) \
                or (type(fetches) is str and isinstance(self.elements[0], _ops.Tensor)):
            rebuild = _first_value
        self.rebuild = rebuild

    def _slot(self, el):
        i = self._index.get(el)
        if i is None:
            self.elements.append(el)
            if isinstance(el, _ops.Tensor):
                i = self._index[el] = len(self.tensors)
                self.tensors.append(el)
            else:
                i = self._index[el] = -1
                self.targets.append(el)
        return i

    def _map(self, f):
        if f is None:
            raise TypeError("Argument `fetch` = None has invalid type \"NoneType\". Cannot "
                            "be None")
        if getattr(f, "_tf_composite", False):
            # a RaggedTensor/SparseTensor: its component tensors are fetched, and the
            # value is rebuilt from them (RaggedTensorValue, SparseTensorValue)
            subs = [self._map(c) for c in f._composite_components()]
            build = f._composite_value
            return lambda vals: build([s(vals) for s in subs])
        if isinstance(f, (list, tuple)) and not hasattr(f, "_as_graph_element"):
            subs = [self._map(x) for x in f]
            if isinstance(f, tuple) and hasattr(f, "_fields"):   # namedtuple
                cls = type(f)
                return lambda vals: cls(*[s(vals) for s in subs])
            cls = type(f)
            if cls in (list, tuple):
                return lambda vals: cls(s(vals) for s in subs)
            return lambda vals: cls([s(vals) for s in subs])
        if getattr(f, "_is_indexed_slices", False):
            # fetched as TF does: IndexedSlicesValue(values, indices, dense_shape)
            from ..framework.indexed_slices import IndexedSlicesValue
            parts = [f.values, f.indices] + ([f.dense_shape] if f.dense_shape is not None
                                             else [])
            subs = [self._map(x) for x in parts]
            if len(subs) == 2:
                return lambda vals: IndexedSlicesValue(subs[0](vals), subs[1](vals), None)
            return lambda vals: IndexedSlicesValue(*[s(vals) for s in subs])
        if isinstance(f, collections.abc.Mapping):
            keys = list(f.keys())
            subs = [self._map(f[k]) for k in keys]
            cls = type(f)
            if cls is dict:
                return lambda vals: {k: s(vals) for k, s in zip(keys, subs)}
            return lambda vals: cls((k, s(vals)) for k, s in zip(keys, subs))
        i = self._slot(self._element(f))
        if i < 0:
            return _none
        return lambda vals: vals[i]

    def _element(self, f):
        try:
            return self.graph.as_graph_element(f, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError(f"Argument `fetch` = {f} has invalid type "
                            f"\"{type(f).__name__}\" must be a string or Tensor. ({e})") \
                from None
        except ValueError as e:
            raise ValueError(f"Argument `fetch` = {f} cannot be interpreted as a Tensor. "
                             f"({e})") from None
        except KeyError as e:
            raise ValueError(f"Argument `fetch` = {f} cannot be interpreted as a Tensor. "
                             f"({e.args[0]})") from None


def _none(vals):
    return None


def _first_value(vals):
    return vals[0]


class BaseSession:
    # fetch structures remembered per session (their mapping and plans); beyond this many,
    # the oldest are forgotten (a loop building new fetch lists must not grow memory)
    _MAX_CACHED_FETCHES = 512

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
        # ConfigProto's intra_op_parallelism_threads: the kernels of this session's runs
        # use that many threads (kernels/cpu/threads.py); 0 keeps tf.config's setting
        self._threads = None
        if int(getattr(self._config, "intra_op_parallelism_threads", 0) or 0) > 0:
            from ..kernels.cpu import threads
            self._threads = threads.session_threads
        self._closed = False
        self._state = executor.SessionState()
        self._state.operation_timeout_in_ms = self._config.operation_timeout_in_ms
        self._fetch_cache = {}
        self._plans = {}
        self._default_ctx = None
        self._logged_ops = 0
        from ..runtime import devices
        self._devices = devices.session_devices(self._config)
        # a target names a cluster: the distributed master runs the steps (distribute/)
        self._cluster = None
        if target:
            from ..distribute.runner import ClusterSession
            self._cluster = ClusterSession(target, graph, self._config)

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
        if self._cluster is not None:
            return [devices._DeviceAttributes(d, "CPU", 268435456)
                    for d in self._cluster.devices]
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
            if getattr(self, "_cluster", None) is not None:
                self._cluster.close()
            if self._state is not None:
                # runs still waiting in other threads (a queue runner's enqueue) end
                self._state.closed = True
            self._state = None
            self._fetch_cache.clear()
            self._plans.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # --- run ---------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and evaluates the tensors in `fetches`; returns their values in the
        same structure (NumPy values; None for operations)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        graph = self._graph
        if not graph._ops:
            raise RuntimeError("The Session graph is empty. Add operations to the graph "
                               "before calling run().")
        key = _fetch_key(fetches)
        fetch = self._fetch_cache.get(key) if key is not None else None
        if fetch is None:
            fetch = _Fetch(graph, fetches)
            if key is not None:
                if len(self._fetch_cache) >= self._MAX_CACHED_FETCHES:
                    self._fetch_cache.pop(next(iter(self._fetch_cache)))
                self._fetch_cache[key] = fetch
        if feed_dict:
            feed_tensors, feed_values = self._prepare_feeds(feed_dict)
            feed_key = tuple(feed_tensors)
        else:
            feed_tensors = feed_values = ()
            feed_key = ()
        if self._cluster is not None:
            if self._config.log_device_placement:
                self._log_placement()
            values = self._cluster.run(
                fetch.tensors, fetch.targets, list(feed_tensors), list(feed_values),
                run_metadata, bool(options is not None and options.output_partition_graphs),
                trace=bool(options is not None and run_metadata is not None and
                           getattr(options, "trace_level", 0) >= RunOptions.SOFTWARE_TRACE))
            if len(values) == 1 and fetch.rebuild is _first_value:
                return _to_fetch_result(values[0])
            return fetch.rebuild([_to_fetch_result(v) for v in values])
        plan = fetch.plans.get(feed_key)
        if plan is None:
            # structures that are not cached (nested, dicts) still share plans by signature
            sig = (tuple(fetch.tensors), tuple(fetch.targets), feed_key)
            plan = self._plans.get(sig)
            if plan is None:
                if self._config.log_device_placement:
                    self._log_placement()
                plan = executor.Plan(graph, fetch.tensors, fetch.targets, feed_tensors,
                                     devices=self._devices)
                self._plans[sig] = plan
            fetch.plans[feed_key] = plan
        ctx = executor.RunContext(self._state, options)
        if options is not None and getattr(options, "trace_level", 0) >= \
                RunOptions.SOFTWARE_TRACE and (run_metadata is not None or
                                               getattr(options, "_step_callback", None)):
            ctx.step_callback = getattr(options, "_step_callback", None)
            values = plan.run_traced(feed_values, ctx, run_metadata)
        elif self._threads is not None:
            with self._threads(self._config.intra_op_parallelism_threads):
                values = plan.run(feed_values, ctx)
        else:
            values = plan.run(feed_values, ctx)
        if len(values) == 1 and fetch.rebuild is _first_value:
            return _to_fetch_result(values[0])
        return fetch.rebuild([_to_fetch_result(v) for v in values])

    def _log_placement(self):
        """Like TF's placer log (printed on stdout): every op of the graph with its device,
        whenever the graph has grown since the last log."""
        ops = self._graph._ops
        if len(ops) == self._logged_ops:
            return
        self._logged_ops = len(ops)
        from ..runtime import placement
        try:
            if self._cluster is not None:
                where = self._cluster.placement()
            else:
                where = placement.place(ops, self._devices)
        except Exception:  # noqa: BLE001 - errors are reported by the run itself
            where = {}
        # TF's placer places "generator" ops (no inputs, one non-ref output, stateless:
        # Const, Placeholder) last, next to their consumers.
        gen = [o for o in ops if not o._inputs and len(o._outputs) == 1 and
               not o._outputs[0]._dtype.is_ref_dtype and
               (not o._opdef.stateful or o._type == "Placeholder")]
        gen_set = set(gen)
        ordered = [o for o in ops if o not in gen_set] + gen
        for op in ordered:
            dev = where.get(op, "CPU")
            if not dev.startswith("/job:"):
                dev = where.device_name(op) if hasattr(where, "device_name") else \
                    placement.canonical_name(dev)
            print(f"{op.name}: ({op.type}): {dev}")

    def _prepare_feeds(self, feed_dict):
        """Converts and checks every feed before anything runs (TF's words and classes)."""
        tensors, values = [], []
        graph = self._graph
        if any(getattr(k, "_tf_composite", False) for k in feed_dict):
            feed_dict = _expand_composite_feeds(feed_dict)
        for key, value in feed_dict.items():
            if type(key) is _ops.Tensor and key._op._graph is graph:
                t = key
            else:
                try:
                    t = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
                except (TypeError, ValueError) as e:
                    raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
                except KeyError as e:
                    raise TypeError(f"Cannot interpret feed_dict key as Tensor: "
                                    f"{e.args[0]}") from None
            if isinstance(value, _ops.Tensor):
                raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable "
                                "feed values include Python scalars, strings, lists, numpy "
                                "ndarrays, or TensorHandles. For reference, the tensor object "
                                f"was {value} which was passed to the argument `feed_dict` "
                                f"with key {key}.")
            dtype = t._dtype.base_dtype
            tv = type(value)
            if tv is float or tv is int or tv is np.ndarray:
                np_dtype = dtype.np_dtype
                if tv is np.ndarray and value.dtype == np_dtype:
                    arr = _frozen_view(value)
                elif tv is float and np_dtype.kind == "f":
                    arr = np.asarray(value, dtype=np_dtype)
                else:
                    arr = None
                if arr is not None:
                    dims = t._shape._dims
                    if dims is not None and (len(dims) != arr.ndim or any(
                            d is not None and d != n for d, n in zip(dims, arr.shape))):
                        raise ValueError(f"Cannot feed value of shape {arr.shape!r} for "
                                         f"Tensor {t.name}, which has shape {t._shape}")
                    if not graph.is_feedable(t):
                        raise ValueError(f"Tensor {t.name} may not be fed.")
                    tensors.append(t)
                    values.append(arr)
                    continue
            if dtype is _dt.string:
                from ..framework import tensor_util
                arr, _ = tensor_util.make_ndarray_like_tf(value, _dt.string)
            else:
                np_dtype = dtype.np_dtype
                if type(value) is np.ndarray and value.dtype == np_dtype:
                    arr = _frozen_view(value)
                else:
                    if hasattr(value, "numpy") and callable(value.numpy):
                        value = value.numpy()
                    if isinstance(value, int) and not isinstance(value, bool) and \
                            dtype.is_integer and not _fits(value, np_dtype):
                        raise TypeError(f"Type of feed value {value} with type "
                                        f"{type(value)} is not compatible with Tensor type "
                                        f"{dtype}. Try explicitly setting the type of the "
                                        f"feed tensor to a larger type (e.g. int64).")
                    arr = np.asarray(value, dtype=np_dtype)
                    if arr is value:
                        arr = _frozen_view(arr)
            if not t._shape.is_compatible_with(arr.shape):
                raise ValueError(f"Cannot feed value of shape {arr.shape!r} for Tensor "
                                 f"{t.name}, which has shape {t._shape}")
            if not graph.is_feedable(t):
                raise ValueError(f"Tensor {t.name} may not be fed.")
            tensors.append(t)
            values.append(arr)
        return tensors, values

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running `fetches` with its positional arguments fed to `feed_list`."""
        feed_list = list(feed_list or [])
        run = self.run

        if accept_options:
            def call(*args, options=None, run_metadata=None):
                return run(fetches, dict(zip(feed_list, args)), options, run_metadata)
        else:
            def call(*args):
                return run(fetches, dict(zip(feed_list, args)) if feed_list else None)
        return call


def _frozen_view(arr):
    """The caller's fed array as a read-only view: kernels cannot change it, and fetching
    it (or an identity of it) returns a copy, never the caller's own object."""
    view = arr.view()
    view.flags.writeable = False
    return view


def _fits(value, np_dtype):
    info = np.iinfo(np_dtype)
    return info.min <= value <= info.max


def _expand_composite_feeds(feed_dict):
    """A SparseTensor (or RaggedTensor) key feeds each of its component tensors from the
    matching part of the value (a SparseTensorValue or (indices, values, dense_shape))."""
    out = {}
    for key, value in feed_dict.items():
        if getattr(key, "_tf_composite", False):
            parts = key._composite_components()
            vals = key._composite_feed_parts(value)
            if len(vals) != len(parts):
                raise TypeError(f"Cannot feed {value!r} to {key}: expected {len(parts)} "
                                f"parts")
            out.update(zip(parts, vals))
        else:
            out[key] = value
    return out


def trace_run(sess, fetches, feed_dict=None, callback=None, run_metadata=None):
    """Runs `fetches` op by op, calling `callback(op, output_values, seconds)` after each.

    The public way to step through a `Session.run` (the Jupyter session stepper uses it):
    the same ops run as in `sess.run(fetches, feed_dict)`, unfused and timed one by one; a
    failing run leaves the variables as they were. Returns the fetched values; timings also
    go to `run_metadata.step_stats` when a RunMetadata is given.
    """
    options = RunOptions(trace_level=RunOptions.SOFTWARE_TRACE)
    object.__setattr__(options, "_step_callback", callback)
    return sess.run(fetches, feed_dict, options=options,
                    run_metadata=run_metadata if run_metadata is not None else RunMetadata())


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
    """A fetched value as TF returns it: a writable ndarray of the caller's own, or a NumPy
    scalar for rank 0.

    A kernel's fresh output already is the caller's own and is returned as it is. Arrays
    the session keeps (variable values, constants, folded constants: all read-only) and
    views of anything (a fed array, a reshaped variable) are copied."""
    if type(v) is np.ndarray or isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v[()]
        if v.base is not None or not v.flags.writeable:
            return v.copy()
        return v
    return v
