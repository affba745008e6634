"""Dropout :cite:`srivastava2014dropout` and SELU's AlphaDropout :cite:`klambauer2017self`.

Both are active only while ``training`` is true; in evaluation they pass ``x`` through.
Each layer draws its masks from its own generator, seeded when the model is built.
"""

from __future__ import annotations

import numpy as np

from actlab.activations import SELU_ALPHA, SELU_LAMBDA
from actlab.nn.layer import Layer

__all__ = ["AlphaDropout", "Dropout"]


def _check_rate(p: float) -> float:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"the drop probability p must be in [0, 1), got {p!r}")
    return float(p)


class Dropout(Layer):
    """Zero each unit with probability ``p``; scale the survivors by ``1/(1 − p)``.

    "Inverted" dropout: scaling during training keeps ``E[y] = x``, so evaluation is
    the identity. ``y = x ⊙ m / (1 − p)`` with ``m ~ Bernoulli(1 − p)``; backward
    multiplies the upstream gradient by the same ``m / (1 − p)``.
    """

    def __init__(self, p: float = 0.5):
        self.p = _check_rate(p)
        self.rng = None
        self._scale = None

    def build(self, rng, dtype=np.float32) -> Dropout:
        super().build(rng, dtype)
        self.rng = np.random.default_rng(rng)
        return self

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.p == 0.0:
            self._scale = 1.0
            return x
        self._require_built()
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self._scale = keep * x.dtype.type(1.0 / (1.0 - self.p))
        return x * self._scale

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._scale)
        return grad * self._scale

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class AlphaDropout(Dropout):
    """Dropout that keeps SELU activations at mean 0 and variance 1.

    Plain dropout sets units to 0, which is not SELU's resting value and shifts the
    mean and variance that self-normalisation relies on. AlphaDropout sets dropped
    units to ``α' = −λα`` (SELU's limit at −∞) and then applies the affine map that
    restores mean 0 and variance 1 for an input of mean 0 and variance 1::

        y = a (x ⊙ m + α' (1 − m)) + b,   m ~ Bernoulli(1 − p),
        a = ((1 − p)(1 + p α'²))^(−1/2),   b = −a α' p.

    Backward: ``∂y/∂x = a m``.
    """

    def __init__(self, p: float = 0.05):
        super().__init__(p)
        self.alpha = -SELU_LAMBDA * SELU_ALPHA  # α' ≈ −1.7581, SELU's limit at −∞
        self.a = ((1.0 - self.p) * (1.0 + self.p * self.alpha**2)) ** -0.5
        self.b = -self.a * self.alpha * self.p

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.p == 0.0:
            self._scale = 1.0
            return x
        self._require_built()
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        dtype = x.dtype.type
        self._scale = keep * dtype(self.a)
        # a·(x·m + α'(1 − m)) + b  =  (a·m)·x + [a·α'·(1 − m) + b]
        return x * self._scale + np.where(keep, dtype(self.b), dtype(self.a * self.alpha + self.b))

    # backward is Dropout's: the upstream gradient times the same scale, here a·m.

    def __repr__(self) -> str:
        return f"AlphaDropout(p={self.p})"
