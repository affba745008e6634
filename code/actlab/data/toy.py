"""Seeded toy data sets in two dimensions.

Every generator takes ``seed`` and returns ``(X, y)``: ``X`` of shape ``(n, 2)`` in
float64 and ``y`` of shape ``(n,)`` with integer class labels. Nothing is downloaded;
the same seed gives the same points on every machine.
"""

from __future__ import annotations

import numpy as np

__all__ = ["logic_gate", "linearly_separable", "xor", "spirals", "moons"]

_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
}


def _check_count(n: int, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four corners of the unit square labelled by a two-input Boolean gate.

    ``name`` is one of ``and``, ``or``, ``nand``, ``nor``, ``xor``. Inputs are the
    rows of ``[[0, 0], [0, 1], [1, 0], [1, 1]]`` in that order.
    """
    key = str(name).lower()
    if key not in _GATES:
        raise ValueError(f"unknown gate {name!r}; known gates: {', '.join(_GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(_GATES[key], dtype=np.int64)


def linearly_separable(
    n: int = 100, *, margin: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Points in the square [-1, 1]² on either side of a random line ``w·x + b = 0``.

    The line has a random direction and passes within 0.5 of the origin. Points closer
    to it than ``margin`` are dropped and redrawn, so the unit normal ``w_true`` with
    offset ``b_true`` separates the classes with at least that margin.

    Returns ``(X, y, w_true, b_true)`` with ``y[i] = 1`` where ``X[i] @ w_true + b_true > 0``.
    """
    n = _check_count(n)
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin must be in [0, 0.5), got {margin!r}")
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    w_true = np.array([np.cos(angle), np.sin(angle)])
    b_true = float(rng.uniform(-0.5, 0.5))
    points = []
    while sum(len(p) for p in points) < n:
        candidates = rng.uniform(-1, 1, size=(2 * n, 2))
        points.append(candidates[np.abs(candidates @ w_true + b_true) > margin])
    X = np.concatenate(points)[:n]
    y = (X @ w_true + b_true > 0).astype(np.int64)
    return X, y, w_true, b_true


def xor(n: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy copies of the four XOR corners, centred on (±1, ±1).

    The label is 1 where the two coordinates' centres have opposite signs.
    """
    n = _check_count(n)
    rng = np.random.default_rng(seed)
    centres = rng.choice([-1.0, 1.0], size=(n, 2))
    X = centres + noise * rng.standard_normal((n, 2))
    y = (centres[:, 0] != centres[:, 1]).astype(np.int64)
    return X, y


def spirals(
    n: int = 200, *, classes: int = 2, turns: float = 1.5, noise: float = 0.05, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved Archimedean spirals with ``n`` points in all."""
    n = _check_count(n)
    classes = _check_count(classes, "classes")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    radius = rng.uniform(0.05, 1.0, size=n)
    angle = 2 * np.pi * (turns * radius + y / classes)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return X, y.astype(np.int64)


def moons(n: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as in scikit-learn's ``make_moons``."""
    n = _check_count(n)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    return X, y.astype(np.int64)
