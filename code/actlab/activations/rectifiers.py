"""The rectifier and its deterministic relatives: ReLU, ReLU6, Leaky ReLU and softplus.

ReLU (Nair & Hinton 2010; Glorot, Bordes & Bengio 2011) passes positive inputs and
zeroes the rest: cheap, non-saturating on the right and sparse. ReLU6 caps it at 6;
Leaky ReLU (Maas, Hannun & Ng 2013) keeps a small slope on the left so that no unit
is ever without gradient; softplus (Dugas et al. 2001) is its smooth version, with
σ as its derivative.
"""

from __future__ import annotations

import numpy as np

from actlab.activations import _fused
from actlab.activations import _kernels as K
from actlab.activations._core import finite_real, positive_real
from actlab.activations._dd import scaled
from actlab.activations.base import Properties, Spec, evaluate

__all__ = [
    "relu",
    "relu_derivative",
    "relu6",
    "relu6_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "softplus",
    "softplus_derivative",
    "scale_negative",
    "SPECS",
]


def _no_params() -> dict:
    return {}


def _relu(x):
    return K.clamp(x, 0.0, np.inf)


def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`.

    Nair & Hinton (2010) introduced it in restricted Boltzmann machines, Glorot, Bordes
    & Bengio (2011) in deep supervised networks, and Krizhevsky, Sutskever & Hinton
    (2012) made it the default.
    """
    return evaluate("relu", _relu, x, blockwise=False)  # one pass at any size: blocks would add a copy


def relu_derivative(x):
    """1 for x > 0, 0 for x < 0. At the kink x = 0 it returns 0, the convention of
    PyTorch, TensorFlow and JAX (any value in [0, 1] is a valid subgradient)."""
    return evaluate("relu", K.indicator_positive, x, blockwise=False)


def _relu6(x):
    return K.clamp(x, 0.0, 6.0)


def relu6(x):
    r"""ReLU capped at 6: :math:`\min(\max(0, x), 6)`.

    Introduced by Krizhevsky (2010, convolutional deep belief networks on CIFAR-10) and
    used throughout MobileNets, where it also builds hard-sigmoid and hard-swish
    (Howard et al. 2019, the bibliography key given). The cap keeps activations in a
    range that low-precision arithmetic represents well.
    """
    return evaluate("relu6", _relu6, x, blockwise=False)


def _relu6_derivative(x):
    return K.constant_pieces(x, 0.0, 6.0, 1.0)


def relu6_derivative(x):
    """1 on (0, 6), 0 outside; 0 at the kinks 0 and 6 (as PyTorch)."""
    return evaluate("relu6", _relu6_derivative, x, blockwise=False)


def scale_negative(x: np.ndarray, slope) -> np.ndarray:
    """``x`` where x > 0 and ``slope·x`` elsewhere, for a scalar or broadcastable slope.

    A scalar slope is max(x, 0) + slope·min(x, 0). For per-element slopes the factor
    (1 or slope) is built without masks; an input of −inf with a slope of exactly 0
    gives 0, the limit of 0·x, rather than 0·inf = NaN.
    """
    if np.ndim(slope) == 0 and x.dtype == np.float32:
        return np.asarray(_fused.leaky_relu(x, float(slope)))  # the same, in one pass
    if np.ndim(slope) == 0 and slope != 0.0:
        # max(x, 0) + slope·min(x, 0): exact, and no mask.
        neg = K.clamp(x, -np.inf, 0.0)
        with np.errstate(over="ignore"):  # |slope| > 1 can take a huge negative x past the
            neg *= slope  # largest float; −inf is then the correctly rounded result
        neg += K.clamp(x, 0.0, np.inf)
        return neg
    p = K.indicator_positive(x)
    factor = np.multiply(np.subtract(1.0, p), slope)
    factor += p
    with np.errstate(invalid="ignore", over="ignore"):
        # invalid: −inf·0 where the slope is 0, set to its limit 0 just below;
        # over: a slope above 1 can take a huge negative x past the largest float,
        # and −inf is then the correctly rounded result.
        out = np.multiply(x, factor)
    if np.any(factor == 0.0):
        np.copyto(out, 0.0, where=(factor == 0.0) & ~np.isnan(x))
    return out


def _check_leaky(slope: float = 0.01) -> dict:
    return {"slope": finite_real("leaky_relu", "slope", slope)}


def leaky_relu(x, slope: float = 0.01):
    r"""Leaky ReLU: x for x > 0 and ``slope``·x otherwise (Maas, Hannun & Ng 2013).

    Args:
        slope: the negative-side slope, 0.01 as in the paper and PyTorch (Keras's
            ``LeakyReLU`` layer defaults to 0.3). With slope 1 it is the identity;
            learned per channel it is PReLU.
    """
    return evaluate("leaky_relu", scale_negative, x, blockwise=False, **_check_leaky(slope))


def _leaky_derivative(x, slope):
    return K.constant_pieces(x, 0.0, np.inf, 1.0, slope)


def leaky_relu_derivative(x, slope: float = 0.01):
    """1 for x > 0, ``slope`` for x ≤ 0 (the kink at 0 takes the slope, as PyTorch)."""
    return evaluate("leaky_relu", _leaky_derivative, x, blockwise=False, **_check_leaky(slope))


def _check_softplus(beta: float = 1.0) -> dict:
    return {"beta": positive_real("softplus", "beta", beta)}


#: β·|x| beyond which e^(−β|x|) is 0 in float64; clipping there keeps β·|x| finite.
_SOFTPLUS_CAP = 800.0


def _softplus(x, beta):
    a = np.abs(x)
    if beta == 1.0:
        np.negative(a, out=a)
        np.exp(a, out=a)
        np.log1p(a, out=a)
    else:
        # β|x| = a + lo exactly: log1p(e^(−a − lo)) = log1p(e) − lo·e/(1 + e) with e = e^(−a),
        # to first order; without lo the rounding of β|x| comes back up to β|x| times
        # larger (64 ulp at β = 10, x = −8.5).
        a, lo = scaled(K.clamp(a, 0.0, _SOFTPLUS_CAP / beta), beta)
        e = np.exp(np.negative(a))
        a = np.log1p(e)
        lo *= e
        e += 1.0
        lo /= e
        a -= lo
        a /= beta
    a += K.clamp(x, 0.0, np.inf)  # max(βx, 0)/β = max(x, 0) exactly
    return a


def softplus(x, beta: float = 1.0):
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, a smooth ReLU (Dugas et al. 2001).

    Computed as :math:`\max(x, 0) + \log(1 + e^{-\beta\lvert x\rvert})/\beta`, exact in
    both tails (unlike PyTorch, which switches to x above βx = 20 and is off there).

    Args:
        beta: sharpness β > 0; softplus tends to ReLU as β → ∞. Default 1.
    """
    return evaluate("softplus", _softplus, x, fused=_fused.softplus, **_check_softplus(beta))


def _softplus_derivative(x, beta):
    if beta == 1.0:
        return K.sigmoid(x)
    c, lo = scaled(K.clamp(x, -_SOFTPLUS_CAP / beta, _SOFTPLUS_CAP / beta), beta)  # βx = c + lo
    return K.sigmoid_of_pair(c, lo)


def softplus_derivative(x, beta: float = 1.0):
    r""":math:`\sigma(\beta x)`: the logistic sigmoid is the derivative of softplus."""
    return evaluate("softplus", _softplus_derivative, x, fused=_fused.softplus_derivative, **_check_softplus(beta))


def _relu_like(**kw):
    defaults = dict(zero_centred=False, monotonic=True, self_normalizing=False, cost="low")
    return Properties(**{**defaults, **kw})


def _leaky_properties(slope):
    return _relu_like(
        formula=r"\begin{cases} x & x > 0 \\ " + f"{slope:g}" + r"\,x & x \le 0 \end{cases}",
        derivative=r"\begin{cases} 1 & x > 0 \\ " + f"{slope:g}" + r" & x \le 0 \end{cases}",
        output_range=(-np.inf if slope > 0 else (0.0 if slope == 0 else -np.inf), np.inf),
        range_latex=r"(-\infty, \infty)" if slope != 0 else r"[0, \infty)",
        zero_centred=slope == 1.0,
        monotonic=slope >= 0,
        smoothness="Cinf" if slope == 1.0 else "C0",
        saturates="left" if slope == 0 else "none",
        cite_key="maas2013rectifier",
        kinks=() if slope == 1.0 else (0.0,),
        note="small slope on the left so no unit dies",
    )


def _softplus_properties(beta):
    b = "" if beta == 1.0 else r"\beta "
    return _relu_like(
        formula=(r"\frac{1}{\beta}\log(1 + e^{\beta x})" if beta != 1.0 else r"\log(1 + e^{x})"),
        derivative=rf"\sigma({b}x)",
        output_range=(0.0, np.inf),
        range_latex=r"(0, \infty)",
        smoothness="Cinf",
        saturates="left",
        cost="medium",
        cite_key="dugas2001incorporating",
        note="smooth ReLU; its derivative is σ",
    )


SPECS = (
    Spec(
        "relu",
        relu,
        relu_derivative,
        _no_params,
        lambda: _relu_like(
            formula=r"\max(0, x)",
            derivative=r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
            output_range=(0.0, np.inf),
            range_latex=r"[0, \infty)",
            smoothness="C0",
            saturates="left",
            cite_key="nair2010rectified",
            kinks=(0.0,),
            note="default hidden unit; sparse; can die",
        ),
    ),
    Spec(
        "relu6",
        relu6,
        relu6_derivative,
        _no_params,
        lambda: _relu_like(
            formula=r"\min(\max(0, x), 6)",
            derivative=r"1 \text{ on } (0, 6), \; 0 \text{ outside}",
            output_range=(0.0, 6.0),
            range_latex="[0, 6]",
            smoothness="C0",
            saturates="both",
            cite_key="howard2019searching",
            kinks=(0.0, 6.0),
            note="bounded ReLU for low-precision inference",
        ),
    ),
    Spec("leaky_relu", leaky_relu, leaky_relu_derivative, _check_leaky, _leaky_properties),
    Spec("softplus", softplus, softplus_derivative, _check_softplus, _softplus_properties),
)
