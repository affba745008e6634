"""The activations as a textbook writes them in numpy, for comparison.

:data:`NAIVE` maps each activation's name to its forward formula and its derivative
(``None`` for softmax, log-softmax and maxout, whose backward passes are not
elementwise), written the way a reader would write them first: no care for overflow,
cancellation or the rounding of intermediate results. ``benchmarks/activations.py``
times them against the package's functions, and the book's numerics appendix measures
their accuracy in ulp next to the package's. They are not used anywhere else.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from actlab.activations.exponential import SELU_ALPHA, SELU_LAMBDA

__all__ = ["NAIVE"]

SQRT2 = math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
K_TANH = math.sqrt(2.0 / math.pi)


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


#: name → (forward, derivative or backward) as a textbook writes them. Constants are
#: Python floats, so that float32 stays float32 here too.
NAIVE = {
    "step": (lambda x: (x > 0).astype(x.dtype), lambda x: np.zeros_like(x)),
    "identity": (lambda x: x.copy(), lambda x: np.ones_like(x)),
    "sigmoid": (_sig, lambda x: _sig(x) * (1.0 - _sig(x))),
    "hard_sigmoid": (lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0), lambda x: ((x > -3) & (x < 3)) / np.float32(6)),
    "tanh": (
        lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
        lambda x: 1.0 - np.tanh(x) ** 2,
    ),
    "hard_tanh": (lambda x: np.maximum(-1.0, np.minimum(1.0, x)), lambda x: ((x > -1) & (x < 1)).astype(x.dtype)),
    "softsign": (lambda x: x / (1.0 + np.abs(x)), lambda x: 1.0 / (1.0 + np.abs(x)) ** 2),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(x.dtype)),
    "relu6": (lambda x: np.minimum(np.maximum(x, 0.0), 6.0), lambda x: ((x > 0) & (x < 6)).astype(x.dtype)),
    "softplus": (lambda x: np.log(1.0 + np.exp(x)), _sig),
    "noisy_relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(x.dtype)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01).astype(x.dtype)),
    "prelu": (lambda x: np.where(x > 0, x, 0.25 * x), lambda x: np.where(x > 0, 1.0, 0.25).astype(x.dtype)),
    "rrelu": (lambda x: np.where(x > 0, x, (11 / 48) * x), lambda x: np.where(x > 0, 1.0, 11 / 48).astype(x.dtype)),
    "elu": (lambda x: np.where(x > 0, x, np.exp(x) - 1.0), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "celu": (lambda x: np.maximum(0.0, x) + np.minimum(0.0, np.exp(x) - 1.0), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "selu": (
        lambda x: SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1.0)),
        lambda x: SELU_LAMBDA * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(x)),
    ),
    "gelu": (
        lambda x: 0.5 * x * (1.0 + special.erf(x / SQRT2)),
        lambda x: 0.5 * (1.0 + special.erf(x / SQRT2)) + x * np.exp(-0.5 * x * x) * INV_SQRT_2PI,
    ),
    "gelu_tanh": (
        lambda x: 0.5 * x * (1.0 + np.tanh(K_TANH * (x + 0.044715 * x**3))),
        lambda x: (lambda t: 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * K_TANH * (1.0 + 0.134145 * x * x))(
            np.tanh(K_TANH * (x + 0.044715 * x**3))
        ),
    ),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) * (1.0 + x * (1.0 - _sig(x)))),
    "swish": (lambda x: x * _sig(x), lambda x: _sig(x) * (1.0 + x * (1.0 - _sig(x)))),
    "hard_swish": (
        lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
        lambda x: np.where(x < -3, 0.0, np.where(x > 3, 1.0, (2.0 * x + 3.0) / 6.0)),
    ),
    "mish": (
        lambda x: x * np.tanh(np.log(1.0 + np.exp(x))),
        lambda x: (lambda t: t + x * (1.0 - t * t) * _sig(x))(np.tanh(np.log(1.0 + np.exp(x)))),
    ),
    "softmax": (
        lambda x: (lambda e: e / e.sum(axis=-1, keepdims=True))(np.exp(x - x.max(axis=-1, keepdims=True))),
        None,
    ),
    "log_softmax": (lambda x: x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True)), None),
    "maxout": (lambda x: x.reshape(*x.shape[:-1], -1, 2).max(axis=-1), None),
}
