"""Gradient descent and its two most used refinements, with gradient clipping.

Every optimizer updates ``Parameter.value`` in place from ``Parameter.grad``. Before
the update, ``step`` optionally

* adds weight decay ``λ θ`` to the gradient of each parameter with ``decay=True``
  (an L2 penalty ``λ/2 ‖θ‖²``; biases, BN scales and PReLU slopes are exempt);
* clips each gradient entry to ``[−clip_value, clip_value]``;
* rescales all gradients together so that their global norm is at most ``clip_norm``
  :cite:`pascanu2013difficulty` — the direction is kept, only the step is shortened.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import blas

from actlab.nn.layer import Parameter

__all__ = ["SGD", "Adam", "Momentum", "Optimizer", "clip_by_norm", "clip_by_value", "get_optimizer", "global_norm"]


def global_norm(grads: list[np.ndarray]) -> float:
    """``√(Σ_i ‖g_i‖²)`` over all the arrays, as if they were one long vector."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))


def axpy(a: float, x: np.ndarray, y: np.ndarray) -> None:
    """``y ← y + a·x`` in place, in one pass over the arrays (BLAS's axpy).

    numpy would take two, ``a·x`` into a temporary and then the sum; every parameter
    update ends with one of these, at every step.
    """
    if y.dtype == x.dtype and y.dtype in (np.float32, np.float64) and y.flags.c_contiguous and x.flags.c_contiguous:
        (blas.saxpy if y.dtype == np.float32 else blas.daxpy)(x.reshape(-1), y.reshape(-1), a=a)
    else:
        y += a * x


def clip_by_value(grads: list[np.ndarray], limit: float) -> None:
    """Clip every entry of every gradient to ``[−limit, limit]``, in place."""
    for g in grads:
        np.clip(g, -limit, limit, out=g)


def clip_by_norm(grads: list[np.ndarray], max_norm: float) -> float:
    """Scale all gradients by ``min(1, max_norm / ‖g‖)``, in place; returns the norm before clipping."""
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm


class Optimizer:
    """Shared bookkeeping: the parameters, the learning rate, decay and clipping."""

    def __init__(self, params: list[Parameter], lr: float, *, weight_decay: float = 0.0,
                 clip_value: float | None = None, clip_norm: float | None = None):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: no parameters to optimize")
        for name, value in (("lr", lr), ("weight_decay", weight_decay), ("clip_value", clip_value), ("clip_norm", clip_norm)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{type(self).__name__}: {name} must be a finite number ≥ 0, got {value!r}")
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.clip_value, self.clip_norm = clip_value, clip_norm
        self.steps = 0
        self.last_grad_norm: float | None = None  # global norm before clipping, when clip_norm is set
        self._index = {id(p): i for i, p in enumerate(self.params)}

    @property
    def updates_per_layer(self) -> bool:
        """Whether a parameter's update needs only its own gradient (no global norm clipping).

        Then :func:`~actlab.nn.train` updates each layer as soon as its backward pass is
        done, while its weights and gradients are still in the processor's cache; the
        result is the same, bit for bit, as one :meth:`step` after the whole backward pass.
        A subclass that overrides :meth:`step` (to look at all the gradients first, say)
        gets its ``step`` called instead.
        """
        return self.clip_norm is None and type(self).step is Optimizer.step

    def step(self) -> None:
        """One update of every parameter from its current gradient."""
        if self.clip_norm is None:
            self.begin_step()
            self.update(self.params)
            return
        grads = [self._prepared(p) for p in self.params]
        self.last_grad_norm = clip_by_norm(grads, self.clip_norm)
        self.begin_step()
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self.update_one(i, p, g)

    def begin_step(self) -> None:
        """Count a new step; subclasses add what is shared by all its parameter updates."""
        self.steps += 1

    def update(self, params: list[Parameter]) -> None:
        """Update ``params`` (those of them this optimizer holds) as part of the current step.

        Call :meth:`begin_step` once per step first; :meth:`step` does both for all the
        parameters at once.
        """
        for p in params:
            i = self._index.get(id(p))
            if i is not None:
                self.update_one(i, p, self._prepared(p))

    def _prepared(self, p: Parameter) -> np.ndarray:
        """The gradient the update uses: with weight decay added and clipped by value, if set."""
        g = p.grad
        if self.weight_decay and p.decay:
            g = g + self.weight_decay * p.value
        if self.clip_value is not None or self.clip_norm is not None:
            g = g.copy() if g is p.grad else g  # clipping works in place; the layer's grad stays as computed
        if self.clip_value is not None:
            clip_by_value([g], self.clip_value)
        return g

    def update_one(self, i: int, p: Parameter, g: np.ndarray) -> None:
        """Update parameter ``p`` (number ``i``) from gradient ``g``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum.

    ``θ ← θ − η g`` without momentum; with momentum ``μ`` a velocity accumulates the
    gradients, ``v ← μ v + g``, ``θ ← θ − η v`` (PyTorch's form).
    """

    def __init__(self, params, lr: float = 0.01, *, momentum: float = 0.0, **options):
        super().__init__(params, lr, **options)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p.value) for p in self.params] if self.momentum else None

    def update_one(self, i, p, g):
        if self.velocity is not None:
            v = self.velocity[i]
            v *= self.momentum
            v += g
            g = v
        axpy(-self.lr, g, p.value)


class Momentum(SGD):
    """SGD with momentum 0.9 by default."""

    def __init__(self, params, lr: float = 0.01, *, momentum: float = 0.9, **options):
        super().__init__(params, lr, momentum=momentum, **options)


class Adam(Optimizer):
    """Adam :cite:`kingma2014adam`: per-parameter steps from running gradient moments.

    ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``, bias-corrected
    ``m̂ = m / (1 − β₁ᵗ)``, ``v̂ = v / (1 − β₂ᵗ)``, then ``θ ← θ − η m̂ / (√v̂ + ε)``.

    That is the update; the moments are stored so that it takes 7 passes over the
    parameters rather than 12 (this runs for every parameter at every step):

    * without their factors ``1 − β``: ``m′ = m / (1 − β₁)`` accumulates ``m′ ← β₁ m′ + g``
      (and ``v′ = v / (1 − β₂)`` likewise, with ``g²``);
    * in growing units, so that the decay costs no pass: with ``c₁ = β₁ˢ`` (s steps since
      the last rescaling) ``self.m`` holds ``m̃ = m′ / c₁``, and ``m′ ← β₁ m′ + g`` becomes
      ``m̃ ← m̃ + g / c₁``, a single axpy. When ``c₁`` would fall below 2⁻²⁰, ``m̃`` is
      rescaled to ``m′`` instead (every 132 steps for β₁ = 0.9; at every step for β₁ = 0,
      where the rescaling is the decay). ``v`` is kept the same way with ``c₂``.

    The factors ``1 − β``, ``c`` and the bias corrections meet in two scalars per step.
    """

    #: Rescale a moment's units when its decay factor would fall below this.
    RESCALE_BELOW = 2.0**-20

    def __init__(self, params, lr: float = 1e-3, *, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, **options):
        super().__init__(params, lr, **options)
        self.beta1, self.beta2 = (float(b) for b in betas)
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.eps = float(eps)
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]
        self._units = [1.0, 1.0]  # c₁ and c₂: m′ = c₁·m̃ and v′ = c₂·ṽ
        # One scratch array, the size of the largest parameter, serves them all in turn (one
        # per dtype): reused at once, it stays in the processor's cache.
        sizes: dict[np.dtype, int] = {}
        for p in self.params:
            sizes[p.value.dtype] = max(sizes.get(p.value.dtype, 0), p.value.size)
        buffers = {dtype: np.zeros(size, dtype) for dtype, size in sizes.items()}
        self.scratch = [buffers[p.value.dtype][: p.value.size].reshape(p.value.shape) for p in self.params]

    def begin_step(self) -> None:
        # The step's scalars, once for all the parameters. With r = √((1 − β₂ᵗ)/(1 − β₂)):
        #   η m̂ / (√v̂ + ε) = η_t m′ / (√v′ + ε_t),  η_t = η r (1 − β₁)/(1 − β₁ᵗ),  ε_t = ε r,
        # and with m′ = c₁ m̃, v′ = c₂ ṽ that is  k · m̃ / (√ṽ + e),  k = η_t c₁/√c₂,  e = ε_t/√c₂.
        super().begin_step()
        t = self.steps
        self._shrink = []  # per moment: the factor to rescale it by at this step, or None
        for j, beta in enumerate((self.beta1, self.beta2)):
            c = self._units[j] * beta
            self._shrink.append(c if c < self.RESCALE_BELOW else None)
            self._units[j] = 1.0 if c < self.RESCALE_BELOW else c
        c1, c2 = self._units
        root = math.sqrt((1 - self.beta2**t) / (1 - self.beta2))
        self._k = self.lr * root * (1 - self.beta1) / (1 - self.beta1**t) * c1 / math.sqrt(c2)
        self._e = self.eps * root / math.sqrt(c2)

    def update_one(self, i, p, g):
        # In place, through one scratch array: allocating temporaries would cost as much
        # as the arithmetic.
        m, v, s = self.m[i], self.v[i], self.scratch[i]
        (shrink_m, shrink_v), (c1, c2) = self._shrink, self._units
        if shrink_m is not None:
            m *= shrink_m
        if shrink_v is not None:
            v *= shrink_v
        axpy(1.0 / c1, g, m)  # m̃ ← m̃ + g/c₁
        np.multiply(g, g, out=s)
        axpy(1.0 / c2, s, v)  # ṽ ← ṽ + g²/c₂
        np.sqrt(v, out=s)
        s += self._e
        np.divide(m, s, out=s)
        axpy(-self._k, s, p.value)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer: str | Optimizer, params: list[Parameter], lr: float | None = None, **options) -> Optimizer:
    """An optimizer instance: ``optimizer`` itself, or a new one of that name over ``params``."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[optimizer](params, **({} if lr is None else {"lr": lr}), **options)
