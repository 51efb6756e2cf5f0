"""tf.train.MonitoredSession and friends: a Session that initialises or restores the model,
starts the graph's queue runners, calls SessionRunHooks around every run, and tells the
training loop when to stop.

    with tf.train.MonitoredTrainingSession(checkpoint_dir=d, hooks=[...]) as sess:
        while not sess.should_stop():
            sess.run(train_op)

Creating one: hooks' begin() -> Scaffold.finalize() (default init/ready/saver ops; the graph
is frozen from here) -> a session creator makes the session (the chief restores the latest
checkpoint of `checkpoint_dir` or runs init_op; a worker waits until the chief has
initialised the variables) -> local_init_op -> queue runners under a Coordinator ->
hooks' after_create_session(). Leaving the `with` block ends the hooks (unless an error is
escaping), stops the runners and closes the session; an OutOfRangeError (the input ran out)
ends the block quietly. MonitoredSession re-creates its session when a run fails with
AbortedError or UnavailableError (a parameter server restarted), as TF's.
"""
import logging as _logging
import time

from .. import errors
from ..framework import ops as _ops
from . import basic_session_run_hooks as _hooks
from .coordinator import Coordinator
from .queue_runner import start_queue_runners
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

# the logger tf.compat.v1.logging writes to
logging = _logging.getLogger("tfteach")

__all__ = ["Scaffold", "SessionCreator", "ChiefSessionCreator", "WorkerSessionCreator",
           "MonitoredSession", "SingularMonitoredSession", "MonitoredTrainingSession"]

USE_DEFAULT = object()


class Scaffold:
    """The ops a monitored session needs to initialise, check and save the model; each one
    not given is made by finalize() (TF's defaults, also found in the graph's collections)."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None,
                 saver=None, copy_from_scaffold=None, local_init_feed_dict=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            c = copy_from_scaffold
            init_op = init_op or c.init_op
            init_feed_dict = init_feed_dict or c.init_feed_dict
            init_fn = init_fn or c._user_init_fn
            ready_op = ready_op or c.ready_op
            ready_for_local_init_op = ready_for_local_init_op or c.ready_for_local_init_op
            local_init_op = local_init_op or c.local_init_op
            summary_op = summary_op or c.summary_op
            saver = saver or c.saver
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op, self._init_feed_dict = init_op, init_feed_dict
        self._ready_op, self._ready_for_local_init_op = ready_op, ready_for_local_init_op
        self._local_init_op, self._local_init_feed_dict = local_init_op, local_init_feed_dict
        self._summary_op, self._saver = summary_op, saver

    @staticmethod
    def _collected(key, make):
        g = _ops.get_default_graph()
        items = g.get_collection(key)
        if items:
            if len(items) > 1:
                raise RuntimeError(f"More than one item in the collection \"{key}\". Please "
                                   f"indicate which one to use by passing it to the tf.Scaffold "
                                   f"constructor as:  tf.Scaffold({key}=item to use)")
            return items[0]
        op = make()
        if op is not None:
            g.add_to_collection(key, op)
        return op

    def finalize(self):
        """Makes the missing ops, then freezes the graph."""
        from ..ops import control_flow_ops, variables
        if self._init_op is None:
            self._init_op = self._collected(
                _ops.GraphKeys.INIT_OP,
                lambda: control_flow_ops.group(variables.global_variables_initializer()))
        if self._ready_op is None:
            from ..ops import array_ops
            from ..ops.constant_op import constant
            from ..framework import dtypes

            def ready():
                # TF joins the uninitialised variables with the uninitialised resources;
                # tfteach's resources (queues, iterators) are made on first use, so none
                # is ever reported uninitialised
                no_resources = constant([], dtype=dtypes.string)
                return array_ops.concat([variables.report_uninitialized_variables(),
                                         no_resources], 0)
            self._ready_op = self._collected(_ops.GraphKeys.READY_OP, ready)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = self._collected(
                "ready_for_local_init_op",
                lambda: variables.report_uninitialized_variables(
                    variables.global_variables()))
        if self._local_init_op is None:
            self._local_init_op = self._collected(
                _ops.GraphKeys.LOCAL_INIT_OP,
                self.default_local_init_op)
        if self._summary_op is None:
            from ..summary import merge_all
            self._summary_op = self._collected("summary_op", lambda: merge_all())
        if self._saver is None:
            from .saver import Saver
            self._saver = self._collected(
                _ops.GraphKeys.SAVERS,
                lambda: Saver(sharded=True, allow_empty=True))
        _ops.get_default_graph().finalize()
        logging.info("Graph was finalized.")
        return self

    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    init_fn = property(lambda self: self._init_fn)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    local_init_feed_dict = property(lambda self: self._local_init_feed_dict)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    @staticmethod
    def default_local_init_op():
        """The local variables' initializer grouped with the table initializers (a NoOp
        named init_all_tables when there is none, as TF's tables_initializer)."""
        from ..ops import control_flow_ops, variables
        g = _ops.get_default_graph()
        tables = g.get_collection(_ops.GraphKeys.TABLE_INITIALIZERS)
        init_tables = control_flow_ops.group(*tables, name="init_all_tables") if tables \
            else control_flow_ops.no_op(name="init_all_tables")
        return control_flow_ops.group(variables.local_variables_initializer(), init_tables)


def _not_ready(sess, ready_op):
    """The names of the variables ready_op reports uninitialised ([] when ready)."""
    if ready_op is None:
        return []
    out = sess.run(ready_op)
    return [v.decode() if isinstance(v, bytes) else str(v) for v in list(out.ravel())] \
        if hasattr(out, "ravel") else []


class SessionCreator:
    def create_session(self):
        raise NotImplementedError("create_session is not implemented for "
                                  f"{type(self).__name__}.")


def _new_session(master, config):
    from ..client.session import Session
    return Session(master, graph=_ops.get_default_graph(), config=config)


class ChiefSessionCreator(SessionCreator):
    """Makes the chief's session: restores the latest checkpoint of `checkpoint_dir` (or
    `checkpoint_filename_with_path`), else runs the scaffold's init_op and init_fn."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        self._scaffold = scaffold or Scaffold()
        self._master, self._config = master, config
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path

    def create_session(self):
        self._scaffold.finalize()
        sc = self._scaffold
        sess = _new_session(self._master, self._config)
        path = self._checkpoint_filename_with_path
        if path is None and self._checkpoint_dir:
            from .saver import latest_checkpoint
            path = latest_checkpoint(self._checkpoint_dir)
        if path:
            sc.saver.restore(sess, path)
        else:
            if sc.init_op is not None:
                sess.run(sc.init_op, feed_dict=sc.init_feed_dict)
            if sc.init_fn is not None:
                sc.init_fn(sess)
        if sc.local_init_op is not None:
            sess.run(sc.local_init_op, feed_dict=sc.local_init_feed_dict)
        missing = _not_ready(sess, sc.ready_op)
        if missing:
            sess.close()
            raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                               f"{getattr(sc.init_op, 'name', None)}, init fn: "
                               f"{sc.init_fn}, error: Variables not initialized: "
                               f"{', '.join(missing)}")
        return sess


class WorkerSessionCreator(SessionCreator):
    """Makes a non-chief worker's session: waits (up to `max_wait_secs`) until the chief has
    initialised the shared variables, then runs local_init_op."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        self._scaffold = scaffold or Scaffold()
        self._master, self._config = master, config
        self._max_wait_secs = max_wait_secs

    def create_session(self):
        self._scaffold.finalize()
        sc = self._scaffold
        sess = _new_session(self._master, self._config)
        deadline = time.monotonic() + self._max_wait_secs
        wait = 0.01
        while True:
            missing = _not_ready(sess, sc.ready_for_local_init_op)
            if not missing:
                break
            if time.monotonic() >= deadline:
                sess.close()
                raise errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {self._max_wait_secs} "
                                f"secs.")
            logging.info("Waiting for model to be ready.  Ready_for_local_init_op:  "
                         "Variables not initialized: %s", ", ".join(missing))
            time.sleep(wait)
            wait = min(wait * 2, 1.0)
        if sc.local_init_op is not None:
            sess.run(sc.local_init_op, feed_dict=sc.local_init_feed_dict)
        return sess


def _merge_options(options, extra):
    from ..client.config import RunOptions
    if not extra:
        return options
    out = RunOptions()
    for o in ([options] if options is not None else []) + extra:
        out.trace_level = max(out.trace_level, o.trace_level)
        if o.timeout_in_ms:
            out.timeout_in_ms = max(out.timeout_in_ms, o.timeout_in_ms)
        out.output_partition_graphs = out.output_partition_graphs or \
            o.output_partition_graphs
    return out


class _MonitoredSession:
    """The shared machinery of MonitoredSession and SingularMonitoredSession."""

    _RECOVERABLE = (errors.AbortedError, errors.UnavailableError)

    def __init__(self, session_creator, hooks, should_recover, stop_grace_period_secs=120):
        self._graph = _ops.get_default_graph()
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._creator = session_creator or ChiefSessionCreator()
        self._should_recover = should_recover
        self._stop_grace_period_secs = stop_grace_period_secs
        self._stop_requested = False
        self._coord = None
        self._sess = None
        self._create()

    def _create(self):
        self._sess = self._creator.create_session()
        self._coord = Coordinator(clean_stop_exception_types=[])
        self._threads = start_queue_runners(self._sess, self._coord)
        for h in self._hooks:
            h.after_create_session(self._sess, self._coord)

    @property
    def graph(self):
        return self._graph

    def should_stop(self):
        return self._sess is None or self._stop_requested or self._coord.should_stop()

    def _hooked_run(self, fetches, feed_dict, options, run_metadata):
        if self._stop_requested:
            raise RuntimeError("Run called even after should_stop requested.")
        ctx = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._sess)
        hook_fetches, feeds, extra = {}, dict(feed_dict or {}), []
        for h in self._hooks:
            args = h.before_run(ctx)
            if args is None:
                continue
            if args.fetches is not None:
                hook_fetches[h] = args.fetches
            if args.feed_dict:
                clash = [k for k in args.feed_dict if k in feeds]
                if clash:
                    which = "user" if feed_dict and any(k in feed_dict for k in clash) \
                        else "another SessionRunHook"
                    raise RuntimeError(f"Same tensor is fed by a SessionRunHook and {which}."
                                       f" Conflict(s): {clash}")
                feeds.update(args.feed_dict)
            if args.options is not None:
                extra.append(args.options)
        run_options = _merge_options(options, extra)
        order = [h for h in self._hooks if h in hook_fetches]
        outs = self._sess.run({"caller": fetches, "hooks": [hook_fetches[h] for h in order]},
                              feed_dict=feeds or None, options=run_options,
                              run_metadata=run_metadata)
        results = dict(zip(order, outs["hooks"]))
        for h in self._hooks:
            h.after_run(ctx, SessionRunValues(results.get(h), run_options, run_metadata))
        if ctx.stop_requested:
            self._stop_requested = True
        return outs["caller"]

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        while True:
            if self._sess is None:
                self._create()
            try:
                return self._hooked_run(fetches, feed_dict, options, run_metadata)
            except self._RECOVERABLE as e:
                if not self._should_recover:
                    raise
                logging.info("An error was raised. This may be due to a preemption in a "
                             "connected worker or parameter server. The current session will "
                             "be closed and a new session will be created. This error may "
                             "also occur due to a gRPC failure caused by high memory or "
                             "network bandwidth usage in the parameter servers. If this error "
                             "occurs repeatedly, try increasing the number of parameter "
                             "servers assigned to the job. Error: %s", e)
                self._close_internal(errors.AbortedError)
            except Exception as e:
                if self._coord is not None:
                    self._coord.request_stop(e)
                raise

    def run_step_fn(self, step_fn):
        """Calls `step_fn(step_context)`; step_context.run_with_hooks runs with the hooks,
        step_context.session is the raw session, request_stop() ends the loop."""
        mon = self

        class _StepContext:
            session = property(lambda _self: mon._sess)

            def run_with_hooks(self, *args, **kwargs):
                return mon.run(*args, **kwargs)

            def request_stop(self):
                mon._stop_requested = True

        return step_fn(_StepContext())

    def _close_internal(self, exception_type=None):
        try:
            if exception_type is None and self._sess is not None:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            try:
                if self._coord is not None:
                    self._coord.request_stop()
                    try:
                        self._coord.join(self._threads,
                                         stop_grace_period_secs=self._stop_grace_period_secs,
                                         ignore_live_threads=True)
                    except Exception:  # noqa: BLE001 - already reported by the run
                        pass
            finally:
                if self._sess is not None:
                    self._sess.close()
                self._sess = None

    def close(self):
        self._close_internal()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type in (errors.OutOfRangeError, StopIteration):
            exc_type = None
        self._close_internal(exc_type)
        return exc_type is None


class MonitoredSession(_MonitoredSession):
    """A monitored session that recreates its session after AbortedError/UnavailableError."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        super().__init__(session_creator, hooks, should_recover=True,
                         stop_grace_period_secs=stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """A monitored chief session with no recovery, whose raw session is reachable."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None,
                 checkpoint_dir=None, stop_grace_period_secs=120,
                 checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(
            scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, should_recover=False,
                         stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self):
        return self._sess


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None,  # noqa: N802 - TF's name
                             hooks=None, chief_only_hooks=None,
                             save_checkpoint_secs=USE_DEFAULT, save_summaries_steps=USE_DEFAULT,
                             save_summaries_secs=USE_DEFAULT, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100,
                             max_wait_secs=7200, save_checkpoint_steps=USE_DEFAULT,
                             summary_dir=None, save_graph_def=True):
    """A MonitoredSession for training: the chief restores from/saves to `checkpoint_dir`
    (every 600 s by default, or every `save_checkpoint_steps`), counts steps and saves
    summaries (every 100 steps) under `summary_dir` (default: checkpoint_dir); other workers
    wait for the chief's initialisation and run only `hooks`."""
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    all_hooks = list(hooks or [])
    if not is_chief:
        creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                       max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=creator, hooks=all_hooks,
                                stop_grace_period_secs=stop_grace_period_secs)
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir,
                                  master=master, config=config)
    summary_dir = summary_dir or checkpoint_dir
    all_hooks.extend(chief_only_hooks or [])
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(_hooks.StepCounterHook(output_dir=summary_dir,
                                                    every_n_steps=log_step_count_steps))
        if (save_summaries_steps and save_summaries_steps > 0) or \
                (save_summaries_secs and save_summaries_secs > 0):
            all_hooks.append(_hooks.SummarySaverHook(
                scaffold=scaffold, save_steps=save_summaries_steps,
                save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir:
        if (save_checkpoint_secs and save_checkpoint_secs > 0) or \
                (save_checkpoint_steps and save_checkpoint_steps > 0):
            all_hooks.append(_hooks.CheckpointSaverHook(
                checkpoint_dir, save_steps=save_checkpoint_steps,
                save_secs=save_checkpoint_secs, scaffold=scaffold,
                save_graph_def=save_graph_def))
    return MonitoredSession(session_creator=creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)

