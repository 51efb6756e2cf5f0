"""The SessionRunHook protocol of tf.train.MonitoredSession: code that runs around every
`run` of a monitored session (adding fetches and feeds, looking at their values, asking the
loop to stop)."""
import collections

__all__ = ["SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues"]


class SessionRunHook:
    """Override what you need; every method does nothing by default.

    Order, per session: begin (the graph can still change), after_create_session (the
    session exists, variables are initialised or restored), then per run before_run ->
    the run -> after_run, and end (when the session closes without an error)."""

    def begin(self):
        pass

    def after_create_session(self, session, coord):  # noqa: ARG002 - protocol
        pass

    def before_run(self, run_context):  # noqa: ARG002 - protocol
        return None

    def after_run(self, run_context, run_values):  # noqa: ARG002 - protocol
        pass

    def end(self, session):  # noqa: ARG002 - protocol
        pass


class SessionRunArgs(collections.namedtuple("SessionRunArgs",
                                            ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: fetches (any structure), feeds, RunOptions."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """What a hook sees of a run: the caller's arguments, the session, and a way to stop."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self):
        return self._stop_requested

    def request_stop(self):
        """The loop stops after this run (should_stop() becomes True)."""
        self._stop_requested = True


SessionRunValues = collections.namedtuple("SessionRunValues",
                                          ["results", "options", "run_metadata"])
