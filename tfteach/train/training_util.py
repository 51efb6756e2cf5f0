"""The global step: an int64 scalar variable counting training steps."""
from ..framework import dtypes as _dt
from ..framework import ops as _ops
from ..framework.ops import GraphKeys

GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"


def get_global_step(graph=None):
    graph = graph or _ops.get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise TypeError("Multiple tensors in global_step collection.")
    try:
        t = graph.get_tensor_by_name("global_step:0")
    except KeyError:
        return None
    return t


def create_global_step(graph=None):
    graph = graph or _ops.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    if _ops.executing_eagerly():
        from ..eager.variables import ResourceVariable
        import numpy as np
        v = ResourceVariable(np.int64(0), trainable=False, name="global_step")
        return v
    with graph.as_default(), graph.name_scope(""), graph.control_dependencies(None):
        try:
            from ..ops.variable_scope import get_variable
            from ..ops.init_ops import zeros_initializer
            return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=_dt.int64,
                                initializer=zeros_initializer(), trainable=False,
                                collections=[GraphKeys.GLOBAL_VARIABLES,
                                             GraphKeys.GLOBAL_STEP])
        except ImportError:
            from ..ops.variables import RefVariable
            from ..ops import constant_op
            import numpy as np
            return RefVariable(lambda: constant_op.constant(np.int64(0), name="zeros"),
                               trainable=False, name=GraphKeys.GLOBAL_STEP, dtype=_dt.int64,
                               collections=[GraphKeys.GLOBAL_VARIABLES,
                                            GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    graph = graph or _ops.get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step


def global_step(sess, global_step_tensor):
    """The global step's current value in `sess`, as a Python int."""
    if _ops.executing_eagerly():
        return int(global_step_tensor.numpy())
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor):
    dt = global_step_tensor.dtype.base_dtype
    if not dt.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {dt}")
    if global_step_tensor.shape.rank not in (0, None):
        raise TypeError(f"Existing \"global_step\" is not scalar: {global_step_tensor.shape}")
