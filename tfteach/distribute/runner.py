"""A Session's link to a cluster: the master's work for each `run` (placement once per
graph size, one StepPlan per signature registered once with its tasks) and the step itself,
one actor call per task (never per op), tensors moving task to task through Dask.
"""
import itertools
import random
import threading
import time

from .. import errors
from . import backend, master

__all__ = ["ClusterSession"]

_SESSION_IDS = itertools.count()
# the last distributed step of this process: its partitions and timeline (`%%graph
# --partitions` draws it; the lesson's timeline reads it)
LAST_STEP = {}
DEFAULT_TIMEOUT_S = 5.0         # a down task is reported after this (operation_timeout_in_ms)


class ClusterSession:
    def __init__(self, target, graph, config):
        timeout_ms = getattr(config, "operation_timeout_in_ms", 0) or 0
        self.timeout = timeout_ms / 1000.0 if timeout_ms > 0 else DEFAULT_TIMEOUT_S
        # a step's tensors may wait on a peer's first-use kernel compiles: longer than the
        # liveness timeout unless the user set one
        self.step_timeout = self.timeout if timeout_ms > 0 else 120.0
        self.handle = backend.connect(target, self.timeout)
        self.graph = graph
        self.placer = master.Placer(self.handle.devices, self.handle.client_device)
        self.counter = [0]
        self.plans = {}
        self.actors = {}
        self.actor_futures = {}
        self.incarnations = {}
        self.id = f"{next(_SESSION_IDS)}-{random.getrandbits(32):08x}"
        self.lock = threading.Lock()
        self.last_step = None
        # a plan's partitions are registered under a number of their own: two threads
        # planning at once (a queue runner's step and the training step) must not share one
        self._plan_ids = itertools.count()

    @property
    def devices(self):
        return self.handle.devices

    def placement(self):
        return self.placer.place(self.graph)

    # --- tasks ---------------------------------------------------------------------------
    def _actor(self, task):
        a = self.actors.get(task)
        if a is None:
            self.handle.wait_for([task], self.timeout)
            from .worker import TaskActor
            try:
                fut = self.handle.client.submit(TaskActor, task, actor=True, workers=[task],
                                                allow_other_workers=False, pure=False)
                a = fut.result(timeout=self.timeout + 5)
                # the actor lives while its future is held
                self.actor_futures[task] = fut
            except Exception as e:  # noqa: BLE001
                raise errors.UnavailableError(
                    None, None, f"Task {task} is unavailable: {type(e).__name__}: {e}") \
                    from None
            # the handle binds to the client current when first used: ours, not whatever
            # Dask client the user made default
            with self.handle.client.as_current():
                a.incarnation
            self.actors[task] = a
        return a

    def _incarnation(self, device):
        inc = self.incarnations.get(device)
        if inc is None:
            task = master._short(device)
            inc = self.incarnations[device] = self._call(task, "incarnation")
        return inc

    def _call(self, task, method, *args):
        try:
            return getattr(self._actor(task), method)(*args).result(timeout=self.step_timeout)
        except errors.OpError:
            raise
        except Exception as e:  # noqa: BLE001 - the worker went away
            self.actors.pop(task, None)
            raise errors.UnavailableError(
                None, None, f"Task {task} is unavailable: {type(e).__name__}: {e}") from None

    # --- steps ---------------------------------------------------------------------------
    def plan(self, fetch_tensors, target_ops, feed_tensors):
        key = (tuple(fetch_tensors), tuple(target_ops), tuple(feed_tensors))
        plan = self.plans.get(key)
        if plan is None:
            placement = self.placement()
            incs = _Lazy(self._incarnation)
            plan = master.partition(placement, fetch_tensors, target_ops, feed_tensors,
                                    self.handle.client_device, incs, self.counter)
            tasks = [master._short(p.device) for p in plan.partitions]
            self.handle.wait_for(tasks, self.timeout)
            plan.handles = []
            plan_id = next(self._plan_ids)
            for i, (p, task) in enumerate(zip(plan.partitions, tasks)):
                handle = f"{self.id}/{plan_id}/{p.device}"
                self._call(task, "register", handle, p.nodes)
                plan.handles.append(handle)
            self.plans[key] = plan
        return plan

    def run(self, fetch_tensors, target_ops, feed_tensors, feed_values, run_metadata=None,
            output_partition_graphs=False, trace=False):
        plan = self.plan(fetch_tensors, target_ops, feed_tensors)
        step = random.getrandbits(62)
        feeds = {}
        for (dev, key, i) in plan.feed_keys:
            feeds.setdefault(dev, {})[key] = feed_values[i]
        tasks = [master._short(p.device) for p in plan.partitions]
        peers = {t: self._actor(t) for t in tasks}
        t0 = time.time()
        futures = []
        for p, task, h in zip(plan.partitions, tasks, plan.handles):
            futures.append(peers[task].run(h, step, feeds.get(p.device, {}), peers,
                                           self.step_timeout, trace))
        results, failure = [], None
        for task, f in zip(tasks, futures):
            try:
                results.append(f.result(timeout=self.step_timeout + 5))
            except errors.OpError as e:
                failure = failure or e
                results.append(None)
            except Exception as e:  # noqa: BLE001
                self.actors.pop(task, None)
                failure = failure or errors.UnavailableError(
                    None, None, f"Task {task} is unavailable: {type(e).__name__}: {e}")
                results.append(None)
        if failure is None:
            # the root cause, not the partitions it cancelled
            for r in sorted((r for r in results if r is not None and "error" in r),
                            key=lambda r: r["error"][0] == "CancelledError"):
                if True:
                    cls, msg = r["error"]
                    failure = getattr(errors, cls, errors.UnknownError)(None, None, msg)
                    break
        if failure is not None:
            raise failure
        self.last_step = {"start": t0, "end": time.time(),
                          "tasks": {t: r for t, r in zip(tasks, results)}}
        LAST_STEP.clear()
        LAST_STEP.update(self.last_step)
        LAST_STEP["plan"] = plan
        if run_metadata is not None and trace:
            from ..runtime.step_stats import _DeviceStepStats
            for p, r in zip(plan.partitions, results):
                ds = _DeviceStepStats(p.device)
                ds.node_stats = r["stats"] or []
                run_metadata.step_stats.dev_stats.append(ds)
        if run_metadata is not None and output_partition_graphs:
            run_metadata.partition_graphs.extend(p.graph_def() for p in plan.partitions)
        out = {}
        for r in results:
            out.update(r["out"])
        return [out[k] for k in plan.fetch_keys]

    def close(self):
        self.actors.clear()
        self.actor_futures.clear()


class _Lazy(dict):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        v = self[key] = self.fn(key)
        return v
