"""AutoGraph: the Python control flow of a `tf.function` made into graph control flow.

`tf.function` traces a function by running it once with symbolic tensors. Plain Python
`if t > 0:` on such a tensor cannot choose a branch (the value is not known yet), so before
tracing, the function's source is converted (transformer.py, on Python's `ast`): each `if`,
`while` and `for` becomes a call of an operator (operators.py) that looks at the condition
when the trace reaches it. A graph tensor gives `tf.cond` / `tf.while_loop`; a Python value
runs the statement as Python, so `for i in range(3)` still unrolls and `if training:` on a
Python flag still picks one branch. Calls inside the function go through `converted_call`,
which converts the user's own functions as well and leaves library code (tfteach, NumPy, the
standard library) as it is.

Public API (TF 2.21's `tf.autograph`): `to_code`, `to_graph`, `set_verbosity`, `trace`,
`experimental.do_not_convert`, `experimental.set_loop_options`.
"""
import ast
import builtins
import enum
import functools
import inspect
import logging
import sys
import textwrap
import types
import weakref

from . import operators
from . import transformer
from .operators import set_loop_options

__all__ = ["to_code", "to_graph", "do_not_convert", "set_verbosity", "trace",
           "converted_call", "convert", "experimental"]

_DO_NOT_CONVERT = "__ag_do_not_convert__"
_CONVERTED = "__ag_converted__"
# TF 2.21's modules AutoGraph leaves alone (tensorflow's own code is tfteach's here)
_LIBRARY_PREFIXES = ("tfteach", "tensorflow", "keras", "tf_keras", "numpy", "pandas",
                     "matplotlib", "PIL", "collections", "copy", "cProfile", "inspect",
                     "ipdb", "linecache", "mock", "pathlib", "pdb", "posixpath", "pstats",
                     "re", "threading", "urllib", "absl")
_verbosity = [0, False]     # level, also to stdout
_features = [frozenset()]   # the optional Features of the function being traced (a stack)
_active = [0]               # > 0 while converted code runs (a trace with autograph)
_ALL_FEATURES = frozenset(("AUTO_CONTROL_DEPS", "ASSERT_STATEMENTS", "BUILTIN_FUNCTIONS",
                           "EQUALITY_OPERATORS", "LISTS", "NAME_SCOPES"))


def _normalize_features(options):
    if options is None:
        return frozenset()
    if not isinstance(options, (list, tuple, set, frozenset)):
        options = (options,)
    names = frozenset(getattr(o, "value", o) for o in options)
    return _ALL_FEATURES if "ALL" in names else names


# --- the module the converted code sees as `ag__` ----------------------------------------------

class _AgModule(types.ModuleType):
    pass


def _ag_module():
    m = _AgModule("ag__")
    for n in ("Undefined", "UndefinedReturnValue", "and_", "or_", "not_", "eq", "not_eq",
              "if_exp", "list_append",
              "if_stmt", "while_stmt", "for_stmt", "assert_stmt", "ld", "ldu", "retval",
              "loop_options"):
        setattr(m, n, getattr(operators, n))
    m.converted_call = lambda *a, **k: converted_call(*a, **k)
    return m


_AG = _ag_module()


# --- conversion ----------------------------------------------------------------------------------

class ConversionError(Exception):
    pass


_cache = {}        # (code object, features) -> (source, factory code, freevar names)
_fn_cache = weakref.WeakKeyDictionary()


def _lambda_tree(fn, src):
    """A lambda as `def <lambda>(args): return body`, found in the lines of source that
    hold it (one lambda with its arguments there, else it is not converted, as in TF)."""
    tree = None
    for text in (textwrap.dedent(src), "(\n" + textwrap.dedent(src) + "\n)",
                 "(\n" + src.strip().rstrip(",") + "\n)"):
        try:
            tree = ast.parse(text)
            break
        except SyntaxError:
            continue
    if tree is None:
        raise ConversionError("could not parse the source code of the lambda")
    code = fn.__code__
    names = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and
             [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == names]
    if len(found) != 1:
        raise ConversionError("could not tell the lambda apart from the others on its line")
    lam = found[0]
    node = ast.FunctionDef(name=code.co_name, args=lam.args,
                           body=[ast.Return(value=lam.body)], decorator_list=[],
                           returns=None, type_params=[])
    ast.copy_location(node, lam)
    return node


def _source_tree(fn):
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError) as e:
        raise ConversionError(f"could not get source code: {e}") from None
    if fn.__name__ == "<lambda>":
        return _lambda_tree(fn, src)
    src = textwrap.dedent(src)
    try:
        tree = ast.parse(src)
    except SyntaxError:
        # a lambda or a decorated line inside an expression: no statement of its own
        raise ConversionError("could not parse the source code") from None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef) or node.name != fn.__code__.co_name:
        raise ConversionError("could not find the function's definition in its source")
    return node


def _generate(fn, features=frozenset()):
    """The converted source of `fn` and the code object of a factory that builds it."""
    code = fn.__code__
    hit = _cache.get((code, features))
    if hit is not None:
        return hit
    node = _source_tree(fn)
    node.decorator_list = []
    node.name = "tf__" + (node.name if node.name != "<lambda>" else "lambda")
    transformer.convert_function(node, features=features)
    freevars = list(code.co_freevars)
    factory = ast.FunctionDef(
        name="ag__factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=a) for a in
                                                  ["ag__"] + freevars],
                           vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                           defaults=[]),
        body=[node, ast.Return(value=ast.Name(id=node.name, ctx=ast.Load()))],
        decorator_list=[], returns=None, type_params=[])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    source = ast.unparse(node)
    # the converted statements keep the lines they came from, in the original file, so
    # that a traceback through converted code points at the user's own source
    ast.increment_lineno(module, code.co_firstlineno - 1)
    compiled = compile(module, code.co_filename, "exec")
    fcode = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    out = (source, fcode, freevars)
    _cache[(code, features)] = out
    if _verbosity[0] >= 1:
        _log(f"Converted {fn.__qualname__}:\n{source}")
    return out


def _log(text):
    logging.getLogger("tfteach").info(text)
    if _verbosity[1]:
        print(text)


def convert(fn, features=frozenset()):
    """The converted function of a Python function (same globals and closure cells)."""
    try:
        return _fn_cache[fn][features]
    except (KeyError, TypeError):
        pass
    _, fcode, freevars = _generate(fn, features)
    factory = types.FunctionType(fcode, fn.__globals__, "ag__factory")
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    # placeholders, replaced below by the original cells so that the converted function
    # shares its variables with the original's enclosing scope
    placeholder = factory(_AG, *[None] * len(freevars))
    closure = []
    for name, cell in zip(placeholder.__code__.co_freevars, placeholder.__closure__ or ()):
        closure.append(cells.get(name, cell))
    new = types.FunctionType(placeholder.__code__, fn.__globals__, fn.__name__,
                             fn.__defaults__, tuple(closure) or None)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__dict__.update(fn.__dict__)
    new.__wrapped__ = fn
    new.__qualname__ = fn.__qualname__
    setattr(new, _CONVERTED, True)
    try:
        _fn_cache.setdefault(fn, {})[features] = new
    except TypeError:
        pass
    return new


def _library_dirs():
    import sysconfig
    paths = sysconfig.get_paths()
    return tuple({paths[k] for k in ("stdlib", "platstdlib") if paths.get(k)})


_LIB_DIRS = _library_dirs()


def _is_library(fn):
    """Library code (tfteach, NumPy and the other modules TF lists) runs as it is; so does
    the standard library (TF would convert its pure-Python functions, to no effect: they
    hold no tensor control flow). The user's modules, tests and notebook cells, and other
    installed packages, are converted."""
    mod = getattr(fn, "__module__", None) or ""
    if mod.split(".")[0] in _LIBRARY_PREFIXES:
        return True
    path = getattr(sys.modules.get(mod), "__file__", None) or ""
    return bool(path) and path.startswith(_LIB_DIRS) and "site-packages" not in path


def _convertible(fn):
    if not isinstance(fn, types.FunctionType):
        return False
    if getattr(fn, _DO_NOT_CONVERT, False) or getattr(fn, _CONVERTED, False):
        return False
    if fn.__code__.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE |
                               inspect.CO_ASYNC_GENERATOR):
        return False
    return not _is_library(fn)


def _warn(fn, e):
    logging.getLogger("tfteach").warning(
        "AutoGraph could not transform %s and will run it as-is.\nCause: %s\nTo silence "
        "this warning, decorate the function with @tf.autograph.experimental."
        "do_not_convert", fn, e)


def _converted_or_none(fn):
    if not _convertible(fn):
        return None
    try:
        return convert(fn, _features[-1])
    except ConversionError as e:
        _warn(fn, e)
    except (SyntaxError, NotImplementedError) as e:
        _warn(fn, e)
    return None


def converted_call(f, args, kwargs, caller_fn_scope=None, options=None):
    """Calls `f(*args, **kwargs)`, converting `f` first where TF would."""
    kwargs = kwargs or {}
    from ..function import Function
    if isinstance(f, Function):
        return f(*args, **kwargs)
    hit = _BUILTINS.get(id(f))
    if hit is not None and hit[0] is f:
        return hit[1](*args, **kwargs)
    if isinstance(f, functools.partial):
        inner = _converted_or_none(f.func)
        if inner is not None:
            return inner(*f.args, *args, **{**f.keywords, **kwargs})
        return f(*args, **kwargs)
    if isinstance(f, types.MethodType):
        inner = _converted_or_none(f.__func__)
        if inner is not None:
            return inner(f.__self__, *args, **kwargs)
        return f(*args, **kwargs)
    if isinstance(f, types.FunctionType):
        inner = _converted_or_none(f)
        return (inner or f)(*args, **kwargs)
    if not inspect.isclass(f) and not isinstance(f, types.BuiltinFunctionType) and \
            callable(f):
        call = getattr(type(f), "__call__", None)
        if isinstance(call, types.FunctionType):
            inner = _converted_or_none(call)
            if inner is not None:
                return inner(f, *args, **kwargs)
    return f(*args, **kwargs)


def convert_entry(f, options=None):
    """The function tf.function traces: `f` converted (methods, partials and wrappers of
    tf.function's bound methods included) with the optional features `options`
    (experimental_autograph_options), or `f` itself where TF leaves it as it is."""
    features = _normalize_features(options)
    target = getattr(f, "__ag_bound_method__", None)
    if target is not None:
        method, ref = target
        call = lambda *a, **k: converted_call(method, (ref(),) + a, k)   # noqa: E731
    else:
        call = lambda *a, **k: converted_call(f, a, k)                  # noqa: E731

    def entry(*args, **kwargs):
        _features.append(features)
        _active[0] += 1
        try:
            return call(*args, **kwargs)
        finally:
            _active[0] -= 1
            _features.pop()
    return entry


def tf_convert(fn):
    """`fn` converted when called from converted code (TF's tf.map_fn converts its
    function this way), `fn` itself otherwise."""
    if not _active[0]:
        return fn
    return lambda *a, **k: converted_call(fn, a, k)


# --- builtins TF overloads ----------------------------------------------------------------------

def _any_tensor(*xs):
    from ...framework import ops as _ops
    return any(isinstance(x, _ops.Tensor) for x in xs)


def _range(*args):
    if _any_tensor(*args):
        from ...ops import math_ops
        return math_ops.range(*args)
    return range(*args)


def _len(s):
    from ...framework import ops as _ops
    if isinstance(s, _ops.Tensor) and not getattr(s, "_is_eager", False):
        if s.shape.rank == 0:
            raise ValueError("len requires a non-scalar tensor, got one of shape []")
        if s.shape.rank is not None and s.shape[0] is not None:
            return s.shape[0]       # a static length stays a Python int, as in TF
        from ...ops import array_ops
        return array_ops.shape(s)[0]
    if operators.is_dataset(s) and operators._in_graph():
        # a dataset's length is its cardinality (an int64 tensor), when it is finite
        if int(s.cardinality()) < 0:
            raise TypeError("The dataset is infinite." if int(s.cardinality()) == -1
                            else "The dataset length is unknown.")
        return s.cardinality()
    return len(s)


def _print(*objects, **kwargs):
    """`print` where a function asked for Feature.BUILTIN_FUNCTIONS (by default TF 2.21
    leaves `print` alone, and it prints once, while tracing): graph tensors are printed when
    the graph runs, by a py_function calling Python's print on their values."""
    unknown = tuple(set(kwargs) - {"sep", "end", "file", "flush"})
    if unknown:
        raise ValueError(f"invalid keyword arguments: {unknown}")
    positions = [i for i, o in enumerate(objects) if operators.is_graph_tensor(o)]
    if not positions:
        return print(*objects, **kwargs)
    from ...ops import script_ops
    kwargs.setdefault("flush", True)

    def print_wrapper(*vals):
        out = list(objects)
        for i, v in zip(positions, vals):
            v = v.numpy()
            out[i] = v.decode("utf-8") if isinstance(v, bytes) else v
        print(*out, **kwargs)
        return 1

    return script_ops.py_function(print_wrapper, [objects[i] for i in positions], "int32")


def _abs(x):
    if _any_tensor(x):
        from ...ops import math_ops
        return math_ops.abs(x)
    return abs(x)


def _float(x=0):
    if _any_tensor(x):
        from ...ops import math_ops
        return math_ops.cast(x, "float32")
    return float(x)


def _int(x=0, *args):
    if _any_tensor(x):
        from ...ops import math_ops
        return math_ops.cast(x, "int32")
    return int(x, *args)


def _enumerate(s, start=0):
    if operators.is_dataset(s):
        return s.enumerate(start)
    return enumerate(s, start)


def _zip(*iterables, **kwargs):
    if iterables and all(operators.is_dataset(s) for s in iterables):
        return type(iterables[0]).zip(tuple(iterables))
    return zip(*iterables, **kwargs)


_BUILTINS = {id(b): (b, o) for b, o in (
    (builtins.range, _range), (builtins.len, _len), (builtins.print, _print),
    (builtins.abs, _abs), (builtins.float, _float), (builtins.int, _int),
    (builtins.enumerate, _enumerate), (builtins.zip, _zip))}


# --- the public API ------------------------------------------------------------------------------

def do_not_convert(func=None):
    """`@tf.autograph.experimental.do_not_convert`: the function runs as written."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    setattr(wrapper, _DO_NOT_CONVERT, True)
    return wrapper


def _target(entity):
    from ..function import Function
    if isinstance(entity, Function):
        entity = entity.python_function
    if isinstance(entity, types.MethodType):
        entity = entity.__func__
    return entity


def to_code(entity, recursive=True, experimental_optional_features=None):
    """The Python source AutoGraph makes of `entity` (a function or tf.function)."""
    fn = _target(entity)
    if not isinstance(fn, types.FunctionType):
        raise ValueError(f"Expected a function, got {entity!r}")
    source, _, _ = _generate(fn, _normalize_features(experimental_optional_features))
    return source + "\n"


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted function (a Python function: call it inside a graph or tf.function)."""
    fn = _target(entity)
    if inspect.isclass(fn):
        raise NotImplementedError("tf.autograph.to_graph of a class is not supported in "
                                  "tfteach; convert its methods.")
    features = _normalize_features(experimental_optional_features)
    converted = convert(fn, features)

    @functools.wraps(converted)
    def graph_function(*args, **kwargs):
        _features.append(features)
        try:
            return converted(*args, **kwargs)
        finally:
            _features.pop()
    setattr(graph_function, _CONVERTED, True)
    return graph_function


def set_verbosity(level, alsologtostdout=False):
    """From level 1 on, each function AutoGraph converts is logged with its new code."""
    _verbosity[0] = level
    _verbosity[1] = bool(alsologtostdout)


def trace(*args):
    """`tf.autograph.trace`: prints its arguments (at trace time in a graph)."""
    print(*args)


class _Experimental(types.ModuleType):
    pass


experimental = _Experimental("tfteach.autograph.experimental")
experimental.do_not_convert = do_not_convert
experimental.set_loop_options = set_loop_options


class Feature(enum.Enum):
    """The optional conversions a function may ask for (experimental_autograph_options)."""
    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


experimental.Feature = Feature


def _install():
    # map_fn (ops layer, below this one) converts its function through this hook
    from ...ops import functional_ops
    functional_ops.AUTOGRAPH_CONVERT = tf_convert


_install()
