"""TF's `tensorflow.python.client.timeline`: a traced step's StepStats as a Chrome trace.

    md = tf.RunMetadata()
    sess.run(train, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=md)
    with open("step.json", "w") as f:
        f.write(Timeline(md.step_stats).generate_chrome_trace_format())

Open the file in chrome://tracing or https://ui.perfetto.dev. The JSON has TF's layout
(tests/test_timeline.py pins it to TF 2.21's recorded trace): one `process_name` metadata
event for the allocators, then per device a "<device> Compute" and a "<device> Tensors"
process; one complete event (`ph` "X", category "Op") per op with `args` {name, op,
input0, ...}; `s`/`t` DataFlow pairs from a tensor's producer to a consumer on another
device or lane; with `show_memory`, tensor objects (N/O/D) and per-allocator counters (C).
"""
import collections
import json
import re

__all__ = ["Timeline", "AllocationMaximum", "StepStatsAnalysis"]

AllocationMaximum = collections.namedtuple("AllocationMaximum",
                                           ("timestamp", "num_bytes", "tensors"))
StepStatsAnalysis = collections.namedtuple("StepStatsAnalysis",
                                           ("chrome_trace", "allocator_maximums"))

_LABEL = re.compile(r"(.*) = (.*)\((.*)\)")


def _parse_label(label):
    """`name = Op(a, b:1)` -> ("name", "Op", ["a", "b:1"])."""
    m = _LABEL.match(label or "")
    if m is None:
        return "unknown", "unknown", []
    name, op, args = m.groups()
    return name, op, args.split(", ") if args else []


class _Trace:
    """The events of one Chrome trace: metadata first, then what happened."""

    def __init__(self):
        self.metadata, self.events = [], []

    def _event(self, ph, cat, name, pid, tid, ts, **extra):
        e = {"ph": ph, "cat": cat, "name": name, "pid": pid, "tid": tid, "ts": ts}
        e.update(extra)
        self.events.append(e)
        return e

    def process(self, name, pid):
        self.metadata.append({"name": "process_name", "ph": "M", "pid": pid,
                              "args": {"name": name}})

    def op(self, ts, dur, pid, tid, name, args):
        self._event("X", "Op", name, pid, tid, ts, dur=dur, args=args)

    def flow(self, name, start, end, flow_id):
        for ph, (ts, pid, tid) in (("s", start), ("t", end)):
            self._event(ph, "DataFlow", name, pid, tid, ts, id=flow_id)

    def tensor(self, ph, name, pid, tid, ts, object_id, snapshot=None):
        e = self._event(ph, "Tensor", name, pid, tid, ts, id=object_id)
        if snapshot is not None:
            e["args"] = {"snapshot": snapshot}

    def counter(self, allocator, pid, ts, total):
        self._event("C", "Memory", allocator, pid, 0, ts, args={allocator: total})

    def json(self, pretty):
        trace = {"traceEvents": self.metadata + self.events}
        if pretty:
            return json.dumps(trace, indent=4, separators=(",", ": "))
        return json.dumps(trace, separators=(",", ":"))

    # TF's formatter's name for the string form
    format_to_string = json


class _Tensor:
    def __init__(self, name, object_id, created, pid, allocator, num_bytes):
        self.name, self.object_id, self.created, self.pid = name, object_id, created, pid
        self.allocator, self.num_bytes = allocator, num_bytes
        self.last_unref = created

    def touch(self, ts):
        self.last_unref = max(self.last_unref, ts)


class Timeline:
    """`Timeline(step_stats, graph=None)`; `generate_chrome_trace_format(show_dataflow=True,
    show_memory=False, op_time="schedule")` returns the trace as a JSON string."""

    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats
        self._graph = graph

    def analyze_step_stats(self, show_dataflow=True, show_memory=True, op_time="schedule"):
        if op_time not in ("schedule", "gpu", "all"):
            raise ValueError(f"op_time must be 'schedule', 'gpu' or 'all', not {op_time!r}")
        # tfteach's CPU and GPU kernels run inline (no separate GPU stream stats), so the
        # three op_time views coincide
        trace = _Trace()
        devices = [d for d in self._step_stats.dev_stats]
        next_pid = iter(range(1 << 30))
        allocators_pid = next(next_pid)
        trace.process("Allocators", allocators_pid)
        compute_pid, tensors_pid = {}, {}
        for d in devices:
            compute_pid[d.device] = next(next_pid)
            tensors_pid[d.device] = next(next_pid)
            trace.process(d.device + " Compute", compute_pid[d.device])
            trace.process(d.device + " Tensors", tensors_pid[d.device])

        lanes = {}
        for d in devices:
            ends = [0]
            for ns in d.node_stats:
                end = ns.all_start_micros + ns.all_end_rel_micros
                # the first lane free before this op starts, else a new one
                lane = next((i for i, e in enumerate(ends) if ns.all_start_micros > e), None)
                if lane is None:
                    lane = len(ends)
                    ends.append(end)
                else:
                    ends[lane] = end
                lanes[id(ns)] = lane
                ns.thread_id = lane

        tensors, produced = {}, {}
        for d in devices:
            for ns in d.node_stats:
                start = ns.all_start_micros
                end = start + ns.all_end_rel_micros
                tid = lanes[id(ns)]
                for i, out in enumerate(getattr(ns, "output", ())):
                    name = ns.node_name if i == 0 else f"{ns.node_name}:{i}"
                    alloc = out.tensor_description.allocation_description
                    t = _Tensor(name, len(tensors), start, tensors_pid[d.device],
                                alloc.allocator_name, alloc.requested_bytes)
                    t.touch(end)
                    tensors[name] = t
                    produced[name] = (end, compute_pid[d.device], tid)
                    if show_memory:
                        trace.tensor("N", name, t.pid, tid, start, t.object_id)
                        desc = str(out.tensor_description).replace('"', "")
                        trace.tensor("O", name, t.pid, tid, end - 1, t.object_id,
                                     {"tensor_description": desc})

        flow_ids = iter(range(1 << 30))
        for d in devices:
            pid = compute_pid[d.device]
            for ns in d.node_stats:
                start = ns.all_start_micros
                end = start + ns.all_end_rel_micros
                tid = lanes[id(ns)]
                if ns.node_name == "RecvTensor":
                    op, inputs = "RecvTensor", []
                else:
                    _, op, inputs = _parse_label(ns.timeline_label)
                args = {"name": ns.node_name, "op": op}
                args.update((f"input{i}", n) for i, n in enumerate(inputs))
                trace.op(start, ns.all_end_rel_micros, pid, tid, op, args)
                for name in inputs:
                    if name not in tensors and name.rfind("/_") > 0:
                        # an input renamed by partitioning: drawn from the original node
                        name = name[:name.rfind("/_")]
                    t = tensors.get(name)
                    if t is None:
                        continue
                    t.touch(end - 1)
                    src = produced[name]
                    if show_dataflow and (src[1], src[2]) != (pid, tid):
                        trace.flow(name, src, (start, pid, tid), next(flow_ids))

        maxima = {}
        if show_memory:
            by_allocator = {}
            for t in tensors.values():
                trace.tensor("D", t.name, t.pid, 0, t.last_unref, t.object_id)
                changes = by_allocator.setdefault(t.allocator, [])
                changes.append((t.created, t.num_bytes, t.name))
                changes.append((t.last_unref, -t.num_bytes, t.name))
            for allocator, changes in by_allocator.items():
                live, total = set(), 0
                best = AllocationMaximum(0, 0, set())
                # time order; at one time, frees before allocations (smaller first)
                for ts, delta, name in sorted(changes):
                    total += delta
                    (live.add if delta >= 0 else live.discard)(name)
                    if total > best.num_bytes:
                        best = AllocationMaximum(ts, total, set(live))
                    trace.counter(allocator, allocators_pid, ts, total)
                maxima[allocator] = best
        return StepStatsAnalysis(trace, maxima)

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False,
                                     op_time="schedule"):
        analysis = self.analyze_step_stats(show_dataflow, show_memory, op_time)
        return analysis.chrome_trace.json(pretty=True)
