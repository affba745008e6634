"""Mini-batches: a data set cut into consecutive slices, shuffled when given a generator."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["batches"]


def batches(X: np.ndarray, y: np.ndarray | None = None, batch_size: int = 128, *,
            rng: np.random.Generator | int | None = None, drop_last: bool = False) -> Iterator:
    """Yield ``(X_batch, y_batch)`` (or ``X_batch`` alone when ``y`` is None).

    With ``rng`` (a generator or a seed) the rows are visited in a random order, a new
    one each time the same generator is used again; without it, in order. Every row
    appears exactly once; the last batch is smaller unless ``drop_last``.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n = len(X)
    if y is not None and len(y) != n:
        raise ValueError(f"X and y must have the same number of rows, got {n} and {len(y)}")
    order = np.arange(n) if rng is None else np.random.default_rng(rng).permutation(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        rows = order[start : start + batch_size]
        yield X[rows] if y is None else (X[rows], y[rows])
