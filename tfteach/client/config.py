"""ConfigProto, GPUOptions, RunOptions, RunMetadata: TF's protobuf messages as plain objects.

They accept TF's fields (as keywords or by assignment) and refuse unknown ones, as a
protobuf message would.
"""

# a traced run's step stats are what the executor records (runtime/step_stats.py)
from ..runtime.step_stats import NodeExecStats, _DeviceStepStats, _StepStats  # noqa: F401

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions",
           "RunMetadata"]


class _Message:
    _fields = {}

    def __init__(self, **kwargs):
        for k, default in self._fields.items():
            object.__setattr__(self, k, default() if callable(default) else default)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def __setattr__(self, key, value):
        if key not in self._fields:
            raise AttributeError(f"Assignment not allowed (no field \"{key}\" in protocol "
                                 f"message object).")
        object.__setattr__(self, key, value)

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, k) == getattr(other, k) for k in self._fields)

    def __repr__(self):
        parts = []
        for k, default in self._fields.items():
            v = getattr(self, k)
            d = default() if callable(default) else default
            if v != d:
                if isinstance(v, _Message):
                    inner = repr(v).strip()
                    parts.append(f"{k} {{\n  " + inner.replace("\n", "\n  ") + "\n}")
                elif isinstance(v, bool):
                    parts.append(f"{k}: {'true' if v else 'false'}")
                elif isinstance(v, str):
                    parts.append(f'{k}: "{v}"')
                elif isinstance(v, dict):
                    for dk, dv in v.items():
                        parts.append(f'{k} {{\n  key: "{dk}"\n  value: {dv}\n}}')
                else:
                    parts.append(f"{k}: {v}")
        return "\n".join(parts) + ("\n" if parts else "")

    __str__ = __repr__

    def CopyFrom(self, other):
        for k in self._fields:
            object.__setattr__(self, k, getattr(other, k))

    def SerializeToString(self):
        return repr(self).encode()


class GPUOptions(_Message):
    _fields = {"per_process_gpu_memory_fraction": 0.0, "allow_growth": False,
               "allocator_type": "", "deferred_deletion_bytes": 0, "visible_device_list": "",
               "polling_active_delay_usecs": 0, "polling_inactive_delay_msecs": 0,
               "force_gpu_compatible": False}


class OptimizerOptions(_Message):
    _fields = {"do_common_subexpression_elimination": False, "do_constant_folding": False,
               "opt_level": 0, "global_jit_level": 0}


class GraphOptions(_Message):
    _fields = {"enable_recv_scheduling": False, "optimizer_options": OptimizerOptions,
               "build_cost_model": 0, "infer_shapes": False, "place_pruned_graph": False,
               "enable_bfloat16_sendrecv": False, "timeline_step": 0}


class ConfigProto(_Message):
    _fields = {"device_count": dict, "intra_op_parallelism_threads": 0,
               "inter_op_parallelism_threads": 0, "use_per_session_threads": False,
               "allow_soft_placement": False, "log_device_placement": False,
               "gpu_options": GPUOptions, "graph_options": GraphOptions,
               "operation_timeout_in_ms": 0, "isolate_session_state": False}


class RunOptions(_Message):
    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    _fields = {"trace_level": 0, "timeout_in_ms": 0, "inter_op_thread_pool": 0,
               "output_partition_graphs": False, "report_tensor_allocations_upon_oom": False}


class RunMetadata:
    def __init__(self):
        self.step_stats = _StepStats()
        self.partition_graphs = []
        self.cost_graph = None

    def __repr__(self):
        n = sum(len(d.node_stats) for d in self.step_stats.dev_stats)
        return f"<RunMetadata with {n} node stats>"
