"""tf.train.Saver: save/restore, max_to_keep, the checkpoint state file, var_list forms,
atomic files, no pickle, TF's error classes for missing and damaged files."""
import os

import numpy as np
import pytest

from tfteach import errors


def _model(tf):
    x = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="x")
    y = tf.Variable(3, name="y")
    return x, y


def test_save_restore_roundtrip_and_files(tf1, tmp_path):
    x, y = _model(tf1)
    saver = tf1.train.Saver()
    prefix = str(tmp_path / "model.ckpt")
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        assert saver.save(s, prefix) == prefix
        s.run(tf1.assign(x, x * 10))
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt.data-00000-of-00001",
                                            "model.ckpt.index", "model.ckpt.meta"]
    assert tf1.train.latest_checkpoint(str(tmp_path)) == prefix
    with tf1.Session() as s:
        saver.restore(s, prefix)             # no initializer needed
        xv, yv = s.run([x, y])
    np.testing.assert_array_equal(xv, np.arange(6).reshape(2, 3))
    assert yv == 3 and xv.dtype == np.float32


def test_max_to_keep_and_state_file(tf1, tmp_path):
    x, _ = _model(tf1)
    saver = tf1.train.Saver(max_to_keep=2)
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        for step in range(4):
            saver.save(s, str(tmp_path / "m"), global_step=step)
    files = sorted(os.listdir(tmp_path))
    assert "m-0.index" not in files and "m-1.index" not in files
    assert "m-2.index" in files and "m-3.data-00000-of-00001" in files
    state = tf1.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "m-3")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "m-2"), str(tmp_path / "m-3")]
    assert saver.last_checkpoints == [str(tmp_path / "m-2"), str(tmp_path / "m-3")]
    text = (tmp_path / "checkpoint").read_text()
    assert text.startswith('model_checkpoint_path: "')


def test_var_list_dict_renames_and_list_subsets(tf1, tmp_path):
    x, y = _model(tf1)
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        p = tf1.train.Saver({"weights": x}).save(s, str(tmp_path / "a"))
        tf1.train.Saver([y]).save(s, str(tmp_path / "b"))
    assert tf1.train.list_variables(p) == [("weights", [2, 3])]
    np.testing.assert_array_equal(tf1.train.load_variable(p, "weights"),
                                  np.arange(6).reshape(2, 3))
    with tf1.Session() as s:
        with pytest.raises(errors.NotFoundError, match="Key x not found in checkpoint"):
            tf1.train.Saver([x]).restore(s, p)


def test_errors_name_the_file(tf1, tmp_path):
    x, _ = _model(tf1)
    saver = tf1.train.Saver()
    prefix = str(tmp_path / "m")
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        saver.save(s, prefix)
        data = prefix + ".data-00000-of-00001"
        raw = open(data, "rb").read()
        with open(data, "wb") as f:
            f.write(raw[:7])
        with pytest.raises(errors.DataLossError, match="data-00000-of-00001"):
            saver.restore(s, prefix)
        with open(data, "wb") as f:       # same size, flipped bytes: checksum
            f.write(bytes(b ^ 0xFF for b in raw))
        with pytest.raises(errors.DataLossError, match="m.data-00000-of-00001"):
            saver.restore(s, prefix)
        os.remove(data)
        with pytest.raises(errors.NotFoundError, match="data-00000-of-00001"):
            saver.restore(s, prefix)
        with open(prefix + ".index", "wb") as f:
            f.write(b"TFTEACH-CHECKPOINT-INDEX 1\n{\"tens")
        with pytest.raises(errors.DataLossError, match=r"m\.index"):
            saver.restore(s, prefix)
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            saver.restore(s, str(tmp_path / "nothing"))


def test_failed_restore_changes_nothing(tf1, tmp_path):
    x = tf1.Variable([1.0, 2.0], name="x")
    z = tf1.Variable([5.0], name="z")
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        p = tf1.train.Saver([x]).save(s, str(tmp_path / "only_x"))
        s.run(tf1.assign(x, [7.0, 7.0]))
        with pytest.raises(errors.NotFoundError):
            tf1.train.Saver([x, z]).restore(s, p)     # z missing: x must stay as it was
        np.testing.assert_array_equal(s.run(x), [7.0, 7.0])


def test_no_pickle_and_no_temp_files_left(tf1, tmp_path):
    _model(tf1)
    with tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        tf1.train.Saver().save(s, str(tmp_path / "m"))
    assert not [f for f in os.listdir(tmp_path) if ".tmp" in f]
    for name in os.listdir(tmp_path):
        blob = (tmp_path / name).read_bytes()
        assert not blob.startswith(b"\x80"), f"{name} looks like a pickle"
    # TF's format: a sorted table, whose footer ends with LevelDB's magic number
    assert (tmp_path / "m.index").read_bytes()[-8:] == bytes.fromhex("57fb808b247547db")


def test_no_variables(tf1):
    with pytest.raises(ValueError, match="No variables to save"):
        tf1.train.Saver()


def test_saver_adds_tfs_save_and_restore_ops(tf1):
    tf1.Variable(np.ones(2, np.float32), name="W")
    tf1.Variable(3, name="gs")
    tf1.train.Saver()
    ops = [(op.name, op.type) for op in tf1.get_default_graph().get_operations()
           if op.name.startswith("save/")]
    assert ops == [
        ("save/filename/input", "Const"), ("save/filename", "PlaceholderWithDefault"),
        ("save/Const", "PlaceholderWithDefault"), ("save/SaveV2/tensor_names", "Const"),
        ("save/SaveV2/shape_and_slices", "Const"), ("save/SaveV2", "SaveV2"),
        ("save/control_dependency", "Identity"), ("save/RestoreV2/tensor_names", "Const"),
        ("save/RestoreV2/shape_and_slices", "Const"), ("save/RestoreV2", "RestoreV2"),
        ("save/Assign", "Assign"), ("save/Assign_1", "Assign"), ("save/restore_all", "NoOp")]
