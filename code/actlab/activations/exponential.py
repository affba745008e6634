"""The exponential linear family: ELU, CELU and SELU.

ELU (Clevert, Unterthiner & Hochreiter 2015) replaces ReLU's flat left half by
α(eˣ − 1), which saturates at −α and pulls the mean activation towards zero. CELU
(Barron 2017) rescales the input of the exponential so that the derivative is
continuous for every α. SELU (Klambauer et al. 2017) is λ·ELU with the α and λ that
make mean 0 and variance 1 a stable fixed point of a layer with LeCun-normal weights.
"""

from __future__ import annotations

import numpy as np

from actlab.activations import _fused
from actlab.activations import _kernels as K
from actlab.activations._core import positive_real
from actlab.activations._dd import two_prod
from actlab.activations.base import Properties, Spec, evaluate

__all__ = [
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "elu",
    "elu_derivative",
    "celu",
    "celu_derivative",
    "selu",
    "selu_derivative",
    "SPECS",
]

#: SELU's α = 1.6732632423543772848170429916717… (Klambauer et al. 2017), to double precision.
SELU_ALPHA = 1.6732632423543772848170429916717
#: SELU's λ = 1.0507009873554804934193349852946… (Klambauer et al. 2017), to double precision.
SELU_LAMBDA = 1.0507009873554804934193349852946
#: λα = 1.7580993408473768599402175208123…, rounded once rather than as a product of roundings.
_SELU_LAMBDA_ALPHA = 1.7580993408473768599402175208123


def _elu_like(x, scale, neg_scale):
    """``scale·max(x, 0) + neg_scale·expm1(min(x, 0))``."""
    pos = K.clamp(x, 0.0, np.inf)
    if scale != 1.0:
        with np.errstate(over="ignore"):  # λx > max: inf is the correctly rounded value
            pos *= scale
    neg = K.clamp(x, -np.inf, 0.0)
    pos += K.scaled_expm1_nonpositive(neg, neg_scale)  # e^x − 1 would lose every digit near 0
    return pos


def _elu_like_derivative(x, scale, neg_scale):
    """``scale`` for x > 0 and ``neg_scale·eˣ`` for x ≤ 0."""
    p = K.indicator_positive(x)
    e = K.clamp(x, -np.inf, 0.0)
    K.exp(e, out=e)
    e *= neg_scale
    return K.select(p, np.full_like(e, scale), e)


def _check_elu(alpha: float = 1.0) -> dict:
    return {"alpha": positive_real("elu", "alpha", alpha)}


def _elu(x, alpha):
    return _elu_like(x, 1.0, alpha)


def elu(x, alpha: float = 1.0):
    r"""Exponential linear unit: x for x > 0 and :math:`\alpha(e^x - 1)` for x ≤ 0.

    Clevert, Unterthiner & Hochreiter (2015). Saturates at −α on the left.

    Args:
        alpha: the negative saturation value, α > 0. Default 1, the paper's value
            (not 0.01, a popular confusion with Leaky ReLU's slope). Only α = 1 makes
            the derivative continuous at 0.
    """
    return evaluate("elu", _elu, x, fused=_fused.elu, **_check_elu(alpha))


def _elu_derivative(x, alpha):
    return _elu_like_derivative(x, 1.0, alpha)


def elu_derivative(x, alpha: float = 1.0):
    r"""1 for x > 0 and :math:`\alpha e^x` (= ELU(x) + α) for x ≤ 0.

    At 0 the left derivative α is returned (as PyTorch); for α ≠ 1 the derivative
    jumps there.
    """
    return evaluate("elu", _elu_derivative, x, fused=_fused.elu_derivative, **_check_elu(alpha))


def _check_celu(alpha: float = 1.0) -> dict:
    return {"alpha": positive_real("celu", "alpha", alpha)}


def _celu_clipped(x, alpha):
    # min(x, 0), clipped where e^(x/α) underflows anyway, so that x/α cannot overflow.
    return K.clamp(x, -800.0 * alpha, 0.0)


def _celu_argument(x, alpha):
    z = _celu_clipped(x, alpha)
    if alpha != 1.0:
        z /= alpha
    return z


def _celu(x, alpha):
    z = K.scaled_expm1_nonpositive(_celu_argument(x, alpha), alpha)
    z += K.clamp(x, 0.0, np.inf)
    return z


def celu(x, alpha: float = 1.0):
    r"""Continuously differentiable ELU: :math:`\max(0, x) + \min(0, \alpha(e^{x/\alpha} - 1))`.

    Barron (2017). Equal to ELU for α = 1; for any α its derivative is continuous.

    Args:
        alpha: saturation value α > 0. Default 1.
    """
    return evaluate("celu", _celu, x, fused=_fused.celu, **_check_celu(alpha))


def _celu_derivative(x, alpha):
    if alpha == 1.0:
        z = _celu_argument(x, alpha)
        return K.exp(z, out=z)  # 1 for x > 0, since z = 0 there
    # e^(x/α) with x/α = z + lo: the exponential would magnify the rounding of z up to
    # |z| times (84 ulp at α = 3 near x = −745); lo = (x − α·z)/α, where x − α·z is exact
    # (Dekker's product, and Sterbenz: α·z is within an ulp or two of x).
    xc = _celu_clipped(x, alpha)
    z = xc / alpha
    p, e = two_prod(z, alpha)
    lo = xc - p
    lo -= e
    lo /= alpha
    lo += 1.0
    K.exp(z, out=z)
    z *= lo
    return z


def celu_derivative(x, alpha: float = 1.0):
    r"""1 for x > 0 and :math:`e^{x/\alpha}` for x ≤ 0 (continuous at 0)."""
    return evaluate("celu", _celu_derivative, x, fused=_fused.celu_derivative, **_check_celu(alpha))


def _selu(x):
    return _elu_like(x, SELU_LAMBDA, _SELU_LAMBDA_ALPHA)


def selu(x):
    r"""Scaled ELU :math:`\lambda\,\mathrm{ELU}_\alpha(x)` (Klambauer et al. 2017).

    With α = :data:`SELU_ALPHA` ≈ 1.6733 and λ = :data:`SELU_LAMBDA` ≈ 1.0507, the
    solutions of E[f(z)] = 0 and E[f(z)²] = 1 for z ~ N(0, 1): with LeCun-normal
    weights, layer after layer keeps its activations near mean 0 and variance 1.
    SELU(0) = 0 and SELU(x) → −λα ≈ −1.7581 as x → −∞.
    """
    return evaluate("selu", _selu, x, fused=_fused.selu)


def _selu_derivative(x):
    return _elu_like_derivative(x, SELU_LAMBDA, _SELU_LAMBDA_ALPHA)


def selu_derivative(x):
    r"""λ for x > 0 and :math:`\lambda\alpha e^x` for x ≤ 0; it jumps from λα ≈ 1.7581
    to λ ≈ 1.0507 at 0, where the left value λα is returned (as PyTorch)."""
    return evaluate("selu", _selu_derivative, x, fused=_fused.selu_derivative)


def _elu_properties(alpha):
    return Properties(
        formula=r"\begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
        derivative=r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        output_range=(-alpha, np.inf),
        range_latex=rf"(-{alpha:g}, \infty)",
        zero_centred=False,
        monotonic=True,
        smoothness="C1" if alpha == 1.0 else "C0",
        saturates="left",
        self_normalizing=False,
        cost="medium",
        cite_key="clevert2015fast",
        kinks=() if alpha == 1.0 else (0.0,),
        note="saturates at −α; mean activation nearer zero",
    )


def _celu_properties(alpha):
    return Properties(
        formula=r"\max(0, x) + \min\!\big(0, \alpha (e^{x/\alpha} - 1)\big)",
        derivative=r"\begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        output_range=(-alpha, np.inf),
        range_latex=rf"(-{alpha:g}, \infty)",
        zero_centred=False,
        monotonic=True,
        smoothness="C1",
        saturates="left",
        self_normalizing=False,
        cost="medium",
        cite_key="barron2017continuously",
        note="ELU made C¹ for every α",
    )


def _selu_properties():
    return Properties(
        formula=r"\lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
        derivative=r"\lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        output_range=(-_SELU_LAMBDA_ALPHA, np.inf),
        range_latex=r"(-\lambda\alpha, \infty) \approx (-1.7581, \infty)",
        zero_centred=True,
        monotonic=True,
        smoothness="C0",
        saturates="left",
        self_normalizing=True,
        cost="medium",
        cite_key="klambauer2017self",
        kinks=(0.0,),
        note="self-normalizing with LeCun-normal init; α ≈ 1.6733, λ ≈ 1.0507",
    )


SPECS = (
    Spec("elu", elu, elu_derivative, _check_elu, _elu_properties),
    Spec("celu", celu, celu_derivative, _check_celu, _celu_properties),
    Spec("selu", selu, selu_derivative, lambda: {}, _selu_properties),
)
