"""Array kernels shared by several activations.

A kernel takes a 1-D float32 or float64 array and returns a new array of the same
dtype and length; it assumes validated input (see :mod:`actlab.activations._core`).
Constants are Python floats so that float32 input is computed in float32.
"""

from __future__ import annotations

import functools

import numpy as np

from actlab.activations import _fused
from actlab.activations._core import BLOCK

__all__ = [
    "clamp",
    "constant_pieces",
    "indicator_positive",
    "indicator_inside",
    "indicator_at_least",
    "zero_or_nan",
    "select",
    "exp",
    "sigmoid",
    "sigmoid_of_pair",
    "sigmoid_derivative",
    "scaled_expm1_nonpositive",
    "in_longdouble",
    "refine_left_tail",
]

#: Below these, exp(−x) may overflow; σ(x) equals eˣ there to working precision.
_SIGMOID_TAIL = {np.dtype(np.float32): -80.0, np.dtype(np.float64): -700.0, np.dtype(np.longdouble): -11000.0}


@functools.lru_cache(maxsize=32)
def _constant_block(value: float, dtype: np.dtype) -> np.ndarray:
    block = np.full(BLOCK, value, dtype=dtype)
    block.flags.writeable = False
    return block


def _filled(value: float, x: np.ndarray) -> np.ndarray:
    """A read-only array of ``value`` in the shape and dtype of ``x`` (``x.size ≤ BLOCK``)."""
    return _constant_block(float(value), x.dtype)[: x.size].reshape(x.shape)


def clamp(x: np.ndarray, lo: float = -np.inf, hi: float = np.inf, out: np.ndarray | None = None) -> np.ndarray:
    """``x`` clipped to ``[lo, hi]`` as by ``np.clip`` (NaN stays NaN), fast on blocks.

    numpy's ``clip``, and its ``maximum``/``minimum`` with a scalar operand, run a
    scalar loop; ``maximum`` and ``minimum`` of two arrays are vectorized, 3–10× faster
    on data in cache. So for a block (at most ``BLOCK`` elements, the size
    :func:`~actlab.activations._core.apply_elementwise` passes) the bounds are read from
    constant arrays. Larger arrays, which are limited by memory traffic, use ``np.clip``.
    """
    if x.size > BLOCK or (lo == -np.inf and hi == np.inf):
        return np.clip(x, lo, hi, out=out)
    y = x
    if lo > -np.inf:
        y = np.maximum(y, _filled(lo, x), out=out)
        out = y if isinstance(y, np.ndarray) else None  # the upper bound in place (0-d gives a scalar)
    if hi < np.inf:
        y = np.minimum(y, _filled(hi, x), out=out)
    return y


def _patch_nan(d: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``d`` with NaN wherever ``x`` is NaN; one fast reduction when there is none."""
    if np.isnan(x.min(initial=np.inf)):
        d[np.isnan(x)] = np.nan
    return d


def constant_pieces(x: np.ndarray, lo: float, hi: float, inside: float, outside: float = 0.0) -> np.ndarray:
    """``inside`` where lo < x < hi, ``outside`` elsewhere, NaN at NaN (no warnings): the
    derivative of a piecewise-linear function, 0 or the outer slope at its kinks. An
    infinite ``hi`` takes +inf inside too, the limit of the slope there.

    float32 in one compiled pass (``_fused.pieces``); float64 as a comparison, a copy
    of ``inside`` where it holds, and NaN restored.
    """
    if x.dtype == np.float32:
        return np.asarray(_fused.pieces(x, lo, hi, inside, outside))  # an array even for 0-d x
    holds = np.greater(x, lo)
    if hi < np.inf:
        holds &= np.less(x, hi)
    out = np.full(x.shape, outside, dtype=x.dtype)
    np.copyto(out, inside, where=holds)
    return _patch_nan(out, x)


def indicator_positive(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, 0 where x ≤ 0, NaN where x is NaN (no warnings)."""
    return constant_pieces(x, 0.0, np.inf, 1.0)


def indicator_inside(x: np.ndarray, radius: float) -> np.ndarray:
    """1 where |x| < radius, 0 elsewhere (also at ±radius), NaN at NaN."""
    return constant_pieces(x, -radius, radius, 1.0)


def indicator_at_least(x: np.ndarray, a: float) -> np.ndarray:
    """1 where x ≥ a, 0 where x < a, NaN at NaN."""
    return _patch_nan(np.asarray(np.greater_equal(x, a)).astype(x.dtype), x)


def zero_or_nan(x: np.ndarray) -> np.ndarray:
    """0 everywhere, NaN where x is NaN: the derivative of a locally constant function."""
    return constant_pieces(x, 0.0, 0.0, 0.0)


def select(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a`` where ``p == 1`` and ``b`` where ``p == 0``, exactly, for finite ``a``, ``b``.

    Multiplying by 0 or 1 and adding 0 are exact, so this is a branch-free ``where``
    (``np.where`` costs about as much as an ``exp`` here); NaN in ``p`` gives NaN.
    """
    out = np.multiply(a, p)
    q = np.subtract(1.0, p)
    q *= b
    out += q
    return out


def exp(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """eˣ, compiled for float32 (:mod:`actlab.activations._fused`: within 0.85 ulp over every
    float32, several times faster than numpy's float32 exp here); numpy's for float64,
    within 1 ulp. Never warns: overflow gives inf.
    """
    if x.dtype == np.float32:
        return _fused.exp(x, 0.0, out=out)
    with np.errstate(over="ignore"):
        return np.exp(x, out=out)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^(−x)), to about 1 ulp in float64, including the tails.

    The textbook formula is accurate wherever e^(−x) is finite. Where it overflows
    (x below about −709 in float64, −88 in float32) the result is replaced by eˣ,
    which equals σ(x) to working precision there.
    """
    t = np.negative(x)
    exp(t, out=t)  # inf for very negative x; fixed below
    t += 1.0
    np.reciprocal(t, out=t)
    tail = x < _SIGMOID_TAIL[x.dtype]
    if tail.any():
        t[tail] = np.exp(x[tail])
    return t


def sigmoid_of_pair(c: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """σ(c + lo) for float64 ``c`` and a low part ``lo`` of at most an ulp of ``c`` (from
    :func:`actlab.activations._dd.scaled`): σ(c)·(1 + (1 − σ(c))·lo), σ′ = σ(1 − σ) to
    first order; the next term is below 1e−26 relatively. Where σ(c) ≈ 1, 1 − σ(c) is
    inexact but multiplies a correction already negligible there.
    """
    s = sigmoid(c)
    correction = np.subtract(1.0, s)
    correction *= lo
    correction += 1.0
    s *= correction
    return s


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """σ′(x) = σ(x)σ(−x) = e/(1 + e)² with e = e^(−|x|), which never overflows."""
    e = np.abs(x)
    np.negative(e, out=e)
    exp(e, out=e)
    return _e_over_one_plus_e_squared(e)


def _e_over_one_plus_e_squared(e: np.ndarray) -> np.ndarray:
    # (1 + e)² as 1 + e(2 + e) and a single division: fewer roundings than e·r·r.
    d = np.add(e, 2.0)
    d *= e
    d += 1.0
    np.divide(e, d, out=d)
    return d


def scaled_expm1_nonpositive(z: np.ndarray, scale: float) -> np.ndarray:
    """``scale·(eᶻ − 1)`` for z ≤ 0 (or NaN), computed into ``z`` by ``expm1``, exact near
    0 where eᶻ − 1 would cancel. (The float32 forward passes of ELU, CELU and SELU are
    compiled, in :mod:`actlab.activations._fused`.)
    """
    np.expm1(z, out=z)
    if scale != 1.0:
        z *= scale
    return z


#: Whether numpy's longdouble carries more bits than float64 (x87 extended precision on
#: x86-64 Linux; on Windows and Apple silicon it is float64 itself).
LONGDOUBLE_IS_WIDER = np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant


def in_longdouble(kernel):
    """``kernel`` evaluated in numpy's longdouble for float64 input, rounded to float64.

    For the composite derivatives of Mish, SiLU/Swish and GELU-tanh, whose eight or so
    roundings would add up to ~5 float64 ulp, and whose intermediate eˣ would be
    subnormal (and imprecise) in float64 for x < −708. With x87's 64-bit significand
    and wide exponent, the float64 result is within ~0.5 ulp. It is slow (scalar
    extended arithmetic, ~50× a float64 pass) and used for float64 derivatives only.
    Where longdouble is float64, the kernel runs in float64 unchanged.
    """

    def wrapped(x: np.ndarray, **params) -> np.ndarray:
        if x.dtype == np.float64 and LONGDOUBLE_IS_WIDER:
            return kernel(x.astype(np.longdouble), **params).astype(np.float64)
        return kernel(x, **params)

    wrapped.__name__ = kernel.__name__
    wrapped.__doc__ = kernel.__doc__
    return wrapped


def refine_left_tail(y: np.ndarray, x: np.ndarray, kernel, below: float = -700.0) -> np.ndarray:
    """``y`` with the elements of float64 ``x`` below ``below`` recomputed by ``kernel`` in
    longdouble, whose exponent range keeps eˣ normal.

    For x·g(x) with a gate g ≈ eˣ: below about −700 (the default) eˣ is subnormal in
    float64, or nearly, and the product keeps only its few bits. Only the few elements
    concerned are recomputed. (float32 input never gets here: those activations are
    compiled, in :mod:`actlab.activations._fused`.)
    """
    tail = x < below
    if tail.any():
        y[tail] = kernel(x[tail].astype(np.longdouble)).astype(x.dtype)
    return y
