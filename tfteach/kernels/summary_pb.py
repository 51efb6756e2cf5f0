"""TensorBoard's protobuf messages (Summary, Event, GraphDef, ...), from tensorboardX.

The summary kernels (kernels/cpu/summary.py) encode their outputs with them and tf.summary's
FileWriter (summary/__init__.py) writes events with them; it lives in the kernels' toolkit
because kernels import nothing above themselves. Imported on first use: tensorboardX is the
optional `summary` extra.
"""


def modules():
    """tensorboardX's protobuf modules, or a clear error when the extra is missing."""
    try:
        from tensorboardX.proto import (attr_value_pb2, event_pb2, graph_pb2, node_def_pb2,
                                        summary_pb2, tensor_pb2, tensor_shape_pb2,
                                        types_pb2)
    except ImportError as e:
        raise ImportError("tf.summary needs tensorboardX for TensorBoard's file format: "
                          "pip install 'tfteach[summary]'  (or: pip install tensorboardX)"
                          ) from e
    import types
    return types.SimpleNamespace(summary=summary_pb2, event=event_pb2, graph=graph_pb2,
                                 node_def=node_def_pb2, attr=attr_value_pb2,
                                 tensor=tensor_pb2, shape=tensor_shape_pb2, types=types_pb2)
