"""The activation object: a function, its derivative, its backward pass and its metadata.

Every activation of the package is an :class:`Activation`. The engine's layers use
``forward(x) -> (y, cache)`` and ``backward(cache, upstream) -> grad_x`` (a
vector-Jacobian product); chapters use the object as a function (``act(x)``), its
``derivative(x)`` and the metadata in :class:`Properties`, from which the book's
reference table is generated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from actlab.activations._core import apply_elementwise, as_float_array

__all__ = ["Properties", "Activation", "Elementwise", "Spec", "evaluate", "check_upstream"]

SMOOTHNESS = ("discontinuous", "C0", "C1", "Cinf")
SIDES = ("none", "left", "right", "both")
COSTS = ("low", "medium", "high")


@dataclass(frozen=True)
class Properties:
    """What the book's reference table says about an activation (for given parameters).

    ``formula`` and ``derivative`` are LaTeX without dollar signs, written with
    ``\\lvert``/``\\rvert`` rather than ``|`` so that they survive inside Markdown tables.
    """

    formula: str
    derivative: str
    #: Infimum and supremum of the output (``±inf`` when unbounded).
    output_range: tuple[float, float]
    #: The range in interval notation (LaTeX), open or closed as the function attains it.
    range_latex: str
    #: Mean output 0 for a standard normal input (true of odd functions, and of SELU).
    zero_centred: bool
    #: Non-decreasing on the whole real line.
    monotonic: bool
    #: "discontinuous", "C0" (continuous), "C1" (continuous derivative) or "Cinf".
    smoothness: str
    #: Where the derivative tends to 0: "none", "left" (x → −∞), "right" or "both".
    saturates: str
    #: Keeps activations near mean 0 and variance 1 through depth (Klambauer et al. 2017).
    self_normalizing: bool
    #: "low" (comparisons and products), "medium" (one exp, log or tanh per element)
    #: or "high" (erf, or two transcendental functions per element).
    cost: str
    #: Bibliography key in the book's ``references.bib``, or ``None``.
    cite_key: str | None
    #: Inputs where the derivative is undefined (the value returned there is a convention).
    kinks: tuple[float, ...] = ()
    #: One line on what the activation is for; shown in the reference table.
    note: str = ""

    def __post_init__(self):
        if self.smoothness not in SMOOTHNESS:
            raise ValueError(f"smoothness must be one of {SMOOTHNESS}, got {self.smoothness!r}")
        if self.saturates not in SIDES:
            raise ValueError(f"saturates must be one of {SIDES}, got {self.saturates!r}")
        if self.cost not in COSTS:
            raise ValueError(f"cost must be one of {COSTS}, got {self.cost!r}")


def evaluate(name: str, kernel: Callable[..., np.ndarray], x, *, blockwise: bool = True, fused=None, **params):
    """``kernel`` applied to ``x`` after coercion; a scalar in gives a numpy scalar out.

    ``blockwise=False`` for kernels that are a single numpy call, which gain nothing
    from cache-sized blocks. ``fused``: the activation's compiled float32 ufunc
    (:mod:`actlab.activations._fused`), called as ``fused(x, parameter)`` with the one
    parameter's value (0 for none) for float32 input, in place of ``kernel``.
    """
    x = as_float_array(x, name)
    if fused is not None and x.dtype == np.float32:
        (parameter,) = params.values() or (0.0,)
        if not (x.flags.c_contiguous or x.flags.f_contiguous):
            x = np.ascontiguousarray(x)  # one copy; strided, the kernel goes element by element
        y = np.asarray(fused(x, parameter))
    elif blockwise:
        y = apply_elementwise(kernel, x, **params)
    else:
        y = kernel(x.reshape(-1), **params).reshape(x.shape)
    return y if y.ndim else y[()]


def check_upstream(name: str, upstream, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient as a float array of the output's shape."""
    g = as_float_array(upstream, f"{name}.backward")
    if g.shape != shape:
        raise ValueError(f"{name}.backward: upstream gradient has shape {g.shape}, expected {shape}")
    return g


@dataclass(frozen=True)
class Spec:
    """How to build one deterministic elementwise activation.

    ``check(**params)`` validates and normalises the parameters (its keyword defaults
    are the activation's defaults); ``function(x, **params)`` and
    ``derivative(x, **params)`` are the public plain functions; ``properties(**params)``
    gives the metadata.
    """

    name: str
    function: Callable
    derivative: Callable
    check: Callable[..., dict]
    properties: Callable[..., Properties]
    aliases: tuple[str, ...] = field(default=())


class Activation:
    """Base class: an activation with parameters, a training flag and metadata.

    Subclasses implement :meth:`forward`, :meth:`backward` and :meth:`derivative`, and
    set :attr:`info`. ``training`` is toggled by the engine; only the stochastic
    activations (``noisy_relu``, ``rrelu``) behave differently when it is true.
    """

    #: Whether the activation acts on each element independently.
    elementwise: bool = True
    #: Whether the forward pass draws random numbers when ``training`` is true.
    stochastic: bool = False

    def __init__(self, name: str, params: Mapping[str, object]):
        self.name = name
        self.params = dict(params)
        self.training = False

    # The function and its derivative -------------------------------------------------
    def __call__(self, x):
        """The activation's value at ``x`` (with fresh noise for stochastic ones in training)."""
        y = self.forward(x)[0]
        return y if y.ndim else y[()]

    def derivative(self, x):
        """The elementwise derivative ``f′(x)``."""
        raise NotImplementedError

    def forward(self, x) -> tuple[np.ndarray, object]:
        """``(y, cache)``: the output and what :meth:`backward` needs."""
        raise NotImplementedError

    def backward(self, cache, upstream) -> np.ndarray:
        """The vector-Jacobian product: ``∂L/∂x`` from ``∂L/∂y = upstream``."""
        raise NotImplementedError

    # Metadata ----------------------------------------------------------------------
    @property
    def info(self) -> Properties:
        """The metadata for the current parameters."""
        raise NotImplementedError

    formula = property(lambda self: self.info.formula, doc="LaTeX formula of the function.")
    derivative_formula = property(lambda self: self.info.derivative, doc="LaTeX formula of f′.")
    output_range = property(lambda self: self.info.output_range, doc="(infimum, supremum) of f.")
    range_latex = property(lambda self: self.info.range_latex, doc="The range in LaTeX.")
    zero_centred = property(lambda self: self.info.zero_centred, doc="E[f(z)] = 0 for z ~ N(0, 1).")
    monotonic = property(lambda self: self.info.monotonic, doc="Non-decreasing everywhere.")
    smoothness = property(lambda self: self.info.smoothness, doc='"discontinuous", "C0", "C1" or "Cinf".')
    saturates = property(lambda self: self.info.saturates, doc='Sides where f′ → 0.')
    self_normalizing = property(lambda self: self.info.self_normalizing, doc="Self-normalizing.")
    cost = property(lambda self: self.info.cost, doc='"low", "medium" or "high".')
    cite_key = property(lambda self: self.info.cite_key, doc="Bibliography key of the paper.")

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        return f"<activation {self.name}({params})>"


def _short(v) -> str:
    if isinstance(v, float) and math.isfinite(v):
        return repr(v)
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape})"
    return repr(v)


class Elementwise(Activation):
    """A deterministic elementwise activation built from a :class:`Spec`."""

    def __init__(self, spec: Spec, **params):
        super().__init__(spec.name, spec.check(**params))
        self.spec = spec

    def __call__(self, x):
        return self.spec.function(x, **self.params)

    def derivative(self, x):
        return self.spec.derivative(x, **self.params)

    def forward(self, x):
        x = as_float_array(x, self.name)
        return np.asarray(self.spec.function(x, **self.params)), x

    def backward(self, cache, upstream):
        g = check_upstream(self.name, upstream, cache.shape)
        return g * np.asarray(self.spec.derivative(cache, **self.params))

    @property
    def info(self) -> Properties:
        return self.spec.properties(**self.params)
