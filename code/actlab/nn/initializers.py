"""Weight initializers: the variance each one targets, and why.

A layer with ``n_in`` inputs of variance 1 and weights of variance ``Var(W)`` produces
pre-activations of variance ``n_in · Var(W)``. Each scheme picks ``Var(W)`` so that this
neither shrinks nor grows through depth for its activation:

================  ===============================  ==========================
scheme            Var(W)                           source
================  ===============================  ==========================
Xavier / Glorot   2 / (n_in + n_out)               :cite:`glorot2010understanding`
He / Kaiming      2 / ((1 + a²) n_in), a = slope   :cite:`he2015delving`
LeCun             1 / n_in                         :cite:`lecun1998efficient`
================  ===============================  ==========================

Glorot averages the forward (``n_in``) and backward (``n_out``) conditions for a
linear-ish unit such as tanh near 0. He's factor 2 makes up for ReLU zeroing half of
its inputs (``1 + a²`` for a leaky slope ``a``). LeCun's is the one SELU's
self-normalisation assumes :cite:`klambauer2017self`. A uniform distribution on
``[-r, r]`` has variance ``r²/3``, which fixes ``r`` for the uniform variants.

Fans follow the usual convention for a weight of shape ``(*kernel, n_in, n_out)``:
``fan_in = prod(kernel) · n_in`` and ``fan_out = prod(kernel) · n_out``. Every
initializer draws in float64 and rounds to ``dtype``, so a float32 and a float64 model
built from one seed hold the same weights to float32 precision.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = [
    "INITIALIZERS",
    "fans",
    "get_initializer",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "zeros",
]

Initializer = Callable[..., np.ndarray]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(*kernel, n_in, n_out)``."""
    if len(shape) < 2:
        raise ValueError(f"a weight needs at least 2 dimensions (n_in, n_out), got shape {shape}")
    receptive = math.prod(shape[:-2])
    return receptive * shape[-2], receptive * shape[-1]


def _normal(shape, std: float, rng, dtype) -> np.ndarray:
    return (std * rng.standard_normal(shape)).astype(dtype)


def _uniform(shape, variance: float, rng, dtype) -> np.ndarray:
    limit = math.sqrt(3.0 * variance)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def glorot_uniform(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Xavier/Glorot uniform: U(−r, r) with r = √(6 / (n_in + n_out)), Var = 2/(n_in + n_out)."""
    fan_in, fan_out = fans(shape)
    return _uniform(shape, 2.0 / (fan_in + fan_out), rng, dtype)


def glorot_normal(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Xavier/Glorot normal: N(0, 2/(n_in + n_out)) (untruncated, so the variance is exact)."""
    fan_in, fan_out = fans(shape)
    return _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def he_normal(shape, rng: np.random.Generator, dtype=np.float32, *, slope: float = 0.0) -> np.ndarray:
    """He/Kaiming normal: N(0, 2/((1 + a²) n_in)) for a (leaky) rectifier of negative slope ``a``.

    For a leaky ReLU pass ``functools.partial(he_normal, slope=0.01)`` as a layer's ``init``.
    """
    fan_in, _ = fans(shape)
    return _normal(shape, math.sqrt(2.0 / ((1.0 + slope**2) * fan_in)), rng, dtype)


def he_uniform(shape, rng: np.random.Generator, dtype=np.float32, *, slope: float = 0.0) -> np.ndarray:
    """He/Kaiming uniform: U(−r, r) with Var = r²/3 = 2/((1 + a²) n_in)."""
    fan_in, _ = fans(shape)
    return _uniform(shape, 2.0 / ((1.0 + slope**2) * fan_in), rng, dtype)


def lecun_normal(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """LeCun normal: N(0, 1/n_in), the initialization self-normalizing (SELU) networks need."""
    fan_in, _ = fans(shape)
    return _normal(shape, math.sqrt(1.0 / fan_in), rng, dtype)


def zeros(shape, rng: np.random.Generator | None = None, dtype=np.float32) -> np.ndarray:
    """All zeros: the usual start for biases (and a cautionary tale for weights: every unit stays identical)."""
    return np.zeros(shape, dtype=dtype)


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_uniform": glorot_uniform,
    "xavier_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "lecun_normal": lecun_normal,
    "zeros": zeros,
}


def get_initializer(init: str | Initializer) -> Initializer:
    """The initializer called ``init``, or ``init`` itself if it is already a callable ``(shape, rng, dtype)``."""
    if callable(init):
        return init
    if init not in INITIALIZERS:
        raise ValueError(f"unknown initializer {init!r}; known: {', '.join(INITIALIZERS)}")
    return INITIALIZERS[init]
