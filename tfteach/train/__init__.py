"""`tf.train` (TF1): optimizers, the global step, learning-rate schedules and Saver."""
# ruff: noqa: F401
from .optimizer import Optimizer
from .gradient_descent import GradientDescentOptimizer
from .momentum import MomentumOptimizer
from .adam import AdamOptimizer
from .adagrad import AdagradOptimizer
from .rmsprop import RMSPropOptimizer
from .adadelta import AdadeltaOptimizer
from .training_util import (assert_global_step, create_global_step, get_global_step,
                            get_or_create_global_step, global_step)
from .learning_rate_decay import (exponential_decay, inverse_time_decay, natural_exp_decay,
                                  piecewise_constant, piecewise_constant_decay)
from .saver import (Saver, checkpoint_exists, get_checkpoint_state, init_from_checkpoint,
                    latest_checkpoint)
from .checkpoint import (Checkpoint, CheckpointManager, list_variables, load_checkpoint,
                         load_variable)
from .meta_graph import export_meta_graph, import_meta_graph  # noqa: E402
from ..framework.graph_io import write_graph  # noqa: E402
from .coordinator import Coordinator  # noqa: E402
from .queue_runner import QueueRunner, add_queue_runner, start_queue_runners  # noqa: E402
from .input import (batch, input_producer, limit_epochs, shuffle_batch,  # noqa: E402
                    string_input_producer)
from .session_run_hook import (SessionRunArgs, SessionRunContext,  # noqa: E402
                               SessionRunHook, SessionRunValues)
from .basic_session_run_hooks import (CheckpointSaverHook,  # noqa: E402
                                      CheckpointSaverListener, FeedFnHook, FinalOpsHook,
                                      LoggingTensorHook, NanLossDuringTrainingError,
                                      NanTensorHook, SecondOrStepTimer, StepCounterHook,
                                      StopAtStepHook, SummarySaverHook)
from .monitored_session import (ChiefSessionCreator, MonitoredSession,  # noqa: E402
                                MonitoredTrainingSession, Scaffold, SessionCreator,
                                SingularMonitoredSession, WorkerSessionCreator)
from .sync_replicas_optimizer import SyncReplicasOptimizer  # noqa: E402
from ..distribute.cluster import (ClusterDef, ClusterSpec, Server, ServerDef,  # noqa: E402
                                  replica_device_setter)

_EXAMPLE = frozenset(("BytesList", "FloatList", "Int64List", "Feature", "Features",
                      "FeatureList", "FeatureLists", "Example", "SequenceExample"))


def __getattr__(name):
    # tf.train.Example and its family are protobuf messages, declared on first use
    if name in _EXAMPLE:
        from . import example_pb
        value = getattr(example_pb.messages(), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


import sys as _sys  # noqa: E402

from ..framework.api_names import install as _install  # noqa: E402

_install(_sys.modules[__name__], "tf.compat.v1.train", "tf.train")
