"""What the converted code calls (`ag__.if_stmt`, `ag__.for_stmt`, ...): each decides, from
the values it meets while the function is traced, whether the statement stays Python or
becomes graph control flow.

A condition that is a graph tensor turns an `if` into `tf.cond` (control_flow_v1.cond: the
Switch/Merge form TF's optimiser lowers its `If` op to) and a `while` into `tf.while_loop`
(control_flow_v1.while_loop: TF1's Enter/Merge/Switch/NextIteration/Exit frame, the lowered
form of TF's `While` op). Anything else (a Python bool, an eager tensor) runs as Python.

The state of a statement (the variables it changes) travels through `get_state()` /
`set_state(values)`, which the converter writes for each statement, so that both branches of
a cond, or the body of a loop, can be traced from the same starting values. The checks and
their messages are TensorFlow 2.21's.
"""
import numpy as np

from ...framework import dtypes as _dt
from ...framework import ops as _ops
from ...framework.op_def_library import apply_op
from ...framework.tensor_shape import TensorShape, as_shape

_PYTHON_MAX_ITERATIONS = 100000000


# --- undefined symbols ------------------------------------------------------------------

class Undefined:
    """The value of a variable that has no value yet on this path (TF's ag__.Undefined)."""
    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name):
        self.symbol_name = symbol_name

    def __repr__(self):
        return self.symbol_name

    def __getattr__(self, name):
        raise AttributeError(f"'{self.symbol_name}' is not defined")


class UndefinedReturnValue:
    """The return value before a `return` ran."""
    __slots__ = ()


def ldu(load, name):
    """Loads a variable that may not be bound yet (a closure cell still empty)."""
    try:
        return load()
    except (NameError, AttributeError, KeyError):
        return Undefined(name)


def ld(value):
    """A read of a variable that a converted statement may have left without a value:
    Python's error, in TF's words."""
    if isinstance(value, Undefined):
        raise UnboundLocalError(f"'{value.symbol_name}' is used before assignment")
    return value


def retval(value):
    if isinstance(value, UndefinedReturnValue):
        return None
    return value


def _is_none_or_undef(v):
    return v is None or isinstance(v, (Undefined, UndefinedReturnValue))


# --- what is staged ------------------------------------------------------------------------

def is_graph_tensor(x):
    """A tensor whose value is known only when the graph runs (TF's is_dense_tensor, less the
    eager tensors: eagerly a tensor condition is simply evaluated, as in TF)."""
    return isinstance(x, _ops.Tensor) and not getattr(x, "_is_eager", False)


def _nest():
    from ...framework import nest
    return nest


def _to_tensor(v):
    if isinstance(v, (bool, int, float, str, np.ndarray, np.generic)):
        return _ops.convert_to_tensor(v)
    return v


def _verify_condition(cond, tag):
    cond = _ops.convert_to_tensor(cond)
    hint = "to check for None, use `is not None`"
    if cond.dtype.base_dtype != _dt.bool_:
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {cond}"
                         f"; to use as boolean Tensor, use `tf.cast`; {hint}")
    shape = cond.shape
    if shape.rank is None:
        return _reshape_scalar(cond)
    if shape.rank > 0:
        known = [d for d in shape.as_list() if d is not None]
        if np.prod(known) > 1:
            raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got "
                             f"{cond}; {hint}")
        return _reshape_scalar(cond)
    return cond


def _reshape_scalar(t):
    from ...ops import array_ops
    return array_ops.reshape(t, [])


class _Sandbox:
    """Traces code whose ops must not stay in the graph (TF builds them in a throw-away
    FuncGraph): on exit every op made inside is taken out again, with the names, captures
    and reads it used up."""

    def __enter__(self):
        g = self.g = _ops.get_default_graph()
        self.n = len(g._ops)
        self.names = dict(g._names_in_use)
        self.caps = {k: dict(getattr(g, k)) for k in ("_captures", "_var_captures")
                     if hasattr(g, k)}
        self.reads = {k: list(v) for k, v in getattr(g, "_graph_reads", {}).items()}
        self.inputs = list(getattr(g, "inputs", []))
        self.collections = {k: list(v) for k, v in g._collections.items()}
        return self

    def __exit__(self, *exc):
        g = self.g
        new = g._ops[self.n:]
        del g._ops[self.n:]
        for op in new:
            g._ops_by_name.pop(op.name, None)
            for t in op._inputs:
                if op in t._consumers:
                    t._consumers.remove(op)
            for c in op._control_inputs:
                if op in c._control_outputs:
                    c._control_outputs.remove(op)
        g._names_in_use.clear()
        g._names_in_use.update(self.names)
        for k, v in self.caps.items():
            setattr(g, k, v)
        if hasattr(g, "_graph_reads"):
            g._graph_reads.clear()
            g._graph_reads.update(self.reads)
        if hasattr(g, "inputs"):
            g.inputs = self.inputs
        g._collections.clear()
        g._collections.update(self.collections)
        return False


# --- if --------------------------------------------------------------------------------------

def if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts):
    if is_graph_tensor(cond):
        _tf_if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts)
    elif cond:
        body()
    else:
        orelse()


def _check_branch_vars(values, names, branch):
    for name, v in zip(names, values):
        if isinstance(v, Undefined):
            raise ValueError(f"'{name}' must also be initialized in the {branch} branch")
        if isinstance(v, UndefinedReturnValue):
            raise ValueError(f"the {branch} branch must also have a return statement.")


def _check_cond_vars(body_vars, orelse_vars, names):
    nest = _nest()
    for name, b, o in zip(names, body_vars, orelse_vars):
        try:
            nest.assert_same_structure(b, o)
        except (ValueError, TypeError) as e:
            raise TypeError(f"'{name}' must have the same nested structure in the main and "
                            f"else branches:\n\n{e}") from e
        for bv, ov in zip(nest.flatten(b), nest.flatten(o)):
            if bv is None:
                raise ValueError(f"'{name}' is None at the end of the main branch.")
            if ov is None:
                raise ValueError(f"'{name}' is None at the end of the else branch.")
            bv, ov = _to_tensor(bv), _to_tensor(ov)
            if isinstance(bv, _ops.Tensor) and isinstance(ov, _ops.Tensor) and \
                    bv.dtype.base_dtype != ov.dtype.base_dtype:
                raise TypeError(f"'{name}' has dtype {bv.dtype.base_dtype.name} in the main "
                                f"branch, but dtype {ov.dtype.base_dtype.name} in the else "
                                f"branch")


def _tf_if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts):
    from ...ops import control_flow_v1
    cond = _verify_condition(cond, "if statement")
    symbol_names = tuple(symbol_names)
    if not nouts:
        # a cond needs an output: a dummy one carries the branches' side effects
        inner_get, inner_set = get_state, set_state
        get_state = lambda: (0,) + tuple(inner_get())          # noqa: E731
        set_state = lambda v: inner_set(tuple(v)[1:])         # noqa: E731
        symbol_names = ("<unused dummy>",) + symbol_names
        nouts = 1
    init = tuple(get_state())
    seen = {}

    def branch(fn, label, other):
        def run():
            set_state(init)
            fn()
            out = tuple(get_state())[:nouts]
            seen[label] = out
            _check_branch_vars(out, symbol_names, label)
            if other in seen:
                if label == "main":
                    _check_cond_vars(out, seen[other], symbol_names)
                else:
                    _check_cond_vars(seen[other], out, symbol_names)
            return _nest().map_structure(_to_tensor, out)
        return run

    final = control_flow_v1.cond(cond, branch(body, "main", "else"),
                                 branch(orelse, "else", "main"), strict=True)
    set_state(tuple(final) + init[nouts:])


def if_exp(cond, if_true, if_false, expr_repr):
    """`a if cond else b`: a tf.cond on a graph-tensor condition."""
    if is_graph_tensor(cond):
        from ...ops import control_flow_v1
        cond = _verify_condition(cond, "if statement")
        return control_flow_v1.cond(cond, lambda: _to_tensor(if_true()),
                                    lambda: _to_tensor(if_false()), strict=True)
    return if_true() if cond else if_false()


# --- logical operators --------------------------------------------------------------------------

def and_(a, b):
    """`a and b`, lazy as Python's: on a graph tensor, `b` runs only where `a` holds (a
    tf.cond, as TF builds it)."""
    a_val = a()
    if is_graph_tensor(a_val):
        from ...ops import control_flow_v1
        return control_flow_v1.cond(a_val, lambda: _ops.convert_to_tensor(b()),
                                    lambda: a_val, strict=True)
    return a_val and b()


def or_(a, b):
    a_val = a()
    if is_graph_tensor(a_val):
        from ...ops import control_flow_v1
        return control_flow_v1.cond(a_val, lambda: a_val,
                                    lambda: _ops.convert_to_tensor(b()), strict=True)
    return a_val or b()


def not_(a):
    if is_graph_tensor(a):
        from ...ops import math_ops
        return math_ops.logical_not(a)
    return not a


def eq(a, b):
    """`a == b` with Feature.EQUALITY_OPERATORS: tf.equal on graph tensors."""
    if is_graph_tensor(a) or is_graph_tensor(b):
        from ...ops import math_ops
        return math_ops.equal(a, b)
    return a == b


def not_eq(a, b):
    return not_(eq(a, b))


def list_append(target, element):
    """`target.append(element)` under Feature.LISTS: a TensorArray gets a write at its end
    (and the new TensorArray is the variable's value); a Python list is appended to."""
    from ...ops import tensor_array_ops
    if isinstance(target, tensor_array_ops.TensorArray):
        return target.write(target.size(), element)
    target.append(element)
    return target


# --- assert ------------------------------------------------------------------------------------

def assert_stmt(expression1, expression2):
    if not callable(expression2):
        raise ValueError("{} must be a callable".format(expression2))
    if is_graph_tensor(expression1):
        from ...ops import assert_ops
        data = expression2()
        if not isinstance(data, (list, tuple)):
            data = [data]
        return assert_ops.Assert(expression1, list(data))
    assert expression1, expression2()
    return None


# --- loops ------------------------------------------------------------------------------------

def _verify_init_vars(init_vars, names, first_iter_vars=None, extra=None):
    if first_iter_vars is None:
        first_iter_vars = (None,) * len(names)
    for name, v, fi in zip(names, init_vars, first_iter_vars):
        if isinstance(v, UndefinedReturnValue):
            if fi:
                raise ValueError("the return value from a TensorFlow loop may only be a "
                                 "Tensor, int, float, bool or a list, tuple or dict thereof; "
                                 f"got {type(fi)}")
            raise NotImplementedError(
                "a return statement cannot be placed inside this TensorFlow loop; this may "
                "happen if a return statement depends on a static Python condition such as "
                "a hyperparameter")
        msg = None
        if v is None:
            msg = f"'{name}' is not allowed to be None before the loop"
        elif isinstance(v, Undefined):
            msg = f"'{name}' must be defined before the loop"
            if extra:
                msg += "\n" + extra
        if msg is not None:
            raise ValueError(msg)


def _is_subshape(left, right):
    if right.rank is None:
        return True
    if left.rank != right.rank:
        return False
    return all(r is None or l == r for l, r in zip(left.as_list(), right.as_list()))


def _verify_loop_var(name, init, entry, exit_, invariant):
    if exit_ is None:
        raise ValueError(f"'{name}' is None at the end of the iteration.")
    init, entry, exit_ = _to_tensor(init), _to_tensor(entry), _to_tensor(exit_)
    if not isinstance(entry, _ops.Tensor) or not isinstance(exit_, _ops.Tensor):
        return
    if entry.dtype.base_dtype != exit_.dtype.base_dtype:
        raise TypeError(f"'{name}' has dtype {entry.dtype.base_dtype.name} before the loop, "
                        f"but dtype {exit_.dtype.base_dtype.name} after one iteration")
    if invariant is None:
        if not _is_subshape(exit_.shape, entry.shape):
            raise ValueError(f"'{name}' has shape {entry.shape} before the loop, but shape "
                             f"{exit_.shape} after one iteration. Use "
                             f"tf.autograph.experimental.set_loop_options to set shape "
                             f"invariants.")
    else:
        if isinstance(init, _ops.Tensor) and not _is_subshape(init.shape, invariant):
            raise ValueError(f"'{name}' has shape {init.shape} before the loop, which does "
                             f"not conform with the shape invariant {invariant}.")
        if not _is_subshape(exit_.shape, invariant):
            raise ValueError(f"'{name}' has shape {exit_.shape} after one iteration, which "
                             f"does not conform with the shape invariant {invariant}.")


def _verify_loop_vars(init_vars, entry_vars, exit_vars, names, invariants):
    nest = _nest()
    for name, init, entry, exit_, inv in zip(names, init_vars, entry_vars, exit_vars,
                                             invariants):
        try:
            nest.assert_same_structure(entry, exit_)
        except (ValueError, TypeError) as e:
            raise TypeError(f"'{name}' does not have the same nested structure after one "
                            f"iteration.\n\n{e}") from e
        fi, fe, fx = nest.flatten(init), nest.flatten(entry), nest.flatten(exit_)
        fv = nest.flatten(inv) if inv is not None else [None] * len(fe)
        if len(fi) != len(fe):
            fi = fe
        for a, b, c, d in zip(fi, fe, fx, fv):
            _verify_loop_var(name, a, b, c, None if d is None else as_shape(d))


def _placeholder_value(like, original):
    """A zero of the first iteration's type and shape for a variable undefined before a
    loop (TF's own stand-in), or `original` where no such value exists."""
    from ...ops import array_ops
    if like is None or isinstance(like, (Undefined, UndefinedReturnValue)):
        return original, None
    if isinstance(like, (bool, int, float)):
        return type(like)(0), None
    if isinstance(like, _ops.Tensor):
        dims = like.shape.as_list() if like.shape.rank is not None else []
        if like.shape.rank is None:
            return array_ops.zeros([], like.dtype.base_dtype), None
        dynamic = any(d is None for d in dims)
        zeros = array_ops.zeros([0 if d is None else d for d in dims], like.dtype.base_dtype)
        return zeros, (like.shape if dynamic else None)
    if isinstance(like, (list, tuple, dict)):
        nest = _nest()
        pairs = [_placeholder_value(v, None) for v in nest.flatten(like)]
        return (nest.pack_sequence_as(like, [p[0] for p in pairs]),
                nest.pack_sequence_as(like, [p[1] for p in pairs]))
    raise TypeError(f"Found an unsupported type '{type(like).__name__}' while creating "
                    f"placeholder for {like}. Supported types include Tensor, int, float, "
                    f"bool, list, tuple or dict.")


def _handle_undefineds(body_once, get_state, set_state, init_vars, nulls, names):
    """Traces one iteration (its ops thrown away) to learn what the undefined variables
    become; they start the loop as zeros of that kind and the loop must run once."""
    first = None
    failure = None
    invariants = (None,) * len(init_vars)
    ok = False
    modified = False
    try:
        with _Sandbox():
            def autocast(v):
                if isinstance(v, (int, float, bool, str, np.ndarray, np.generic)):
                    t = _ops.convert_to_tensor(v)
                    return apply_op("Placeholder", [], {"dtype": t.dtype.base_dtype,
                                                        "shape": t.shape})[0]
                return v
            set_state(tuple(_nest().map_structure(autocast, v) if not _is_none_or_undef(v)
                            else v for v in init_vars))
            modified = True
            body_once()
            first = tuple(get_state())
        pairs = [(_placeholder_value(f, v) if n else (v, None))
                 for v, n, f in zip(init_vars, nulls, first)]
        init_vars = tuple(p[0] for p in pairs)
        invariants = tuple(p[1] for p in pairs)
        ok = True
    except (UnboundLocalError, TypeError, ValueError, KeyError) as e:
        failure = (f"Note: AutoGraph tried to define it automatically, but ran into a "
                   f"{type(e).__name__}: {e}")
    finally:
        if modified:
            set_state(init_vars)
    _verify_init_vars(init_vars, names, first, extra=failure)
    return ok, init_vars, invariants


def _zero_iterations_message(names, nulls, init_vars):
    out = []
    for n, null, v in zip(names, nulls, init_vars):
        if null:
            out.append("the function return value" if isinstance(v, UndefinedReturnValue)
                       else n)
    return "loop must iterate at least once to initialize " + ", ".join(out)


def _tf_loop(test, body, get_state, set_state, symbol_names, opts, extra_init=(),
             extra_names=()):
    """The staged loop every graph loop form shares. `extra_init` are loop variables of the
    loop form itself (an index, an iterator's next element), passed to `test(*extra)` and
    `body(*extra) -> new extra`; the rest is the statement's state."""
    from ...ops import assert_ops, array_ops, control_flow_v1
    nest = _nest()
    symbol_names = tuple(symbol_names)
    init_vars = tuple(get_state())
    orig = init_vars
    nulls = tuple(_is_none_or_undef(v) for v in init_vars)
    if opts.get("define_before_loop"):
        # TF's dataset loops do not guess undefined variables from a first iteration
        _verify_init_vars(init_vars, symbol_names)
    user_inv = dict((id(v), s) for v, s in opts.get("shape_invariants", ()))
    invariants = [user_inv.get(id(v)) for v in init_vars]
    one = False
    if any(nulls):
        one, init_vars, extra_inv = _handle_undefineds(
            lambda: body(*extra_init), get_state, set_state, init_vars, nulls, symbol_names)
        invariants = [u if u is not None else e for u, e in zip(invariants, extra_inv)]
    else:
        _verify_init_vars(init_vars, symbol_names)
    n_extra = len(extra_init)
    lead = 1 if one else 0

    def split(loop_vars):
        loop_vars = tuple(loop_vars)
        return loop_vars[lead:lead + n_extra], loop_vars[lead + n_extra:]

    def aug_test(*loop_vars):
        extra, state = split(loop_vars)
        set_state(state)
        return _verify_condition(test(*extra), "while loop" if not n_extra else "for loop")

    def aug_body(*loop_vars):
        extra, state = split(loop_vars)
        set_state(state)
        new_extra = tuple(body(*extra))
        new = tuple(get_state())
        _verify_loop_vars(init_vars, state, new, symbol_names, invariants)
        new = tuple(nest.map_structure(_to_tensor, v) for v in new)
        out = new_extra + new
        return ((True,) + out) if one else out

    init = tuple(extra_init) + tuple(nest.map_structure(_to_tensor, v) for v in init_vars)
    dummy = not init
    if dummy:
        # a loop of side effects only still needs one loop variable
        init = (_ops.convert_to_tensor(0),)
        inner_body = aug_body
        aug_body = lambda *v: (v[0],) + tuple(inner_body(*v[1:]))   # noqa: E731
        inner_test = aug_test
        aug_test = lambda *v: inner_test(*v[1:])                     # noqa: E731
    if one:
        init = (_ops.convert_to_tensor(False),) + init
    shape_inv = None
    if any(i is not None for i in invariants):
        shape_inv = [None] * (lead + (1 if dummy else 0) + n_extra) + [
            i if i is not None else nest.map_structure(lambda t: _to_tensor(t).shape, v)
            for i, v in zip(invariants, init_vars)]
        shape_inv = [s if s is not None else nest.map_structure(lambda t: t.shape, v)
                     for s, v in zip(shape_inv, init)]
    staged_body = aug_body
    final = control_flow_v1.while_loop(
        aug_test, lambda *v: list(staged_body(*v)), list(init), shape_invariants=shape_inv,
        parallel_iterations=opts.get("parallel_iterations", 10),
        maximum_iterations=opts.get("maximum_iterations"), return_same_structure=True)
    final = tuple(final)
    if dummy:
        final = final[:lead] + final[lead + 1:]
    if one:
        with _ops.control_dependencies([assert_ops.Assert(
                final[0], [_zero_iterations_message(symbol_names, nulls, orig)])]):
            final = tuple(nest.map_structure(array_ops.identity, v) for v in final[1:])
    set_state(final[n_extra:])


def while_stmt(test, body, get_state, set_state, symbol_names, opts):
    with _Sandbox() if _in_graph() else _Null():
        first = test()
    if is_graph_tensor(first):
        _tf_loop(lambda: test(), lambda: (body(), ())[1], get_state, set_state,
                 symbol_names, opts)
        return
    if not first:
        return
    body()
    _py_while(test, body)


def _in_graph():
    return not _ops.executing_eagerly()


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


_WHILE_CHANGED = (
    "The condition of while loop started as non-Tensor, then changed to Tensor. This may "
    "happen either because variables changed type, or when a break or return statement "
    "inside the loop depends on a Tensor condition. In both cases, changing to a TF loop "
    "should remove the error.\nSee https://github.com/tensorflow/tensorflow/blob/master/"
    "tensorflow/python/autograph/g3doc/reference/limitations.md"
    "#consistency-of-control-flow-types for more info.")

_FOR_CHANGED = (
    "break and return statements which depend on a TF condition are not supported in "
    "Python for loops. Did you intend to make it a TF loop?\nSee https://github.com/"
    "tensorflow/tensorflow/blob/master/tensorflow/python/autograph/g3doc/reference/"
    "limitations.md#consistency-of-control-flow-types for more info.")


def _py_truth(value, message):
    if is_graph_tensor(value):
        raise NotImplementedError(message)
    return bool(value)


def _py_while(test, body):
    n = 1
    while _py_truth(test(), _WHILE_CHANGED):
        body()
        n += 1
        if n > _PYTHON_MAX_ITERATIONS:
            raise ValueError("iteration limit exceeded")


# tf.data sits above this layer: importing it installs its Dataset class and its iterator
# ops' builders (tfteach/data/iterator_ops.py) here (tfteach/data/__init__.py); before that,
# nothing can be a dataset.
_DATASETS = {"type": None, "iterators": None}


def install_datasets(dataset_type, iterator_ops):
    _DATASETS.update(type=dataset_type, iterators=iterator_ops)


def is_dataset(x):
    return _DATASETS["type"] is not None and isinstance(x, _DATASETS["type"])


def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    if is_dataset(iter_) and _in_graph():
        _tf_dataset_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
    elif is_graph_tensor(iter_):
        if iter_.op.type == "Range":
            _tf_range_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
        else:
            _tf_tensor_for(iter_, extra_test, body, get_state, set_state, symbol_names,
                           opts)
    else:
        _py_for(iter_, extra_test, body)


def _py_for(iter_, extra_test, body):
    if extra_test is not None:
        if not _py_truth(extra_test(), _FOR_CHANGED):
            return
        for target in iter_:
            body(target)
            if not _py_truth(extra_test(), _FOR_CHANGED):
                break
        return
    for target in iter_:
        body(target)


def _and_extra(cond, extra_test):
    if extra_test is None:
        return cond
    from ...ops import math_ops
    e = extra_test()
    if is_graph_tensor(e):
        return math_ops.logical_and(cond, e)
    return cond if e else _ops.convert_to_tensor(False)


def _tf_range_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    """`for i in tf.range(...)`: a loop on the index itself (TF's form for a Range)."""
    from ...ops import math_ops
    start, limit, delta = iter_.op.inputs

    def test(i):
        from ...framework import tensor_util
        d = tensor_util.constant_value(delta)
        if d is not None:
            c = math_ops.less(i, limit) if d > 0 else math_ops.greater(i, limit)
        else:
            c = math_ops.logical_or(
                math_ops.logical_and(math_ops.greater(delta, 0), math_ops.less(i, limit)),
                math_ops.logical_and(math_ops.less(delta, 0), math_ops.greater(i, limit)))
        return _and_extra(c, extra_test)

    def step(i):
        body(i)
        return (math_ops.add(i, delta),)

    _tf_loop(test, step, get_state, set_state, symbol_names, opts, extra_init=(start,))


def _tf_tensor_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    """`for row in tensor`: a loop over the first dimension."""
    from ...ops import array_ops, math_ops
    if iter_.shape.rank == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    n = iter_.shape[0] if iter_.shape.rank is not None else None
    n = _ops.convert_to_tensor(n) if n is not None else array_ops.shape(iter_)[0]
    zero = _ops.convert_to_tensor(0)

    def test(i):
        return _and_extra(math_ops.less(i, n), extra_test)

    def step(i):
        body(array_ops.gather(iter_, i))
        return (math_ops.add(i, 1),)

    _tf_loop(test, step, get_state, set_state, symbol_names, opts, extra_init=(zero,))


def _tf_dataset_for(ds, extra_test, body, get_state, set_state, symbol_names, opts):
    """`for x in dataset`: an iterator made at each call and a loop on its next element
    (TF 2.21 builds a ReduceDataset op; tfteach's datasets are Python objects that the
    iterator op walks)."""
    nest = _nest()
    iterator_ops = _DATASETS["iterators"]
    it = iterator_ops.anonymous_iterator(ds)
    spec = ds.element_spec
    first = it.get_next_as_optional()

    def test(opt):
        return _and_extra(iterator_ops.optional_has_value(opt), extra_test)

    def step(opt):
        body(nest.pack_sequence_as(spec, iterator_ops.optional_get_value(opt, spec)))
        return (it.get_next_as_optional(),)

    _tf_loop(test, step, get_state, set_state, symbol_names,
             dict(opts, define_before_loop=True), extra_init=(first,))


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None):
    """`tf.autograph.experimental.set_loop_options`: read by the converter where it opens a
    loop body; called anywhere else it does nothing (as in TF)."""
    del parallel_iterations, swap_memory, maximum_iterations, shape_invariants


def loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                 shape_invariants=None):
    """The `opts` dict of a loop whose body opens with set_loop_options(...)."""
    opts = {}
    if parallel_iterations is not None:
        opts["parallel_iterations"] = parallel_iterations
    if maximum_iterations is not None:
        opts["maximum_iterations"] = maximum_iterations
    if shape_invariants is not None:
        opts["shape_invariants"] = [(v, TensorShape(s) if not isinstance(s, TensorShape)
                                     else s) for v, s in shape_invariants]
    return opts
