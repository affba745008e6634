"""MNIST-1D: generated here, the paper's split, cached, and no side effects on the caller."""

import random
import socket

import numpy as np
import pytest

from actlab.data.mnist_1d import _generate, load_mnist1d


def test_the_papers_split_and_shapes():
    X, y, X_test, y_test = load_mnist1d()
    assert X.shape == (4000, 40) and X_test.shape == (1000, 40)
    assert y.shape == (4000,) and y_test.shape == (1000,)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert np.bincount(y).min() > 350  # about 400 per class
    assert np.isfinite(X).all()


def test_generated_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("MNIST-1D tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    import mnist1d.data

    monkeypatch.setattr(mnist1d.data, "get_dataset", refuse)
    X, *_ = _generate.__wrapped__(7, 200, False)  # uncached: really generate
    assert X.shape == (160, 40)


def test_callers_random_state_is_left_alone():
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    _generate.__wrapped__(3, 100, False)
    assert (np.random.random(), random.random()) == expected


def test_cached_but_every_call_returns_fresh_arrays():
    first = load_mnist1d()
    first.X_train[:] = 0
    second = load_mnist1d()
    assert np.abs(second.X_train).sum() > 0
    assert _generate.cache_info().hits >= 1


def test_seed_changes_the_data_and_shuffle_seq_permutes_positions():
    a = load_mnist1d(num_samples=200, seed=1)
    b = load_mnist1d(num_samples=200, seed=2)
    assert not np.array_equal(a.X_train, b.X_train)
    shuffled = load_mnist1d(num_samples=200, seed=1, shuffle_seq=True)
    np.testing.assert_array_equal(shuffled.y_train, a.y_train)
    assert not np.array_equal(shuffled.X_train, a.X_train)
    np.testing.assert_allclose(np.sort(shuffled.X_train, axis=1), np.sort(a.X_train, axis=1), rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_samples"):
        load_mnist1d(num_samples=3)
