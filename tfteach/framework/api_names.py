"""The AttributeError for a TensorFlow name tfteach lacks: "TF 2.21 has `tf.nn.X`; tfteach
does not implement it yet" when TF 2.21 has the name (tfteach/framework/tf_api_names.json, written
by tools/gen_api_names.py), Python's plain message otherwise.

`install(module, "tf.nn", ...)` gives a namespace module this behaviour (PEP 562: a
`__getattr__` in the module's dict), keeping any `__getattr__` it already had."""
import json
import os

_NAMES = {}


def tf_names(path):
    """The public names TF 2.21 has in namespace `path` ("tf.nn", "tf.compat.v1.train")."""
    if not _NAMES:
        with open(os.path.join(os.path.dirname(__file__), "tf_api_names.json")) as f:
            _NAMES.update((k, frozenset(v)) for k, v in json.load(f)["namespaces"].items())
    return _NAMES.get(path, frozenset())


def attribute_error(modname, name, paths):
    for path in paths:
        if name in tf_names(path):
            return AttributeError(f"module '{modname}' has no attribute '{name}' (TF 2.21 "
                                  f"has `{path}.{name}`; tfteach does not implement it yet)")
    return AttributeError(f"module '{modname}' has no attribute '{name}'")


def install(module, *paths):
    before = module.__dict__.get("__getattr__")

    def __getattr__(name):
        if before is not None:
            try:
                return before(name)
            except AttributeError as e:
                if name.startswith("__") or "does not implement" in str(e) or \
                        "not available" in str(e):
                    raise
        raise attribute_error(module.__name__, name, paths)

    module.__getattr__ = __getattr__
    return module
