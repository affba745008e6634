"""Standardization: each feature shifted and scaled to mean 0 and variance 1.

The statistics come from the training set only and are then applied, unchanged, to
validation and test data — computing them on the test set would leak it into training.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Standardizer", "standardize"]


class Standardizer:
    """``x ↦ (x − μ) / σ`` per feature (every axis but the first is a feature axis).

    Features that are constant in the training data (σ = 0, e.g. the blank border pixels
    of the digits) are only shifted: dividing by σ would turn them into NaN.
    """

    def __init__(self):
        self.mean = self.std = None

    def fit(self, X: np.ndarray) -> Standardizer:
        X = np.asarray(X)
        if X.ndim < 2 or len(X) < 2:
            raise ValueError(f"fit needs at least 2 rows of (rows, features...), got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("cannot standardize data that contains NaN or infinite values")
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1).astype(std.dtype)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError("Standardizer: call fit() on the training data first")
        X = np.asarray(X)
        if X.shape[1:] != self.mean.shape:
            raise ValueError(f"expected rows of shape {self.mean.shape} like the training data, got {X.shape[1:]}")
        return ((X - self.mean) / self.std).astype(X.dtype if X.dtype.kind == "f" else self.mean.dtype, copy=False)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)


def standardize(X_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """``X_train`` and each of ``others`` standardized with the training statistics."""
    scaler = Standardizer().fit(X_train)
    return (scaler.transform(X_train), *(scaler.transform(X) for X in others))
