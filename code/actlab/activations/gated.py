"""Self-gated activations x·g(x): GELU, its tanh approximation, SiLU/Swish, Hard-Swish, Mish.

Each multiplies its input by a smooth (or piecewise-linear) gate between 0 and 1, so it
follows ReLU for large |x| but dips below zero on the left before returning to 0: none
is monotonic, and each has a single minimum (GELU ≈ −0.16997 at x ≈ −0.7518, SiLU
≈ −0.27846 at x ≈ −1.27846, Mish ≈ −0.30884 at x ≈ −1.19).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from actlab.activations import _fused
from actlab.activations import _kernels as K
from actlab.activations import _roots as R
from actlab.activations._core import positive_real
from actlab.activations._dd import exp_neg_half_square, scaled, two_prod, two_sum
from actlab.activations.base import Properties, Spec, evaluate

__all__ = [
    "gelu",
    "gelu_derivative",
    "gelu_tanh",
    "gelu_tanh_derivative",
    "silu",
    "silu_derivative",
    "swish",
    "swish_derivative",
    "hard_swish",
    "hard_swish_derivative",
    "mish",
    "mish_derivative",
    "SPECS",
]

_INV_SQRT2 = 0.70710678118654752440
_INV_SQRT_2PI = 0.39894228040143267794
_GELU_TANH_C = 0.044715

#: Beyond these |x| every gate is exactly 0 or 1 in float64; clipping there keeps
#: products such as x·(1 − g) away from inf·0.
_GATE_CLIP = 800.0


def _no_params() -> dict:
    return {}


# GELU ------------------------------------------------------------------------------
_INV_SQRT2_LO = -4.833646656726457e-17  # 1/√2 − _INV_SQRT2
_TWO_OVER_SQRT_PI = 1.1283791670955126


def _gelu_left_factors(x):
    """For float64 x < 0 (clipped to ≥ −40): ``(Φ(x)/E, E)`` with E = e^(−x²/2).

    Φ(x) = ½·erfc(z) = ½·erfcx(z)·e^(−z²) with z = −x/√2. SciPy's erfc forms e^(−z²) from
    a rounded z² (off by ~z² ulp); here the square is carried exactly, and so is the
    rounding error of z, through erfcx′(z) = 2z·erfcx(z) − 2/√π.
    """
    z, zl = two_prod(x, -_INV_SQRT2)
    zl += x * -_INV_SQRT2_LO
    ex = special.erfcx(z)
    p, pe = two_prod(x, x)
    e0 = np.exp(-0.5 * p)
    # e^(−x²/2)·erfcx(z + zl)/erfcx(z) = e0·(1 − pe/2 + (2z − 2/(√π·erfcx z))·zl) to first order.
    corr = (2.0 * z - _TWO_OVER_SQRT_PI / ex) * zl - 0.5 * pe
    return 0.5 * ex, e0 + e0 * corr


def _gelu(x):
    y = np.empty_like(x)
    neg = x < -1.0
    pos = ~neg  # includes NaN, which x·Φ(x) propagates
    xp = x[pos]
    y[pos] = xp * special.ndtr(xp)  # x ≥ −1: ndtr uses ½ + ½·erf(x/√2) near 0, accurate
    xn = K.clamp(x[neg], -40.0, np.inf)  # GELU(−40) rounds to 0
    a, e = _gelu_left_factors(xn)
    y[neg] = (xn * a) * e
    return y


def gelu(x):
    r"""Gaussian error linear unit :math:`x\,\Phi(x) = \tfrac{x}{2}\big(1 + \mathrm{erf}(x/\sqrt2)\big)`.

    Hendrycks & Gimpel (2016): the input scaled by the probability that a standard
    normal variable is below it. The erf form, exact; see :func:`gelu_tanh` for the
    popular approximation. Minimum ≈ −0.16997 at x ≈ −0.7518.
    """
    return evaluate("gelu", _gelu, x, fused=_fused.gelu)


def _gelu_derivative_direct(x):
    d = np.empty_like(x)
    neg = x < -1.0  # [−1.25, −0.25] is the zero's window, where this is replaced
    pos = ~neg
    xp = x[pos]
    c = K.clamp(xp, -np.inf, 40.0)  # x·φ(x) is 0 beyond; keeps inf out of the square
    d[pos] = special.ndtr(xp) + c * exp_neg_half_square(c) * _INV_SQRT_2PI
    xn = K.clamp(x[neg], -40.0, np.inf)
    a, e = _gelu_left_factors(xn)  # Φ(x) = a·e, φ(x) = e/√(2π)
    d[neg] = e * (a + _INV_SQRT_2PI * xn)
    return d


def _gelu_derivative(x):
    return R.near_root("gelu", x, _gelu_derivative_direct)


def gelu_derivative(x):
    r""":math:`\Phi(x) + x\,\varphi(x)` with φ the standard normal density."""
    return evaluate("gelu", _gelu_derivative, x, fused=_fused.gelu_derivative)


# GELU, tanh approximation ----------------------------------------------------------
_GT_K = 1.5957691216057308  # 2√(2/π), and its rounding error:
_GT_K_LO = -9.96930880911092e-17
_GT_C_LO = 2.1960211427085595e-18  # 0.044715 − float(0.044715)
# The constants to longdouble precision (0.044715 and 2√(2/π) are not doubles).
_GT_C_WIDE = np.longdouble(_GELU_TANH_C) + np.longdouble(_GT_C_LO)
_GT_K_WIDE = np.longdouble(_GT_K) + np.longdouble(_GT_K_LO)


def _gelu_tanh_argument(x):
    """``(w, wl)``: w + wl = 2√(2/π)·x·(1 + 0.044715x²) to about 2⁻¹⁰⁵ relative, float64.

    ½(1 + tanh u) = σ(2u): the σ form does not cancel for very negative x. The
    argument's rounding error would be multiplied by |w| (≈ 87 at x = −10) in σ(w), so
    it is carried as a double-double.
    """
    s, se = two_prod(x, x)
    a, ae = two_prod(s, _GELU_TANH_C)
    a_lo = ae + _GELU_TANH_C * se + _GT_C_LO * s
    b, be = two_sum(1.0, a)
    m, me = two_prod(x, b)
    m_lo = me + x * (be + a_lo)
    w, we = two_prod(m, _GT_K)
    return w, we + _GT_K * m_lo + _GT_K_LO * m


def _gelu_tanh_gate(x):
    """σ(w(x)) for float64 |x| ≤ 1e4, with w's rounding error corrected."""
    w, wl = _gelu_tanh_argument(x)
    g = K.sigmoid(w)
    g += K.sigmoid_derivative(w) * wl  # σ(w + wl) = σ(w) + σ′(w)·wl to first order
    return g


def _gelu_tanh_f64(x):
    c = K.clamp(x, -1e4, 1e4)  # the gate is exactly 0 or 1 long before
    g = _gelu_tanh_gate(c)
    g *= K.clamp(x, -1e4, np.inf)  # −inf·0 kept out: the function is 0 far left
    return g


def _gelu_tanh_wide(x):
    w = np.multiply(x, x)
    w *= _GT_C_WIDE
    w += 1.0
    w *= x
    w *= _GT_K_WIDE
    g = K.sigmoid(w)
    g *= x
    return g


def _gelu_tanh(x):
    # Below x ≈ −20.3 the gate e^w is subnormal in float64: redo those in longdouble.
    c = K.clamp(x, -1e4, np.inf)
    return K.refine_left_tail(_gelu_tanh_f64(x), c, _gelu_tanh_wide, below=-20.0)


def gelu_tanh(x):
    r"""GELU's tanh approximation :math:`\tfrac{x}{2}\big(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3))\big)`.

    Hendrycks & Gimpel (2016); used by BERT and GPT-2. Within about 4.7e−4 of
    :func:`gelu` on [−10, 10].
    """
    return evaluate("gelu_tanh", _gelu_tanh, x, fused=_fused.gelu_tanh)


def _gelu_tanh_derivative_direct(x):
    # σ(w) + x·σ′(w)·w′ = σ(w)·(1 + x·w′·(1 − σ(w))), w′ = 2√(2/π)(1 + 3·0.044715x²).
    c = K.clamp(x, -1e4, 1e4)
    g = _gelu_tanh_gate(c)
    t = np.multiply(c, c)
    t *= 3.0 * _GELU_TANH_C
    t += 1.0
    t *= _GT_K
    t *= c
    t *= 1.0 - g
    t += 1.0
    t *= g
    return t


def _gelu_tanh_derivative_formula(x, k, c):
    """σ(w)·(1 + x·w′·(1 − σ(w))) with w = k·x(1 + c·x²), w′ = k(1 + 3c·x²), in x's type."""
    x = K.clamp(x, -1e4, 1e4)
    w = np.multiply(x, x)
    w *= c
    w += 1.0
    w *= x
    w *= k
    g = K.sigmoid(w)
    t = np.multiply(x, x)
    t *= 3.0 * c
    t += 1.0
    t *= k
    t *= x
    t *= 1.0 - g
    t += 1.0
    t *= g
    return t


def _gelu_tanh_derivative_extended(x):
    # In longdouble the argument's rounding error, ~|w|·2⁻⁶⁴ relative, is negligible
    # after rounding to float64, and eʷ stays normal down to w ≈ −11000.
    return _gelu_tanh_derivative_formula(x, _GT_K_WIDE, _GT_C_WIDE)


def _gelu_tanh_derivative(x):
    direct = K.in_longdouble(_gelu_tanh_derivative_extended) if K.LONGDOUBLE_IS_WIDER else _gelu_tanh_derivative_direct
    return R.near_root("gelu_tanh", x, direct)


def gelu_tanh_derivative(x):
    r""":math:`\sigma(w) + x\,\sigma'(w)\,w'` with :math:`w = 2\sqrt{2/\pi}(x + 0.044715x^3)`."""
    return evaluate("gelu_tanh", _gelu_tanh_derivative, x, fused=_fused.gelu_tanh_derivative)


# SiLU and Swish ----------------------------------------------------------------------
def _silu_plain(x):
    g = K.sigmoid(x)
    g *= K.clamp(x, -_GATE_CLIP, np.inf)
    return g


def _silu(x):
    return K.refine_left_tail(_silu_plain(x), x, _silu_plain)


def silu(x):
    r"""Sigmoid-weighted linear unit :math:`x\,\sigma(x)` (Swish with β = 1).

    Elfwing, Uchibe & Doya (2018), and Hendrycks & Gimpel (2016) as "SiLU"; found by
    search as Swish (Ramachandran, Zoph & Le 2017). Minimum ≈ −0.27846 at x ≈ −1.27846.
    """
    return evaluate("silu", _swish, x, fused=_fused.swish, beta=1.0)


def _silu_derivative_direct(x):
    # σ(x)·(1 + x·σ(−x)); x is clipped so that x·σ(−x) is never inf·0.
    c = K.clamp(x, -_GATE_CLIP, _GATE_CLIP)
    s = K.sigmoid(c)
    t = K.sigmoid(np.negative(c))
    t *= c
    t += 1.0
    t *= s
    return t


def _silu_derivative(x):
    return R.near_root("silu", x, K.in_longdouble(_silu_derivative_direct))


def silu_derivative(x):
    r""":math:`\sigma(x)\,\big(1 + x(1 - \sigma(x))\big)`."""
    return evaluate("silu", _swish_derivative, x, fused=_fused.swish_derivative, beta=1.0)


def _check_swish(beta: float = 1.0) -> dict:
    return {"beta": positive_real("swish", "beta", beta)}


def _scaled_argument(x, beta):
    """βx as c + lo exactly (x clipped where every gate is 0 or 1): σ(βx) would
    otherwise magnify the rounding of βx up to |βx| times (120 ulp at β = 1.702,
    x = −104)."""
    return scaled(K.clamp(x, -_GATE_CLIP / beta, _GATE_CLIP / beta), beta)


def _swish(x, beta):
    if beta == 1.0:
        return _silu(x)
    c, lo = _scaled_argument(x, beta)
    g = K.sigmoid_of_pair(c, lo)
    g *= K.clamp(x, -_GATE_CLIP / beta, np.inf)
    tail = c < -700.0
    if tail.any():
        # σ(βx) is subnormal or nearly: x·σ(βx) in longdouble (as refine_left_tail), from x
        # itself rather than the clipped βx, which is off where β < 1e−21 makes |x|·e^(βx)
        # representable beyond the clip. (βx in longdouble: within 0.7 ulp here.)
        xt = K.clamp(x[tail], np.finfo(np.float64).min, np.inf).astype(np.longdouble)  # not −inf·0
        g[tail] = (xt * K.sigmoid(xt * beta)).astype(np.float64)
    return g


def swish(x, beta: float = 1.0):
    r"""Swish :math:`x\,\sigma(\beta x)` (Ramachandran, Zoph & Le 2017).

    Args:
        beta: gate sharpness β > 0 (a constant here; the paper also trains it).
            β = 1 is SiLU; β → ∞ tends to ReLU. Default 1.
    """
    return evaluate("swish", _swish, x, fused=_fused.swish, **_check_swish(beta))


def _silu_second_derivative(x):
    # SiLU″ = σ(x)σ(−x)·(2 + x(1 − 2σ(x))); only ever multiplies a rounding error.
    s = K.sigmoid(x)
    return s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s))


def _swish_derivative(x, beta):
    if beta == 1.0:
        return _silu_derivative(x)
    c, lo = _scaled_argument(x, beta)  # d/dx xσ(βx) = SiLU′(βx), βx = c + lo
    d = K.in_longdouble(_silu_derivative_direct)(c)
    d += lo * _silu_second_derivative(c)  # SiLU′(c + lo), to first order
    return R.replace_near_root("silu", c, d, x_lo=lo)


def swish_derivative(x, beta: float = 1.0):
    r""":math:`\sigma(\beta x)\,\big(1 + \beta x(1 - \sigma(\beta x))\big)`, i.e. SiLU′(βx)."""
    return evaluate("swish", _swish_derivative, x, fused=_fused.swish_derivative, **_check_swish(beta))


# Hard-Swish --------------------------------------------------------------------------
def _hard_swish(x):
    c = K.clamp(x, -4.0, np.inf)  # HardSwish is 0 below −3; keeps −inf·0 out
    g = np.add(c, 3.0)
    K.clamp(g, 0.0, 6.0, out=g)
    g /= 6.0  # before the product, which would overflow for huge x
    g *= c
    return g


def hard_swish(x):
    r"""Hard-Swish :math:`x\,\mathrm{ReLU6}(x + 3)/6` (Howard et al. 2019, MobileNetV3).

    0 for x ≤ −3, x for x ≥ 3, and x(x + 3)/6 between; minimum −3/8 at x = −3/2.
    """
    return evaluate("hard_swish", _hard_swish, x, fused=_fused.hard_swish)


def _hard_swish_derivative(x):
    a = K.indicator_at_least(x, -3.0)  # the middle piece includes x = −3
    b = K.indicator_positive(np.subtract(x, 3.0))  # [x > 3]
    m = K.clamp(x, -3.0, 3.0)
    m *= 2.0
    m += 3.0
    m /= 6.0
    return K.select(b, np.ones_like(m), a * m)


def hard_swish_derivative(x):
    r"""0 for x < −3, :math:`(2x + 3)/6` on [−3, 3], 1 for x > 3.

    It jumps at both kinks; there the middle piece's value is returned
    (−1/2 at −3, 3/2 at 3), as PyTorch does.
    """
    return evaluate("hard_swish", _hard_swish_derivative, x, fused=_fused.hard_swish_derivative)


# Mish --------------------------------------------------------------------------------
def _mish_gate(x):
    """``(g, h, p, w)``: g = tanh(softplus x), h = 1 − g, p = [x > 0], w = e^(−|x|).

    With u = eˣ, tanh(log(1 + u)) = u(u + 2)/(u(u + 2) + 2). For x ≤ 0 that is
    evaluated with u = w; for x > 0 it is rewritten in w = 1/u as
    (1 + 2w)/(1 + 2w + 2w²), whose complement h = 2w²/(1 + 2w + 2w²) is also exact.
    """
    w = np.abs(x)
    np.negative(w, out=w)
    np.exp(w, out=w)
    p = K.indicator_positive(x)
    n = np.add(w, 2.0)
    n *= w  # u(u + 2) for x ≤ 0
    g_neg = n / (n + 2.0)
    h_neg = 2.0 / (n + 2.0)
    a = np.multiply(w, 2.0)
    a += 1.0  # 1 + 2w
    w2 = np.multiply(w, w)
    w2 *= 2.0
    den = a + w2
    g_pos = a / den
    h_pos = w2 / den
    return K.select(p, g_pos, g_neg), K.select(p, h_pos, h_neg), p, w


def _mish_plain(x):
    g = _mish_gate(x)[0]
    g *= K.clamp(x, -_GATE_CLIP, np.inf)
    return g


def _mish(x):
    return K.refine_left_tail(_mish_plain(x), x, _mish_plain)


def mish(x):
    r"""Mish :math:`x \tanh(\mathrm{softplus}(x)) = x \tanh(\log(1 + e^x))` (Misra 2019).

    Minimum ≈ −0.30884 at x ≈ −1.1924.
    """
    return evaluate("mish", _mish, x, fused=_fused.mish)


def _mish_derivative_direct(x):
    # g + x·sech²(softplus x)·σ(x), with sech² = 1 − g² = h(2 − h).
    c = K.clamp(x, -_GATE_CLIP, _GATE_CLIP)
    g, h, p, w = _mish_gate(c)
    s = K.select(p, 1.0 / (1.0 + w), w / (1.0 + w))  # σ(x) from w = e^(−|x|)
    t = np.subtract(2.0, h)
    t *= h
    t *= s
    t *= c
    g += t
    return g


def _mish_derivative(x):
    return R.near_root("mish", x, K.in_longdouble(_mish_derivative_direct))


def mish_derivative(x):
    r""":math:`\tanh(\mathrm{sp}(x)) + x\,\mathrm{sech}^2(\mathrm{sp}(x))\,\sigma(x)`, sp = softplus."""
    return evaluate("mish", _mish_derivative, x, fused=_fused.mish_derivative)


# Metadata ----------------------------------------------------------------------------
def _gated(**kw):
    defaults = dict(
        zero_centred=False, monotonic=False, smoothness="Cinf", saturates="left", self_normalizing=False
    )
    return Properties(**{**defaults, **kw})


def _swish_properties(beta):
    b = r"\beta " if beta != 1.0 else ""
    return _gated(
        formula=rf"x\,\sigma({b}x)",
        derivative=rf"\sigma({b}x)\big(1 + {b}x(1 - \sigma({b}x))\big)",
        output_range=(_SILU_MIN / beta, np.inf),
        range_latex=rf"[{_SILU_MIN / beta:.5f}, \infty)",
        cost="medium",
        cite_key="ramachandran2017searching",
        note="found by automated search; β = 1 is SiLU",
    )


# Minimum values (at the zeros of the derivatives), computed with mpmath at 30 digits.
_GELU_MIN = -0.16997120747990366169
_SILU_MIN = -0.27846454276107379511
_MISH_MIN = -0.30884341301725040663
_GELU_TANH_MIN = -0.17004075057125405064

SPECS = (
    Spec(
        "gelu",
        gelu,
        gelu_derivative,
        _no_params,
        lambda: _gated(
            formula=r"x\,\Phi(x) = \frac{x}{2}\Big(1 + \mathrm{erf}\big(\tfrac{x}{\sqrt{2}}\big)\Big)",
            derivative=r"\Phi(x) + x\,\varphi(x)",
            output_range=(_GELU_MIN, np.inf),
            range_latex=r"[-0.16997, \infty)",
            cost="high",
            cite_key="hendrycks2016gaussian",
            note="transformers' default; input weighted by Φ(x)",
        ),
    ),
    Spec(
        "gelu_tanh",
        gelu_tanh,
        gelu_tanh_derivative,
        _no_params,
        lambda: _gated(
            formula=r"\frac{x}{2}\Big(1 + \tanh\big(\sqrt{2/\pi}\,(x + 0.044715\,x^{3})\big)\Big)",
            derivative=r"\tfrac{1}{2}(1 + t) + \tfrac{x}{2}(1 - t^2)\sqrt{2/\pi}\,(1 + 0.134145\,x^2)",
            output_range=(_GELU_TANH_MIN, np.inf),
            range_latex=r"[-0.17004, \infty)",
            cost="medium",
            cite_key="hendrycks2016gaussian",
            note="GELU's tanh approximation (BERT, GPT-2)",
        ),
    ),
    Spec(
        "silu",
        silu,
        silu_derivative,
        _no_params,
        lambda: _gated(
            formula=r"x\,\sigma(x)",
            derivative=r"\sigma(x)\big(1 + x(1 - \sigma(x))\big)",
            output_range=(_SILU_MIN, np.inf),
            range_latex=r"[-0.27846, \infty)",
            cost="medium",
            cite_key="elfwing2018sigmoid",
            note="Swish with β = 1",
        ),
    ),
    Spec("swish", swish, swish_derivative, _check_swish, _swish_properties),
    Spec(
        "hard_swish",
        hard_swish,
        hard_swish_derivative,
        _no_params,
        lambda: _gated(
            formula=r"x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
            derivative=r"\begin{cases} 0 & x < -3 \\ (2x + 3)/6 & -3 \le x \le 3 \\ 1 & x > 3 \end{cases}",
            output_range=(-0.375, np.inf),
            range_latex=r"[-0.375, \infty)",
            smoothness="C0",
            cost="low",
            cite_key="howard2019searching",
            kinks=(-3.0, 3.0),
            note="piecewise Swish for mobile networks",
        ),
    ),
    Spec(
        "mish",
        mish,
        mish_derivative,
        _no_params,
        lambda: _gated(
            formula=r"x \tanh\big(\log(1 + e^{x})\big)",
            derivative=r"\tanh(s) + x\,\mathrm{sech}^2(s)\,\sigma(x), \; s = \log(1 + e^x)",
            output_range=(_MISH_MIN, np.inf),
            range_latex=r"[-0.30884, \infty)",
            cost="high",
            cite_key="misra2019mish",
            note="smooth, non-monotone; two transcendental functions",
        ),
    ),
)
