"""Distributed TF1 on Dask (issue 17): cluster start and per-step overhead over a local
Session, and where a step's time goes.

A PS/worker linear-regression step (replica_device_setter: theta on /job:ps/task:0, the
model and its gradient on /job:worker/task:0, GradientDescent applied on the PS) runs
`--steps` times in a local tfteach Session, in the embedded cluster (Dask in-process
workers, threads), and with `--processes` in a cluster of `dask scheduler` + `dask worker`
processes on localhost. Prints one JSON line of medians (ms). The machine is shared: run it
on an idle one, and compare figures from one run only.

    python3 bench/distributed.py [--steps 200] [--processes]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# this file's own name would shadow Dask's `distributed` package: drop bench/ from the path
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.getcwd()) != _HERE]
sys.path.insert(0, ROOT)


def model(tf, setter):
    with tf.device(setter):
        X = tf.placeholder(tf.float32, [None, 5], name="X")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
        theta = tf.Variable(tf.random_uniform([5, 1], -1.0, 1.0, seed=42), name="bench_theta")
        mse = tf.reduce_mean(tf.square(tf.matmul(X, theta) - y), name="mse")
        train = tf.train.GradientDescentOptimizer(0.01).minimize(mse)
    return X, y, mse, train, tf.global_variables_initializer()


def steps_ms(tf, target, setter, steps, data):
    g = tf.Graph()
    with g.as_default():
        X, y, mse, train, init = model(tf, setter)
    with tf.Session(target, graph=g) as sess:
        sess.run(init)
        feed = {X: data[0], y: data[1]}
        for _ in range(20):
            sess.run([train, mse], feed)
        times, parts = [], []
        for _ in range(steps):
            t0 = time.perf_counter()
            sess.run([train, mse], feed)
            times.append((time.perf_counter() - t0) * 1e3)
            if sess._cluster is not None:
                last = sess._cluster.last_step
                parts.append(max((r["end"] - r["start"]) * 1e3
                                 for r in last["tasks"].values()))
        out = {"median_ms": round(statistics.median(times), 3)}
        if parts:
            out["longest_partition_ms"] = round(statistics.median(parts), 3)
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--processes", action="store_true")
    args = ap.parse_args()
    rng = np.random.RandomState(0)
    Xd = np.c_[np.ones((100, 1)), rng.randn(100, 4)].astype(np.float32)
    data = (Xd, (Xd @ rng.randn(5, 1)).astype(np.float32))

    t0 = time.perf_counter()
    import tfteach.v1 as tf
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    import distributed  # noqa: F401 - measured apart from the cluster start
    dask_import_s = time.perf_counter() - t0
    spec = tf.train.ClusterSpec({"ps": ["localhost:5001"], "worker": ["localhost:5002"]})
    t0 = time.perf_counter()
    servers = [tf.distribute.Server(spec, job_name="ps", task_index=0),
               tf.distribute.Server(spec, job_name="worker", task_index=0)]
    start_s = time.perf_counter() - t0
    setter = tf.train.replica_device_setter(cluster=spec, worker_device="/job:worker/task:0")
    res = {"tfteach_import_s": round(import_s, 3), "dask_import_s": round(dask_import_s, 3),
           "cluster_start_s": round(start_s, 3)}
    res["local"] = steps_ms(tf, "", None, args.steps, data)
    res["threads"] = steps_ms(tf, servers[1].target, setter, args.steps, data)
    res["threads_overhead_ms"] = round(res["threads"]["median_ms"] - res["local"]["median_ms"],
                                       3)
    res["dask_costs"] = dask_costs(tf, servers[1].target)
    if args.processes:
        res["processes"] = processes(tf, args.steps, data)
        res["processes_overhead_ms"] = round(
            res["processes"]["median_ms"] - res["local"]["median_ms"], 3)
    print(json.dumps(res))


def _noop():
    return None


def dask_costs(tf, target, n=100):
    """What a step would pay per op if it went through Dask's scheduler (`submit` of a task
    to a named worker), beside what it pays per task (one actor call)."""
    with tf.Session(target, graph=tf.Graph()) as sess:
        c = sess._cluster
        client = c.handle.client
        actor = c._actor("/job:worker/task:0")
        sub, act = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            client.submit(_noop, pure=False, workers=["/job:worker/task:0"]).result()
            sub.append((time.perf_counter() - t0) * 1e3)
            t0 = time.perf_counter()
            actor.incarnation().result()
            act.append((time.perf_counter() - t0) * 1e3)
    return {"submit_ms": round(statistics.median(sub), 3),
            "actor_call_ms": round(statistics.median(act), 3)}


def processes(tf, steps, data):
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    env = dict(os.environ, PYTHONPATH=ROOT)
    procs = []
    with tempfile.TemporaryDirectory() as d:
        sf = os.path.join(d, "s.json")
        try:
            procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                           "0", "--dashboard-address", ":0",
                                           "--scheduler-file", sf], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            while not os.path.exists(sf):
                time.sleep(0.1)
            time.sleep(0.2)
            addr = json.load(open(sf))["address"]
            for name in ("/job:ps/task:0", "/job:worker/task:0"):
                procs.append(subprocess.Popen(
                    [dask, "worker", addr, "--name", name, "--nthreads", "1", "--no-nanny",
                     "--host", "127.0.0.1", "--dashboard-address", ":0"], env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            target = "dask://" + addr.split("://", 1)[1]
            spec = tf.train.ClusterSpec({"ps": ["x:1"], "worker": ["y:1"]})
            setter = tf.train.replica_device_setter(cluster=spec,
                                                    worker_device="/job:worker/task:0")
            deadline = time.time() + 60
            while True:
                try:
                    with tf.Session(target, graph=tf.Graph()) as s:
                        if len(s.list_devices()) == 2:
                            break
                except Exception:  # noqa: BLE001 - workers still starting
                    pass
                if time.time() > deadline:
                    raise RuntimeError("dask workers did not start")
                time.sleep(0.2)
            out = steps_ms(tf, target, setter, steps, data)
            from tfteach.distribute import backend
            backend.disconnect(target)
            return out
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=10)


if __name__ == "__main__":
    main()
