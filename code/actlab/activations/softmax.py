"""Softmax and log-softmax along an axis: the multi-class output layer.

``softmax(x)_i = e^{x_i} / Σ_j e^{x_j}`` turns scores into probabilities. It is
shift-invariant, so the maximum is subtracted first (no overflow); the rounding error
of that subtraction, which e^z would magnify to ~|z| ulp, is carried separately and put
back as a factor (1 + error). Log-softmax, ``x_i − log Σ_j e^{x_j}``, is what a
cross-entropy loss should consume.

The sum Σ_j e^{x_j} is where a softmax loses digits as the number of classes k grows:
summed in the working precision it drifts by up to k − 1 ulp (pairwise summation,
numpy's along a contiguous axis, by ~log₂ k). Here it is, in effect, exact: the terms
are split so that their leading parts add exactly (:func:`_sum_in_two_parts`). What is
left is the exponential's own error and a rounding or two, whatever k is.

float32 scores go to the compiled kernels of :mod:`actlab.activations._fused`. Slices of
up to 64 entries go eight at a time, one per float32 lane, with x − m carried in two
parts and the sum in double (within 2.1 ulp); longer ones one by one in double, rounded
once (0.5 ulp). The slices they cannot take (NaN, +inf, all −inf) come back here and
are computed in float64 and rounded.

Infinite scores are handled as limits: if the largest score of a slice is +inf (or
every score is −inf) the probability is shared equally by the entries equal to it.
A NaN anywhere in a slice makes the whole slice NaN.
"""

from __future__ import annotations

import numpy as np

from actlab.activations import _fused
from actlab.activations import _kernels as K
from actlab.activations._core import BLOCK, as_float_array
from actlab.activations._dd import two_sum
from actlab.activations.base import Activation, Properties, check_upstream

__all__ = ["softmax", "log_softmax", "Softmax", "LogSoftmax"]


def _check_axis(name: str, x: np.ndarray, axis) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name}: axis must be an integer, got {type(axis).__name__}")
    if x.ndim == 0:
        raise ValueError(f"{name}: needs an array with at least one axis, got a scalar")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for an array with {x.ndim} dimensions")
    return int(axis)


#: Slices at most this long are processed transposed (see :func:`_blockwise`).
_SHORT = 64


def _blockwise(x: np.ndarray, axis: int, kernel) -> np.ndarray:
    """``kernel(t, ax, o)`` on cache-sized blocks of ``x``: ``t`` is the block in float64,
    reduced over its axis ``ax``, and the kernel writes the result into ``o``, a view of
    the output (perhaps strided). For float32 input ``t`` is a float64 copy; for float64
    input it may be a view of ``x``, which the kernel must not overwrite.

    Speed only; the arithmetic per slice is the kernel's. numpy reduces a short
    contiguous axis slowly (one inner loop of ~10 elements per slice, ~8× a copy for
    ten classes), so short slices are transposed, block by block, into a (k, rows)
    array whose axis-0 reductions are elementwise vector operations; long slices are
    passed as (rows, k). Each block stays in cache through the kernel's passes; the
    conversion of float32 to float64 rides on the transposing copy, and the kernel's
    last pass writes the output, transposing it back.
    """
    xm = np.moveaxis(x, axis, -1)
    k = xm.shape[-1]
    rows = xm.reshape(-1, k)
    out = np.empty(rows.shape, dtype=x.dtype)
    step = max(1, BLOCK // k)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, rows.shape[0], step):
            block = rows[start : start + step]
            if k <= _SHORT:
                kernel(np.ascontiguousarray(block.T, dtype=np.float64), 0, out[start : start + step].T)
            else:
                kernel(np.asarray(block, dtype=np.float64), 1, out[start : start + step])
    out = np.moveaxis(out.reshape(xm.shape), -1, axis)
    return out if axis in (-1, x.ndim - 1) else np.ascontiguousarray(out)


def _shifted(x: np.ndarray, m: np.ndarray):
    """``(z, dz)``: z + dz = x − m exactly, for float64 x and its slice maxima m.

    A difference past the largest float is −inf, whose exponential, 0, is then the
    correctly rounded result; slices whose maximum is infinite (inf − inf) are replaced
    by the caller. In both cases the error term dz is meaningless and set to 0.
    (Called with floating-point warnings off, by :func:`_blockwise`.)
    """
    z, dz = two_sum(x, -m)
    if not np.isfinite(dz.max() - dz.min()):  # NaN and ±inf all make this non-finite
        dz[~np.isfinite(dz)] = 0.0
    return z, dz


def _sum_in_two_parts(t, extra, axis: int, bound):
    """``(hi, lo)`` with ``hi + lo`` = Σ (t + extra) along ``axis`` to a relative
    error of at most ~4k³u² (u = 2⁻⁵³), for float64 ``0 ≤ t ≤ bound`` (per slice) and
    ``|extra| ≤ 2⁻⁴⁰·t`` (here e·dz).

    Rump's splitting (Rump, Ogita & Oishi, *Accurate floating-point summation*, 2008)
    with one constant σ per slice, a power of two at least k·bound: ``(σ + t) − σ``
    rounds t to a multiple of ulp(σ), exactly (Sterbenz), so every partial sum of these
    leading parts is a multiple of ulp(σ) below 2σ, a float: ``hi`` is exact in any
    summation order. The remainders ``t − hi``, each at most ulp(σ)/2 < 4k·bound·u, are
    exact too, so ``lo`` is rounded only relative to its own small size: Σ|lo| is below
    4k²·bound·u and the rounding errors of its sum below k·u times that, 4k³u² of the sum
    (2⁻⁶⁴ for k = 10⁴; ~4k²·log₂k·u² where numpy sums pairwise, along a contiguous axis).
    """
    k = t.shape[axis]
    sigma = np.ldexp(1.0, np.frexp(bound)[1] + (k - 1).bit_length())
    hi = t + sigma
    hi -= sigma
    lo = t - hi
    lo += extra
    return hi.sum(axis=axis, keepdims=True), lo.sum(axis=axis, keepdims=True)


def _limit_at_infinity(x, m, axis):
    """``(infinite, p)`` for the slices whose maximum m is infinite (None if there are
    none): there the softmax is p, equal shares for the entries equal to m."""
    infinite = np.isinf(m)
    if not infinite.any():
        return None
    hits = (x == m).astype(np.float64)
    count = hits.sum(axis=axis, keepdims=True)
    return infinite, hits / np.maximum(count, 1.0)  # count is 0 in NaN slices, which are not used


def _softmax_float64(x, m, axis, out):
    """(e + e·dz)/(s + c) = (e/s)·(1 + dz − c/s) to first order, with s + c the sum of
    the terms to ~2⁻¹⁰⁶: the error is exp's, the division's and the last addition's."""
    z, dz = _shifted(x, m)
    e = np.exp(z, out=z)
    hi, lo = _sum_in_two_parts(e, e * dz, axis, 1.0)  # e ≤ 1: e^0 = 1 at the maximum
    s, c = two_sum(hi, lo)
    np.divide(e, s, out=e)
    dz -= c / s
    dz *= e
    np.add(e, dz, out=out)


def _softmax_kernel(x, axis, out):
    m = np.max(x, axis=axis, keepdims=True)
    limit = _limit_at_infinity(x, m, axis)
    _softmax_float64(x, m, axis, out)
    if limit is not None:
        np.copyto(out, limit[1], where=limit[0], casting="unsafe")


def _with_fused(x, axis, fused, kernel):
    """float32: ``fused`` (:mod:`actlab.activations._fused`) along the axis, in one pass
    per slice, the slices it flags (NaN, +inf, all −inf) redone by ``kernel`` in float64;
    float64: ``kernel``."""
    if x.dtype != np.float32:
        return _blockwise(x, axis, kernel)
    y, ok = fused(np.moveaxis(x, axis, -1))
    if not ok.all():
        bad = ~ok
        y[bad] = _blockwise(np.moveaxis(x, axis, -1)[bad], -1, kernel)
    y = np.moveaxis(y, -1, axis)
    return y if axis in (-1, x.ndim - 1) else np.ascontiguousarray(y)


def _softmax(x, axis):
    if x.shape[axis] == 0:
        return np.copy(x)
    return _with_fused(x, axis, _fused.softmax, _softmax_kernel)


def softmax(x, axis: int = -1):
    r"""Softmax :math:`e^{x_i} / \sum_j e^{x_j}` along ``axis`` (default the last)."""
    x = as_float_array(x, "softmax")
    return _softmax(x, _check_axis("softmax", x, axis))


def _count(mask: np.ndarray, axis: int) -> np.ndarray:
    """The number of True entries along ``axis`` (kept), as numpy counts fastest: a
    bool sum converts every entry to an integer, a uint8 sum does not (nor overflows
    below 256 entries)."""
    if mask.shape[axis] < 256:
        return mask.view(np.uint8).sum(axis=axis, keepdims=True, dtype=np.uint8)
    return np.count_nonzero(mask, axis=axis, keepdims=True)


def _log_of_sum(rest, rest_lo, top, axis):
    """log Σ_j e^(x_j − m) = log(n + rest + rest_lo), to within about an ulp, from
    ``rest + rest_lo``, the sum of the terms other than the n maxima (``top``), whose
    terms are exactly 1: the rest may be tiny, so it is summed without them.

    numpy's float64 ``log`` is vectorized and its ``log1p`` is not: with u = fl(n + r),
    log(n + r + r_lo) = log u + log(1 + c/u) ≈ log u + c/u, where c = r − (u − n) + r_lo
    and r − (u − n) is the exact rounding error of u (u − n and r − (u − n) are exact:
    n is a small integer and u < 2⁵³).
    """
    n = _count(top, axis)
    u = rest + n
    c = u - n
    np.subtract(rest, c, out=c)
    c += rest_lo
    c /= u
    np.log(u, out=u)
    u += c
    return u


def _log_softmax_float64(x, m, axis, out):
    """(z − log Σ) + dz: log Σ to within about an ulp, and two roundings."""
    z, dz = _shifted(x, m)
    top = z == 0.0  # at the maxima only (a difference of distinct floats is never 0)
    e = np.exp(z)
    e -= top  # 1 − 1 = 0 exactly at the maxima
    rest, rest_lo = _sum_in_two_parts(e, e * dz, axis, e.max(axis=axis, keepdims=True))
    z -= _log_of_sum(rest, rest_lo, top, axis)
    np.add(z, dz, out=out)


def _log_softmax_kernel(x, axis, out):
    m = np.max(x, axis=axis, keepdims=True)
    limit = _limit_at_infinity(x, m, axis)
    _log_softmax_float64(x, m, axis, out)
    if limit is not None:  # log 0 = −inf below an infinite maximum
        np.copyto(out, np.log(limit[1]), where=limit[0], casting="unsafe")


def _log_softmax(x, axis):
    if x.shape[axis] == 0:
        return np.copy(x)
    return _with_fused(x, axis, _fused.log_softmax, _log_softmax_kernel)


def log_softmax(x, axis: int = -1):
    r"""Log-softmax :math:`x_i - \log \sum_j e^{x_j}` along ``axis``, without forming the softmax."""
    x = as_float_array(x, "log_softmax")
    return _log_softmax(x, _check_axis("log_softmax", x, axis))


class _AlongAxis(Activation):
    elementwise = False

    def __init__(self, name: str, axis: int = -1):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{name}: parameter 'axis' must be an integer, got {type(axis).__name__}")
        super().__init__(name, {"axis": int(axis)})

    def derivative(self, x):
        raise TypeError(
            f"{self.name} is not elementwise: it has a Jacobian, not a derivative per element; "
            "use backward(cache, upstream) for vector-Jacobian products"
        )


def _sum_over(a: np.ndarray, axis: int) -> np.ndarray:
    """Σ of ``a`` over ``axis``, kept as an axis of length 1, for the backward passes: a
    product with a vector of ones (BLAS). numpy's ``sum`` over a short contiguous axis runs
    one inner loop per slice (~20 copies for ten classes); this is ~2."""
    total = np.moveaxis(a, axis, -1) @ np.ones(a.shape[axis], dtype=a.dtype)
    return np.expand_dims(total, axis)


class Softmax(_AlongAxis):
    """Softmax as an activation object; ``backward`` is the exact VJP ``y ⊙ (g − Σ g y)``."""

    def __init__(self, axis: int = -1):
        super().__init__("softmax", axis)

    def forward(self, x):
        y = softmax(x, self.params["axis"])
        return y, y

    def backward(self, cache, upstream):
        y = cache
        g = check_upstream(self.name, upstream, y.shape)
        axis = self.params["axis"]
        return y * (g - _sum_over(g * y, axis))

    @property
    def info(self) -> Properties:
        return Properties(
            formula=r"\frac{e^{x_i}}{\sum_j e^{x_j}}",
            derivative=r"\frac{\partial y_i}{\partial x_j} = y_i(\delta_{ij} - y_j)",
            output_range=(0.0, 1.0),
            range_latex="(0, 1)",
            zero_centred=False,
            monotonic=True,
            smoothness="Cinf",
            saturates="both",
            self_normalizing=False,
            cost="medium",
            cite_key=None,
            note="multi-class output: probabilities summing to 1",
        )


class LogSoftmax(_AlongAxis):
    """Log-softmax as an activation object; ``backward`` is ``g − softmax(x)·Σ g``."""

    def __init__(self, axis: int = -1):
        super().__init__("log_softmax", axis)

    def forward(self, x):
        y = log_softmax(x, self.params["axis"])
        return y, y

    def backward(self, cache, upstream):
        y = cache
        g = check_upstream(self.name, upstream, y.shape)
        axis = self.params["axis"]
        return g - K.exp(y) * _sum_over(g, axis)

    @property
    def info(self) -> Properties:
        return Properties(
            formula=r"x_i - \log \sum_j e^{x_j}",
            derivative=r"\frac{\partial y_i}{\partial x_j} = \delta_{ij} - \mathrm{softmax}(x)_j",
            output_range=(-np.inf, 0.0),
            range_latex=r"(-\infty, 0)",
            zero_centred=False,
            monotonic=True,
            smoothness="Cinf",
            saturates="right",
            self_normalizing=False,
            cost="medium",
            cite_key=None,
            note="log-probabilities for the cross-entropy loss",
        )
