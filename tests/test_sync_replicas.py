"""tf.train.SyncReplicasOptimizer (train/sync_replicas_optimizer.py): two replicas (threads
sharing one session) aggregate their gradients through a ConditionalAccumulator and the
token queue that the chief's queue runner refills, and train the seed's linear regression
exactly as a local run does.

The oracle is the mathematics: a gradient is accepted only when its local step (the token
the replica last took) equals the accumulator's global step, i.e. it was computed at the
current theta; both replicas use the whole batch, so each update applies the mean of two
equal gradients, which is plain gradient descent's step. After k updates theta must equal
k steps of GradientDescentOptimizer.
"""
import threading

import numpy as np
import pytest

import tfteach.v1 as tf

pytestmark = pytest.mark.mode("v1")

STEPS = 20


def _data(n=4, m=64, seed=7):
    rng = np.random.RandomState(seed)
    feats = rng.randn(m, n).astype(np.float32)
    X = np.c_[np.ones((m, 1), np.float32), feats]
    true = rng.randn(n + 1, 1).astype(np.float32)
    y = (X @ true + 0.05 * rng.randn(m, 1)).astype(np.float32)
    return X, y


def _model(X, y):
    theta = tf.Variable(tf.random_uniform([X.shape[1], 1], -1.0, 1.0, seed=42), name="theta")
    mse = tf.reduce_mean(tf.square(tf.matmul(tf.constant(X), theta) - tf.constant(y)),
                         name="mse")
    return theta, mse


def _local_run(X, y, steps):
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        theta, mse = _model(X, y)
        train = tf.train.GradientDescentOptimizer(0.1).minimize(mse)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            return sess.run([mse, theta])


def test_graph_of_the_sync_optimizer():
    g = tf.Graph()
    with g.as_default():
        X, y = _data()
        theta, mse = _model(X, y)
        gs = tf.train.get_or_create_global_step()
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                             replicas_to_aggregate=2, total_num_replicas=3)
        with pytest.raises(ValueError, match="Global step is required"):
            opt.apply_gradients(opt.compute_gradients(mse))
        train = opt.minimize(mse, global_step=gs)
        types = {op.type for op in g.get_operations()}
        assert {"ResourceConditionalAccumulator", "ResourceAccumulatorApplyGradient",
                "ResourceAccumulatorTakeGradient", "ResourceAccumulatorSetGlobalStep",
                "FIFOQueueV2", "QueueDequeueV2", "QueueEnqueueManyV2"} <= types
        q = g.get_operation_by_name("sync_token_q")
        assert q.get_attr("shared_name") in ("sync_token_q", b"sync_token_q")
        acc = [op for op in g.get_operations() if op.type == "ResourceConditionalAccumulator"]
        assert [a.get_attr("shared_name") for a in acc] == [theta.name + "/grad_accum"]
        assert train.op.type == "Assign"                 # the token into the local step
        assert [v.op.name for v in tf.local_variables()] == ["sync_rep_local_step"]
        # one token per replica each step: max(total_num_replicas, replicas_to_aggregate)
        assert opt._tokens_per_step == 3


def test_two_synchronous_replicas_train_as_the_local_run():
    X, y = _data()
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        theta, mse = _model(X, y)
        gs = tf.train.get_or_create_global_step()
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                             replicas_to_aggregate=2, total_num_replicas=2)
        train = opt.minimize(mse, global_step=gs)
        hook = opt.make_session_run_hook(is_chief=True)
        # the chief's queue runner may be waiting in take_grad when training ends: a short
        # grace period, then closing the session ends that wait
        mon = tf.train.SingularMonitoredSession(hooks=[hook], stop_grace_period_secs=1)
        raw = mon.raw_session()
        opts = tf.RunOptions(timeout_in_ms=10000)
        errors = []

        def replica():
            try:
                while raw.run(gs) < STEPS:
                    raw.run(train, options=opts)
            except (tf.errors.OutOfRangeError, tf.errors.CancelledError):
                pass        # the chief closed the token queue: training is over
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=replica, daemon=True) for _ in range(2)]
        for t in threads:
            t.start()
        for _ in range(500):
            if raw.run(gs) >= STEPS:
                break
            threading.Event().wait(0.02)
        steps = int(raw.run(gs))
        got_mse, got_theta = raw.run([mse, theta])
        mon.close()                   # stops the chief's queue runner, closes the queue
        for t in threads:
            t.join(10)
        assert not errors, errors
        assert not any(t.is_alive() for t in threads)
    assert steps >= STEPS
    local_mse, local_theta = _local_run(X, y, steps)
    np.testing.assert_allclose(got_theta, local_theta, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got_mse, local_mse, rtol=1e-6)


def test_two_workers_on_a_cluster_train_as_the_local_run():
    """Two workers (their own client graphs and MonitoredTrainingSessions) on tfteach's
    in-process cluster: the accumulator and the token queue live on the PS, the chief's
    hook starts the queue runner, and the PS's theta follows the local run."""
    X, y = _data()
    spec = tf.train.ClusterSpec({"ps": ["localhost:3441"],
                                 "worker": ["localhost:3442", "localhost:3443"]})
    servers = {(j, i): tf.distribute.Server(spec, job_name=j, task_index=i)
               for j, i in [("ps", 0), ("worker", 0), ("worker", 1)]}

    def build(task):
        g = tf.Graph()
        with g.as_default(), tf.device(tf.train.replica_device_setter(
                cluster=spec, worker_device=f"/job:worker/task:{task}")):
            tf.set_random_seed(1)
            theta, mse = _model(X, y)
            gs = tf.train.get_or_create_global_step()
            opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                                 replicas_to_aggregate=2,
                                                 total_num_replicas=2)
            train = opt.minimize(mse, global_step=gs)
        return g, theta, mse, gs, opt, train

    # the client graphs are built here (the optimizer's gradient registry loads lazily);
    # the worker threads only run them
    graphs = {task: build(task) for task in (0, 1)}
    failures, runs = [], {}

    def worker(task):
        g, theta, mse, gs, opt, train = graphs[task]
        try:
            with g.as_default(), tf.train.MonitoredTrainingSession(
                    master=servers[("worker", task)].target, is_chief=task == 0,
                    hooks=[opt.make_session_run_hook(task == 0),
                           tf.train.StopAtStepHook(last_step=STEPS)],
                    max_wait_secs=30, log_step_count_steps=None, stop_grace_period_secs=2,
                    config=tf.ConfigProto(operation_timeout_in_ms=5000)) as sess:
                n = 0
                while not sess.should_stop():
                    sess.run(train)
                    n += 1
                runs[task] = n
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append((task, e))

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures
    g, theta, mse, gs, _, _ = graphs[0]
    with tf.Session(servers[("worker", 0)].target, graph=g) as sess:
        steps, got_mse, got_theta = sess.run([gs, mse, theta])
    assert steps >= STEPS
    local_mse, local_theta = _local_run(X, y, int(steps))
    np.testing.assert_allclose(got_theta, local_theta, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got_mse, local_mse, rtol=1e-6)
