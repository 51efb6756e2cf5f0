"""The distributed master: place a session's graph on the cluster's devices, then for each
(fetches, feeds, targets) signature prune, partition per device, and put a `_Send`/`_Recv`
pair on every edge that crosses devices, as TF 2.21's master does (compare
tests/data/distributed_tf.json, recorded by tools/record_distributed.py).

- Placement (TF's placer, for CPU tasks): an op's device spec (`/job:ps/task:0`, partial
  specs too) must match a task's device, else "Cannot assign a device ..."; ops colocated
  by `_class: loc:@v` or by taking a variable by reference share the variable's device; an
  op with no spec (or a partial one) goes to the client device when that matches, else to
  the first matching device by name; a *generator* (no inputs, one output, stateless: a Const) with no spec
  goes where its first consumer runs.
- Feeds and fetches go through the client device (the task the session connected to):
  `_recv_<op>_<i>` with `client_terminated`, `_send_<op>_<i>`.
- A cut data edge: `<src>_S<n>` (_Send on the producer's device) and `<src>_S<n+1>` (_Recv),
  one pair per tensor per receiving device; n is one counter per session, as in TF. A cut
  control edge: a dummy float Const `<src>/ctrl_S<n>` after the source, its Send and Recv,
  and an Identity `<src>_S<n+3>` the consumer waits on.
- Small constants consumed on several other devices are copied to each (TF's
  ReplicateConstantsPass: `<const>/replicate/_<k>`) instead of being sent every step.

`tensor_name` is `edge_<id>_<src>`: TF's id is the edge's number in its internal step graph;
tfteach numbers the step's edges in its own order, so ids may differ from TF's.

Each partition is a list of node records in an order consistent with one global
topological order (every partition's ops sorted by the original op's creation position, a
Send and its Recv right after the producer): each task runs its partition straight through
with the local executor, a _Recv blocking until its Send has run, and no step can deadlock.
"""
import numpy as np

from .. import errors
from ..framework import dtypes as _dt
from ..framework import ops as _ops

__all__ = ["Placer", "partition", "Partition", "StepPlan"]

_GENERATOR_TYPES_STATEFUL_OK = ("Placeholder", "PlaceholderV2", "PlaceholderWithDefault")


def _fields(spec):
    return _ops._parse_device_spec(spec or "")


def _matches(device, fields):
    d = _fields(device)
    for k in ("job", "replica", "task"):
        if k in fields and fields[k] != d.get(k):
            return False
    if "type" in fields and fields["type"] != d.get("type"):
        return False
    if "index" in fields and fields["index"] not in ("*", d.get("index")):
        return False
    return True


def _short(device):
    """'/job:ps/replica:0/task:0/device:CPU:0' -> '/job:ps/task:0' (task names)."""
    f = _fields(device)
    return f"/job:{f['job']}/task:{f['task']}"


class Placer:
    """Places every op of one graph on the cluster's devices (cached per graph size)."""

    def __init__(self, devices, client_device=None):
        self.devices = sorted(devices)
        self.client_device = client_device
        self.placement = {}
        self._placed = 0

    def place(self, graph):
        ops = graph._ops
        if len(ops) == self._placed:
            return self.placement
        # TF's placer assigns generators (Const, Placeholder) after everything else
        groups = sorted(self._colocation_groups(ops),
                        key=lambda g: len(g) == 1 and _is_generator(g[0]))
        out = {}
        deferred = []
        for members in groups:
            lead = members[0]
            fields = {}
            asked = None
            for m in members:
                if m._device:
                    f = _fields(m._device)
                    if asked is None:
                        asked = m
                    for k, v in f.items():
                        fields.setdefault(k, v)
            if asked is None and len(members) == 1 and _is_generator(lead):
                deferred.append(lead)
                continue
            cands = [d for d in self.devices if _matches(d, fields)]
            if self.client_device in cands:
                # TF's default local device: the task the session talks to, when allowed
                cands.remove(self.client_device)
                cands.insert(0, self.client_device)
            if not cands:
                bad = asked or lead
                raise errors.InvalidArgumentError(
                    None, bad,
                    f"Cannot assign a device for operation {bad.name}: {{{{node {bad.name}}}}} "
                    f"was explicitly assigned to {bad._device} but available devices are "
                    f"[ {', '.join(self.devices)} ]. Make sure the device specification "
                    f"refers to a valid device.\n\t [[{bad.name}]]")
            for m in members:
                out[m] = cands[0]
        for op in deferred:
            consumers = sorted((c for t in op._outputs for c in t._consumers if c in out),
                               key=lambda c: c._id)
            out[op] = out[consumers[0]] if consumers else self.devices[0]
        self.placement = out
        self._placed = len(ops)
        return out

    @staticmethod
    def _colocation_groups(ops):
        """Ops that must share a device: `_class: loc:@x` and reference consumers join x's
        group. Groups in order of their first member."""
        parent = {}

        def find(o):
            while parent.get(o, o) is not o:
                o = parent[o]
            return o

        def union(a, b):
            ra, rb = find(a), find(b)
            if ra is not rb:
                if ra._id < rb._id:
                    parent[rb] = ra
                else:
                    parent[ra] = rb

        by_name = {o.name: o for o in ops}
        for op in ops:
            loc = op._attrs.get("_class")
            for entry in loc or ():
                entry = entry.decode() if isinstance(entry, bytes) else entry
                if entry.startswith("loc:@") and entry[5:] in by_name:
                    union(op, by_name[entry[5:]])
            specs = op._opdef.inputs
            for j, t in enumerate(op._inputs):
                spec = specs[min(j, len(specs) - 1)][1] if specs else None
                if t.dtype.is_ref_dtype and isinstance(spec, str) and spec.startswith("ref:"):
                    union(op, t.op)
        groups = {}
        for op in ops:
            groups.setdefault(find(op), []).append(op)
        return sorted(groups.values(), key=lambda g: g[0]._id)


def _is_generator(op):
    """TF's placer heuristic: a source op with one plain output, stateless (Const)."""
    if op._inputs or op._control_inputs or len(op._outputs) != 1:
        return False
    if op._outputs[0].dtype.is_ref_dtype:
        return False
    return not op._opdef.stateful or op._type in _GENERATOR_TYPES_STATEFUL_OK


def prune(fetch_tensors, target_ops, feed_tensors):
    fed = set(feed_tensors)
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in fed] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        for t in op._inputs:
            if t not in fed:
                stack.append(t.op)
        stack.extend(op._control_inputs)
    return sorted(needed, key=lambda o: o._id)


class Node:
    """One node of a partition graph: what the task builds and what RunMetadata shows."""
    __slots__ = ("name", "op", "input", "device", "attr", "key")

    def __init__(self, name, op, inputs, device, attr, key):
        self.name, self.op, self.input, self.device = name, op, list(inputs), device
        self.attr, self.key = attr, key

    def node_def(self):
        return _ops.NodeDef(self.name, self.op, list(self.input), dict(self.attr), self.device)

    def __reduce__(self):
        return (Node, (self.name, self.op, self.input, self.device, self.attr, self.key))


class Partition:
    """The nodes one device runs in a step, in run order."""

    def __init__(self, device, nodes):
        self.device = device
        self.nodes = nodes

    def graph_def(self):
        return _ops.GraphDef([n.node_def() for n in self.nodes])


class StepPlan:
    """A step signature's partitions, registered once with their tasks and reused.

    `feeds`: [(task, recv node name, position in the feed list)]; `fetches`: the
    `_send_*` rendezvous keys in fetch order."""

    def __init__(self, partitions, feed_keys, fetch_keys, client_device):
        self.partitions = partitions
        self.feed_keys = feed_keys
        self.fetch_keys = fetch_keys
        self.client_device = client_device
        self.handles = None


def _tensor_ref(name, index):
    return name if index == 0 else f"{name}:{index}"


def partition(ops_placement, fetch_tensors, target_ops, feed_tensors, client_device,
              incarnations, counter):
    """Partitions one step. `counter` is the session's [next _S number]; `incarnations`
    {device: int}. Returns a StepPlan."""
    from ..kernels.cpu.sendrecv import rendezvous_key
    fed = {t: i for i, t in enumerate(feed_tensors)}
    ops = prune(fetch_tensors, target_ops, feed_tensors)
    dev_of = {op: ops_placement[op] for op in ops}
    nodes = {}                      # device -> [Node]

    def add(device, node):
        nodes.setdefault(device, []).append(node)

    # -- edge ids (see the module docstring) --
    eid = {}
    n_edges = [1]                   # edge 0 joins TF's _SOURCE and _SINK
    for op in ops:
        ins = [t for t in op._inputs if t not in fed]
        if not ins and not op._control_inputs:
            n_edges[0] += 1
        for j, t in enumerate(op._inputs):
            if t in fed:
                continue
            eid[(t, op, j)] = n_edges[0]
            n_edges[0] += 1
        for c in op._control_inputs:
            eid[(c, op, -1)] = n_edges[0]
            n_edges[0] += 1

    def next_edge():
        n_edges[0] += 1
        return n_edges[0] - 1

    def sr_attrs(tensor_name, send_dev, recv_dev, client):
        return {"tensor_name": tensor_name, "send_device": send_dev,
                "send_device_incarnation": incarnations[send_dev], "recv_device": recv_dev,
                "client_terminated": client}

    # -- TF's ReplicateConstantsPass --
    replica = {}                    # (const op, device) -> replica name
    for op in ops:
        if op._type != "Const" or op._control_inputs:
            continue
        value = op._attrs.get("value")
        if value is None or np.size(value) > 16:
            continue
        consumers = [c for c in op._outputs[0]._consumers if c in dev_of]
        if any(op in c._control_inputs for c in ops):
            continue
        devs = list(dict.fromkeys(dev_of[c] for c in consumers))
        if len(devs) < 2:
            continue
        for k, d in enumerate(devs):
            replica[(op, d)] = f"{op.name}/replicate/_{k}"
    replicated = {op for op, _ in replica}

    # -- feeds: _recv_<op>_<i> on the client device --
    feed_keys = []
    produced = {}                   # tensor -> (device, node name, index, order key)
    for t, i in fed.items():
        name = f"_recv_{t.op.name}_{t.value_index}"
        attrs = sr_attrs(t.name, client_device, client_device, True)
        attrs["tensor_type"] = t.dtype.base_dtype
        add(client_device, Node(name, "_Recv", (), client_device, attrs, (-2, i)))
        feed_keys.append((client_device, rendezvous_key(client_device,
                                                        incarnations[client_device],
                                                        client_device, t.name), i))
        produced[t] = (client_device, name, 0, -1)   # its Sends after every feed
    for op in ops:
        if op in replicated:
            continue
        for t in op._outputs:
            if t not in fed:
                produced[t] = (dev_of[op], op.name, t.value_index, op._id)

    pairs = {}                      # (tensor or op, device) -> name the consumer uses

    def data_input(t, dst_name, dst_dev, edge):
        src_dev, src_name, idx, key = produced[t]
        if src_dev == dst_dev:
            return _tensor_ref(src_name, idx)
        got = pairs.get((t, dst_dev))
        if got is not None:
            return got
        n = counter[0]
        counter[0] += 2
        tname = f"edge_{edge}_{src_name}"
        s_attrs = sr_attrs(tname, src_dev, dst_dev, False)
        s_attrs.update({"_src": src_name, "_dst": dst_name, "T": t.dtype.base_dtype})
        r_attrs = sr_attrs(tname, src_dev, dst_dev, False)
        r_attrs.update({"_src": src_name, "_dst": dst_name, "tensor_type": t.dtype.base_dtype})
        add(src_dev, Node(f"{src_name}_S{n}", "_Send", [_tensor_ref(src_name, idx)], src_dev,
                          s_attrs, (key, 0.1, n)))
        add(dst_dev, Node(f"{src_name}_S{n + 1}", "_Recv", (), dst_dev, r_attrs,
                          (key, 0.2, n)))
        pairs[(t, dst_dev)] = f"{src_name}_S{n + 1}"
        return pairs[(t, dst_dev)]

    def control_input(c, dst_name, dst_dev, edge):
        src_dev = dev_of[c]
        if src_dev == dst_dev:
            return "^" + c.name
        got = pairs.get((c, dst_dev))
        if got is not None:
            return got
        n = counter[0]
        counter[0] += 4
        tname = f"edge_{edge}_{c.name}"
        add(src_dev, Node(f"{c.name}/ctrl_S{n}", "Const", ["^" + c.name], src_dev,
                          {"dtype": _dt.float32, "value": np.float32(0.0)}, (c._id, 0.05, n)))
        s_attrs = sr_attrs(tname, src_dev, dst_dev, False)
        s_attrs.update({"_src": c.name, "_dst": dst_name, "T": _dt.float32})
        add(src_dev, Node(f"{c.name}_S{n + 1}", "_Send", [f"{c.name}/ctrl_S{n}"], src_dev,
                          s_attrs, (c._id, 0.1, n)))
        r_attrs = sr_attrs(tname, src_dev, dst_dev, False)
        r_attrs.update({"_src": c.name, "_dst": dst_name, "tensor_type": _dt.float32})
        add(dst_dev, Node(f"{c.name}_S{n + 2}", "_Recv", (), dst_dev, r_attrs,
                          (c._id, 0.2, n)))
        add(dst_dev, Node(f"{c.name}_S{n + 3}", "Identity", [f"{c.name}_S{n + 2}"], dst_dev,
                          {"T": _dt.float32}, (c._id, 0.3, n)))
        pairs[(c, dst_dev)] = f"^{c.name}_S{n + 3}"
        return pairs[(c, dst_dev)]

    for op in ops:
        devs = [dev_of[op]] if op not in replicated else \
            [d for (o, d) in replica if o is op]
        for dev in devs:
            name = op.name if op not in replicated else replica[(op, dev)]
            inputs = []
            for j, t in enumerate(op._inputs):
                if t.op in replicated and (t.op, dev) in replica:
                    inputs.append(replica[(t.op, dev)])
                    continue
                inputs.append(data_input(t, name, dev, eid.get((t, op, j)) or next_edge()))
            for c in op._control_inputs:
                inputs.append(control_input(c, name, dev, eid[(c, op, -1)]))
            add(dev, Node(name, op._type, inputs, dev, dict(op._attrs), (op._id, 0, 0)))

    fetch_keys = []
    for k, t in enumerate(fetch_tensors):
        name = f"_send_{t.op.name}_{t.value_index}"
        if t in fed:
            src = f"_recv_{t.op.name}_{t.value_index}"
        else:
            src = data_input(t, name, client_device, next_edge())
        attrs = sr_attrs(t.name, client_device, client_device, True)
        attrs["T"] = t.dtype.base_dtype
        add(client_device, Node(name, "_Send", [src], client_device, attrs,
                                (float("inf"), 0, k)))
        fetch_keys.append(rendezvous_key(client_device, incarnations[client_device],
                                         client_device, t.name))
    parts = []
    for dev in sorted(nodes):
        ns = sorted(nodes[dev], key=lambda n: n.key)
        parts.append(Partition(dev, ns))
    return StepPlan(parts, feed_keys, fetch_keys, client_device)
