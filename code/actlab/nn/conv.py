"""Convolutions over sequences (:class:`Conv1D`) and images (:class:`Conv2D`), by im2col.

Arrays are channels-last: ``(N, length, C)`` and ``(N, height, width, C)``. The kernel
``W`` has shape ``(*kernel, C_in, C_out)``. Output position ``o`` sees the window that
starts at ``o · stride`` of the zero-padded input (a cross-correlation, as in every
deep-learning library)::

    y[n, o, :] = Σ_{k, c} x_pad[n, o·stride + k, c] · W[k, c, :] + b

With the windows flattened into the rows of a matrix ``X_col`` (:mod:`actlab.nn.im2col`)
this is the dense layer ``y = X_col W + b``, and so is its backward pass; the only new
step is folding ``∂L/∂X_col`` back onto the overlapping input positions.
"""

from __future__ import annotations

import math

import numpy as np

from actlab.nn.im2col import fold, output_size, pad, unpad, windows
from actlab.nn.initializers import Initializer, get_initializer
from actlab.nn.layer import Layer, Parameter

__all__ = ["Conv1D", "Conv2D"]


def as_tuple(value, ndim: int, name: str, minimum: int = 1) -> tuple[int, ...]:
    """``value`` repeated ``ndim`` times if it is an int, else checked to have ``ndim`` entries."""
    values = (value,) * ndim if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != ndim or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum for v in values):
        raise ValueError(f"{name} must be an integer ≥ {minimum} or {ndim} of them, got {value!r}")
    return tuple(int(v) for v in values)


class _Conv(Layer):
    ndim: int  # number of spatial axes

    def __init__(self, in_channels: int, out_channels: int, kernel_size, *, stride=1, padding=0,
                 init: str | Initializer = "glorot_uniform", bias: bool = True):
        (self.in_channels,) = as_tuple(in_channels, 1, "in_channels")
        (self.out_channels,) = as_tuple(out_channels, 1, "out_channels")
        self.kernel = as_tuple(kernel_size, self.ndim, "kernel_size")
        self.stride = as_tuple(stride, self.ndim, "stride")
        self.padding = as_tuple(padding, self.ndim, "padding", minimum=0)
        self.init = get_initializer(init)
        self.use_bias = bias
        self.W = self.b = None
        self._cache = None

    def build(self, rng, dtype=np.float32):
        super().build(rng, dtype)
        rng = np.random.default_rng(rng)
        shape = (*self.kernel, self.in_channels, self.out_channels)
        self.W = Parameter("W", self.init(shape, rng, self.dtype))
        self.b = Parameter("b", np.zeros(self.out_channels, self.dtype), decay=False) if self.use_bias else None
        return self

    def output_shape(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """Spatial size of the output for an input of spatial size ``spatial``."""
        return tuple(output_size(n, k, s, p) for n, k, s, p in zip(spatial, self.kernel, self.stride, self.padding))

    def _check(self, x: np.ndarray) -> None:
        self._require_built()
        layout = "(batch, length, channels)" if self.ndim == 1 else "(batch, height, width, channels)"
        if x.ndim != self.ndim + 2 or x.shape[-1] != self.in_channels:
            raise ValueError(f"{self!r} expects inputs {layout} with {self.in_channels} channels, got shape {x.shape}")
        if min(self.output_shape(x.shape[1:-1])) < 1:
            raise ValueError(f"{self!r}: input of spatial size {x.shape[1:-1]} is smaller than the kernel {self.kernel}")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        x_pad = pad(x, self.padding)
        cols = windows(x_pad, self.kernel, self.stride)  # (N, *out, *kernel, C_in), a view
        out_shape = cols.shape[: 1 + self.ndim]
        cols = cols.reshape(math.prod(out_shape), -1)  # the copy that is "im2col"
        y = cols @ self.W.value.reshape(-1, self.out_channels)
        if self.b is not None:
            y += self.b.value
        self._cache = (cols, x_pad.shape, out_shape)
        return y.reshape(*out_shape, self.out_channels)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        cols, pad_shape, out_shape = self._cache
        g = grad.reshape(-1, self.out_channels)
        W = self.W.value.reshape(-1, self.out_channels)
        self.W.grad = (cols.T @ g).reshape(self.W.value.shape)
        if self.b is not None:
            self.b.grad = g.sum(axis=0)
        grad_cols = (g @ W.T).reshape(*out_shape, *self.kernel, self.in_channels)
        return unpad(fold(grad_cols, pad_shape, self.kernel, self.stride), self.padding)

    def parameters(self) -> list[Parameter]:
        return [p for p in (self.W, self.b) if p is not None]

    def __repr__(self) -> str:
        k = self.kernel[0] if self.ndim == 1 else self.kernel
        s = self.stride[0] if self.ndim == 1 else self.stride
        p = self.padding[0] if self.ndim == 1 else self.padding
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels}, kernel_size={k}, stride={s}, padding={p})"


class Conv1D(_Conv):
    """1-D convolution of ``(N, length, C_in)`` into ``(N, length_out, C_out)``.

    ``length_out = ⌊(length + 2·padding − kernel_size) / stride⌋ + 1``.
    """

    ndim = 1


class Conv2D(_Conv):
    """2-D convolution of ``(N, H, W, C_in)`` into ``(N, H_out, W_out, C_out)``.

    ``kernel_size``, ``stride`` and ``padding`` are ints or (height, width) pairs.
    """

    ndim = 2
