"""Checks on data at the door, so that a mistake fails where it was made, with its reason."""

from __future__ import annotations

import numpy as np

__all__ = ["check_inputs", "check_pair"]


def check_inputs(X, dtype=np.float32, *, name: str = "X") -> np.ndarray:
    """``X`` as an array of ``dtype`` with a batch axis; raises on non-numbers, NaN and ±inf."""
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim < 2:
        raise ValueError(f"{name} must have a batch axis and at least one feature axis, got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty")
    array = array.astype(dtype, copy=False)
    finite = np.isfinite(array)
    if not finite.all():
        row = int(np.argwhere(~finite)[0][0])
        raise ValueError(f"{name} contains NaN or infinite values (first in row {row}): clean the data before training")
    return array


def check_pair(X, y, dtype=np.float32, *, names: tuple[str, str] = ("X", "y")) -> tuple[np.ndarray, np.ndarray]:
    """``X`` checked as by :func:`check_inputs`, and targets ``y`` with one row per row of ``X``."""
    X = check_inputs(X, dtype, name=names[0])
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{names[1]} must hold numbers (class indices or targets), got dtype {y.dtype}")
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"{names[1]} must have one row per row of {names[0]}: {names[0]} has {len(X)} rows, "
                         f"{names[1]} has shape {y.shape}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{names[1]} contains NaN or infinite values")
    return X, y
