"""The step stats of a traced run (TF's StepStats): one NodeExecStats per op, by device.

The executor records them (runtime/executor.py); `RunMetadata.step_stats`
(client/config.py) holds them.
"""


class NodeExecStats:
    """One op's timing in a traced run (TF's NodeExecStats)."""

    def __init__(self, node_name, op_type, start_us, duration_us, device, output_shapes=None):
        self.node_name = node_name
        self.timeline_label = f"{node_name} = {op_type}()"
        self.op_type = op_type
        self.all_start_micros = start_us
        self.all_end_rel_micros = duration_us
        self.op_end_rel_micros = duration_us
        self.device = device
        self.output_shapes = output_shapes or []

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
