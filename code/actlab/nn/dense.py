"""The fully connected layer, ``y = x W + b``."""

from __future__ import annotations

import numpy as np

from actlab.nn.initializers import Initializer, get_initializer
from actlab.nn.layer import Layer, Parameter

__all__ = ["Dense"]


class Dense(Layer):
    """Affine map ``y = x W + b`` with ``W`` of shape ``(n_in, n_out)``.

    Backward, for a batch ``x`` of shape ``(N, n_in)`` and upstream ``g = ∂L/∂y``::

        ∂L/∂W = xᵀ g,    ∂L/∂b = Σ_rows g,    ∂L/∂x = g Wᵀ.

    Leading axes beyond the batch are allowed (``x`` of shape ``(..., n_in)``); they
    are treated as more rows. ``init`` names an initializer from
    :mod:`actlab.nn.initializers` or is a callable ``(shape, rng, dtype)``.
    """

    def __init__(self, n_in: int, n_out: int, *, init: str | Initializer = "glorot_uniform", bias: bool = True):
        for name, n in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Dense: {name} must be a positive integer, got {n!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.init = get_initializer(init)
        self.use_bias = bias
        self.W = self.b = None
        self._x = None

    def build(self, rng, dtype=np.float32) -> Dense:
        super().build(rng, dtype)
        rng = np.random.default_rng(rng)
        self.W = Parameter("W", self.init((self.n_in, self.n_out), rng, self.dtype))
        self.b = Parameter("b", np.zeros(self.n_out, self.dtype), decay=False) if self.use_bias else None
        return self

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._require_built()
        if x.ndim < 2 or x.shape[-1] != self.n_in:
            raise ValueError(f"{self!r} expects inputs of shape (batch, {self.n_in}), got {x.shape}")
        self._x = x
        y = x @ self.W.value
        if self.b is not None:
            y += self.b.value
        return y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._x)
        x2 = self._x.reshape(-1, self.n_in)
        g2 = grad.reshape(-1, self.n_out)
        self.W.grad = x2.T @ g2
        if self.b is not None:
            # Σ_rows g as the product 1ᵀ g: BLAS does it in half the time of g2.sum(axis=0).
            self.b.grad = np.ones(len(g2), g2.dtype) @ g2
        return grad @ self.W.value.T

    def parameters(self) -> list[Parameter]:
        return [p for p in (self.W, self.b) if p is not None]

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out})"
