"""Error-free transformations for float64 arrays (Dekker 1971; Knuth, TAOCP vol. 2).

A few float64 results here must be exact to the last bit although an intermediate
quantity (``x²`` inside ``exp(−x²/2)``, a product with an irrational constant) does
not fit in 53 bits. These helpers return that quantity as an unevaluated sum
``hi + lo`` with ``hi`` the rounded result and ``lo`` its exact rounding error.
They assume no overflow: callers clip their inputs first.
"""

from __future__ import annotations

import numpy as np

__all__ = ["split", "two_prod", "two_sum", "scaled", "exp_neg_half_square"]

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


def scaled(x: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """``(c, lo)`` with ``c = fl(s·x)`` and ``c + lo == s·x`` exactly: :func:`two_prod` for
    any finite ``x`` and a positive scalar ``s``, with ``lo`` taken as 0 for the ``|x|``
    beyond about 1e300 where Dekker's splitting would overflow (there ``|s·x|`` is beyond
    800, where the callers' exponentials are 0 or 1, unless ``s`` is below 1e−297).

    Softplus and Swish with β ≠ 1 and CELU with α ≠ 1 exponentiate such a product; the
    exponential turns its rounding error into a relative error of up to ``|s·x|`` times
    as much (350 ulp at s·x = −700), which ``lo`` lets them take back out.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        c, lo = two_prod(x, s)
    return c, np.where(np.isfinite(lo), lo, 0.0)


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
