"""The data sets that ship with the dependencies load offline, with the documented shapes."""
import numpy as np
import pytest

from tfteach import datasets

pytestmark = pytest.mark.mode("none")


def test_mnist_subset_shapes_shuffle_and_balance():
    (xtr, ytr), (xte, yte) = datasets.mnist_subset()
    assert xtr.shape == (4000, 28, 28) and xte.shape == (1000, 28, 28)
    assert xtr.dtype == np.uint8 and ytr.dtype == np.uint8
    assert xtr.max() == 255 and xtr.min() == 0
    # the file is sorted by label: after the fixed shuffle every class is in both parts
    assert np.bincount(ytr, minlength=10).min() > 300
    assert np.bincount(yte, minlength=10).min() > 60
    assert not np.all(np.diff(ytr.astype(int)) >= 0)
    (xtr2, ytr2), _ = datasets.mnist_subset()
    np.testing.assert_array_equal(ytr, ytr2)


def test_full_mnist_needs_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("TFTEACH_DATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="mnist_subset"):
        datasets.mnist()
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8),
             y_train=np.zeros(2, np.uint8), x_test=np.zeros((1, 28, 28), np.uint8),
             y_test=np.zeros(1, np.uint8))
    (xtr, _), (xte, _) = datasets.mnist()
    assert xtr.shape == (2, 28, 28) and xte.shape == (1, 28, 28)


def test_digits_and_text():
    images, labels = datasets.digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    corpus = datasets.text("pydoc")
    assert len(corpus) > 400_000 and "lambda" in corpus
    assert len(datasets.text("pydoc", max_chars=1000)) == 1000
    with pytest.raises(ValueError, match="unknown text source"):
        datasets.text("nietzsche")
