"""Seeded toy data: deterministic, correctly labelled, and loud about bad arguments."""

import numpy as np
import pytest

from actlab.data import linearly_separable, logic_gate, moons, spirals, xor


@pytest.mark.parametrize("make", [xor, spirals, moons])
def test_same_seed_same_points_other_seed_other_points(make):
    X1, y1 = make(64, seed=7)
    X2, y2 = make(64, seed=7)
    X3, _ = make(64, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (64, 2) and y1.shape == (64,)


def test_separable_points_respect_the_margin():
    X, y, w, b = linearly_separable(300, margin=0.1, seed=0)
    distances = (2 * y - 1) * (X @ w + b)
    assert distances.min() > 0.1
    assert 0 < y.mean() < 1


def test_xor_labels_follow_the_quadrant():
    X, y = xor(500, noise=0.01, seed=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_spirals_balance_the_classes():
    _, y = spirals(300, classes=3, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]


def test_gates():
    assert logic_gate("AND")[1].tolist() == [0, 0, 0, 1]
    assert logic_gate("xor")[1].tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="known gates"):
        logic_gate("xnorr")


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_counts(bad):
    with pytest.raises(ValueError, match="positive integer"):
        moons(bad)
