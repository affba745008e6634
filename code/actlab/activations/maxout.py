"""Maxout: the maximum over groups of k inputs (Goodfellow et al. 2013).

A maxout unit is ``max_j z_j`` over k affine pieces ``z_j = w_j·x + b_j``; with enough
pieces it approximates any convex function, and ReLU (max(x, 0)) and |x| are special
cases. The affine maps belong to the preceding linear layer, which outputs
``units·k`` features; this activation takes the maximum within each consecutive group
of k (the last axis reshaped to ``(units, k)``).
"""

from __future__ import annotations

import numpy as np

from actlab.activations import _fused
from actlab.activations._core import as_float_array, positive_int
from actlab.activations.base import Activation, Properties, check_upstream

__all__ = ["maxout", "Maxout"]


def _groups(name: str, x: np.ndarray, k: int) -> np.ndarray:
    if x.ndim == 0:
        raise ValueError(f"{name}: needs an array with a last axis of size units·k, got a scalar")
    if x.shape[-1] % k:
        raise ValueError(f"{name}: the last axis has size {x.shape[-1]}, not a multiple of k = {k}")
    return x.reshape(*x.shape[:-1], x.shape[-1] // k, k)


def _group_max(z: np.ndarray) -> np.ndarray:
    """The maximum over the last axis of ``z``, NaN if any piece is NaN.

    Folded piece by piece with ``np.maximum`` (k − 1 vectorized passes) rather than
    reduced along a last axis of k elements, which numpy does one short loop per group.
    """
    if z.shape[-1] == 1:
        return z[..., 0].copy()
    if z.dtype == np.float32:
        # The same, compiled (numpy's maximum over strided pieces is not vectorized), over
        # all groups as one row: per row of m groups, the ufunc machinery costs more than
        # the work.
        return _fused.group_max(z.reshape(1, -1, z.shape[-1])).reshape(z.shape[:-1])
    y = np.maximum(z[..., 0], z[..., 1])
    for j in range(2, z.shape[-1]):
        np.maximum(y, z[..., j], out=y)
    return y


def maxout(x, k: int = 2):
    """The maximum of each group of ``k`` consecutive entries of the last axis.

    The output's last axis has size ``x.shape[-1] // k``. NaN in a group gives NaN.
    """
    k = positive_int("maxout", "k", k)
    x = as_float_array(x, "maxout")
    return _group_max(_groups("maxout", x, k))


class Maxout(Activation):
    """Maxout as an activation object; ``backward`` routes each gradient to the winning piece
    (the first one on ties)."""

    elementwise = False

    def __init__(self, k: int = 2):
        super().__init__("maxout", {"k": positive_int("maxout", "k", k)})

    def derivative(self, x):
        raise TypeError(
            "maxout is not elementwise (it maps units·k inputs to units outputs); "
            "use backward(cache, upstream), which routes the gradient to each group's maximum"
        )

    def forward(self, x):
        x = as_float_array(x, self.name)
        z = _groups(self.name, x, self.params["k"])
        y = _group_max(z)
        return y, (z, y)

    def backward(self, cache, upstream):
        z, y = cache
        g = check_upstream(self.name, upstream, y.shape)
        if z.dtype == np.float32 and g.dtype == np.float32:  # the same, compiled, all groups as one row
            k = z.shape[-1]
            grad = _fused.group_max_backward(z.reshape(1, -1, k), g.reshape(1, -1))
            return grad.reshape(*z.shape[:-2], -1)
        grad = np.empty(z.shape, dtype=np.result_type(g, z))
        # Each group's gradient goes to its first piece equal to the maximum (or, in a
        # group holding NaN, to its first NaN, which is where argmax would put it); the
        # other pieces get 0, not g·0 (NaN for an infinite g).
        free = np.ones(y.shape, dtype=bool)
        for j in range(z.shape[-1]):
            piece = z[..., j]
            wins = (piece == y) | np.isnan(piece)
            wins &= free
            free &= ~wins
            grad[..., j] = np.where(wins, g, 0.0)
        return grad.reshape(*z.shape[:-2], -1)

    @property
    def info(self) -> Properties:
        return Properties(
            formula=r"\max_{1 \le j \le k} z_j",
            derivative=r"\frac{\partial y}{\partial z_j} = [\,j = \arg\max_i z_i\,]",
            output_range=(-np.inf, np.inf),
            range_latex=r"(-\infty, \infty)",
            zero_centred=False,
            monotonic=True,
            smoothness="C0",
            saturates="none",
            self_normalizing=False,
            cost="low",
            cite_key="goodfellow2013maxout",
            note=f"max of k = {self.params['k']} affine pieces; learns convex activations",
        )
