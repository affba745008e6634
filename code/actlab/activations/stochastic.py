"""Activations that draw random numbers in training: Noisy ReLU and Randomized Leaky ReLU.

Both are ordinary deterministic functions when ``training`` is false (the default) and
draw their noise from a seeded :class:`numpy.random.Generator` when it is true. The
forward pass keeps what it drew in its cache, so that the backward pass differentiates
the very function that produced the output.
"""

from __future__ import annotations

import numpy as np

from actlab.activations import _kernels as K
from actlab.activations._core import apply_elementwise, as_float_array, finite_real, positive_real
from actlab.activations.base import Activation, Properties, check_upstream
from actlab.activations.rectifiers import relu_derivative, scale_negative

__all__ = ["NoisyReLU", "RReLU", "make_rng"]


def make_rng(name: str, seed, rng) -> np.random.Generator:
    """The generator to draw from: ``rng`` if given, else ``default_rng(seed)`` with seed 0
    when neither is given, so that runs are reproducible by default."""
    if rng is not None:
        if seed is not None:
            raise ValueError(f"{name}: give either seed or rng, not both")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{name}: rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is None:
        seed = 0
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name}: seed must be an integer, got {type(seed).__name__}")
    return np.random.default_rng(seed)


class NoisyReLU(Activation):
    r"""Noisy rectified linear unit :math:`\max(0, x + \varepsilon)`, :math:`\varepsilon \sim N(0, \sigma(x))`.

    Nair & Hinton (2010) introduced it as the hidden unit of restricted Boltzmann
    machines: the sum of many binary units with shared weights and offset biases is
    approximated by ``max(0, x + N(0, σ(x)))``, Gaussian noise whose *variance* is the
    logistic sigmoid of the input. That is the default here (``std=None``); a number
    ``std`` gives noise of fixed standard deviation instead.

    In training (``training = True``) the noise is drawn, ε = s(x)·n with n ~ N(0, 1)
    and s(x) = √σ(x), and the backward pass is the exact derivative of that sample,
    ``[x + s(x)n > 0]·(1 + n·s′(x))`` (the reparametrised gradient; s′ = 0 for a fixed
    std). In evaluation the noise is off and the unit is the plain ReLU, whose
    derivative :meth:`derivative` returns in both modes.

    Args:
        std: ``None`` for Nair & Hinton's √σ(x), or a fixed standard deviation > 0.
        seed: seed of the generator (``None`` means 0, so runs are reproducible; give
            each layer its own seed, or share a generator through ``rng``).
        rng: a :class:`numpy.random.Generator` to draw from instead of ``seed``.
    """

    stochastic = True

    def __init__(self, std: float | None = None, *, seed: int | None = None, rng=None):
        if std is not None:
            std = positive_real("noisy_relu", "std", std)
        super().__init__("noisy_relu", {"std": std})
        self.rng = make_rng("noisy_relu", seed, rng)

    def derivative(self, x):
        return relu_derivative(as_float_array(x, self.name))

    def forward(self, x):
        x = as_float_array(x, self.name)
        if not self.training:
            return K.clamp(x, 0.0, np.inf), (x, None)
        n = self.rng.standard_normal(x.shape, dtype=x.dtype)
        std = self.params["std"]
        if std is None:
            s = apply_elementwise(K.sigmoid, x)
            np.sqrt(s, out=s)
        else:
            s = np.full_like(x, std)
        z = x + s * n
        return K.clamp(z, 0.0, np.inf), (x, (n, z))

    def backward(self, cache, upstream):
        x, noise = cache
        g = check_upstream(self.name, upstream, x.shape)
        if noise is None:
            return g * relu_derivative(x)
        n, z = noise
        d = 1.0
        if self.params["std"] is None:
            # s = √σ(x), s′ = σ′/(2√σ) = s(1 − σ)/2.
            sig = apply_elementwise(K.sigmoid, x)
            d = 1.0 + n * (np.sqrt(sig) * (1.0 - sig) * 0.5)
        return g * (K.indicator_positive(z) * d)

    @property
    def info(self) -> Properties:
        std = self.params["std"]
        noise = r"\mathcal{N}(0, \sigma(x))" if std is None else rf"\mathcal{{N}}(0, {std:g}^2)"
        return Properties(
            formula=rf"\max(0, x + \varepsilon),\; \varepsilon \sim {noise}",
            derivative=r"[x + \varepsilon > 0] \text{ (evaluation: } [x > 0])",
            output_range=(0.0, np.inf),
            range_latex=r"[0, \infty)",
            zero_centred=False,
            monotonic=True,
            smoothness="C0",
            saturates="left",
            self_normalizing=False,
            cost="medium",
            cite_key="nair2010rectified",
            kinks=(0.0,),
            note="ReLU with Gaussian noise in training (RBMs)",
        )


class RReLU(Activation):
    r"""Randomized Leaky ReLU (Xu et al. 2015): a random negative slope in training.

    In training each element gets its own slope :math:`a \sim U(\text{lower}, \text{upper})`
    and the output is x for x ≥ 0 and a·x otherwise; the slopes are kept in the cache
    for the backward pass. In evaluation the slope is the mean (lower + upper)/2, which
    is 11/48 for the defaults 1/8 and 1/3 (PyTorch's convention; the paper's
    experiments wrote the negative part as x/a with a ~ U(3, 8)).

    Args:
        lower, upper: the slope interval, 0 ≤ lower ≤ upper. Defaults 1/8 and 1/3.
        seed: seed of the generator (``None`` means 0); rng: a Generator instead.
    """

    stochastic = True

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3, *, seed: int | None = None, rng=None):
        lower = finite_real("rrelu", "lower", lower)
        upper = finite_real("rrelu", "upper", upper)
        if lower < 0:
            raise ValueError(f"rrelu: parameter 'lower' must be ≥ 0 (a slope), got {lower!r}")
        if lower > upper:
            raise ValueError(f"rrelu: parameter 'lower' ({lower!r}) must not exceed 'upper' ({upper!r})")
        super().__init__("rrelu", {"lower": lower, "upper": upper})
        self.rng = make_rng("rrelu", seed, rng)

    @property
    def eval_slope(self) -> float:
        """The slope used in evaluation: (lower + upper)/2."""
        return 0.5 * (self.params["lower"] + self.params["upper"])

    def derivative(self, x):
        x = as_float_array(x, self.name)
        return K.constant_pieces(x, 0.0, np.inf, 1.0, self.eval_slope)

    def forward(self, x):
        x = as_float_array(x, self.name)
        if not self.training:
            return scale_negative(x, self.eval_slope), (x, None)  # one pass, as Leaky ReLU
        lo, hi = self.params["lower"], self.params["upper"]
        a = self.rng.random(x.shape, dtype=x.dtype)
        a *= hi - lo
        a += lo
        return scale_negative(x, a), (x, a)

    def backward(self, cache, upstream):
        x, a = cache
        g = check_upstream(self.name, upstream, x.shape)
        if a is None:
            return g * self.derivative(x)
        p = K.indicator_positive(x)
        return g * (p + (1.0 - p) * a)

    @property
    def info(self) -> Properties:
        lo, hi = self.params["lower"], self.params["upper"]
        return Properties(
            formula=(
                r"\begin{cases} x & x \ge 0 \\ a x & x < 0 \end{cases},\;"
                r" a \sim U(l, u) \text{ (evaluation: } a = \tfrac{l + u}{2})"
            ),
            derivative=r"\begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
            output_range=(-np.inf if hi > 0 else 0.0, np.inf),
            range_latex=r"(-\infty, \infty)" if hi > 0 else r"[0, \infty)",
            zero_centred=False,
            monotonic=True,
            smoothness="C0",
            saturates="none" if hi > 0 else "left",
            self_normalizing=False,
            cost="low",
            cite_key="xu2015empirical",
            kinks=(0.0,),
            note=f"random slope in [{lo:.4g}, {hi:.4g}] in training, mean in evaluation",
        )
