"""Max pooling over sequences and images.

Max pooling keeps the largest entry of each window, per channel. Its derivative is 1
for that entry and 0 for the others, so backward routes each upstream gradient to the
position that won (the first one, on a tie) and adds where windows overlap.
Windows that would run past the edge are dropped, as in PyTorch and Keras.
"""

from __future__ import annotations

import math

import numpy as np

from actlab.nn.conv import as_tuple
from actlab.nn.im2col import fold, windows
from actlab.nn.layer import Layer

__all__ = ["MaxPool1D", "MaxPool2D"]


class _MaxPool(Layer):
    ndim: int

    def __init__(self, size=2, stride=None):
        self.size = as_tuple(size, self.ndim, "size")
        self.stride = self.size if stride is None else as_tuple(stride, self.ndim, "stride")
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != self.ndim + 2 or any(n < k for n, k in zip(x.shape[1:-1], self.size)):
            raise ValueError(f"{self!r} expects (batch, *spatial, channels) with {self.ndim} spatial axes "
                             f"of at least {self.size}, got shape {x.shape}")
        win = windows(x, self.size, self.stride)  # (N, *out, *size, C)
        out_shape = win.shape[: 1 + self.ndim]
        flat = win.reshape(*out_shape, math.prod(self.size), x.shape[-1])
        winner = flat.argmax(axis=-2)[..., None, :]
        self._cache = (winner, flat.shape, x.shape)
        return np.take_along_axis(flat, winner, axis=-2)[..., 0, :]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        winner, flat_shape, x_shape = self._cache
        grad_flat = np.zeros(flat_shape, dtype=grad.dtype)
        np.put_along_axis(grad_flat, winner, grad[..., None, :], axis=-2)
        grad_win = grad_flat.reshape(*flat_shape[: 1 + self.ndim], *self.size, x_shape[-1])
        return fold(grad_win, x_shape, self.size, self.stride)

    def __repr__(self) -> str:
        size = self.size[0] if self.ndim == 1 else self.size
        stride = self.stride[0] if self.ndim == 1 else self.stride
        return f"{type(self).__name__}(size={size}, stride={stride})"


class MaxPool1D(_MaxPool):
    """Max over windows of ``size`` positions, ``stride`` apart (default: ``size``), of ``(N, L, C)``."""

    ndim = 1


class MaxPool2D(_MaxPool):
    """Max over ``size`` (an int or a (height, width) pair) windows of ``(N, H, W, C)``."""

    ndim = 2

