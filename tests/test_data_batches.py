"""Batches, hold-out splits and standardization."""

import numpy as np
import pytest

from actlab.data.batches import batches
from actlab.data.preprocess import Standardizer, standardize
from actlab.data.splits import train_val_split


def test_every_row_once_in_order_without_a_generator():
    X, y = np.arange(10)[:, None], np.arange(10)
    got = list(batches(X, y, 4))
    assert [len(b[0]) for b in got] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in got]), y)
    assert [len(b) for b in batches(X, None, 4, drop_last=True)] == [4, 4]


def test_shuffled_with_a_generator_new_order_each_epoch_same_for_a_seed():
    X, y = np.arange(50)[:, None], np.arange(50)
    rng = np.random.default_rng(0)
    epoch1 = np.concatenate([b for _, b in batches(X, y, 8, rng=rng)])
    epoch2 = np.concatenate([b for _, b in batches(X, y, 8, rng=rng)])
    assert sorted(epoch1) == list(range(50)) and not np.array_equal(epoch1, epoch2)
    again = np.concatenate([b for _, b in batches(X, y, 8, rng=np.random.default_rng(0))])
    np.testing.assert_array_equal(epoch1, again)
    for xb, yb in batches(X, y, 8, rng=1):
        np.testing.assert_array_equal(xb[:, 0], yb)  # rows stay paired


def test_batches_reject_bad_input():
    with pytest.raises(ValueError, match="same number of rows"):
        list(batches(np.zeros((5, 2)), np.zeros(4)))
    with pytest.raises(ValueError, match="batch_size"):
        list(batches(np.zeros((5, 2)), batch_size=0))


def test_standardize_uses_training_statistics_and_survives_constant_features():
    rng = np.random.default_rng(0)
    train = rng.normal(3, 2, size=(500, 3)).astype(np.float32)
    train[:, 2] = 5.0
    test = rng.normal(3, 2, size=(100, 3)).astype(np.float32)
    train_s, test_s = standardize(train, test)
    np.testing.assert_allclose(train_s[:, :2].mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(train_s[:, :2].std(0), 1, atol=1e-5)
    assert (train_s[:, 2] == 0).all() and train_s.dtype == np.float32
    scaler = Standardizer().fit(train)
    np.testing.assert_allclose(test_s, (test - scaler.mean) / scaler.std, rtol=1e-6)
    with pytest.raises(ValueError, match="NaN"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(RuntimeError, match="fit"):
        Standardizer().transform(train)


def test_train_val_split_partitions_the_rows():
    X, y = np.arange(100)[:, None], np.arange(100)
    split = train_val_split(X, y, val_fraction=0.25, seed=3)
    assert len(split.X_test) == 25 and len(split.X_train) == 75
    assert sorted(np.concatenate([split.y_train, split.y_test])) == list(range(100))
    np.testing.assert_array_equal(split.X_train[:, 0], split.y_train)
