"""Where the resources that stateful ops make live (queues, accumulators, lookup tables): a
session's run context keeps them across runs; an op run eagerly makes its own."""
__toolkit__ = True   # shared machinery: registers no kernels

import itertools

# TF names a resource with no shared_name "_<n>_<node name>", n counting every resource
# made in the process; error messages quote that name.
resource_ids = itertools.count()


def session_resource(ctx, op, make):
    """The session's resource of creating op `op` (or of its shared_name). An op run
    eagerly (it has no graph) makes a new resource that its handle alone holds."""
    shared = op.get_attr("shared_name") if "shared_name" in op._attrs else ""
    graph = getattr(op, "graph", None)
    if graph is None:
        return make(shared or str(next(resource_ids)))
    key = ("shared", shared) if shared else (op.type, op.name)
    if not shared and getattr(graph, "_building_function", False):
        # tf.function graphs share the eager state: a function's resource is its own
        key += (id(graph),)
    resources = ctx.state.resources
    res = resources.get(key)
    if res is None:
        res = resources.setdefault(key, make(shared or f"_{next(resource_ids)}_{op.name}"))
    return res
