"""tf.train.Checkpoint / CheckpointManager: file layout, restore matching, atomicity."""
import os

import numpy as np
import pytest

from tfteach import errors
from tfteach.train import checkpoint as ckpt


@pytest.fixture
def objs(tf2):
    from tfteach.eager.variables import ResourceVariable
    from tfteach.module import Module

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.w = ResourceVariable(np.arange(6, dtype=np.float32).reshape(2, 3))
            self.blocks = [ResourceVariable(np.zeros(2, np.float32))]

    return Net, ResourceVariable


def test_save_layout_and_latest(objs, tmp_path):
    Net, V = objs
    net = Net()
    ck = ckpt.Checkpoint(model=net, step=V(np.int64(7)))
    prefix = str(tmp_path / "save" / "model.ckpt")
    p1, p2 = ck.save(prefix), ck.save(prefix)
    assert (os.path.basename(p1), os.path.basename(p2)) == ("model.ckpt-1", "model.ckpt-2")
    assert sorted(os.listdir(tmp_path / "save")) == [
        "checkpoint", "model.ckpt-1.data-00000-of-00001", "model.ckpt-1.index",
        "model.ckpt-2.data-00000-of-00001", "model.ckpt-2.index"]
    state = (tmp_path / "save" / "checkpoint").read_text()
    assert state.splitlines()[0] == 'model_checkpoint_path: "model.ckpt-2"'
    assert ckpt.latest_checkpoint(str(tmp_path / "save")) == p2
    assert ckpt.latest_checkpoint(str(tmp_path / "nowhere")) is None
    assert dict(ckpt.list_variables(p2)) == {      # TF lists its object graph too
        "_CHECKPOINTABLE_OBJECT_GRAPH": [],
        "model/blocks/0/.ATTRIBUTES/VARIABLE_VALUE": [2],
        "model/w/.ATTRIBUTES/VARIABLE_VALUE": [2, 3],
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE": [],
        "step/.ATTRIBUTES/VARIABLE_VALUE": []}
    assert int(ck.save_counter.numpy()) == 2
    for name in os.listdir(tmp_path / "save"):
        with open(tmp_path / "save" / name, "rb") as f:
            assert b"pickle" not in f.read()


def test_restore_matches_and_reports(objs, tmp_path):
    Net, V = objs
    net = Net()
    path = ckpt.Checkpoint(model=net, step=V(np.int64(7))).save(str(tmp_path / "m"))
    other = Net()
    other.w.assign(np.zeros((2, 3), np.float32))
    step = V(np.int64(0))
    status = ckpt.Checkpoint(model=other, step=step).restore(path)
    assert type(status).__name__ == "CheckpointLoadStatus"
    status.assert_consumed()
    np.testing.assert_array_equal(other.w.numpy(), net.w.numpy())
    assert int(step.numpy()) == 7
    # an object missing from the restoring side leaves a value unconsumed
    partial = ckpt.Checkpoint(model=Net()).restore(path)
    with pytest.raises(AssertionError, match="step"):
        partial.assert_consumed()
    partial.assert_existing_objects_matched()
    with pytest.raises(AssertionError):
        ckpt.Checkpoint(model=Net()).restore(None).assert_consumed()


def test_restore_errors(objs, tmp_path):
    Net, _ = objs
    ck = ckpt.Checkpoint(model=Net())
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
        ck.restore(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="trackable"):
        ckpt.Checkpoint(model=1)


def test_torn_write_is_detected(objs, tmp_path):
    Net, _ = objs
    ck = ckpt.Checkpoint(model=Net())
    prefix = ck.write(str(tmp_path / "w"))
    assert prefix == str(tmp_path / "w")
    assert not (tmp_path / "checkpoint").exists()     # write() keeps no state file
    data = (tmp_path / "w.data-00000-of-00001").read_bytes()
    (tmp_path / "w.data-00000-of-00001").write_bytes(b"x" * len(data))
    with pytest.raises(errors.DataLossError):
        ck.read(prefix)
    assert not [n for n in os.listdir(tmp_path) if ".tmp" in n]


def test_manager_keeps_newest(objs, tmp_path):
    Net, _ = objs
    ck = ckpt.Checkpoint(model=Net())
    mgr = ckpt.CheckpointManager(ck, str(tmp_path / "m"), max_to_keep=2)
    assert mgr.latest_checkpoint is None
    paths = [mgr.save() for _ in range(4)]
    assert [os.path.basename(p) for p in paths] == ["ckpt-1", "ckpt-2", "ckpt-3", "ckpt-4"]
    assert sorted(os.listdir(tmp_path / "m")) == [
        "checkpoint", "ckpt-3.data-00000-of-00001", "ckpt-3.index",
        "ckpt-4.data-00000-of-00001", "ckpt-4.index"]
    assert mgr.latest_checkpoint == paths[-1]
    again = ckpt.CheckpointManager(ck, str(tmp_path / "m"), max_to_keep=2)
    assert again.checkpoints == paths[2:]
    assert again.restore_or_initialize() == paths[-1]
