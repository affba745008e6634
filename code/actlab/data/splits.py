"""Train/test splits as one named tuple, and a seeded hold-out split."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Split", "train_val_split"]


class Split(NamedTuple):
    """A data set divided for training and testing; unpacks as ``X_train, y_train, X_test, y_test``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def train_val_split(X: np.ndarray, y: np.ndarray, *, val_fraction: float = 0.2, seed: int = 0) -> Split:
    """Hold out a random ``val_fraction`` of the rows for validation (returned in the test slots).

    Choose hyper-parameters on this split, and touch the real test set once, at the end.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same number of rows, got {n} and {len(y)}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    n_val = max(1, round(n * val_fraction))
    if n_val >= n:
        raise ValueError(f"cannot hold out {n_val} of {n} rows and keep any for training")
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return Split(X[train], y[train], X[val], y[val])
