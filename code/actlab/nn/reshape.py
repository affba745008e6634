"""Flatten: from feature maps to the vector a dense layer expects."""

from __future__ import annotations

import numpy as np

from actlab.nn.layer import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    """``(N, d1, d2, ...)`` → ``(N, d1·d2·…)``; backward restores the shape."""

    def __init__(self):
        self._shape = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim < 2:
            raise ValueError(f"Flatten expects (batch, ...) with at least 2 dimensions, got shape {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._shape)
        return grad.reshape(self._shape)
