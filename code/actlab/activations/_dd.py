"""Error-free transformations for float64 arrays (Dekker 1971; Knuth, TAOCP vol. 2).

A few float64 results here must be exact to the last bit although an intermediate
quantity (``x²`` inside ``exp(−x²/2)``, a product with an irrational constant) does
not fit in 53 bits. These helpers return that quantity as an unevaluated sum
``hi + lo`` with ``hi`` the rounded result and ``lo`` its exact rounding error.
They assume no overflow: callers clip their inputs first.
"""

from __future__ import annotations

import numpy as np

__all__ = ["split", "two_prod", "two_sum", "exp_neg_half_square"]

_SPLITTER = 134217729.0  # 2**27 + 1 (Veltkamp)


def split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hi, lo)`` with ``hi + lo == a`` exactly and ``hi`` holding at most 26 bits."""
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a: np.ndarray, b) -> tuple[np.ndarray, np.ndarray]:
    """``(p, e)`` with ``p = fl(a·b)`` and ``p + e == a·b`` exactly."""
    p = a * b
    ah, al = split(a)
    bh, bl = split(np.asarray(b, dtype=np.float64))
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def two_sum(a, b) -> tuple[np.ndarray, np.ndarray]:
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e == a + b`` exactly."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def exp_neg_half_square(x: np.ndarray) -> np.ndarray:
    """``exp(−x²/2)`` correctly to about one ulp, for float64 ``|x| ≤ 1e150``.

    ``exp(−fl(x²)/2)`` is off by a relative ``x²·u/2`` (about 25 ulp at ``x = 10``)
    because the exponential magnifies the rounding error of the square; carrying that
    error ``e`` separately gives ``exp(−p/2)·(1 − e/2)``, exact to first order.
    """
    p, e = two_prod(x, x)
    return np.exp(-0.5 * p) * (1.0 - 0.5 * e)
