"""The Heaviside step and the identity: where the book starts.

The step is the McCulloch–Pitts and perceptron unit :cite:`mcculloch1943logical`,
:cite:`rosenblatt1958perceptron`; its derivative is zero wherever it exists, which is why
gradient descent cannot train it. The identity is the "no activation" of a linear layer
(a stack of linear layers collapses to one matrix) and of a regression output.
"""

from __future__ import annotations

import numpy as np

from actlab.activations import _fused
from actlab.activations import _kernels as K
from actlab.activations._core import BLOCK, finite_real
from actlab.activations.base import Properties, Spec, evaluate

__all__ = ["step", "step_derivative", "identity", "identity_derivative", "SPECS"]


def _check_step(at_zero: float = 1.0) -> dict:
    return {"at_zero": finite_real("step", "at_zero", at_zero)}


def _step(x, at_zero):
    # Block by block, so that everything after the first read of x is served from
    # cache: one comparison into a reused bool buffer (the SIMD loop), one bool → float
    # cast into the output, and a NaN check by min (which propagates NaN). x ≥ 0 gives
    # H(0) = 1 and x > 0 gives H(0) = 0 with no extra pass; other values at 0, and
    # NaN, are patched only in the (rare) blocks that contain them. Exact throughout.
    out = np.empty_like(x)
    hits = np.empty(min(BLOCK, x.size), dtype=bool)
    compare = np.greater_equal if at_zero == 1.0 else np.greater
    for start in range(0, x.size, BLOCK):
        xb = x[start : start + BLOCK]
        ob = out[start : start + BLOCK]
        hb = hits[: xb.size]
        compare(xb, 0.0, out=hb)
        np.copyto(ob, hb)
        if at_zero not in (0.0, 1.0):
            zero = xb == 0.0
            if zero.any():
                ob[zero] = at_zero
        if np.isnan(xb.min()):
            ob[np.isnan(xb)] = np.nan
    return out


def step(x, at_zero: float = 1.0):
    r"""Heaviside step: :math:`H(x) = 1` for x > 0, ``at_zero`` at 0, and 0 for x < 0.

    Args:
        x: real number or array-like.
        at_zero: the value at 0. The conventions differ: H(0) = 1 is a
            McCulloch–Pitts or perceptron unit that fires when its input *reaches*
            the threshold (and :mod:`actlab.perceptron` uses it), H(0) = 1/2 is the
            symmetric choice of analysis, H(0) = 0 makes H the derivative of ReLU as
            frameworks compute it. Default 1.

    Reference: McCulloch & Pitts (1943); Rosenblatt (1958).
    """
    return evaluate("step", _step, x, blockwise=False, fused=_fused.step, **_check_step(at_zero))


def step_derivative(x, at_zero: float = 1.0):
    """H′(x) = 0 for every x ≠ 0. At 0 it is undefined (a jump) and 0 is returned, as
    frameworks do; NaN gives NaN."""
    _check_step(at_zero)
    return evaluate("step", K.zero_or_nan, x, blockwise=False)


def _identity(x):
    return np.array(x, copy=True)


def identity(x):
    r"""The identity :math:`f(x) = x` (the output of a linear layer or regression head).

    Returns a new float array, never a view of the input.
    """
    return evaluate("identity", _identity, x, blockwise=False)


def _identity_derivative(x):
    return K.constant_pieces(x, 0.0, 0.0, 1.0, 1.0)


def identity_derivative(x):
    """f′(x) = 1 (NaN at NaN)."""
    return evaluate("identity", _identity_derivative, x, blockwise=False)


def _step_properties(at_zero):
    return Properties(
        formula=r"H(x) = \begin{cases} 1 & x > 0 \\ " + f"{at_zero:g}" + r" & x = 0 \\ 0 & x < 0 \end{cases}",
        derivative=r"0 \quad (x \neq 0)",
        output_range=(min(0.0, at_zero), max(1.0, at_zero)),
        range_latex=r"\{0, 1\}" if at_zero in (0.0, 1.0) else r"\{0, " + f"{at_zero:g}" + r", 1\}",
        zero_centred=False,
        monotonic=0.0 <= at_zero <= 1.0,
        smoothness="discontinuous",
        saturates="both",
        self_normalizing=False,
        cost="low",
        cite_key="mcculloch1943logical",
        kinks=(0.0,),
        note="threshold unit of McCulloch–Pitts and the perceptron; no gradient",
    )


def _identity_properties():
    return Properties(
        formula="x",
        derivative="1",
        output_range=(-np.inf, np.inf),
        range_latex=r"(-\infty, \infty)",
        zero_centred=True,
        monotonic=True,
        smoothness="Cinf",
        saturates="none",
        self_normalizing=False,
        cost="low",
        cite_key=None,
        note="linear layers and regression outputs",
    )


SPECS = (
    Spec("step", step, step_derivative, _check_step, _step_properties, aliases=("heaviside",)),
    Spec("identity", identity, identity_derivative, lambda: {}, _identity_properties, aliases=("linear",)),
)
