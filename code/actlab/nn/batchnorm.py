"""Batch normalization :cite:`ioffe2015batch`.

Per feature (the last axis: units of a dense layer, channels of a convolution), over
every other axis of the batch::

    μ = mean(x),  σ² = var(x),  x̂ = (x − μ) / √(σ² + ε),  y = γ x̂ + β.

In evaluation the batch statistics are replaced by running averages gathered during
training, with the unbiased variance ``m/(m − 1) · σ²`` as in the paper (``m`` values
per feature). Whether to put it before or after the activation is debated; the layer
works either way.

Backward (training mode), with ``g = ∂L/∂y`` and means over the same ``m`` values::

    ∂L/∂γ = Σ g x̂,   ∂L/∂β = Σ g,
    ∂L/∂x = γ / √(σ² + ε) · (g − mean(g) − x̂ · mean(g x̂)).

The two subtracted terms are the gradient flowing through μ and σ²: shifting every
input of a feature together, or scaling them together, does not change ``x̂``.
"""

from __future__ import annotations

import numpy as np

from actlab.nn.layer import Layer, Parameter

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    """Normalise each of ``features`` over the batch, then scale by γ and shift by β.

    ``momentum`` weighs the old running statistics: ``running ← momentum · running +
    (1 − momentum) · batch``.
    """

    def __init__(self, features: int, *, momentum: float = 0.9, eps: float = 1e-5):
        if isinstance(features, bool) or not isinstance(features, (int, np.integer)) or features < 1:
            raise ValueError(f"BatchNorm: features must be a positive integer, got {features!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1), got {momentum!r}")
        self.features, self.momentum, self.eps = int(features), float(momentum), float(eps)
        self.gamma = self.beta = None
        self._cache = None

    def build(self, rng, dtype=np.float32) -> BatchNorm:
        super().build(rng, dtype)
        self.gamma = Parameter("gamma", np.ones(self.features, self.dtype), decay=False)
        self.beta = Parameter("beta", np.zeros(self.features, self.dtype), decay=False)
        self.running_mean = np.zeros(self.features, self.dtype)
        self.running_var = np.ones(self.features, self.dtype)
        return self

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._require_built()
        if x.ndim < 2 or x.shape[-1] != self.features:
            raise ValueError(f"{self!r} expects inputs (batch, ..., {self.features}), got shape {x.shape}")
        axes = tuple(range(x.ndim - 1))
        if self.training:
            count = x.size // self.features
            if count < 2:
                raise ValueError(f"{self!r} needs at least 2 values per feature in a training batch, got {count}")
            mean, var = x.mean(axis=axes), x.var(axis=axes)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mean
            self.running_var = m * self.running_var + (1 - m) * var * (count / (count - 1))
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        self._cache = (x_hat, inv_std, axes, self.training)
        return self.gamma.value * x_hat + self.beta.value

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        x_hat, inv_std, axes, training = self._cache
        self.gamma.grad = (grad * x_hat).sum(axis=axes)
        self.beta.grad = grad.sum(axis=axes)
        if not training:  # fixed statistics: an affine map per feature
            return grad * (self.gamma.value * inv_std)
        mean_g = grad.mean(axis=axes)
        mean_g_xhat = (grad * x_hat).mean(axis=axes)
        return (self.gamma.value * inv_std) * (grad - mean_g - x_hat * mean_g_xhat)

    def parameters(self) -> list[Parameter]:
        return [p for p in (self.gamma, self.beta) if p is not None]

    def __repr__(self) -> str:
        return f"BatchNorm({self.features})"
