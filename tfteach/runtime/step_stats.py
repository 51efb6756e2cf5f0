"""The step stats of a traced run (TF's StepStats): one NodeExecStats per op, by device.

The executor records them (runtime/executor.py); `RunMetadata.step_stats`
(client/config.py) holds them. Field names are TF's (step_stats.proto), so what reads TF's
step stats (`client/timeline.py`'s Chrome trace, the timeline widget) reads these: each
produced tensor is a NodeOutput whose `tensor_description.allocation_description.
requested_bytes` says how big it was.
"""

ALLOCATOR_NAME = "cpu"      # tfteach's tensors are numpy's: one host allocator


class _Dim:
    def __init__(self, size):
        self.size = int(size)


class TensorShapeProto:
    def __init__(self, dims=()):
        self.dim = [_Dim(d if d is not None else -1) for d in dims]
        self.unknown_rank = False



class AllocationDescription:
    def __init__(self, requested_bytes=0, allocator_name=ALLOCATOR_NAME):
        self.requested_bytes = int(requested_bytes)
        self.allocated_bytes = int(requested_bytes)
        self.allocator_name = allocator_name
        self.allocation_id = 0
        self.has_single_reference = False
        self.ptr = 0


class TensorDescription:
    def __init__(self, dtype=0, shape=(), requested_bytes=0, allocator_name=ALLOCATOR_NAME):
        self.dtype = dtype
        # shape None: never set (protobuf then prints no `shape {}` at all)
        self._shape_set = shape is not None
        self.shape = TensorShapeProto(shape or ())
        self.allocation_description = AllocationDescription(requested_bytes, allocator_name)

    def __str__(self):
        # protobuf's text format, non-default fields only, as TF prints the message
        lines = [f"dtype: {_dtype_enum_name(self.dtype)}"]
        if self._shape_set or self.shape.dim:
            lines.append("shape {")
            for d in self.shape.dim:
                lines += ["  dim {", f"    size: {d.size}", "  }"]
            lines.append("}")
        a = self.allocation_description
        lines.append("allocation_description {")
        if a.requested_bytes:
            lines.append(f"  requested_bytes: {a.requested_bytes}")
        if a.allocated_bytes:
            lines.append(f"  allocated_bytes: {a.allocated_bytes}")
        lines += [f"  allocator_name: \"{a.allocator_name}\"", "}"]
        return "\n".join(lines) + "\n"


# TF's DataType names where they are not DT_ + the dtype's name in capitals
_DT_NAMES = {"float32": "DT_FLOAT", "float64": "DT_DOUBLE", "float16": "DT_HALF"}


def _dtype_enum_name(enum):
    if not enum:
        return "DT_INVALID"
    from ..framework import dtypes
    try:
        name = dtypes.as_dtype(enum).name
    except (TypeError, ValueError, KeyError):
        return str(enum)
    return _DT_NAMES.get(name, "DT_" + name.upper())


class NodeOutput:
    def __init__(self, slot, tensor_description):
        self.slot = slot
        self.tensor_description = tensor_description


def describe(value):
    """A TensorDescription of a produced value (an ndarray or numpy scalar; anything else,
    e.g. a resource handle, is described with 0 bytes and no dtype)."""
    import numpy as np
    if not isinstance(value, (np.ndarray, np.generic)):
        return TensorDescription()
    from ..framework import dtypes
    try:
        enum = dtypes.as_dtype(value.dtype).as_datatype_enum
    except (TypeError, ValueError, KeyError):
        enum = 0
    nbytes = value.nbytes if value.dtype != object else 0
    return TensorDescription(enum, np.shape(value), nbytes)


class NodeExecStats:
    """One op's timing in a traced run (TF's NodeExecStats)."""

    def __init__(self, node_name, op_type, start_us, duration_us, device, output_shapes=None,
                 inputs=(), outputs=None):
        self.node_name = node_name
        # TF's label: `name = Op(input, input:1)`; TF's Timeline reads the inputs from it
        self.timeline_label = f"{node_name} = {op_type}({', '.join(inputs)})"
        self.op_type = op_type
        self.all_start_micros = start_us
        self.scheduled_micros = start_us
        self.op_start_rel_micros = 0
        self.all_end_rel_micros = duration_us
        self.op_end_rel_micros = duration_us
        self.device = device
        self.output_shapes = output_shapes or []
        self.output = list(outputs or [])
        self.memory = []
        self.thread_id = 0

    def __repr__(self):
        return (f"node_name: \"{self.node_name}\" op: {self.op_type} "
                f"all_end_rel_micros: {self.all_end_rel_micros}")


class _DeviceStepStats:
    def __init__(self, device):
        self.device = device
        self.node_stats = []


class _StepStats:
    def __init__(self):
        self.dev_stats = []
