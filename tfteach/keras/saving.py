"""Keras 3's native file formats: `model.save("m.keras")`, `load_model`, `*.weights.h5`.

A `.keras` file is a zip of `metadata.json`, `config.json` (the model's architecture, each
object as `{"module", "class_name", "config", "registered_name"}`) and `model.weights.h5`.
The HDF5 layout is Keras's `saving_lib` walk: `layers/<snake class name>[_n]/vars/<i>` for
the layers a Sequential/Functional lists (the counter is per class name, in list order, so
two instances of the same model line up whatever their auto-generated names), attribute
names for nested layers (`layers/lstm/cell/vars/0`), and `optimizer/vars/<i>` in the
optimizer's variable order. Keras reads such a file back by walking its own rebuilt model
the same way, which is why the order here must be the config's layer order.

h5py is the `keras` extra: the core install stays numpy/numba/scipy.
"""
import datetime
import json
import os
import shutil
import tempfile
import zipfile

import numpy as np

from . import activations as _act
from . import backend
from . import initializers as _init

__all__ = ["save_model", "load_model", "save_weights", "load_weights",
           "register_keras_serializable", "get_registered_object"]

_KERAS_VERSION = "3.15.1"
_CUSTOM = {}


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving and loading Keras files needs h5py: "
                          "pip install 'tfteach[keras]'  (or: pip install h5py)") from None
    return h5py


def register_keras_serializable(package="Custom", name=None):
    """Keras's decorator: lets `load_model` rebuild a custom class from its config."""
    def deco(cls):
        key = f"{package}>{name or cls.__name__}"
        if key in _CUSTOM:
            raise ValueError(f"{key} has already been registered to {_CUSTOM[key]}")
        _CUSTOM[key] = cls
        cls._registered_name = key
        return cls
    return deco


def get_registered_object(name, custom_objects=None, module_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _CUSTOM.get(name)


# --- serializing configs -------------------------------------------------------------------------

def _policy(dtype_name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype_name},
            "registered_name": None}


def _obj(module, class_name, config):
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": None}


def _ser_init(init):
    if init is None:
        return None
    if type(init).__name__ == "_Callable":
        raise ValueError(f"Cannot serialize the initializer function {init.fn!r}: pass a "
                         f"keras.initializers object instead")
    return _obj("keras.initializers", type(init).__name__, init.get_config())


def _ser_reg(reg):
    if reg is None:
        return None
    from . import regularizers
    return regularizers.serialize(reg)


def _ser_act(fn):
    name = _act.serialize(fn)
    if name not in _act._BY_NAME:
        raise ValueError(f"Cannot serialize the activation {fn!r}: it is not one of "
                         f"keras.activations (custom activations need "
                         f"@keras.saving.register_keras_serializable)")
    return name


def _base(layer):
    return {"name": layer.name, "trainable": layer.trainable,
            "dtype": _policy(layer._dtype_name)}


def _dense_like(layer, c):
    c.update(kernel_initializer=_ser_init(layer.kernel_initializer),
             bias_initializer=_ser_init(layer.bias_initializer),
             kernel_regularizer=_ser_reg(getattr(layer, "kernel_regularizer", None)),
             bias_regularizer=_ser_reg(getattr(layer, "bias_regularizer", None)),
             activity_regularizer=_ser_reg(getattr(layer, "activity_regularizer", None)),
             kernel_constraint=None, bias_constraint=None)


def _layer_config(layer):
    """Keras 3's `get_config()` for the layer types tfteach has (values as Keras writes)."""
    from .layers import core, rnn
    from .models import functional
    t = type(layer)
    if t is functional.InputLayer:
        return {"batch_shape": list(layer.batch_shape), "dtype": layer._dtype_name,
                "sparse": False, "ragged": False, "name": layer.name, "optional": False}
    c = _base(layer)
    if t is core.Dense:
        c.update(units=layer.units, activation=_ser_act(layer.activation),
                 use_bias=layer.use_bias)
        _dense_like(layer, c)
        c["quantization_config"] = None
    elif t is core.Conv2D:
        c.update(filters=layer.filters, kernel_size=list(layer.kernel_size),
                 strides=list(layer.strides), padding=layer.padding,
                 data_format=layer.data_format, dilation_rate=list(layer.dilation_rate),
                 groups=1, activation=_ser_act(layer.activation), use_bias=layer.use_bias)
        _dense_like(layer, c)
    elif t in (core.MaxPooling2D, core.AveragePooling2D):
        c.update(pool_size=list(layer.pool_size), padding=layer.padding,
                 strides=list(layer.strides), data_format=layer.data_format)
    elif t is core.Flatten:
        c["data_format"] = layer.data_format
    elif t is core.Reshape:
        c["target_shape"] = list(layer.target_shape)
    elif t is core.Dropout:
        c.update(rate=layer.rate, seed=layer.seed, noise_shape=layer.noise_shape)
    elif t is core.Activation:
        c["activation"] = _ser_act(layer.activation)
    elif t is core.Identity:
        pass
    elif t is core.Embedding:
        c.update(input_dim=layer.input_dim, output_dim=layer.output_dim,
                 embeddings_initializer=_ser_init(layer.embeddings_initializer),
                 embeddings_regularizer=_ser_reg(layer.embeddings_regularizer),
                 activity_regularizer=_ser_reg(layer.activity_regularizer),
                 embeddings_constraint=None, mask_zero=layer.mask_zero,
                 quantization_config=None)
    elif t in (rnn.LSTM, rnn.SimpleRNN):
        cell = layer.cell
        c.update(return_sequences=layer.return_sequences, return_state=layer.return_state,
                 go_backwards=layer.go_backwards, stateful=False, unroll=False,
                 zero_output_for_mask=False, units=cell.units,
                 activation=_ser_act(cell.activation))
        if t is rnn.LSTM:
            c["recurrent_activation"] = _ser_act(cell.recurrent_activation)
        c.update(use_bias=cell.use_bias,
                 kernel_initializer=_ser_init(cell.kernel_initializer),
                 recurrent_initializer=_ser_init(cell.recurrent_initializer),
                 bias_initializer=_ser_init(cell.bias_initializer))
        if t is rnn.LSTM:
            c["unit_forget_bias"] = cell.unit_forget_bias
        c.update(kernel_regularizer=_ser_reg(cell.kernel_regularizer),
                 recurrent_regularizer=_ser_reg(cell.recurrent_regularizer),
                 bias_regularizer=_ser_reg(cell.bias_regularizer),
                 activity_regularizer=_ser_reg(layer.activity_regularizer),
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=cell.dropout, recurrent_dropout=cell.recurrent_dropout, seed=None)
    elif getattr(t, "_registered_name", None) and "get_config" in vars(t):
        return layer.get_config()
    elif _generic(t):
        return _generic_config(layer)
    else:
        raise NotImplementedError(
            f"tfteach cannot serialize a {t.__name__} layer to the Keras format: "
            f"a custom layer needs @keras.saving.register_keras_serializable() and its own "
            f"get_config()")
    return c


# Layer modules whose classes' own get_config() is Keras 3's (its keys, values as Keras writes
# them but for initializers and the dtype, which _generic_config rewrites): those layers save
# and load without a case of their own above.
_GENERIC_MODULES = ("activation", "attention", "convolutional", "core", "hashing",
                    "image_augmentation", "index_lookup", "merging", "normalization",
                    "pooling", "preprocessing", "regularization", "reshaping",
                    "text_vectorization")


def _generic(t):
    from .layers.base import Layer
    if t.__name__ == "Lambda" or not t.__module__.startswith("tfteach.keras.layers.") or \
            t.__module__.rsplit(".", 1)[1] not in _GENERIC_MODULES:
        return False
    below = t.__mro__[:t.__mro__.index(Layer)]
    # its own get_config, or no constructor arguments beyond Layer's (Add, Identity): then
    # Layer's config (name, trainable, dtype) is the whole of Keras's
    return any("get_config" in vars(k) for k in below) or \
        not any("__init__" in vars(k) for k in below)


def _generic_config(layer):
    c = layer.get_config()
    # Keras writes most layers' dtype as a policy; a few (HashedCrossing) as the plain name
    if "dtype" in c and not getattr(type(layer), "_plain_dtype_config", False):
        c["dtype"] = _policy(layer._dtype_name)
    for k, v in c.items():
        if callable(v) and not isinstance(v, type):
            raise NotImplementedError(
                f"tfteach cannot write layer '{layer.name}' to a Keras file: its `{k}` is a "
                f"Python function ({getattr(v, '__name__', v)!r}), which tfteach does not "
                f"serialize; give the layer one of Keras's names for it instead")
        if k.endswith("_initializer") and isinstance(v, dict) and "module" not in v:
            c[k] = _obj("keras.initializers", v["class_name"], v["config"])
        elif isinstance(v, (list, tuple)):
            c[k] = _listify(v)
    return c


def _module_of(layer):
    name = getattr(type(layer), "_registered_name", None)
    if name:
        return type(layer).__module__, name
    return "keras.layers", None


def _serialize_layer(layer, with_build=True):
    module, registered = _module_of(layer)
    # Keras writes a class under its exported name (GroupedQueryAttention: GroupQueryAttention)
    class_name = vars(type(layer)).get("_serialized_name", type(layer).__name__)
    if class_name == "MaxPool2D":
        class_name = "MaxPooling2D"
    d = {"module": module, "class_name": class_name, "config": _layer_config(layer),
         "registered_name": registered}
    from .models import functional
    if with_build and hasattr(layer, "get_build_config"):
        # a layer whose build needs no shape (the lookup layers) writes Keras's {}
        d["build_config"] = layer.get_build_config()
    elif with_build and not isinstance(layer, functional.InputLayer) and \
            layer._build_input_shape is not None:
        # a layer built from several call arguments (MultiHeadAttention) names their shapes
        shapes = getattr(layer, "_build_shapes_dict", None)
        d["build_config"] = {"shapes_dict": _listify_dict(shapes())} if shapes else \
            {"input_shape": _listify(layer._build_input_shape)}
    return d


def _listify_dict(d):
    return {k: _listify(v) for k, v in d.items()}


def _listify(x):
    if isinstance(x, (list, tuple)):
        return [_listify(v) for v in x]
    return x


def _model_config(model):
    from .models import functional
    from .models.model import Sequential
    if type(model) is Sequential:
        layers = [_serialize_layer(layer) for layer in model._layers]
        cfg = {"name": model.name, "trainable": model.trainable,
               "dtype": _policy("float32"), "layers": layers}
        if model._input_tensor is not None:
            cfg["build_input_shape"] = list(model._input_tensor.shape.as_list())
            if not any(isinstance(x, functional.InputLayer) for x in model._layers):
                layers.insert(0, _serialize_layer(model._input_tensor._input_layer))
        out = {"module": "keras", "class_name": "Sequential", "config": cfg,
               "registered_name": None}
        if model._input_tensor is not None:
            out["build_config"] = {"input_shape": cfg["build_input_shape"]}
        return out
    if model._functional is not None and type(model).__name__ in ("Model", "Functional"):
        return {"module": "keras.src.models.functional", "class_name": "Functional",
                "config": _functional_config(model), "registered_name": "Functional",
                "build_config": {"input_shape": None}}
    registered = getattr(type(model), "_registered_name", None)
    # Keras 3 writes an unregistered subclass too (its module as null); loading it back is
    # what fails, with "Could not locate class".
    d = {"module": type(model).__module__ if registered else None,
         "class_name": type(model).__name__, "config": model.get_config(),
         "registered_name": registered or type(model).__name__}
    if model._build_input_shape is not None:
        d["build_config"] = {"input_shape": _listify(model._build_input_shape)}
    return d


def _functional_config(model):
    from .models import functional
    inputs, outputs = model._functional
    layers = model._layers
    names = {id(layer): layer.name for layer in layers}

    def history(kt):
        if getattr(kt, "_input_layer", None) is not None and kt._node is None:
            return [kt._input_layer.name, 0, 0]
        layer = kt._node[0]
        index = kt._index[0] if kt._index else 0
        return [names[id(layer)], 0, index]

    def ser_arg(a):
        if isinstance(a, functional.KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(a.shape.as_list()), "dtype": a.dtype.name,
                               "keras_history": history(a)}}
        if isinstance(a, (list, tuple)):
            return [ser_arg(v) for v in a]
        if isinstance(a, (int, float, str, bool)) or a is None:
            return a
        raise NotImplementedError(f"tfteach cannot serialize the layer argument {a!r}")

    nodes = {}
    for kt in functional._flat(outputs):
        _collect_nodes(kt, nodes)
    out_layers = []
    for layer in layers:
        d = _serialize_layer(layer)
        d["name"] = layer.name
        inbound = []
        for node in nodes.get(id(layer), []):
            _layer, args, kwargs = node
            kw = {k: ser_arg(v) for k, v in kwargs.items()}
            inbound.append({"args": [ser_arg(a) for a in args], "kwargs": kw})
        if len(inbound) > 1:
            raise NotImplementedError(f"tfteach cannot save layer {layer.name}: it is called "
                                      f"more than once (shared layers) in the model")
        d["inbound_nodes"] = inbound
        out_layers.append(d)

    def refs(x):
        flat = [history(kt) for kt in functional._flat(x)]
        return flat if isinstance(x, (list, tuple)) else flat[0]

    return {"name": model.name, "trainable": model.trainable, "layers": out_layers,
            "input_layers": refs(inputs), "output_layers": refs(outputs)}


def _collect_nodes(kt, nodes, seen=None):
    from .models import functional
    seen = set() if seen is None else seen
    if not isinstance(kt, functional.KerasTensor) or kt._node is None or id(kt._node) in seen:
        return
    seen.add(id(kt._node))
    layer, args, _kw = kt._node
    for a in functional._flat(args):
        _collect_nodes(a, nodes, seen)
    nodes.setdefault(id(layer), []).append(kt._node)


def _compile_config(model):
    if not model.compiled:
        return {}
    from . import losses, optimizers
    opt = model.optimizer
    loss = model.loss
    if isinstance(loss, losses.Loss):
        loss = _obj("keras.losses", type(loss).__name__, loss.get_config())
    elif loss is not None and not isinstance(loss, str):
        raise NotImplementedError(f"tfteach cannot serialize the loss {loss!r}")
    metrics = []
    for m in model._metric_specs:
        if not isinstance(m, str):
            raise NotImplementedError(f"tfteach can save compiled metrics given by name; "
                                      f"got {m!r}")
        metrics.append(m)
    opt_cfg = optimizers.serialize(opt)
    return {"optimizer": _obj("keras.optimizers", opt_cfg["class_name"], opt_cfg["config"]),
            "loss": loss, "loss_weights": None, "metrics": metrics or None,
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": False}


# --- deserializing ------------------------------------------------------------------------------

def _deser_init(cfg):
    if cfg is None or isinstance(cfg, str):
        return cfg
    cls = getattr(_init, cfg["class_name"], None)
    if cls is None or not isinstance(cls, type):
        raise ValueError(f"Could not interpret initializer identifier: {cfg['class_name']}")
    c = dict(cfg.get("config") or {})
    for k in ("input_axes", "output_axes"):   # Keras 3.15 fan axes: only None is the default
        if c.pop(k, None) is not None:
            raise NotImplementedError(f"tfteach's {cfg['class_name']} has no `{k}`")
    return cls(**c)


def _deser_reg(cfg):
    if cfg is None:
        return None
    from . import regularizers
    return regularizers.get(cfg)


def _dtype_name(d):
    if isinstance(d, dict):
        return d["config"]["name"]
    return d


# Config keys that Keras always writes and tfteach implements only at their default value.
_DEFAULTS_ONLY = {"kernel_constraint": None, "bias_constraint": None,
                  "recurrent_constraint": None, "embeddings_constraint": None,
                  "quantization_config": None, "groups": 1, "stateful": False,
                  "unroll": False, "zero_output_for_mask": False, "sparse": False,
                  "ragged": False, "optional": False}
_INIT_KEYS = ("kernel_initializer", "bias_initializer", "recurrent_initializer",
              "embeddings_initializer")
_REG_KEYS = ("kernel_regularizer", "bias_regularizer", "recurrent_regularizer",
             "embeddings_regularizer", "activity_regularizer")


def _layer_class(d, custom_objects):
    from . import layers
    name, registered = d["class_name"], d.get("registered_name")
    for key in (registered, name):
        if key:
            cls = get_registered_object(key, custom_objects)
            if cls is not None:
                return cls
    cls = getattr(layers, name, None)
    if cls is None or not isinstance(cls, type):
        raise TypeError(f"Could not locate class '{name}'. Make sure custom classes are "
                        f"decorated with `@keras.saving.register_keras_serializable()`. "
                        f"Full object config: {d}")
    return cls


def _deserialize_layer(d, custom_objects=None):
    cls = _layer_class(d, custom_objects)
    c = dict(d["config"])
    if getattr(cls, "_registered_name", None) or (custom_objects and cls in
                                                   custom_objects.values()):
        return cls.from_config(c)
    if "from_config" in vars(cls):     # a config holding layers (Pipeline) rebuilds them
        return cls.from_config(c, custom_objects)
    for k, default in _DEFAULTS_ONLY.items():
        if k == "groups" and "filters" not in c:
            continue     # GroupNormalization's `groups` is its own argument
        if k in c:
            v = c.pop(k)
            if v != default:
                raise NotImplementedError(f"tfteach's {d['class_name']} does not support "
                                          f"{k}={v!r}")
    if "dtype" in c:
        c["dtype"] = _dtype_name(c["dtype"])
    for k in list(c):
        if k in _INIT_KEYS or k.endswith("_initializer"):
            c[k] = _deser_init(c[k])
        elif k in _REG_KEYS or k.endswith("_regularizer"):
            c[k] = _deser_reg(c[k])
    if d["class_name"] in ("LSTM", "SimpleRNN", "GRU") and c.get("seed") is None:
        c.pop("seed", None)
    return cls(**c)


def _deserialize_model(d, custom_objects=None):
    from .models.model import Model, Sequential
    cls_name = d["class_name"]
    if cls_name == "Sequential":
        c = d["config"]
        layers = [_deserialize_layer(x, custom_objects) for x in c["layers"]]
        model = Sequential(layers, name=c.get("name"), trainable=c.get("trainable", True))
        shape = c.get("build_input_shape") or (d.get("build_config") or {}).get("input_shape")
        if shape is not None and model._input_tensor is None:
            model.build(tuple(shape))
        return model
    if cls_name in ("Functional", "Model") and d.get("module", "").startswith("keras"):
        return _functional_from_config(d["config"], custom_objects)
    cls = get_registered_object(d.get("registered_name") or cls_name, custom_objects)
    if cls is None:
        cls = get_registered_object(cls_name, custom_objects)
    if cls is None:
        raise TypeError(f"Could not locate class '{cls_name}'. Make sure custom classes and "
                        f"functions are decorated with "
                        f"`@keras.saving.register_keras_serializable()`. If they are already "
                        f"decorated, make sure they are all imported so that the decorator "
                        f"is run before trying to load them. Full object config: {d}")
    if "from_config" in vars(cls):
        model = cls.from_config(d["config"])
    else:
        config = dict(d["config"])
        config.pop("trainable", None)
        config.pop("dtype", None)
        model = cls(**config)
    shape = (d.get("build_config") or {}).get("input_shape")
    if shape is not None and isinstance(model, Model):
        model.build(tuple(shape))
    return model


def _functional_from_config(c, custom_objects):
    from .models.model import Model
    produced = {}
    pending = list(c["layers"])

    def resolve(a):
        if isinstance(a, dict) and a.get("class_name") == "__keras_tensor__":
            name, node, idx = a["config"]["keras_history"]
            out = produced[name]
            if isinstance(out, (list, tuple)):
                return out[idx]
            return out
        if isinstance(a, list):
            return [resolve(v) for v in a]
        return a

    def ready(ld):
        names = set()
        for node in ld.get("inbound_nodes", []):
            _refs(node["args"], names)
            _refs(node["kwargs"], names)
        return all(n in produced for n in names)

    while pending:
        progress = False
        for ld in list(pending):
            if not ready(ld):
                continue
            pending.remove(ld)
            progress = True
            layer = _deserialize_layer(ld, custom_objects)
            name = ld.get("name", layer.name)
            if ld["class_name"] == "InputLayer":
                produced[name] = layer.output
                continue
            nodes = ld.get("inbound_nodes", [])
            if len(nodes) > 1:
                raise NotImplementedError(f"tfteach cannot load layer {name}: it is shared "
                                          f"(called {len(nodes)} times)")
            for node in nodes:
                kwargs = dict(node["kwargs"])
                # Keras records these at call time; a functional model overrides
                # `training` with its own call's flag, and tfteach has no masks.
                kwargs.pop("training", None)
                if kwargs.pop("mask", None) is not None:
                    raise NotImplementedError("tfteach's layers do not take masks")
                args = [resolve(a) for a in node["args"]]
                kwargs = {k: resolve(v) for k, v in kwargs.items()}
                produced[name] = layer(*args, **kwargs)
        if not progress:
            raise ValueError(f"Graph disconnected: cannot build layers "
                             f"{[x.get('name') for x in pending]}")

    def outs(spec):
        if spec and isinstance(spec[0], list):
            return [resolve({"class_name": "__keras_tensor__",
                             "config": {"keras_history": s}}) for s in spec]
        return resolve({"class_name": "__keras_tensor__", "config": {"keras_history": spec}})

    model = Model(outs(c["input_layers"]), outs(c["output_layers"]), name=c.get("name"))
    # Keras orders a functional model's layers as its config lists them; the weights file
    # is keyed by that order, so keep it.
    order = {ld.get("name", ld["config"].get("name")): i for i, ld in enumerate(c["layers"])}
    model._layers.sort(key=lambda layer: order.get(layer.name, len(order)))
    if not c.get("trainable", True):
        model.trainable = False
    return model


def _refs(x, names):
    if isinstance(x, dict):
        if x.get("class_name") == "__keras_tensor__":
            names.add(x["config"]["keras_history"][0])
        else:
            for v in x.values():
                _refs(v, names)
    elif isinstance(x, list):
        for v in x:
            _refs(v, names)


def _compile_from_config(model, cc):
    from . import losses, optimizers
    opt = cc["optimizer"]
    if isinstance(opt, dict):
        cls = getattr(optimizers, opt["class_name"], None)
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {opt['class_name']}")
        opt = cls.from_config(opt["config"])
    loss = cc.get("loss")
    if isinstance(loss, dict):
        cls = getattr(losses, loss["class_name"], None)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {loss['class_name']}")
        lc = dict(loss["config"])
        lc.pop("dtype", None)
        loss = cls(**lc)
    for k in ("loss_weights", "weighted_metrics"):
        if cc.get(k) is not None:
            raise NotImplementedError(f"tfteach's compile() does not support {k}")
    model.compile(optimizer=opt, loss=loss, metrics=cc.get("metrics"))


# --- the weights file ---------------------------------------------------------------------------

def _snake(cls_name):
    if cls_name == "MaxPool2D":
        cls_name = "MaxPooling2D"
    return backend.to_snake_case(cls_name)


def _children(obj):
    """(key, Layer) pairs in Keras's walk order: a model's `layers` list first, then public
    attributes by name, then private ones."""
    from .layers.base import Layer
    from .models.model import Model
    out = []
    if isinstance(obj, Model) and (obj._functional is not None or type(obj).__name__ ==
                                   "Sequential"):
        out.append(("layers", list(obj.layers)))
    attrs = sorted(vars(obj), key=lambda n: (n.startswith("_"), n))
    for name in attrs:
        if name in ("_layers", "_functional", "_input_tensor", "_last"):
            continue
        value = vars(obj)[name]
        if isinstance(value, Layer) and value is not obj:
            # Keras saves a sublayer under the public property that exposes it
            # (MultiHeadAttention.query_dense); a class without such properties
            # (`_keep_private_names`: GroupedQueryAttention) under the attribute's own name
            key = name.lstrip("_")
            if getattr(type(obj), "_keep_private_names", False) and \
                    not isinstance(getattr(type(obj), key, None), property):
                key = name
            out.append((key, value))
        elif isinstance(value, (list, tuple)) and value and \
                all(isinstance(v, Layer) for v in value):
            out.append((name, list(value)))
    return out


def _walk(obj, path, visit, seen):
    """Calls visit(path, layer) for `obj` and each nested layer, as Keras's saving_lib."""
    from .layers.base import Layer
    if id(obj) in seen:
        return
    seen.add(id(obj))
    visit(path, obj)
    for key, child in _children(obj):
        if isinstance(child, Layer):
            _walk(child, f"{path}/{key}".lstrip("/"), visit, seen)
        else:
            used = {}
            for layer in child:
                if id(layer) in seen:
                    continue
                name = _snake(type(layer).__name__)
                if name in used:
                    used[name] += 1
                    name = f"{name}_{used[name]}"
                else:
                    used[name] = 0
                _walk(layer, f"{path}/{key}/{name}".lstrip("/"), visit, seen)


def _own_vars(layer):
    return list(layer._own_weights)


def _write_h5(model, f, with_optimizer=True):
    def visit(path, layer):
        g = f.require_group(f"{path}/vars" if path else "vars")
        g.attrs["name"] = layer.name
        if hasattr(layer, "save_own_variables"):
            # state that is not weights (a lookup layer's IDF weights), under Keras's keys
            store = {}
            layer.save_own_variables(store)
            for key, value in store.items():
                g.create_dataset(key, data=np.asarray(value))
            return
        for i, v in enumerate(_own_vars(layer)):
            g.create_dataset(str(i), data=np.asarray(v.numpy()))

    _walk(model, "", visit, set())
    opt = getattr(model, "optimizer", None)
    if with_optimizer and opt is not None:
        if not opt.built and model.built and model.weights:
            opt.build(model.trainable_variables)
        g = f.require_group("optimizer/vars")
        g.attrs["name"] = opt.name
        for i, v in enumerate(opt.variables):
            g.create_dataset(str(i), data=np.asarray(v.numpy()))


def _read_h5(model, f, skip_mismatch=False, with_optimizer=True):
    expected = set()

    def visit(path, layer):
        key = f"{path}/vars" if path else "vars"
        expected.add(key)
        if hasattr(layer, "load_own_variables"):
            if key in f:
                layer.load_own_variables({k: np.asarray(v) for k, v in f[key].items()})
            return
        variables = _own_vars(layer)
        if key not in f:
            if variables and not skip_mismatch:
                raise ValueError(f"Layer '{layer.name}' expected {len(variables)} variables, "
                                 f"but received 0 variables during loading. Expected: "
                                 f"{[v.name for v in variables]}")
            return
        g = f[key]
        if len(g) != len(variables):
            if skip_mismatch:
                return
            raise ValueError(f"Layer '{layer.name}' expected {len(variables)} variables, but "
                             f"received {len(g)} variables during loading. Expected: "
                             f"{[v.name for v in variables]}")
        for i, v in enumerate(variables):
            value = np.asarray(g[str(i)])
            if tuple(v.shape.as_list()) != value.shape:
                if skip_mismatch:
                    continue
                raise ValueError(f"The shape of the target variable and the shape of the "
                                 f"target value in `variable.assign(value)` must match. "
                                 f"variable.shape={tuple(v.shape.as_list())}, Received: "
                                 f"value.shape={value.shape}. Target variable: {v.path}")
            v.assign(value.astype(v.dtype.np_dtype))

    _walk(model, "", visit, set())
    opt = getattr(model, "optimizer", None)
    if with_optimizer and opt is not None and "optimizer/vars" in f:
        g = f["optimizer/vars"]
        if not opt.built:
            opt.build(model.trainable_variables)
        variables = opt.variables
        if len(g) != len(variables):
            raise ValueError(f"Optimizer '{opt.name}' expected {len(variables)} variables, "
                             f"but received {len(g)} variables during loading.")
        for i, v in enumerate(variables):
            v.assign(np.asarray(g[str(i)]).astype(v.dtype.np_dtype))
    # Groups the model does not have are Keras objects tfteach does not model (compiled
    # metric trackers hold only running means); anything holding weights is an error.
    extra = []

    def find(name, obj):
        if name.endswith("/vars") or name == "vars":
            if name not in expected and len(obj) and not name.startswith("optimizer"):
                extra.append(name)
    f.visititems(find)
    if extra and not skip_mismatch:
        raise ValueError(f"The weights file holds variables for objects this model does not "
                         f"have: {extra}")


# --- assets ---------------------------------------------------------------------------------------

def _write_assets(model, root):
    """Each layer's files (an adapted vocabulary) under assets/<its path in the walk>/, as
    Keras's saving_lib stores them; the (file, name in the zip) pairs."""
    out = []

    def visit(path, layer):
        if not hasattr(layer, "save_assets"):
            return
        d = os.path.join(root, path)
        os.makedirs(d, exist_ok=True)
        layer.save_assets(d)
        for name in sorted(os.listdir(d)):
            full = os.path.join(d, name)
            if os.path.isfile(full):
                out.append((full, "/".join(["assets", path, name]).replace("//", "/")))

    _walk(model, "", visit, set())
    return out


def _read_assets(model, z, root):
    members = [n for n in z.namelist() if n.startswith("assets/") and not n.endswith("/")]

    def visit(path, layer):
        if not hasattr(layer, "load_assets"):
            return
        prefix = "/".join(["assets", path]).rstrip("/") + "/"
        mine = [n for n in members if n.startswith(prefix) and "/" not in n[len(prefix):]]
        if not mine:
            return
        d = os.path.join(root, path)
        os.makedirs(d, exist_ok=True)
        for n in mine:
            if z.getinfo(n).file_size > _MAX_ASSET_BYTES:
                raise ValueError(f"{n} is {z.getinfo(n).file_size} bytes; refusing to extract "
                                 f"it (a damaged or hostile file)")
            with open(os.path.join(d, n[len(prefix):]), "wb") as f:
                f.write(z.read(n))
        layer.load_assets(d)

    _walk(model, "", visit, set())


_MAX_ASSET_BYTES = 1 << 30


# --- public API ---------------------------------------------------------------------------------



def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    filepath = os.fspath(filepath)
    if filepath.endswith(".h5") or filepath.endswith(".hdf5"):
        raise NotImplementedError("tfteach writes the native Keras 3 format only: save to a "
                                  "`.keras` file (the legacy HDF5 model format is not "
                                  "implemented)")
    if not filepath.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving. Please add either a "
                         f"`.keras` extension for the native Keras format (recommended) or a "
                         f"`.h5` extension. Use `model.export(filepath)` if you want to "
                         f"export a SavedModel for use with TFLite/TFServing/etc. Received: "
                         f"filepath={filepath}.")
    if zipped is False:
        raise NotImplementedError("tfteach writes zipped .keras files only (zipped=False)")
    h5py = _h5py()
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    config = _model_config(model)
    config["compile_config"] = _compile_config(model)
    metadata = {"keras_version": _KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    # Written beside the target and renamed over it: a crash leaves the old file whole.
    fd, tmp = tempfile.mkstemp(suffix=".keras.tmp", dir=directory)
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory() as td:
            h5 = os.path.join(td, "model.weights.h5")
            with h5py.File(h5, "w") as f:
                _write_h5(model, f)
            assets = _write_assets(model, os.path.join(td, "assets"))
            with zipfile.ZipFile(tmp, "w") as z:
                z.writestr("metadata.json", json.dumps(metadata))
                z.writestr("config.json", json.dumps(config))
                z.write(h5, "model.weights.h5")
                for path, arcname in assets:
                    z.write(path, arcname)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         f"accessible `.keras` zip file.")
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         f"supports V3 `.keras` files (tfteach reads no legacy .h5 or "
                         f"SavedModel).")
    h5py = _h5py()
    with _open_keras_zip(filepath) as z:
        try:
            config = json.loads(z.read("config.json"))
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise ValueError(f"{filepath} is not a valid `.keras` file: its config.json "
                             f"cannot be read ({type(e).__name__})") from None
        with tempfile.TemporaryDirectory() as td:
            z.extract("model.weights.h5", td)
            model = _deserialize_model(config, custom_objects)
            cc = config.get("compile_config")
            if compile and cc:
                _compile_from_config(model, cc)
            with h5py.File(os.path.join(td, "model.weights.h5"), "r") as f:
                _read_h5(model, f, with_optimizer=bool(compile and cc))
            _read_assets(model, z, os.path.join(td, "assets"))
    return model


# A member that inflates more than this many times over (plus a MiB) is refused before it
# is extracted: HDF5 weights and JSON compress a few times at most, a zip bomb a thousandfold.
_MAX_INFLATION = 100


def _open_keras_zip(filepath):
    """The `.keras` zip, checked before anything is extracted: a zip at all, with Keras's
    members, whose declared sizes are plausible and fit on the disk."""
    try:
        z = zipfile.ZipFile(filepath)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"{filepath} is not a valid `.keras` file (a zip archive): "
                         f"{e}") from None
    try:
        members = {i.filename: i for i in z.infolist()}
        for name in ("config.json", "model.weights.h5"):
            if name not in members:
                raise ValueError(f"{filepath} is not a valid `.keras` file: it has no {name}")
        total = 0
        for name in ("config.json", "model.weights.h5"):
            info = members[name]
            if info.file_size > _MAX_INFLATION * info.compress_size + (1 << 20):
                raise ValueError(
                    f"{filepath}: {name} would expand from {info.compress_size} to "
                    f"{info.file_size} bytes; refusing to extract it (a damaged or hostile "
                    f"file)")
            total += info.file_size
        free = shutil.disk_usage(tempfile.gettempdir()).free
        if total > free:
            raise ValueError(f"{filepath} needs {total} bytes to extract but the temporary "
                             f"directory has {free} free")
    except BaseException:
        z.close()
        raise
    return z


def _check_weights_name(filepath):
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")


def save_weights(model, filepath, overwrite=True, **kwargs):
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    filepath = os.fspath(filepath)
    _check_weights_name(filepath)
    h5py = _h5py()
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    directory = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(suffix=".h5.tmp", dir=directory)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            _write_h5(model, f)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        h5py = _h5py()
        with _open_keras_zip(filepath) as z, tempfile.TemporaryDirectory() as td:
            z.extract("model.weights.h5", td)
            with h5py.File(os.path.join(td, "model.weights.h5"), "r") as f:
                _read_h5(model, f, skip_mismatch)
        return
    _check_weights_name(filepath)
    h5py = _h5py()
    with h5py.File(filepath, "r") as f:
        _read_h5(model, f, skip_mismatch)


from .layers import base as _layer_base  # noqa: E402

_layer_base.SERIALIZATION.update(serialize=_serialize_layer, deserialize=_deserialize_layer)
