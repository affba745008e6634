"""Squashing functions: sigmoid, tanh, softsign and their piecewise-linear "hard" forms.

They map the real line into a bounded interval and saturate on both sides: their
derivatives vanish for large |x|, which is what makes deep stacks of them hard to train
(chapter 3). σ′ is at most 1/4 and tanh′ at most 1, and tanh(x) = 2σ(2x) − 1.
"""

from __future__ import annotations


import numpy as np

from actlab.activations import _fused
from actlab.activations import _kernels as K
from actlab.activations.base import Properties, Spec, evaluate

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "hard_sigmoid",
    "hard_sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "hard_tanh",
    "hard_tanh_derivative",
    "softsign",
    "softsign_derivative",
    "SPECS",
]


def _no_params() -> dict:
    return {}


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, range (0, 1).

    The output unit for binary and multi-label classification; the hidden unit of
    backpropagation's first successes (Rumelhart, Hinton & Williams 1986).
    """
    return evaluate("sigmoid", K.sigmoid, x, fused=_fused.sigmoid)


def sigmoid_derivative(x):
    r""":math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`, at most 1/4 (at 0)."""
    return evaluate("sigmoid", K.sigmoid_derivative, x, fused=_fused.sigmoid_derivative)


def _hard_sigmoid(x):
    t = np.add(x, 3.0)  # exact near x = −3, where x/6 + 1/2 would cancel
    K.clamp(t, 0.0, 6.0, out=t)
    t /= 6.0
    return t


def hard_sigmoid(x):
    r"""Hard sigmoid :math:`\mathrm{ReLU6}(x + 3)/6`: 0 for x ≤ −3, 1 for x ≥ 3, linear between.

    The piecewise-linear σ of MobileNetV3 (Howard et al. 2019), as in PyTorch.
    Other libraries have used other slopes (Keras: ``0.2x + 0.5``).
    """
    return evaluate("hard_sigmoid", _hard_sigmoid, x, fused=_fused.hard_sigmoid)


def _hard_sigmoid_derivative(x):
    return K.constant_pieces(x, -3.0, 3.0, 1.0 / 6.0)


def hard_sigmoid_derivative(x):
    """1/6 on (−3, 3), 0 outside; at the kinks ±3 it returns 0 (as PyTorch)."""
    return evaluate("hard_sigmoid", _hard_sigmoid_derivative, x, blockwise=False)


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh x = (e^x - e^{-x})/(e^x + e^{-x}) = 2\sigma(2x) - 1`.

    Zero-centred, range (−1, 1); recommended over σ for hidden layers by LeCun et al.
    (1998, "Efficient BackProp").
    """
    return evaluate("tanh", np.tanh, x, blockwise=False, fused=_fused.tanh)


def _tanh_derivative(x):
    # 1 − tanh²x cancels to nothing for |x| ≳ 19; 4e/(1 + e)² with e = e^(−2|x|) does not.
    e = np.abs(x)
    K.clamp(e, 0.0, 400.0, out=e)  # e^(−800) is already 0; keeps −2|x| finite
    e *= -2.0
    K.exp(e, out=e)
    d = K._e_over_one_plus_e_squared(e)
    d *= 4.0
    return d


def tanh_derivative(x):
    r""":math:`\tanh' x = 1 - \tanh^2 x = 4\sigma'(2x)`, at most 1 (at 0)."""
    return evaluate("tanh", _tanh_derivative, x, fused=_fused.tanh_derivative)


def _hard_tanh(x):
    return K.clamp(x, -1.0, 1.0)


def hard_tanh(x):
    """Hard tanh: x clipped to [−1, 1] (Collobert's HardTanh, as in PyTorch)."""
    return evaluate("hard_tanh", _hard_tanh, x, blockwise=False)


def _hard_tanh_derivative(x):
    return K.indicator_inside(x, 1.0)


def hard_tanh_derivative(x):
    """1 on (−1, 1), 0 outside; 0 at the kinks ±1 (as PyTorch)."""
    return evaluate("hard_tanh", _hard_tanh_derivative, x, blockwise=False)


_SOFTSIGN_CAP = 2.0**60  # softsign(±2⁶⁰) = ±1 in both dtypes; keeps inf/inf out


def _softsign(x):
    c = K.clamp(x, -_SOFTSIGN_CAP, _SOFTSIGN_CAP)
    d = np.abs(c)
    d += 1.0
    np.divide(c, d, out=c)
    return c


def softsign(x):
    r"""Softsign :math:`x / (1 + \lvert x \rvert)`, range (−1, 1).

    Like tanh but approaching ±1 polynomially rather than exponentially (Glorot &
    Bengio 2010 compared the two).
    """
    return evaluate("softsign", _softsign, x, fused=_fused.softsign)


def _softsign_derivative(x):
    r = np.abs(x)
    r += 1.0
    np.reciprocal(r, out=r)
    r *= r  # 1/(1+|x|)² without squaring 1 + |x|, which would overflow
    return r


def softsign_derivative(x):
    r""":math:`1 / (1 + \lvert x \rvert)^2`."""
    return evaluate("softsign", _softsign_derivative, x, fused=_fused.softsign_derivative)


def _properties(**kw):
    defaults = dict(zero_centred=False, monotonic=True, saturates="both", self_normalizing=False)
    return Properties(**{**defaults, **kw})


SPECS = (
    Spec(
        "sigmoid",
        sigmoid,
        sigmoid_derivative,
        _no_params,
        lambda: _properties(
            formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            derivative=r"\sigma(x)\,(1 - \sigma(x))",
            output_range=(0.0, 1.0),
            range_latex="(0, 1)",
            smoothness="Cinf",
            cost="medium",
            cite_key="rumelhart1986learning",
            note="binary and multi-label outputs; max slope 1/4",
        ),
        aliases=("logistic",),
    ),
    Spec(
        "hard_sigmoid",
        hard_sigmoid,
        hard_sigmoid_derivative,
        _no_params,
        lambda: _properties(
            formula=r"\frac{\mathrm{ReLU6}(x + 3)}{6}",
            derivative=r"\tfrac{1}{6} \text{ on } (-3, 3), \; 0 \text{ outside}",
            output_range=(0.0, 1.0),
            range_latex="[0, 1]",
            smoothness="C0",
            cost="low",
            cite_key="howard2019searching",
            kinks=(-3.0, 3.0),
            note="cheap σ for mobile networks",
        ),
    ),
    Spec(
        "tanh",
        tanh,
        tanh_derivative,
        _no_params,
        lambda: _properties(
            formula=r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            derivative=r"1 - \tanh^2 x",
            output_range=(-1.0, 1.0),
            range_latex="(-1, 1)",
            zero_centred=True,
            smoothness="Cinf",
            cost="medium",
            cite_key="lecun1998efficient",
            note="zero-centred squashing; LeNet-era hidden layers",
        ),
    ),
    Spec(
        "hard_tanh",
        hard_tanh,
        hard_tanh_derivative,
        _no_params,
        lambda: _properties(
            formula=r"\max(-1, \min(1, x))",
            derivative=r"1 \text{ on } (-1, 1), \; 0 \text{ outside}",
            output_range=(-1.0, 1.0),
            range_latex="[-1, 1]",
            zero_centred=True,
            smoothness="C0",
            cost="low",
            cite_key=None,
            kinks=(-1.0, 1.0),
            note="piecewise-linear tanh",
        ),
    ),
    Spec(
        "softsign",
        softsign,
        softsign_derivative,
        _no_params,
        lambda: _properties(
            formula=r"\frac{x}{1 + \lvert x \rvert}",
            derivative=r"\frac{1}{(1 + \lvert x \rvert)^2}",
            output_range=(-1.0, 1.0),
            range_latex="(-1, 1)",
            zero_centred=True,
            smoothness="C1",
            cost="low",
            cite_key=None,
            note="tanh-like with polynomial tails",
        ),
    ),
)

