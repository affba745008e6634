"""Softmax and log-softmax along an axis: the multi-class output layer.

``softmax(x)_i = e^{x_i} / Σ_j e^{x_j}`` turns scores into probabilities. It is
shift-invariant, so the maximum is subtracted first (no overflow); the rounding error
of that subtraction, which e^z would magnify to ~|z| ulp, is carried separately and put
back as a factor (1 + error). Log-softmax, ``x_i − log Σ_j e^{x_j}``, is what a
cross-entropy loss should consume.

Infinite scores are handled as limits: if the largest score of a slice is +inf (or
every score is −inf) the probability is shared equally by the entries equal to it.
A NaN anywhere in a slice makes the whole slice NaN.
"""

from __future__ import annotations

import numpy as np

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
    """``kernel(t, ax)`` on cache-sized blocks of ``x``, reducing over axis ``ax`` of ``t``.

    Speed only; the arithmetic per slice is the kernel's. numpy reduces a short
    contiguous axis slowly (one inner loop of ~10 elements per slice, ~8× a copy for
    ten classes), so short slices are transposed, block by block, into a (k, rows)
    array whose axis-0 reductions are elementwise vector operations; long slices are
    passed as (rows, k). Each block stays in cache through the kernel's passes.
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
                out[start : start + step] = kernel(np.ascontiguousarray(block.T), 0).T
            else:
                out[start : start + step] = kernel(block, 1)
    out = np.moveaxis(out.reshape(xm.shape), -1, axis)
    return out if axis in (-1, x.ndim - 1) else np.ascontiguousarray(out)


def _shifted(x: np.ndarray, axis: int):
    """``(z, dz, m, infinite)``: z + dz = x − max exactly, per slice.

    A difference past the largest float is −inf, whose exponential, 0, is then the
    correctly rounded result; slices whose maximum is infinite (inf − inf) are replaced
    by the caller. In both cases the error term dz is meaningless and set to 0.
    (Called with floating-point warnings off, by :func:`_blockwise`.)
    """
    m = np.max(x, axis=axis, keepdims=True)
    infinite = np.isinf(m)
    z, dz = two_sum(x, -m)
    if not np.isfinite(dz.max() - dz.min()):  # NaN and ±inf all make this non-finite
        dz[~np.isfinite(dz)] = 0.0
    return z, dz, m, infinite


def _limit_of_infinite(x, m, axis):
    hits = (x == m).astype(x.dtype)
    count = hits.sum(axis=axis, keepdims=True)
    return hits / np.maximum(count, 1.0)  # count is 0 in NaN slices, which are not used


def _softmax_kernel(x, axis):
    z, dz, m, infinite = _shifted(x, axis)
    e = np.exp(z, out=z)
    dz += 1.0
    e *= dz  # e^(z + dz) to first order; dz is at most half an ulp of z
    e /= e.sum(axis=axis, keepdims=True)
    if infinite.any():
        e = np.where(infinite, _limit_of_infinite(x, m, axis), e)
    return e


def _softmax(x, axis):
    if x.shape[axis] == 0:
        return np.copy(x)
    return _blockwise(x, axis, _softmax_kernel)


def softmax(x, axis: int = -1):
    r"""Softmax :math:`e^{x_i} / \sum_j e^{x_j}` along ``axis`` (default the last)."""
    x = as_float_array(x, "softmax")
    return _softmax(x, _check_axis("softmax", x, axis))


def _log1p_nonnegative(r: np.ndarray) -> np.ndarray:
    """log(1 + r) for r ≥ 0 (or NaN), to about half an ulp, in float64 (also for float32).

    numpy's float64 ``log`` is vectorized and its ``log1p`` is not: with u = fl(1 + r),
    log(1 + r) = log u + log(1 + c/u) ≈ log u + c/u, where c = r − (u − 1) is the exact
    rounding error of u (Fast2Sum / Sterbenz: u − 1 and r − (u − 1) are exact).
    """
    r = r.astype(np.float64)
    u = r + 1.0
    c = u - 1.0
    np.subtract(r, c, out=c)
    c /= u
    np.log(u, out=u)
    u += c
    return u


def _log_softmax_kernel(x, axis):
    z, dz, m, infinite = _shifted(x, axis)
    s = np.exp(z)
    dz1 = dz + 1.0
    s *= dz1
    # log Σ = log1p(Σ − 1): a maximum's term is exactly 1 (z = 0, dz = 0), and the rest
    # may be tiny, so Σ − 1 is summed without the maxima: z = 0 exactly at the maxima
    # only (a difference of distinct floats is never 0), and ties add 1 each but one.
    top = (z == 0.0).astype(x.dtype)
    s -= top  # 1 − 1 = 0 exactly at the maxima
    rest = s.sum(axis=axis, keepdims=True)
    ties = top.sum(axis=axis, keepdims=True)
    ties -= 1.0  # exact (a small integer), and added only then: Σ may be tiny
    rest += ties
    z -= _log1p_nonnegative(rest).astype(x.dtype)
    z += dz
    if infinite.any():
        z = np.where(infinite, np.log(_limit_of_infinite(x, m, axis)), z)  # log 0 = −inf below an infinite maximum
    return z


def _log_softmax(x, axis):
    if x.shape[axis] == 0:
        return np.copy(x)
    return _blockwise(x, axis, _log_softmax_kernel)


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
        return y * (g - np.sum(g * y, axis=axis, keepdims=True))

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
        return g - np.exp(y) * np.sum(g, axis=axis, keepdims=True)

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
